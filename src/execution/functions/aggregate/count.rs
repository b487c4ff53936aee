//! COUNT(*) and COUNT(x): one i64 per group.

use super::{row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, BooleanArray, Int64Array};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct CountAccumulator {
    counts: Vec<i64>,
}

impl GroupsAccumulator for CountAccumulator {
    fn update(
        &mut self,
        values: Option<&ArrayRef>,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.counts.resize(total_groups, 0);
        match (values, filter) {
            (None, None) => {
                for &group in group_indices {
                    self.counts[group] += 1;
                }
            }
            (Some(values), None) if values.null_count() == 0 => {
                for &group in group_indices {
                    self.counts[group] += 1;
                }
            }
            _ => {
                for (row, &group) in group_indices.iter().enumerate() {
                    let present = values.is_none_or(|v| v.is_valid(row));
                    if present && row_selected(filter, row) {
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
        Ok(vec![self.evaluate(total_groups)?])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.counts.resize(total_groups, 0);
        Ok(Arc::new(Int64Array::from(std::mem::take(&mut self.counts))))
    }

    fn size(&self) -> usize {
        self.counts.capacity() * 8
    }
}
