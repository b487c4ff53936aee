//! SUM over BIGINT, DOUBLE and DECIMAL(38, s): one native value per group plus
//! a flag for groups that saw no non-NULL value (their sum is NULL).

use super::{row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, PrimitiveArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{
    ArrowNativeTypeOp, ArrowPrimitiveType, DataType, Decimal128Type, Float64Type, Int64Type,
};
use std::sync::Arc;

pub fn create(result: &DataType) -> Result<Box<dyn GroupsAccumulator>> {
    Ok(match result {
        DataType::Int64 => Box::new(SumAccumulator::<Int64Type>::new(result.clone())),
        DataType::Float64 => Box::new(SumAccumulator::<Float64Type>::new(result.clone())),
        DataType::Decimal128(_, _) => {
            Box::new(SumAccumulator::<Decimal128Type>::new(result.clone()))
        }
        other => {
            return Err(QuarryError::Internal(format!(
                "no SUM accumulator for {other}"
            )))
        }
    })
}

pub struct SumAccumulator<T: ArrowPrimitiveType> {
    sums: Vec<T::Native>,
    seen: Vec<bool>,
    data_type: DataType,
}

impl<T: ArrowPrimitiveType> SumAccumulator<T> {
    pub fn new(data_type: DataType) -> Self {
        Self {
            sums: vec![],
            seen: vec![],
            data_type,
        }
    }

    fn fold(
        &mut self,
        values: &PrimitiveArray<T>,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
    ) -> Result<()> {
        let raw = values.values();
        if values.null_count() == 0 && filter.is_none() {
            for (row, &group) in group_indices.iter().enumerate() {
                self.sums[group] = self.sums[group].add_checked(raw[row])?;
                self.seen[group] = true;
            }
        } else {
            for (row, &group) in group_indices.iter().enumerate() {
                if values.is_valid(row) && row_selected(filter, row) {
                    self.sums[group] = self.sums[group].add_checked(raw[row])?;
                    self.seen[group] = true;
                }
            }
        }
        Ok(())
    }
}

impl<T: ArrowPrimitiveType> GroupsAccumulator for SumAccumulator<T> {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.sums.resize(total_groups, T::Native::default());
        self.seen.resize(total_groups, false);
        let values = values
            .first()
            .and_then(|v| v.as_primitive_opt::<T>())
            .ok_or_else(|| QuarryError::Internal(format!("SUM input is not {}", self.data_type)))?;
        self.fold(values, group_indices, filter)
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
        self.sums.resize(total_groups, T::Native::default());
        self.seen.resize(total_groups, false);
        let sums = std::mem::take(&mut self.sums);
        let seen = std::mem::take(&mut self.seen);
        let nulls = NullBuffer::from(seen);
        let array = PrimitiveArray::<T>::new(sums.into(), Some(nulls))
            .with_data_type(self.data_type.clone());
        Ok(Arc::new(array))
    }

    fn size(&self) -> usize {
        self.sums.capacity() * std::mem::size_of::<T::Native>() + self.seen.capacity()
    }
}
