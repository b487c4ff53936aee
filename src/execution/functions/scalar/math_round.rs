//! Rounding functions: round(x[, n]), trunc(x[, n]), ceil/ceiling(x), floor(x).
//!
//! Consumes integer, Float32/Float64 and Decimal128 arrays plus an optional
//! Int64 digit count `n` (negative rounds left of the decimal point). Produces,
//! as DuckDB: integers keep their type (round/trunc; ceil/floor give Float64);
//! floats keep their type; Decimal128(p, s) without `n` gives Decimal128(p, 0).
//! round ties go away from zero. With `n`, a decimal keeps its scale s (the
//! result type cannot depend on the value of `n`): round gives
//! Decimal128(min(p + 1, 38), s) to make room for a carry, trunc gives
//! Decimal128(p, s). Integer overflow (round(127::TINYINT, -1)) is an
//! Execution error.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array, PrimitiveArray};
use arrow::compute::kernels::arity::binary;
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type, DECIMAL128_MAX_PRECISION,
};

use super::math::numeric_or;
use super::{arg_as, coerce_int, no_match, prim, try_binary_prim};
use crate::error::{QuarryError, Result};

/// Function names implemented here.
pub(super) const NAMES: &[&str] = &["round", "trunc", "ceil", "ceiling", "floor"];

/// How a value is brought to fewer digits.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// To nearest, ties away from zero.
    Round,
    /// Toward zero.
    Trunc,
    /// Toward +inf.
    Ceil,
    /// Toward -inf.
    Floor,
}

/// The rounding mode of function `name`.
fn mode(name: &str) -> Mode {
    match name {
        "round" => Mode::Round,
        "trunc" => Mode::Trunc,
        "floor" => Mode::Floor,
        _ => Mode::Ceil,
    }
}

/// Coerced argument types and result type of `name`.
pub(super) fn resolve(name: &str, args: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    let digits = matches!(name, "round" | "trunc");
    let cands = if digits {
        format!("{name}(NUMERIC), {name}(NUMERIC, INTEGER)")
    } else {
        format!("{name}(NUMERIC)")
    };
    let fail = || Err(no_match(name, args, &cands));
    let (x, n) = match args {
        [x] => (x, None),
        [x, n] if digits => match coerce_int(n) {
            Some(n) => (x, Some(n)),
            None => return fail(),
        },
        _ => return fail(),
    };
    let Some(x) = numeric_or(x, DataType::Float64) else {
        return fail();
    };
    let (x, ret) = match (&x, n.is_some()) {
        (DataType::Decimal128(p, _), false) => (x.clone(), DataType::Decimal128(*p, 0)),
        (DataType::Decimal128(p, s), true) if name == "round" => (
            x.clone(),
            DataType::Decimal128((*p + 1).min(DECIMAL128_MAX_PRECISION), *s),
        ),
        (DataType::Float32 | DataType::Float64 | DataType::Decimal128(..), _) => {
            (x.clone(), x.clone())
        }
        // Integers: DuckDB's ceil and floor answer DOUBLE, its round of a
        // small unsigned integer BIGINT.
        _ if !digits => (DataType::Float64, DataType::Float64),
        (DataType::UInt8 | DataType::UInt16 | DataType::UInt32, _) if name == "round" => {
            (DataType::Int64, DataType::Int64)
        }
        _ => (x.clone(), x.clone()),
    };
    let mut types = vec![x];
    types.extend(n);
    Ok((types, ret))
}

/// Evaluates `name` on arguments cast as [`resolve`] asked.
pub(super) fn evaluate(name: &str, args: &[ArrayRef], _num_rows: usize) -> Result<ArrayRef> {
    let Some(x) = args.first() else {
        return crate::internal_err!("{name}: missing argument");
    };
    let n = match args.len() {
        1 => None,
        _ => Some(arg_as::<Int64Array>(name, args, 1)?),
    };
    let mode = mode(name);
    match (x.data_type(), n) {
        (DataType::Float64, None) => Ok(Arc::new(
            prim::<Float64Type>(name, x)?.unary::<_, Float64Type>(|v| float_op(mode, v)),
        )),
        (DataType::Float32, None) => Ok(Arc::new(
            prim::<Float32Type>(name, x)?
                .unary::<_, Float32Type>(|v| float_op(mode, f64::from(v)) as f32),
        )),
        (DataType::Float64, Some(n)) => {
            let out: PrimitiveArray<Float64Type> =
                binary(prim::<Float64Type>(name, x)?, n, |v, n| {
                    float_digits(mode, v, n)
                })?;
            Ok(Arc::new(out))
        }
        (DataType::Float32, Some(n)) => {
            let out: PrimitiveArray<Float32Type> =
                binary(prim::<Float32Type>(name, x)?, n, |v, n| {
                    float_digits(mode, f64::from(v), n) as f32
                })?;
            Ok(Arc::new(out))
        }
        (DataType::Decimal128(p, s), n) => decimal(name, mode, x, *p, *s, n),
        (_, None) => Ok(x.clone()),
        (DataType::Int8, Some(n)) => int_digits::<Int8Type>(name, mode, x, n),
        (DataType::Int16, Some(n)) => int_digits::<Int16Type>(name, mode, x, n),
        (DataType::Int32, Some(n)) => int_digits::<Int32Type>(name, mode, x, n),
        (DataType::Int64, Some(n)) => int_digits::<Int64Type>(name, mode, x, n),
        (DataType::UInt8, Some(n)) => int_digits::<UInt8Type>(name, mode, x, n),
        (DataType::UInt16, Some(n)) => int_digits::<UInt16Type>(name, mode, x, n),
        (DataType::UInt32, Some(n)) => int_digits::<UInt32Type>(name, mode, x, n),
        (DataType::UInt64, Some(n)) => int_digits::<UInt64Type>(name, mode, x, n),
        (other, _) => crate::internal_err!("{name}: unexpected argument type {other}"),
    }
}

/// `mode` applied to a float, to a whole number.
fn float_op(mode: Mode, v: f64) -> f64 {
    match mode {
        Mode::Round => v.round(),
        Mode::Trunc => v.trunc(),
        Mode::Ceil => v.ceil(),
        Mode::Floor => v.floor(),
    }
}

/// DuckDB's round/trunc of a double to `n` decimal digits: ±inf and NaN are
/// returned as they are; when scaling overflows, round to n < 0 gives 0 and
/// every other case gives `v` back.
fn float_digits(mode: Mode, v: f64, n: i64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let r = if n < 0 {
        let m = 10f64.powf(-(n as f64));
        float_op(mode, v / m) * m
    } else {
        let m = 10f64.powf(n as f64);
        float_op(mode, v * m) / m
    };
    if r.is_finite() {
        r
    } else if n < 0 && matches!(mode, Mode::Round) {
        0.0
    } else {
        v
    }
}

/// `v` divided by 10^`shift` (at most 38), brought to a whole number by `mode`.
fn div_digits(v: i128, shift: u32, mode: Mode) -> i128 {
    let Some(p) = 10i128.checked_pow(shift) else {
        return 0;
    };
    let (q, r) = (v / p, v % p);
    match mode {
        Mode::Trunc => q,
        Mode::Round if r.unsigned_abs() >= p.unsigned_abs() - r.unsigned_abs() => q + v.signum(),
        Mode::Round => q,
        Mode::Ceil if r > 0 => q + 1,
        Mode::Floor if r < 0 => q - 1,
        Mode::Ceil | Mode::Floor => q,
    }
}

/// `v` (with `scale` digits after the point) brought to `n` digits after the
/// point, at the same scale; None when the result does not fit i128.
fn rescale_digits(v: i128, scale: i64, n: i64, mode: Mode) -> Option<i128> {
    let shift = scale.saturating_sub(n);
    if shift <= 0 {
        return Some(v);
    }
    // |v| < 2^127 < 10^39 / 2: beyond 38 digits everything rounds to 0.
    match u32::try_from(shift) {
        Ok(shift) if shift <= 38 => div_digits(v, shift, mode).checked_mul(10i128.pow(shift)),
        _ => Some(0),
    }
}

/// round/trunc of an integer to `n` digits: n >= 0 keeps the value, n < 0
/// rounds to a multiple of 10^-n; a result outside the type is an error.
fn int_digits<T>(name: &str, mode: Mode, x: &ArrayRef, n: &Int64Array) -> Result<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: Into<i128> + TryFrom<i128>,
{
    let out: PrimitiveArray<T> = try_binary_prim(prim::<T>(name, x)?, n, |v, n| {
        let v: i128 = v.into();
        let r = rescale_digits(v, 0, n, mode).unwrap_or(0);
        T::Native::try_from(r).map_err(|_| {
            QuarryError::Execution(format!("Overflow in {} of integer", name.to_uppercase()))
        })
    })?;
    Ok(Arc::new(out))
}

/// Rounding of a Decimal128(p, s): to scale 0 without `n`, else to `n` digits
/// at scale s, in the output type [`resolve`] chose.
fn decimal(
    name: &str,
    mode: Mode,
    x: &ArrayRef,
    p: u8,
    s: i8,
    n: Option<&Int64Array>,
) -> Result<ArrayRef> {
    let x = prim::<Decimal128Type>(name, x)?;
    let shift = u32::try_from(s).unwrap_or(0);
    let (out, p_out, s_out) = match n {
        None => (
            x.unary::<_, Decimal128Type>(|v| div_digits(v, shift, mode)),
            p,
            0,
        ),
        Some(n) => {
            let out = try_binary_prim(x, n, |v, n| {
                rescale_digits(v, i64::from(s), n, mode).ok_or_else(|| {
                    QuarryError::Execution(format!("{name}: decimal result out of range"))
                })
            })?;
            let p_out = match mode {
                Mode::Round => (p + 1).min(DECIMAL128_MAX_PRECISION),
                _ => p,
            };
            (out, p_out, s)
        }
    };
    let out = out.with_precision_and_scale(p_out, s_out)?;
    if out.validate_decimal_precision(p_out).is_err() {
        return crate::exec_err!("{name}: result does not fit DECIMAL({p_out}, {s_out})");
    }
    Ok(Arc::new(out))
}

#[cfg(test)]
mod tests {
    use super::super::resolve as resolve_fn;
    use super::super::test_util::*;
    use super::*;
    use arrow::array::{
        AsArray, Decimal128Array, Float32Array, Float64Array, Int32Array, Int8Array, NullArray,
        UInt8Array,
    };

    fn dec(v: &[Option<i128>], p: u8, s: i8) -> ArrayRef {
        Arc::new(
            Decimal128Array::from(v.to_vec())
                .with_precision_and_scale(p, s)
                .unwrap(),
        )
    }

    fn f64s(a: &ArrayRef) -> Vec<Option<f64>> {
        a.as_primitive::<Float64Type>().iter().collect()
    }

    fn fl(v: &[f64]) -> ArrayRef {
        Arc::new(Float64Array::from(v.to_vec()))
    }

    #[test]
    fn round_floats() {
        // Expected values checked against DuckDB.
        let odd = || fl(&[f64::NAN, f64::INFINITY, 1.5, 1e300]);
        let out = run(
            "round",
            vec![odd(), ints(&[Some(-1), Some(-1), Some(-400), Some(-299)])],
        );
        let out = f64s(&out.unwrap());
        assert!(out[0].unwrap().is_nan());
        assert_eq!(&out[1..], &[Some(f64::INFINITY), Some(0.0), Some(1e300)]);
        let out = run(
            "trunc",
            vec![odd(), ints(&[Some(-1), Some(2), Some(-400), Some(10)])],
        );
        let out = f64s(&out.unwrap());
        assert!(out[0].unwrap().is_nan());
        assert_eq!(&out[1..], &[Some(f64::INFINITY), Some(1.5), Some(1e300)]);
        let out = run("round", vec![fl(&[2.5, -2.5, -0.4, 1.5])]).unwrap();
        assert_eq!(
            f64s(&out),
            vec![Some(3.0), Some(-3.0), Some(-0.0), Some(2.0)]
        );
        let x = fl(&[0.125, 1234.5, 1.5, 1.5, 1.5]);
        let n = ints(&[Some(2), Some(-2), Some(400), Some(-400), None]);
        let out = run("round", vec![x, n]).unwrap();
        assert_eq!(
            f64s(&out),
            vec![Some(0.13), Some(1200.0), Some(1.5), Some(0.0), None]
        );
        let out = run("round", vec![fl(&[1.5]), ints(&[Some(i64::MIN)])]).unwrap();
        assert_eq!(f64s(&out), vec![Some(0.0)]);
        let f32s: ArrayRef = Arc::new(Float32Array::from(vec![2.5f32, 2.25]));
        let out = run("round", vec![f32s.clone()]).unwrap();
        assert_eq!(out.as_ref(), &Float32Array::from(vec![3.0f32, 2.0]));
        let out = run("round", vec![f32s, ints(&[Some(1), Some(1)])]).unwrap();
        assert_eq!(out.as_ref(), &Float32Array::from(vec![2.5f32, 2.3]));
    }

    #[test]
    fn round_integers() {
        let x: ArrayRef = Arc::new(Int32Array::from(vec![
            Some(25),
            Some(15),
            Some(-15),
            Some(15),
            Some(5),
            Some(2147483647),
            None,
        ]));
        let n = ints(&[
            Some(-1),
            Some(-1),
            Some(-1),
            Some(1),
            Some(-20),
            Some(-9),
            Some(-1),
        ]);
        let out = run("round", vec![x.clone(), n]).unwrap();
        let expect = Int32Array::from(vec![
            Some(30),
            Some(20),
            Some(-20),
            Some(15),
            Some(0),
            Some(2000000000),
            None,
        ]);
        assert_eq!(out.as_ref(), &expect);
        assert_eq!(run("round", vec![x.clone()]).unwrap().as_ref(), x.as_ref());
        let err = run(
            "round",
            vec![Arc::new(Int8Array::from(vec![127i8])), ints(&[Some(-1)])],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("Overflow in ROUND of integer"),
            "{err}"
        );
        assert!(run("round", vec![ints(&[Some(i64::MAX)]), ints(&[Some(-1)])]).is_err());
        let u: ArrayRef = Arc::new(UInt8Array::from(vec![255u8, 249]));
        let out = run("round", vec![u.clone(), ints(&[Some(-1), Some(-1)])]).unwrap();
        assert_eq!(out_ints(&out), vec![Some(260), Some(250)]);
        assert_eq!(
            out_ints(&run("round", vec![u.clone()]).unwrap()),
            vec![Some(255), Some(249)]
        );
        let out = run("trunc", vec![u, ints(&[Some(-1), Some(-1)])]).unwrap();
        assert_eq!(out.as_ref(), &UInt8Array::from(vec![250u8, 240]));
        let big: ArrayRef = Arc::new(arrow::array::UInt64Array::from(vec![u64::MAX]));
        assert!(run("round", vec![big, ints(&[Some(-1)])]).is_err());
        let out = run(
            "trunc",
            vec![Arc::new(Int32Array::from(vec![1777])), ints(&[Some(-2)])],
        )
        .unwrap();
        assert_eq!(out.as_ref(), &Int32Array::from(vec![1700]));
    }

    #[test]
    fn round_decimals() {
        let x = || dec(&[Some(12345), Some(-12500), Some(12355), None], 10, 4);
        let out = run("round", vec![x()]).unwrap();
        assert_eq!(
            out.as_ref(),
            dec(&[Some(1), Some(-1), Some(1), None], 10, 0).as_ref()
        );
        let out = run(
            "round",
            vec![x(), ints(&[Some(2), Some(1), Some(3), Some(1)])],
        )
        .unwrap();
        // 1.23, -1.3, 1.236 kept at scale 4 in DECIMAL(11, 4).
        assert_eq!(
            out.as_ref(),
            dec(&[Some(12300), Some(-13000), Some(12360), None], 11, 4).as_ref()
        );
        let out = run(
            "round",
            vec![x(), ints(&[Some(5), Some(-1), Some(-40), Some(0)])],
        )
        .unwrap();
        assert_eq!(
            out.as_ref(),
            dec(&[Some(12345), Some(0), Some(0), None], 11, 4).as_ref()
        );
        let carry = run("round", vec![dec(&[Some(995)], 3, 2), ints(&[Some(1)])]).unwrap();
        assert_eq!(carry.as_ref(), dec(&[Some(1000)], 4, 2).as_ref());
        let big = dec(&[Some(10i128.pow(38) - 1)], 38, 0);
        assert!(run("round", vec![big, ints(&[Some(-1)])]).is_err());
        let out = run("round", vec![dec(&[Some(95)], 2, 1)]).unwrap();
        assert_eq!(out.as_ref(), dec(&[Some(10)], 2, 0).as_ref());
    }

    #[test]
    fn trunc_ceil_floor() {
        let out = run("trunc", vec![fl(&[-1.7, 1.7])]).unwrap();
        assert_eq!(f64s(&out), vec![Some(-1.0), Some(1.0)]);
        let out = run(
            "trunc",
            vec![
                fl(&[1.777, -1.777, 1777.7]),
                ints(&[Some(2), Some(2), Some(-2)]),
            ],
        )
        .unwrap();
        assert_eq!(f64s(&out), vec![Some(1.77), Some(-1.77), Some(1700.0)]);
        let d = || dec(&[Some(-12345), Some(12345), None], 10, 4);
        assert_eq!(
            run("trunc", vec![d()]).unwrap().as_ref(),
            dec(&[Some(-1), Some(1), None], 10, 0).as_ref()
        );
        assert_eq!(
            run("ceil", vec![d()]).unwrap().as_ref(),
            dec(&[Some(-1), Some(2), None], 10, 0).as_ref()
        );
        assert_eq!(
            run("ceiling", vec![d()]).unwrap().as_ref(),
            dec(&[Some(-1), Some(2), None], 10, 0).as_ref()
        );
        assert_eq!(
            run("floor", vec![d()]).unwrap().as_ref(),
            dec(&[Some(-2), Some(1), None], 10, 0).as_ref()
        );
        let out = run("trunc", vec![dec(&[Some(1777)], 10, 3), ints(&[Some(2)])]).unwrap();
        assert_eq!(out.as_ref(), dec(&[Some(1770)], 10, 3).as_ref());
        let out = run("floor", vec![fl(&[-1.5, f64::INFINITY])]).unwrap();
        assert_eq!(f64s(&out), vec![Some(-2.0), Some(f64::INFINITY)]);
        let out = run("ceil", vec![fl(&[-0.5])]).unwrap();
        assert!(f64s(&out)[0].unwrap().is_sign_negative());
        let out = run(
            "ceil",
            vec![Arc::new(Int32Array::from(vec![Some(5), None]))],
        )
        .unwrap();
        assert_eq!(f64s(&out), vec![Some(5.0), None]);
        let out = run("floor", vec![Arc::new(Float32Array::from(vec![1.5f32]))]).unwrap();
        assert_eq!(out.as_ref(), &Float32Array::from(vec![1.0f32]));
        let out = run("trunc", vec![Arc::new(UInt8Array::from(vec![5u8]))]).unwrap();
        assert_eq!(out.as_ref(), &UInt8Array::from(vec![5u8]));
        let out = run("round", vec![Arc::new(NullArray::new(1))]).unwrap();
        assert!(out.is_null(0));
    }

    #[test]
    fn resolve_types_and_errors() {
        let r = |name: &str, args: &[DataType]| resolve_fn(name, args).map(|(_, ret)| ret);
        assert_eq!(
            r("round", &[DataType::Decimal128(10, 4)]).unwrap(),
            DataType::Decimal128(10, 0)
        );
        assert_eq!(
            r("round", &[DataType::Decimal128(38, 4), DataType::Int32]).unwrap(),
            DataType::Decimal128(38, 4)
        );
        assert_eq!(
            r("trunc", &[DataType::Decimal128(10, 4), DataType::Int32]).unwrap(),
            DataType::Decimal128(10, 4)
        );
        assert_eq!(r("ceil", &[DataType::Int16]).unwrap(), DataType::Float64);
        assert_eq!(r("round", &[DataType::Int16]).unwrap(), DataType::Int16);
        assert_eq!(
            r("floor", &[DataType::Decimal128(5, 2)]).unwrap(),
            DataType::Decimal128(5, 0)
        );
        for (name, args) in [
            ("round", vec![DataType::Utf8]),
            ("round", vec![DataType::Float64, DataType::Float64]),
            ("ceil", vec![DataType::Float64, DataType::Int64]),
            ("floor", vec![]),
            ("trunc", vec![DataType::Decimal128(10, -2)]),
        ] {
            let err = resolve_fn(name, &args).unwrap_err();
            assert!(
                matches!(err, QuarryError::Plan(ref m) if m.contains(&format!("{name}("))),
                "{err}"
            );
        }
    }
}
