//! Binary operators: comparisons, Kleene AND/OR, arithmetic with DuckDB's
//! division semantics (`/` is IEEE float division, `//` and `%` by zero are
//! errors except a float `%`), date arithmetic and string concatenation.

use super::arithmetic_error::{self, Kernel};
use super::cast::cast_array;
use super::{as_boolean, true_mask, wrap, ColumnarValue};
use crate::error::Result;
use crate::logical::{BinaryOp, ScalarValue};
use arrow::array::{Array, ArrayRef, Scalar};
use arrow::compute::cast;
use arrow::compute::kernels::{boolean, cmp, concat_elements, numeric};
use arrow::datatypes::DataType;
use std::fmt::Display;
use std::sync::Arc;

/// Floats with -0.0 turned into 0.0 (`x + 0.0`; NaN and NULL stay).
pub(super) fn positive_zero(value: ColumnarValue) -> Result<ColumnarValue> {
    let zero: ArrayRef = match value.data_type() {
        DataType::Float64 => Arc::new(arrow::array::Float64Array::from(vec![0.0])),
        DataType::Float32 => Arc::new(arrow::array::Float32Array::from(vec![0.0f32])),
        _ => return Ok(value),
    };
    let zero = Scalar::new(zero);
    Ok(match value {
        ColumnarValue::Array(array) => ColumnarValue::Array(numeric::add(&array, &zero)?),
        ColumnarValue::Scalar(v) => {
            let array = numeric::add(v.as_array(), &zero)?;
            ColumnarValue::Scalar(ScalarValue::try_new(array)?)
        }
    })
}

pub fn evaluate_binary(
    left: ColumnarValue,
    op: BinaryOp,
    right: ColumnarValue,
    data_type: &DataType,
    num_rows: usize,
    expression: &dyn Display,
) -> Result<ColumnarValue> {
    let scalar = left.is_scalar() && right.is_scalar();
    if matches!(op, BinaryOp::Plus | BinaryOp::Minus | BinaryOp::Multiply) {
        if let Some(result) = super::decimal::arithmetic(op, &left, &right, data_type) {
            return Ok(ColumnarValue::Array(result));
        }
    }
    let rows = if scalar { 1 } else { num_rows };
    // DuckDB compares -0.0 equal to 0.0; Arrow's float order tells them apart.
    let (left, right) = if op.is_comparison() {
        (positive_zero(left)?, positive_zero(right)?)
    } else {
        (left, right)
    };
    let (l, r) = (left.datum(), right.datum());
    let (l, r) = (l.as_ref(), r.as_ref());
    let result: ArrayRef = match op {
        BinaryOp::Eq => Arc::new(cmp::eq(l, r)?),
        BinaryOp::NotEq => Arc::new(cmp::neq(l, r)?),
        BinaryOp::Lt => Arc::new(cmp::lt(l, r)?),
        BinaryOp::LtEq => Arc::new(cmp::lt_eq(l, r)?),
        BinaryOp::Gt => Arc::new(cmp::gt(l, r)?),
        BinaryOp::GtEq => Arc::new(cmp::gt_eq(l, r)?),
        BinaryOp::IsDistinctFrom => Arc::new(cmp::distinct(l, r)?),
        BinaryOp::IsNotDistinctFrom => Arc::new(cmp::not_distinct(l, r)?),
        BinaryOp::And | BinaryOp::Or => {
            let left = left.clone().into_array(rows)?;
            let right = right.clone().into_array(rows)?;
            let (left, right) = (as_boolean(&left)?, as_boolean(&right)?);
            Arc::new(if op == BinaryOp::And {
                boolean::and_kleene(left, right)?
            } else {
                boolean::or_kleene(left, right)?
            })
        }
        BinaryOp::StringConcat => {
            // CAST's text, so `1e20::DOUBLE || ''` is '1e+20' as in DuckDB.
            let left = cast_array(&left.clone().into_array(rows)?, &DataType::Utf8)?;
            let right = cast_array(&right.clone().into_array(rows)?, &DataType::Utf8)?;
            concat_elements::concat_elements_dyn(&left, &right)?
        }
        BinaryOp::Plus | BinaryOp::Minus => {
            let (lt, rt) = (left.data_type(), right.data_type());
            match (&lt, &rt) {
                (DataType::Date32, DataType::Date32) => {
                    let days = numeric::sub(
                        &cast(&left.clone().into_array(rows)?, &DataType::Int32)?,
                        &cast(&right.clone().into_array(rows)?, &DataType::Int32)?,
                    )?;
                    cast(&days, &DataType::Int64)?
                }
                (DataType::Date32, r) | (r, DataType::Date32) if r.is_integer() => {
                    let (days, offset) = if lt == DataType::Date32 {
                        (
                            left.clone().into_array(rows)?,
                            right.clone().into_array(rows)?,
                        )
                    } else {
                        (
                            right.clone().into_array(rows)?,
                            left.clone().into_array(rows)?,
                        )
                    };
                    let days = cast(&days, &DataType::Int32)?;
                    let offset = cast(&offset, &DataType::Int32)?;
                    let result = if op == BinaryOp::Plus {
                        numeric::add(&days, &offset)?
                    } else {
                        numeric::sub(&days, &offset)?
                    };
                    cast(&result, &DataType::Date32)?
                }
                (DataType::Interval(_), DataType::Timestamp(_, _)) => {
                    arithmetic(numeric::add, op, &right, &left, expression)?
                }
                _ if op == BinaryOp::Plus => {
                    arithmetic(numeric::add, op, &left, &right, expression)?
                }
                _ => arithmetic(numeric::sub, op, &left, &right, expression)?,
            }
        }
        BinaryOp::Multiply => arithmetic(numeric::mul, op, &left, &right, expression)?,
        // A float division follows IEEE: `1 / 0` is inf, `0 / 0` is NaN.
        BinaryOp::Divide => arithmetic(numeric::div, op, &left, &right, expression)?,
        BinaryOp::IntegerDivide => {
            // Integer kernels report a zero divisor themselves; `//` on floats
            // is a plain division in DuckDB, yet still rejects zero.
            if right.data_type().is_floating() && has_zero(&right)? {
                return Err(arithmetic_error::division_by_zero(expression));
            }
            arithmetic(numeric::div, op, &left, &right, expression)?
        }
        // Integer and decimal remainders by zero are errors (from the kernel);
        // a float remainder by zero is NaN, as in DuckDB.
        BinaryOp::Modulo => arithmetic(numeric::rem, op, &left, &right, expression)?,
    };
    let result = if result.data_type() != data_type {
        cast_result(&result, data_type, op)?
    } else {
        result
    };
    wrap(result, scalar)
}

/// `left op right` with Arrow's `kernel`, its errors worded as DuckDB's.
fn arithmetic(
    kernel: Kernel,
    op: BinaryOp,
    left: &ColumnarValue,
    right: &ColumnarValue,
    expression: &dyn Display,
) -> Result<ArrayRef> {
    let (l, r) = (left.datum(), right.datum());
    kernel(l.as_ref(), r.as_ref())
        .map_err(|error| arithmetic_error::binary(error, op, left, right, expression, kernel))
}

/// Whether any non-NULL value of `value` is zero.
fn has_zero(value: &ColumnarValue) -> Result<bool> {
    let zero: ArrayRef = Arc::new(arrow::array::Int32Array::from(vec![0]));
    let zero = cast(&zero, &value.data_type())?;
    let is_zero = cmp::eq(value.datum().as_ref(), &Scalar::new(zero))?;
    Ok(true_mask(&is_zero).true_count() > 0)
}

/// Casts an arithmetic result to the type the binder chose (decimal precision,
/// date from timestamp); a value that does not fit is an error, not a NULL.
fn cast_result(array: &ArrayRef, data_type: &DataType, op: BinaryOp) -> Result<ArrayRef> {
    let options = arrow::compute::CastOptions {
        safe: false,
        ..Default::default()
    };
    arrow::compute::cast_with_options(array, data_type, &options).map_err(|_| {
        let lenient = arrow::compute::cast(array, data_type).ok();
        let row = lenient.and_then(|lenient| {
            (0..array.len()).find(|&row| array.is_valid(row) && lenient.is_null(row))
        });
        let result = row
            .map(|row| format!(" (result {})", ScalarValue::from_array(array.as_ref(), row)))
            .unwrap_or_default();
        arithmetic_error::overflow(op, data_type, &result)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{AsArray, Decimal128Array, Float64Array, Int32Array};
    use arrow::datatypes::{Float64Type, Int32Type};

    fn column(array: impl Array + 'static) -> ColumnarValue {
        ColumnarValue::Array(Arc::new(array))
    }

    fn evaluate(left: ColumnarValue, op: BinaryOp, right: ColumnarValue) -> Result<ArrayRef> {
        let data_type = match (&left.data_type(), op) {
            (_, BinaryOp::Divide) => DataType::Float64,
            (t, _) => t.clone(),
        };
        evaluate_binary(left, op, right, &data_type, 3, &"(a op b)")?.into_array(3)
    }

    #[test]
    fn float_division_by_zero_follows_ieee() {
        let result = evaluate(
            column(Float64Array::from(vec![1.0, -1.0, 0.0])),
            BinaryOp::Divide,
            column(Float64Array::from(vec![0.0, 0.0, 0.0])),
        )
        .unwrap();
        let values = result.as_primitive::<Float64Type>();
        assert_eq!(values.value(0), f64::INFINITY);
        assert_eq!(values.value(1), f64::NEG_INFINITY);
        assert!(values.value(2).is_nan());
        assert_eq!(values.null_count(), 0);
    }

    #[test]
    fn integer_division_and_modulo_by_zero_are_errors() {
        for op in [BinaryOp::IntegerDivide, BinaryOp::Modulo] {
            let error = evaluate(
                column(Int32Array::from(vec![1, 2, 3])),
                op,
                column(Int32Array::from(vec![1, 0, 1])),
            )
            .unwrap_err()
            .to_string();
            assert!(
                error.ends_with("Invalid Input Error: Division by zero in expression (a op b)"),
                "{error}"
            );
        }
        let decimal = || Decimal128Array::from(vec![15, 15, 15]).with_precision_and_scale(2, 1);
        let error = evaluate(
            column(decimal().unwrap()),
            BinaryOp::Modulo,
            column(
                Decimal128Array::from(vec![10, 0, 10])
                    .with_precision_and_scale(2, 1)
                    .unwrap(),
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("Division by zero"), "{error}");
    }

    #[test]
    fn float_integer_division_is_plain_division_but_rejects_zero() {
        let result = evaluate(
            column(Float64Array::from(vec![7.5, -7.5, 5.0])),
            BinaryOp::IntegerDivide,
            column(Float64Array::from(vec![2.0, 2.0, 2.0])),
        )
        .unwrap();
        let values: Vec<f64> = result.as_primitive::<Float64Type>().values().to_vec();
        assert_eq!(values, vec![3.75, -3.75, 2.5]);
        let error = evaluate(
            column(Float64Array::from(vec![7.5, -7.5, 5.0])),
            BinaryOp::IntegerDivide,
            column(Float64Array::from(vec![2.0, 0.0, 2.0])),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("Division by zero"), "{error}");
        let remainder = evaluate(
            column(Float64Array::from(vec![1.5, 1.5, 1.5])),
            BinaryOp::Modulo,
            column(Float64Array::from(vec![0.0, 1.0, 0.0])),
        )
        .unwrap();
        assert!(remainder.as_primitive::<Float64Type>().value(0).is_nan());
    }

    #[test]
    fn integer_division_truncates_toward_zero() {
        let result = evaluate(
            column(Int32Array::from(vec![-7, 7, 6])),
            BinaryOp::IntegerDivide,
            column(Int32Array::from(vec![2, 2, -4])),
        )
        .unwrap();
        let values: Vec<i32> = result.as_primitive::<Int32Type>().values().to_vec();
        assert_eq!(values, vec![-3, 3, -1]);
    }

    #[test]
    fn overflow_names_operation_type_and_operands() {
        let error = evaluate(
            column(Int32Array::from(vec![1, 2147483647, 5])),
            BinaryOp::Plus,
            ColumnarValue::Scalar(
                ScalarValue::try_new(Arc::new(Int32Array::from(vec![1]))).unwrap(),
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error
                .ends_with("Out of Range Error: Overflow in addition of INTEGER (2147483647 + 1)!"),
            "{error}"
        );
        assert!(!error.contains("Arrow"), "{error}");
    }

    #[test]
    fn concatenation_writes_floats_as_duckdb_does() {
        let result = evaluate_binary(
            column(Float64Array::from(vec![1e20, 0.5, 2.0])),
            BinaryOp::StringConcat,
            ColumnarValue::Scalar(ScalarValue::utf8("!")),
            &DataType::Utf8,
            3,
            &"(a || '!')",
        )
        .unwrap()
        .into_array(3)
        .unwrap();
        let text: Vec<Option<&str>> = result.as_string::<i32>().iter().collect();
        assert_eq!(text, vec![Some("1e+20!"), Some("0.5!"), Some("2.0!")]);
    }
}
