//! `agg(DISTINCT x [, y])`: the distinct argument tuples of each group are
//! kept (in Arrow's row format, in the order first seen) and fed once each,
//! in that order, to a fresh inner accumulator at the end, which skips NULLs
//! as it always does (`first(DISTINCT x)` may be NULL, as in DuckDB). Runs in
//! a single aggregation phase.

use super::grouped_rows::GroupedRowSet;
use super::{row_selected, Factory, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{ArrayRef, BooleanArray};
use arrow::datatypes::DataType;

pub struct DistinctAccumulator {
    seen: GroupedRowSet,
    factory: Factory,
}

impl DistinctAccumulator {
    pub fn try_new(arg_types: &[DataType], factory: Factory) -> Result<Self> {
        if arg_types.is_empty() {
            return Err(QuarryError::Internal(
                "DISTINCT aggregate without argument".into(),
            ));
        }
        Ok(Self {
            seen: GroupedRowSet::try_new(arg_types)?,
            factory,
        })
    }
}

impl GroupsAccumulator for DistinctAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        _total_groups: usize,
    ) -> Result<()> {
        if values.is_empty() {
            return Err(QuarryError::Internal(
                "DISTINCT aggregate without input".into(),
            ));
        }
        let rows = self.seen.convert(values)?;
        for (row, &group) in group_indices.iter().enumerate() {
            if row_selected(filter, row) {
                self.seen.insert(group, rows.row(row))?;
            }
        }
        Ok(())
    }

    fn merge(&mut self, _: &[ArrayRef], _: &[usize], _: usize) -> Result<()> {
        Err(QuarryError::Internal(
            "DISTINCT aggregates run in a single phase and never merge".into(),
        ))
    }

    fn state(&mut self, _total_groups: usize) -> Result<Vec<ArrayRef>> {
        Err(QuarryError::Internal(
            "DISTINCT aggregates run in a single phase and have no partial state".into(),
        ))
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let entries = self.seen.entries();
        let all: Vec<usize> = (0..entries.len()).collect();
        let values = entries.columns(&all)?;
        let group_indices: Vec<usize> = all.iter().map(|&e| entries.group(e)).collect();
        self.seen.clear();
        let mut inner = (self.factory)()?;
        inner.update(&values, &group_indices, None, total_groups)?;
        inner.evaluate(total_groups)
    }

    fn size(&self) -> usize {
        self.seen.size()
    }
}
