//! Binary operators: comparisons, Kleene AND/OR, arithmetic (with DuckDB's
//! NULL for division by zero), date arithmetic and string concatenation.

use super::{as_boolean, wrap, ColumnarValue};
use crate::error::{QuarryError, Result};
use crate::logical::BinaryOp;
use arrow::array::{Array, ArrayRef, Scalar};
use arrow::compute::kernels::{boolean, cmp, concat_elements, numeric};
use arrow::compute::{cast, nullif};
use arrow::datatypes::DataType;
use std::sync::Arc;

pub fn evaluate_binary(
    left: ColumnarValue,
    op: BinaryOp,
    right: ColumnarValue,
    data_type: &DataType,
    num_rows: usize,
) -> Result<ColumnarValue> {
    let scalar = left.is_scalar() && right.is_scalar();
    let rows = if scalar { 1 } else { num_rows };
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
            let left = cast(&left.clone().into_array(rows)?, &DataType::Utf8)?;
            let right = cast(&right.clone().into_array(rows)?, &DataType::Utf8)?;
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
                (DataType::Interval(_), DataType::Timestamp(_, _)) => numeric::add(r, l)?,
                _ if op == BinaryOp::Plus => numeric::add(l, r)?,
                _ => numeric::sub(l, r)?,
            }
        }
        BinaryOp::Multiply => numeric::mul(l, r)?,
        BinaryOp::Divide | BinaryOp::IntegerDivide | BinaryOp::Modulo => {
            // DuckDB: division by zero is NULL, not an error.
            let divisor = right.clone().into_array(rows)?;
            let zero: ArrayRef = Arc::new(arrow::array::Int32Array::from(vec![0]));
            let zero = cast(&zero, divisor.data_type())?;
            let is_zero = cmp::eq(&divisor, &Scalar::new(zero))?;
            let divisor = nullif(&divisor, &is_zero)?;
            let dividend = left.clone().into_array(rows)?;
            let result = match op {
                BinaryOp::Modulo => numeric::rem(&dividend, &divisor)?,
                _ => numeric::div(&dividend, &divisor)?,
            };
            if op == BinaryOp::IntegerDivide && result.data_type().is_floating() {
                let floored = arrow::compute::kernels::arity::unary::<
                    arrow::datatypes::Float64Type,
                    _,
                    arrow::datatypes::Float64Type,
                >(
                    cast(&result, &DataType::Float64)?
                        .as_any()
                        .downcast_ref::<arrow::array::Float64Array>()
                        .ok_or_else(|| QuarryError::Internal("expected DOUBLE".into()))?,
                    f64::floor,
                );
                Arc::new(floored)
            } else {
                result
            }
        }
    };
    let result = if result.data_type() != data_type {
        cast_result(&result, data_type)?
    } else {
        result
    };
    wrap(result, scalar)
}

/// Casts an arithmetic result to the type the binder chose (decimal precision,
/// date from timestamp); a value that does not fit is an error, not a NULL.
fn cast_result(array: &ArrayRef, data_type: &DataType) -> Result<ArrayRef> {
    let options = arrow::compute::CastOptions {
        safe: false,
        ..Default::default()
    };
    arrow::compute::cast_with_options(array, data_type, &options).map_err(|e| {
        QuarryError::Execution(format!(
            "Out of Range Error: result does not fit in {data_type}: {e}"
        ))
    })
}
