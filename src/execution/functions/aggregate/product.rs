//! product: the product of a group's non-NULL values as DOUBLE (DuckDB);
//! NULL for a group without values. The state is the product so far.

use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array};
use arrow::buffer::NullBuffer;
use arrow::datatypes::Float64Type;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct ProductAccumulator {
    products: Vec<f64>,
    seen: Vec<bool>,
}

impl GroupsAccumulator for ProductAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.products.resize(total_groups, 1.0);
        self.seen.resize(total_groups, false);
        let array = argument(values, 0, "product")?
            .as_primitive_opt::<Float64Type>()
            .ok_or_else(|| QuarryError::Internal("product input is not DOUBLE".into()))?;
        for (row, &group) in group_indices.iter().enumerate() {
            if array.is_valid(row) && row_selected(filter, row) {
                self.products[group] *= array.value(row);
                self.seen[group] = true;
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
        self.products.resize(total_groups, 1.0);
        self.seen.resize(total_groups, false);
        let nulls = NullBuffer::from(std::mem::take(&mut self.seen));
        Ok(Arc::new(Float64Array::new(
            std::mem::take(&mut self.products).into(),
            Some(nulls),
        )))
    }

    fn size(&self) -> usize {
        self.products.capacity() * 8 + self.seen.capacity()
    }
}
