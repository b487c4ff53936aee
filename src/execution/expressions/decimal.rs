//! Decimal fast paths: widening casts and `+`, `-`, `*` over DECIMAL(p, s)
//! computed directly on the `i128` values in the result's scale. Arrow's
//! kernels rescale through a generic cast, check every value against its
//! precision and then cast to the binder's type again; here a value is only
//! checked when the types cannot rule out overflow. Whenever a result might
//! not fit, these return `None` and the caller takes the general path, which
//! reports the error as DuckDB does.

use super::ColumnarValue;
use crate::logical::BinaryOp;
use arrow::array::{Array, ArrayRef, AsArray, Decimal128Array};
use arrow::buffer::NullBuffer;
use arrow::datatypes::DataType;
use std::sync::Arc;

/// `10^exponent` for exponents up to 38.
fn power_of_ten(exponent: u8) -> Option<i128> {
    10i128.checked_pow(exponent as u32)
}

fn decimal_parts(data_type: &DataType) -> Option<(u8, i8)> {
    match data_type {
        DataType::Decimal128(p, s) => Some((*p, *s)),
        _ => None,
    }
}

/// DECIMAL(p1, s1) to DECIMAL(p2, s2) when every value fits: `s2 >= s1` and
/// at least as many integer digits. Equal scales only change the type.
pub fn widen(array: &ArrayRef, target: &DataType) -> Option<ArrayRef> {
    let (p1, s1) = decimal_parts(array.data_type())?;
    let (p2, s2) = decimal_parts(target)?;
    if s2 < s1 || s1 < 0 || (p2 as i16 - s2 as i16) < (p1 as i16 - s1 as i16) {
        return None;
    }
    let values = array.as_primitive_opt::<arrow::datatypes::Decimal128Type>()?;
    if s2 == s1 {
        return Some(Arc::new(values.clone().with_data_type(target.clone())));
    }
    let factor = power_of_ten((s2 - s1) as u8)?;
    let mut overflow = false;
    let scaled: Vec<i128> = values
        .values()
        .iter()
        .map(|&v| {
            let (scaled, o) = v.overflowing_mul(factor);
            overflow |= o;
            scaled
        })
        .collect();
    // Only values beyond their declared precision overflow.
    if overflow {
        return None;
    }
    let result = Decimal128Array::new(scaled.into(), values.nulls().cloned());
    Some(Arc::new(result.with_data_type(target.clone())))
}

/// One side of a binary operation: a column of values or one value.
enum Operand<'a> {
    Array(&'a [i128], Option<&'a NullBuffer>),
    Scalar(i128),
}

impl<'a> Operand<'a> {
    fn of(value: &'a ColumnarValue) -> Option<Self> {
        match value {
            ColumnarValue::Array(array) => {
                let values = array.as_primitive_opt::<arrow::datatypes::Decimal128Type>()?;
                Some(Operand::Array(values.values(), values.nulls()))
            }
            ColumnarValue::Scalar(scalar) => {
                let array = scalar.as_array();
                let values = array.as_primitive_opt::<arrow::datatypes::Decimal128Type>()?;
                values.is_valid(0).then(|| Operand::Scalar(values.value(0)))
            }
        }
    }
}

/// `left op right` into DECIMAL `result_type`, or `None` to take the general
/// path (other types or operators, two scalars, a NULL scalar, a scale the
/// operator does not produce, or a value that may not fit).
pub fn arithmetic(
    op: BinaryOp,
    left: &ColumnarValue,
    right: &ColumnarValue,
    result_type: &DataType,
) -> Option<ArrayRef> {
    let (p1, s1) = decimal_parts(&left.data_type())?;
    let (p2, s2) = decimal_parts(&right.data_type())?;
    let (p, s) = decimal_parts(result_type)?;
    let (l, r) = (Operand::of(left)?, Operand::of(right)?);
    let digits = |p: u8, s: i8| p as i16 - s as i16;
    let (values, may_overflow) = match op {
        BinaryOp::Plus | BinaryOp::Minus => {
            if s < s1 || s < s2 || s1 < 0 || s2 < 0 {
                return None;
            }
            let (fl, fr) = (power_of_ten((s - s1) as u8)?, power_of_ten((s - s2) as u8)?);
            // One more integer digit than the wider operand: the sum fits.
            let fits = digits(p1, s1).max(digits(p2, s2)) + (s as i16) < p as i16;
            let apply = if op == BinaryOp::Plus {
                i128::overflowing_add
            } else {
                i128::overflowing_sub
            };
            // Operands within their precision cannot wrap i128 then: the
            // unchecked loop is the one that vectorizes.
            let values = if fits {
                combine(&l, &r, |a, b| {
                    (apply(a.wrapping_mul(fl), b.wrapping_mul(fr)).0, false)
                })?
            } else {
                combine(&l, &r, |a, b| {
                    let ((a, x), (b, y)) = (a.overflowing_mul(fl), b.overflowing_mul(fr));
                    let (value, z) = apply(a, b);
                    (value, x | y | z)
                })?
            };
            (values, !fits)
        }
        BinaryOp::Multiply => {
            if s as i16 != s1 as i16 + s2 as i16 {
                return None;
            }
            let values = if p1 as u16 + p2 as u16 <= 38 {
                // Below 10^38 for operands within their precision (and for
                // any two 64-bit values): no wrap.
                combine(&l, &r, |a, b| (a.wrapping_mul(b), false))?
            } else {
                combine(&l, &r, |a, b| a.overflowing_mul(b))?
            };
            (values, p1 as u16 + p2 as u16 > p as u16)
        }
        _ => return None,
    };
    // A value past i128 wrapped: only the checked path can tell.
    let (values, wrapped) = values;
    if wrapped {
        return None;
    }
    if may_overflow {
        let bound = power_of_ten(p)?.unsigned_abs();
        if values.iter().any(|v| v.unsigned_abs() >= bound) {
            return None;
        }
    }
    let nulls = NullBuffer::union(operand_nulls(&l), operand_nulls(&r));
    let result = Decimal128Array::new(values.into(), nulls);
    Some(Arc::new(result.with_data_type(result_type.clone())))
}

fn operand_nulls<'a>(operand: &Operand<'a>) -> Option<&'a NullBuffer> {
    match operand {
        Operand::Array(_, nulls) => *nulls,
        Operand::Scalar(_) => None,
    }
}

/// `f` over every row, and whether any row overflowed i128 (`f` says per
/// row); `None` for two scalars.
fn combine(
    l: &Operand,
    r: &Operand,
    f: impl Fn(i128, i128) -> (i128, bool),
) -> Option<(Vec<i128>, bool)> {
    let mut overflow = false;
    let mut apply = |a: i128, b: i128| {
        let (value, o) = f(a, b);
        overflow |= o;
        value
    };
    let values = match (l, r) {
        (Operand::Array(a, _), Operand::Array(b, _)) => {
            a.iter().zip(b.iter()).map(|(&a, &b)| apply(a, b)).collect()
        }
        (Operand::Array(a, _), Operand::Scalar(b)) => a.iter().map(|&a| apply(a, *b)).collect(),
        (Operand::Scalar(a), Operand::Array(b, _)) => b.iter().map(|&b| apply(*a, b)).collect(),
        (Operand::Scalar(_), Operand::Scalar(_)) => return None,
    };
    Some((values, overflow))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logical::ScalarValue;

    fn decimals(values: Vec<Option<i128>>, p: u8, s: i8) -> ColumnarValue {
        let array = Decimal128Array::from(values)
            .with_precision_and_scale(p, s)
            .unwrap();
        ColumnarValue::Array(Arc::new(array))
    }

    fn values(array: &ArrayRef) -> Vec<Option<i128>> {
        array
            .as_primitive::<arrow::datatypes::Decimal128Type>()
            .iter()
            .collect()
    }

    #[test]
    fn addition_rescales_to_the_result_scale_and_keeps_nulls() {
        let left = decimals(vec![Some(150), None, Some(-5)], 15, 2); // 1.50, NULL, -0.05
        let right = decimals(vec![Some(1), Some(2), Some(3)], 10, 1); // 0.1, 0.2, 0.3
        let sum = arithmetic(BinaryOp::Plus, &left, &right, &DataType::Decimal128(16, 2)).unwrap();
        assert_eq!(values(&sum), vec![Some(160), None, Some(25)]);
        assert_eq!(sum.data_type(), &DataType::Decimal128(16, 2));
    }

    #[test]
    fn a_scalar_operand_applies_to_every_row() {
        let one = ScalarValue::try_new(Arc::new(
            Decimal128Array::from(vec![100])
                .with_precision_and_scale(3, 2)
                .unwrap(),
        ))
        .unwrap();
        let discount = decimals(vec![Some(5), Some(10)], 15, 2);
        let result = arithmetic(
            BinaryOp::Minus,
            &ColumnarValue::Scalar(one),
            &discount,
            &DataType::Decimal128(16, 2),
        )
        .unwrap();
        assert_eq!(values(&result), vec![Some(95), Some(90)]);
    }

    #[test]
    fn a_product_that_may_not_fit_takes_the_general_path() {
        let big = decimals(vec![Some(999_999_999_999_999)], 15, 2);
        let factor = decimals(vec![Some(99_999)], 16, 2);
        // DuckDB's DECIMAL(18, 4) for two int64-sized operands: this overflows.
        assert!(arithmetic(
            BinaryOp::Multiply,
            &big,
            &factor,
            &DataType::Decimal128(18, 4)
        )
        .is_none());
        let small = decimals(vec![Some(12_345)], 15, 2);
        let product = arithmetic(
            BinaryOp::Multiply,
            &small,
            &factor,
            &DataType::Decimal128(18, 4),
        )
        .unwrap();
        assert_eq!(values(&product), vec![Some(12_345 * 99_999)]);
    }

    #[test]
    fn a_product_past_i128_takes_the_general_path() {
        // 3e19 * 1e19 wraps i128 to a value below 10^38.
        let x = decimals(vec![Some(30_000_000_000_000_000_000)], 20, 0);
        let y = decimals(vec![Some(10_000_000_000_000_000_000)], 20, 0);
        assert!(arithmetic(BinaryOp::Multiply, &x, &y, &DataType::Decimal128(38, 0)).is_none());
        let big = decimals(vec![Some(30_000_000_000_000_000_000_000_000_000)], 38, 0);
        let small = decimals(vec![Some(1)], 38, 10);
        assert!(arithmetic(BinaryOp::Plus, &big, &small, &DataType::Decimal128(38, 10)).is_none());
    }

    #[test]
    fn widening_keeps_values_and_rescales() {
        let array: ArrayRef = Arc::new(
            Decimal128Array::from(vec![Some(125), None])
                .with_precision_and_scale(15, 2)
                .unwrap(),
        );
        let same_scale = widen(&array, &DataType::Decimal128(38, 2)).unwrap();
        assert_eq!(values(&same_scale), vec![Some(125), None]);
        let rescaled = widen(&array, &DataType::Decimal128(38, 4)).unwrap();
        assert_eq!(values(&rescaled), vec![Some(12_500), None]);
        assert!(widen(&array, &DataType::Decimal128(15, 4)).is_none());
        assert!(widen(&array, &DataType::Decimal128(38, 1)).is_none());
    }
}
