//! bool_and / bool_or: whether every / any non-NULL value of a group is
//! true; NULL for a group without values. The state is the result so far.

use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use std::sync::Arc;

pub struct BoolAndOrAccumulator {
    is_and: bool,
    values: Vec<Option<bool>>,
}

impl BoolAndOrAccumulator {
    pub fn new(is_and: bool) -> Self {
        Self {
            is_and,
            values: vec![],
        }
    }
}

impl GroupsAccumulator for BoolAndOrAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.values.resize(total_groups, None);
        let array = argument(values, 0, "bool_and")?
            .as_boolean_opt()
            .ok_or_else(|| QuarryError::Internal("bool_and input is not BOOLEAN".into()))?;
        for (row, &group) in group_indices.iter().enumerate() {
            if array.is_valid(row) && row_selected(filter, row) {
                let value = array.value(row);
                let slot = &mut self.values[group];
                *slot = Some(match *slot {
                    None => value,
                    Some(current) if self.is_and => current && value,
                    Some(current) => current || value,
                });
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
        self.update(states, group_indices, None, total_groups)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(total_groups)?])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.values.resize(total_groups, None);
        Ok(Arc::new(BooleanArray::from(std::mem::take(
            &mut self.values,
        ))))
    }

    fn size(&self) -> usize {
        self.values.capacity()
    }
}
