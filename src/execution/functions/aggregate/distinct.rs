//! `agg(DISTINCT x)`: the distinct non-NULL values of each group are kept (in
//! Arrow's row format) and fed once each to a fresh inner accumulator at the
//! end. Runs in a single aggregation phase.

use super::{row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::datatypes::DataType;
use arrow::row::{RowConverter, SortField};
use hashbrown::HashSet;

type Factory = Box<dyn Fn() -> Result<Box<dyn GroupsAccumulator>> + Send>;

pub struct DistinctAccumulator {
    converter: RowConverter,
    seen: Vec<HashSet<Box<[u8]>>>,
    factory: Factory,
    bytes: usize,
}

impl DistinctAccumulator {
    pub fn try_new(arg_type: DataType, factory: Factory) -> Result<Self> {
        Ok(Self {
            converter: RowConverter::new(vec![SortField::new(arg_type)])?,
            seen: vec![],
            factory,
            bytes: 0,
        })
    }
}

impl GroupsAccumulator for DistinctAccumulator {
    fn update(
        &mut self,
        values: Option<&ArrayRef>,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.seen.resize_with(total_groups, HashSet::new);
        let Some(array) = values else {
            return Err(QuarryError::Internal(
                "DISTINCT aggregate without input".into(),
            ));
        };
        let rows = self
            .converter
            .convert_columns(std::slice::from_ref(array))?;
        for (row, &group) in group_indices.iter().enumerate() {
            if array.is_valid(row) && row_selected(filter, row) {
                let bytes = rows.row(row);
                let set = &mut self.seen[group];
                if !set.contains(bytes.as_ref()) {
                    self.bytes += bytes.as_ref().len() + 16;
                    set.insert(bytes.as_ref().into());
                }
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
        self.seen.resize_with(total_groups, HashSet::new);
        let seen = std::mem::take(&mut self.seen);
        let total_groups = seen.len();
        let mut group_indices = vec![];
        let mut encoded = vec![];
        for (group, set) in seen.iter().enumerate() {
            for bytes in set {
                group_indices.push(group);
                encoded.push(bytes);
            }
        }
        let parser = self.converter.parser();
        let rows = encoded.iter().map(|bytes| parser.parse(bytes));
        let values = self.converter.convert_rows(rows)?;
        let mut inner = (self.factory)()?;
        inner.update(values.first(), &group_indices, None, total_groups)?;
        inner.evaluate(total_groups)
    }

    fn size(&self) -> usize {
        self.bytes
    }
}
