//! [`ParamValue`]: a value bound to a parameter of a prepared statement,
//! made from a Rust value. It is always data: the statement's text is never
//! touched, so no value can change what the statement does.

use crate::logical::ScalarValue;
use arrow::array::{
    BooleanArray, Date32Array, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array,
    Int8Array, TimestampMicrosecondArray, UInt16Array, UInt32Array, UInt64Array, UInt8Array,
};
use arrow::datatypes::{DataType, Date32Type};
use std::sync::Arc;

/// A typed value (or NULL) for one parameter. Its type need not be the
/// parameter's: it is cast with CAST's rules when the statement executes.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamValue(ScalarValue);

impl ParamValue {
    /// NULL of no particular type; it takes the parameter's type.
    pub fn null() -> Self {
        Self(ScalarValue::null(&DataType::Null))
    }

    pub fn scalar(&self) -> &ScalarValue {
        &self.0
    }

    pub fn into_scalar(self) -> ScalarValue {
        self.0
    }
}

/// `ParamValue::from(x)` for each Rust type whose one-element Arrow array
/// the macro names.
macro_rules! from_primitive {
    ($($rust:ty => $array:ident),* $(,)?) => {$(
        impl From<$rust> for ParamValue {
            fn from(value: $rust) -> Self {
                Self(wrap(Arc::new($array::from(vec![value]))))
            }
        }
    )*};
}

from_primitive!(
    i8 => Int8Array,
    i16 => Int16Array,
    i32 => Int32Array,
    i64 => Int64Array,
    u8 => UInt8Array,
    u16 => UInt16Array,
    u32 => UInt32Array,
    u64 => UInt64Array,
    f32 => Float32Array,
    f64 => Float64Array,
    bool => BooleanArray,
);

/// A one-element array is always a valid scalar.
fn wrap(array: arrow::array::ArrayRef) -> ScalarValue {
    ScalarValue::from_array(array.as_ref(), 0)
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        Self(ScalarValue::utf8(value))
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        Self(ScalarValue::utf8(&value))
    }
}

impl From<&String> for ParamValue {
    fn from(value: &String) -> Self {
        Self(ScalarValue::utf8(value))
    }
}

impl From<chrono::NaiveDate> for ParamValue {
    fn from(value: chrono::NaiveDate) -> Self {
        let days = Date32Type::from_naive_date(value);
        Self(wrap(Arc::new(Date32Array::from(vec![days]))))
    }
}

impl From<chrono::NaiveDateTime> for ParamValue {
    fn from(value: chrono::NaiveDateTime) -> Self {
        let micros = value.and_utc().timestamp_micros();
        Self(wrap(Arc::new(TimestampMicrosecondArray::from(vec![
            micros,
        ]))))
    }
}

impl From<ScalarValue> for ParamValue {
    fn from(value: ScalarValue) -> Self {
        Self(value)
    }
}

impl<T: Into<ParamValue>> From<Option<T>> for ParamValue {
    fn from(value: Option<T>) -> Self {
        value.map_or_else(ParamValue::null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_values_keep_their_types() {
        assert_eq!(
            ParamValue::from(1i32).scalar().data_type(),
            &DataType::Int32
        );
        assert_eq!(
            ParamValue::from(1i64).scalar().data_type(),
            &DataType::Int64
        );
        assert_eq!(
            ParamValue::from(0.5).scalar().data_type(),
            &DataType::Float64
        );
        assert_eq!(ParamValue::from("x").scalar().data_type(), &DataType::Utf8);
        let date = chrono::NaiveDate::from_ymd_opt(1998, 9, 2).unwrap();
        assert_eq!(ParamValue::from(date).scalar().to_string(), "1998-09-02");
    }

    #[test]
    fn none_is_null() {
        let value = ParamValue::from(None::<i32>);
        assert!(value.scalar().is_null());
        assert_eq!(ParamValue::from(Some(3)).scalar().to_string(), "3");
    }
}
