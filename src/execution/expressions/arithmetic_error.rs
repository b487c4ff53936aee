//! DuckDB-style errors for arithmetic kernels that fail.
//!
//! Consumes the Arrow error of a failed kernel and its operands; produces the
//! error DuckDB would report: an overflow names the operation, the SQL type
//! and the first operands that overflow (`Out of Range Error: Overflow in
//! addition of INTEGER (2147483647 + 1)!`), a division by zero names the
//! expression. Arrow's own wording never reaches the user.

use super::ColumnarValue;
use crate::binder::types::sql_type_name;
use crate::error::QuarryError;
use crate::logical::{BinaryOp, ScalarValue};
use arrow::array::{Array, ArrayRef, Datum};
use arrow::error::ArrowError;
use std::fmt::Display;

/// An Arrow arithmetic kernel such as `numeric::add`.
pub type Kernel = fn(&dyn Datum, &dyn Datum) -> Result<ArrayRef, ArrowError>;

/// The error for `left op right` whose `kernel` failed with `error`.
pub fn binary(
    error: ArrowError,
    op: BinaryOp,
    left: &ColumnarValue,
    right: &ColumnarValue,
    expression: &dyn Display,
    kernel: Kernel,
) -> QuarryError {
    match error {
        ArrowError::DivideByZero => division_by_zero(expression),
        ArrowError::ArithmeticOverflow(_) => {
            let rows = row_count(left).max(row_count(right));
            let overflows = |offset: usize, len: usize| {
                let (l, r) = (slice(left, offset, len), slice(right, offset, len));
                let (l, r) = (l.datum(), r.datum());
                matches!(
                    kernel(l.as_ref(), r.as_ref()),
                    Err(ArrowError::ArithmeticOverflow(_))
                )
            };
            let operands = first_failing_row(rows, &overflows).map(|row| {
                format!(
                    " ({} {} {})",
                    value_at(left, row),
                    op.symbol(),
                    value_at(right, row)
                )
            });
            overflow(op, &left.data_type(), operands.as_deref().unwrap_or(""))
        }
        other => QuarryError::Arrow(other),
    }
}

/// `Out of Range Error: Overflow in addition of INTEGER (1 + 2)!`;
/// `operands` is the parenthesized part, or empty when unknown.
pub fn overflow(
    op: BinaryOp,
    data_type: &arrow::datatypes::DataType,
    operands: &str,
) -> QuarryError {
    let operation = match op {
        BinaryOp::Plus => "addition",
        BinaryOp::Minus => "subtraction",
        BinaryOp::Multiply => "multiplication",
        BinaryOp::Divide | BinaryOp::IntegerDivide => "division",
        BinaryOp::Modulo => "modulo",
        _ => "arithmetic",
    };
    QuarryError::Execution(format!(
        "Out of Range Error: Overflow in {operation} of {}{operands}!",
        sql_type_name(data_type)
    ))
}

/// The error for dividing by zero in `//` or `%`, as DuckDB words it.
pub fn division_by_zero(expression: &dyn Display) -> QuarryError {
    QuarryError::Execution(format!(
        "Invalid Input Error: Division by zero in expression {expression}"
    ))
}

/// The error for `-x` whose kernel failed with `error`.
pub fn negation(array: &ArrayRef, error: ArrowError) -> QuarryError {
    match error {
        ArrowError::ArithmeticOverflow(_) => {
            let overflows = |offset: usize, len: usize| {
                arrow::compute::kernels::numeric::neg(&array.slice(offset, len)).is_err()
            };
            let operand = first_failing_row(array.len(), &overflows)
                .map(|row| format!(" (-({}))", ScalarValue::from_array(array.as_ref(), row)))
                .unwrap_or_default();
            QuarryError::Execution(format!(
                "Out of Range Error: Overflow in negation of {}{operand}!",
                sql_type_name(array.data_type())
            ))
        }
        other => QuarryError::Arrow(other),
    }
}

/// The first row of `0..rows` on which `fails(offset, len)` holds for the
/// one-row range, found by bisection: the kernel reruns on halving ranges, so
/// finding the culprit costs about as much as one more evaluation.
pub fn first_failing_row(rows: usize, fails: &dyn Fn(usize, usize) -> bool) -> Option<usize> {
    if rows == 0 || !fails(0, rows) {
        return None;
    }
    let (mut offset, mut len) = (0, rows);
    while len > 1 {
        let half = len / 2;
        if fails(offset, half) {
            len = half;
        } else {
            offset += half;
            len -= half;
        }
    }
    Some(offset)
}

fn row_count(value: &ColumnarValue) -> usize {
    match value {
        ColumnarValue::Array(array) => array.len(),
        ColumnarValue::Scalar(_) => 1,
    }
}

fn slice(value: &ColumnarValue, offset: usize, len: usize) -> ColumnarValue {
    match value {
        ColumnarValue::Array(array) => ColumnarValue::Array(array.slice(offset, len)),
        ColumnarValue::Scalar(scalar) => ColumnarValue::Scalar(scalar.clone()),
    }
}

fn value_at(value: &ColumnarValue, row: usize) -> String {
    match value {
        ColumnarValue::Array(array) => ScalarValue::from_array(array.as_ref(), row).to_string(),
        ColumnarValue::Scalar(scalar) => scalar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisection_finds_the_first_failing_row() {
        let bad = [7usize, 9, 300];
        let fails =
            |offset: usize, len: usize| bad.iter().any(|b| (offset..offset + len).contains(b));
        assert_eq!(first_failing_row(1000, &fails), Some(7));
        assert_eq!(first_failing_row(5, &fails), None);
        assert_eq!(first_failing_row(0, &fails), None);
        assert_eq!(first_failing_row(8, &fails), Some(7));
    }
}
