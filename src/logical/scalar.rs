//! Literal values. A [`ScalarValue`] is a one-row Arrow array, so literals share
//! every cast, comparison and display routine with columns, and constant folding
//! is simply evaluation on a one-row batch.

use crate::error::{QuarryError, Result};
use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray, Int64Array, StringArray};
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use std::fmt;
use std::sync::Arc;

/// One typed value (possibly NULL), stored as an Arrow array of length 1.
#[derive(Clone)]
pub struct ScalarValue(ArrayRef);

impl ScalarValue {
    /// Wraps a one-row array; fails on any other length.
    pub fn try_new(array: ArrayRef) -> Result<Self> {
        if array.len() != 1 {
            return Err(QuarryError::Internal(format!(
                "a scalar needs a one-row array, got {} rows",
                array.len()
            )));
        }
        Ok(Self(array))
    }

    /// The value at `row` of `array`.
    pub fn from_array(array: &dyn Array, row: usize) -> Self {
        Self(array.slice(row, 1))
    }

    pub fn null(data_type: &DataType) -> Self {
        Self(new_null_array(data_type, 1))
    }

    pub fn boolean(value: bool) -> Self {
        Self(Arc::new(BooleanArray::from(vec![value])))
    }

    pub fn int64(value: i64) -> Self {
        Self(Arc::new(Int64Array::from(vec![value])))
    }

    pub fn utf8(value: &str) -> Self {
        Self(Arc::new(StringArray::from(vec![value])))
    }

    pub fn data_type(&self) -> &DataType {
        self.0.data_type()
    }

    pub fn is_null(&self) -> bool {
        // A `NullArray` has no validity buffer, so `is_null` alone says false.
        self.0.data_type() == &DataType::Null || self.0.is_null(0)
    }

    /// The one-row array behind this value.
    pub fn as_array(&self) -> &ArrayRef {
        &self.0
    }

    /// This value repeated `len` times.
    pub fn to_array(&self, len: usize) -> Result<ArrayRef> {
        if len == 1 {
            return Ok(self.0.clone());
        }
        let indices = arrow::array::UInt32Array::from(vec![0u32; len]);
        Ok(arrow::compute::take(&self.0, &indices, None)?)
    }

    /// Casts with SQL semantics (DuckDB's rounding and errors), the same
    /// rules as a CAST over a column.
    pub fn cast_to(&self, data_type: &DataType) -> Result<Self> {
        Self::try_new(crate::execution::expressions::cast::cast_array(
            &self.0, data_type,
        )?)
    }

    pub fn as_bool(&self) -> Option<bool> {
        self.0
            .as_any()
            .downcast_ref::<BooleanArray>()
            .filter(|a| a.is_valid(0))
            .map(|a| a.value(0))
    }

    /// The value as an i64 if it is a non-null integer.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_null() || !self.data_type().is_integer() {
            return None;
        }
        let cast = arrow::compute::cast(&self.0, &DataType::Int64).ok()?;
        cast.as_any()
            .downcast_ref::<Int64Array>()
            .map(|a| a.value(0))
    }

    /// The value on a line, for measuring ranges in the cost model: numbers
    /// as they are (decimals scaled), dates and timestamps in days.
    pub fn numeric(&self) -> Option<f64> {
        use arrow::array::AsArray;
        use arrow::datatypes::*;
        if self.is_null() {
            return None;
        }
        let a = &self.0;
        Some(match a.data_type() {
            DataType::Date32 => a.as_primitive::<Date32Type>().value(0) as f64,
            DataType::Date64 => a.as_primitive::<Date64Type>().value(0) as f64 / 86_400_000.0,
            DataType::Timestamp(unit, _) => {
                let per_day = match unit {
                    TimeUnit::Second => 86_400.0,
                    TimeUnit::Millisecond => 86_400_000.0,
                    TimeUnit::Microsecond => 86_400_000_000.0,
                    TimeUnit::Nanosecond => 86_400_000_000_000.0,
                };
                let raw = arrow::compute::cast(a, &DataType::Int64).ok()?;
                raw.as_primitive::<Int64Type>().value(0) as f64 / per_day
            }
            DataType::Decimal128(_, scale) => {
                a.as_primitive::<Decimal128Type>().value(0) as f64 / 10f64.powi(i32::from(*scale))
            }
            t if t.is_numeric() => {
                let cast = arrow::compute::cast(a, &DataType::Float64).ok()?;
                cast.as_primitive::<Float64Type>().value(0)
            }
            _ => return None,
        })
    }

    /// The value as a string if it is a non-null string of any string type.
    pub fn as_str(&self) -> Option<String> {
        if self.is_null() {
            return None;
        }
        match self.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Some(self.to_string()),
            _ => None,
        }
    }
}

impl PartialEq for ScalarValue {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_data() == other.0.to_data()
    }
}

impl fmt::Debug for ScalarValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self, self.data_type())
    }
}

impl fmt::Display for ScalarValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_null() {
            return write!(f, "NULL");
        }
        let options = FormatOptions::default();
        match ArrayFormatter::try_new(self.0.as_ref(), &options) {
            Ok(formatter) => write!(f, "{}", formatter.value(0)),
            Err(_) => write!(f, "?"),
        }
    }
}
