//! bit_and / bit_or / bit_xor over integers: one native value per group of
//! the argument's type, and whether the group saw a non-NULL value (else the
//! result is NULL). The state is the result so far.

use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, PrimitiveArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::*;
use std::ops::{BitAnd, BitOr, BitXor};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOperation {
    And,
    Or,
    Xor,
}

pub fn create(data_type: &DataType, operation: BitOperation) -> Result<Box<dyn GroupsAccumulator>> {
    macro_rules! integer {
        ($t:ty) => {
            Box::new(BitAccumulator::<$t>::new(operation))
        };
    }
    Ok(match data_type {
        DataType::Int8 => integer!(Int8Type),
        DataType::Int16 => integer!(Int16Type),
        DataType::Int32 => integer!(Int32Type),
        DataType::Int64 => integer!(Int64Type),
        DataType::UInt8 => integer!(UInt8Type),
        DataType::UInt16 => integer!(UInt16Type),
        DataType::UInt32 => integer!(UInt32Type),
        DataType::UInt64 => integer!(UInt64Type),
        other => {
            return Err(QuarryError::Internal(format!(
                "no bitwise aggregate for {other}"
            )))
        }
    })
}

pub struct BitAccumulator<T: ArrowPrimitiveType> {
    operation: BitOperation,
    values: Vec<T::Native>,
    seen: Vec<bool>,
}

impl<T: ArrowPrimitiveType> BitAccumulator<T> {
    fn new(operation: BitOperation) -> Self {
        Self {
            operation,
            values: vec![],
            seen: vec![],
        }
    }
}

impl<T> GroupsAccumulator for BitAccumulator<T>
where
    T: ArrowPrimitiveType,
    T::Native: BitAnd<Output = T::Native> + BitOr<Output = T::Native> + BitXor<Output = T::Native>,
{
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.values.resize(total_groups, T::Native::default());
        self.seen.resize(total_groups, false);
        let array = argument(values, 0, "bit_and")?
            .as_primitive_opt::<T>()
            .ok_or_else(|| QuarryError::Internal("bitwise aggregate input changed type".into()))?;
        let raw = array.values();
        for (row, &group) in group_indices.iter().enumerate() {
            if !array.is_valid(row) || !row_selected(filter, row) {
                continue;
            }
            let value = raw[row];
            let current = self.values[group];
            self.values[group] = if !self.seen[group] {
                value
            } else {
                match self.operation {
                    BitOperation::And => current & value,
                    BitOperation::Or => current | value,
                    BitOperation::Xor => current ^ value,
                }
            };
            self.seen[group] = true;
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
        self.values.resize(total_groups, T::Native::default());
        self.seen.resize(total_groups, false);
        let nulls = NullBuffer::from(std::mem::take(&mut self.seen));
        Ok(Arc::new(PrimitiveArray::<T>::new(
            std::mem::take(&mut self.values).into(),
            Some(nulls),
        )))
    }

    fn size(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<T::Native>() + self.seen.capacity()
    }
}
