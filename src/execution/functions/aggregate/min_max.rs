//! MIN and MAX. Primitive types keep one native value per group; every other
//! type (strings, booleans, ...) is compared in Arrow's row format, whose byte
//! order is the sort order.

use super::{row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{new_null_array, Array, ArrayRef, AsArray, BooleanArray, PrimitiveArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::*;
use arrow::row::{OwnedRow, RowConverter, SortField};
use std::sync::Arc;

pub fn create(data_type: &DataType, is_min: bool) -> Result<Box<dyn GroupsAccumulator>> {
    macro_rules! primitive {
        ($t:ty) => {
            Box::new(PrimitiveMinMax::<$t>::new(data_type.clone(), is_min))
        };
    }
    Ok(match data_type {
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Float32 => primitive!(Float32Type),
        DataType::Float64 => primitive!(Float64Type),
        DataType::Decimal128(_, _) => primitive!(Decimal128Type),
        DataType::Date32 => primitive!(Date32Type),
        DataType::Timestamp(TimeUnit::Second, _) => primitive!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => primitive!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => primitive!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => primitive!(TimestampNanosecondType),
        other => Box::new(RowMinMax::try_new(other.clone(), is_min)?),
    })
}

struct PrimitiveMinMax<T: ArrowPrimitiveType> {
    values: Vec<T::Native>,
    seen: Vec<bool>,
    data_type: DataType,
    is_min: bool,
}

impl<T: ArrowPrimitiveType> PrimitiveMinMax<T> {
    fn new(data_type: DataType, is_min: bool) -> Self {
        Self {
            values: vec![],
            seen: vec![],
            data_type,
            is_min,
        }
    }
}

impl<T: ArrowPrimitiveType> GroupsAccumulator for PrimitiveMinMax<T> {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.values.resize(total_groups, T::Native::default());
        self.seen.resize(total_groups, false);
        let array = values
            .first()
            .and_then(|v| v.as_primitive_opt::<T>())
            .ok_or_else(|| {
                QuarryError::Internal(format!("MIN/MAX input is not {}", self.data_type))
            })?;
        let raw = array.values();
        for (row, &group) in group_indices.iter().enumerate() {
            if !array.is_valid(row) || !row_selected(filter, row) {
                continue;
            }
            let value = raw[row];
            let better = if self.is_min {
                value.is_lt(self.values[group])
            } else {
                value.is_gt(self.values[group])
            };
            if !self.seen[group] || better {
                self.values[group] = value;
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
        self.values.resize(total_groups, T::Native::default());
        self.seen.resize(total_groups, false);
        let values = std::mem::take(&mut self.values);
        let nulls = NullBuffer::from(std::mem::take(&mut self.seen));
        Ok(Arc::new(
            PrimitiveArray::<T>::new(values.into(), Some(nulls))
                .with_data_type(self.data_type.clone()),
        ))
    }

    fn size(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<T::Native>() + self.seen.capacity()
    }
}

struct RowMinMax {
    converter: RowConverter,
    best: Vec<Option<OwnedRow>>,
    data_type: DataType,
    is_min: bool,
}

impl RowMinMax {
    fn try_new(data_type: DataType, is_min: bool) -> Result<Self> {
        Ok(Self {
            converter: RowConverter::new(vec![SortField::new(data_type.clone())])?,
            best: vec![],
            data_type,
            is_min,
        })
    }
}

impl GroupsAccumulator for RowMinMax {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.best.resize(total_groups, None);
        let Some(array) = values.first() else {
            return Err(QuarryError::Internal("MIN/MAX without input".into()));
        };
        let rows = self
            .converter
            .convert_columns(std::slice::from_ref(array))?;
        for (row, &group) in group_indices.iter().enumerate() {
            if !array.is_valid(row) || !row_selected(filter, row) {
                continue;
            }
            let candidate = rows.row(row);
            let better = match &self.best[group] {
                None => true,
                Some(current) if self.is_min => candidate < current.row(),
                Some(current) => candidate > current.row(),
            };
            if better {
                self.best[group] = Some(candidate.owned());
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
        self.best.resize(total_groups, None);
        let null = new_null_array(&self.data_type, 1);
        let null_rows = self.converter.convert_columns(&[null])?;
        let null_row = null_rows.row(0);
        let best = std::mem::take(&mut self.best);
        let rows = best
            .iter()
            .map(|b| b.as_ref().map_or(null_row, |r| r.row()));
        let mut columns = self.converter.convert_rows(rows)?;
        columns
            .pop()
            .ok_or_else(|| QuarryError::Internal("MIN/MAX produced no column".into()))
    }

    fn size(&self) -> usize {
        self.best.capacity() * 32
    }
}
