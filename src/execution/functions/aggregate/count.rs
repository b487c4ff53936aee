//! COUNT(*), COUNT(x) and regr_count(y, x): one i64 per group, counting the
//! rows where every argument is non-NULL. regr_count is UINTEGER, as in
//! DuckDB; its partial state stays BIGINT.

use super::{row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, BooleanArray, Int64Array};
use arrow::buffer::NullBuffer;
use arrow::datatypes::DataType;
use std::sync::Arc;

#[derive(Debug)]
pub struct CountAccumulator {
    counts: Vec<i64>,
    result_type: DataType,
}

impl CountAccumulator {
    pub fn new(result_type: DataType) -> Self {
        Self {
            counts: vec![],
            result_type,
        }
    }
}

impl GroupsAccumulator for CountAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.counts.resize(total_groups, 0);
        let present = values.iter().fold(None, |present: Option<NullBuffer>, v| {
            NullBuffer::union(present.as_ref(), v.logical_nulls().as_ref())
        });
        match (present, filter) {
            (None, None) => {
                for &group in group_indices {
                    self.counts[group] += 1;
                }
            }
            (present, filter) => {
                for (row, &group) in group_indices.iter().enumerate() {
                    let valid = present.as_ref().is_none_or(|p| p.is_valid(row));
                    if valid && row_selected(filter, row) {
                        self.counts[group] += 1;
                    }
                }
            }
        }
        Ok(())
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_groups: usize,
    ) -> Result<()> {
        self.counts.resize(total_groups, 0);
        let partial = states
            .first()
            .and_then(|s| s.as_any().downcast_ref::<Int64Array>())
            .ok_or_else(|| QuarryError::Internal("count state must be BIGINT".into()))?;
        for (row, &group) in group_indices.iter().enumerate() {
            self.counts[group] += partial.value(row);
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.counts.resize(total_groups, 0);
        Ok(vec![Arc::new(Int64Array::from(std::mem::take(
            &mut self.counts,
        )))])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let counts = self.state(total_groups)?.remove(0);
        if &self.result_type == counts.data_type() {
            return Ok(counts);
        }
        Ok(arrow::compute::cast(&counts, &self.result_type)?)
    }

    fn size(&self) -> usize {
        self.counts.capacity() * 8
    }
}
