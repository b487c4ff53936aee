//! AVG: a sum (DOUBLE, or DECIMAL(38, s) summed exactly) and a count per group;
//! the result is DOUBLE.

use super::{row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, PrimitiveArray,
};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{
    ArrowNativeTypeOp, ArrowPrimitiveType, DataType, Decimal128Type, Float64Type, Int64Type,
};
use std::sync::Arc;

pub fn create(arg_type: &DataType) -> Result<Box<dyn GroupsAccumulator>> {
    Ok(match arg_type {
        DataType::Float64 => Box::new(AverageAccumulator::<Float64Type>::new(
            arg_type.clone(),
            |v| v,
        )),
        DataType::Decimal128(_, scale) => {
            let divisor = 10f64.powi(*scale as i32);
            Box::new(AverageAccumulator::<Decimal128Type>::new(
                arg_type.clone(),
                move |v| v as f64 / divisor,
            ))
        }
        other => {
            return Err(QuarryError::Internal(format!(
                "no AVG accumulator for {other}"
            )))
        }
    })
}

pub struct AverageAccumulator<T: ArrowPrimitiveType> {
    sums: Vec<T::Native>,
    counts: Vec<i64>,
    sum_type: DataType,
    to_f64: Box<dyn Fn(T::Native) -> f64 + Send>,
}

impl<T: ArrowPrimitiveType> AverageAccumulator<T> {
    fn new(sum_type: DataType, to_f64: impl Fn(T::Native) -> f64 + Send + 'static) -> Self {
        Self {
            sums: vec![],
            counts: vec![],
            sum_type,
            to_f64: Box::new(to_f64),
        }
    }

    fn resize(&mut self, total_groups: usize) {
        self.sums.resize(total_groups, T::Native::default());
        self.counts.resize(total_groups, 0);
    }
}

impl<T: ArrowPrimitiveType> GroupsAccumulator for AverageAccumulator<T> {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.resize(total_groups);
        let values = values
            .first()
            .and_then(|v| v.as_primitive_opt::<T>())
            .ok_or_else(|| QuarryError::Internal(format!("AVG input is not {}", self.sum_type)))?;
        let raw = values.values();
        for (row, &group) in group_indices.iter().enumerate() {
            if values.is_valid(row) && row_selected(filter, row) {
                self.sums[group] = self.sums[group].add_checked(raw[row])?;
                self.counts[group] += 1;
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
        self.resize(total_groups);
        let (Some(sums), Some(counts)) = (
            states.first().and_then(|s| s.as_primitive_opt::<T>()),
            states
                .get(1)
                .and_then(|s| s.as_primitive_opt::<Int64Type>()),
        ) else {
            return Err(QuarryError::Internal("malformed AVG state".into()));
        };
        for (row, &group) in group_indices.iter().enumerate() {
            if sums.is_valid(row) {
                self.sums[group] = self.sums[group].add_checked(sums.value(row))?;
            }
            self.counts[group] += counts.value(row);
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.resize(total_groups);
        let sums = std::mem::take(&mut self.sums);
        let counts = std::mem::take(&mut self.counts);
        let nulls = NullBuffer::from(counts.iter().map(|c| *c > 0).collect::<Vec<_>>());
        let sums = PrimitiveArray::<T>::new(sums.into(), Some(nulls))
            .with_data_type(self.sum_type.clone());
        Ok(vec![Arc::new(sums), Arc::new(Int64Array::from(counts))])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.resize(total_groups);
        let sums = std::mem::take(&mut self.sums);
        let counts = std::mem::take(&mut self.counts);
        let to_f64 = &self.to_f64;
        let averages: Float64Array = sums
            .into_iter()
            .zip(counts)
            .map(|(sum, count)| (count > 0).then(|| to_f64(sum) / count as f64))
            .collect();
        Ok(Arc::new(averages))
    }

    fn size(&self) -> usize {
        self.sums.capacity() * std::mem::size_of::<T::Native>() + self.counts.capacity() * 8
    }
}
