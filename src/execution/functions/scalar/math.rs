//! Numeric functions other than rounding: abs, sign, power/pow, sqrt, ln,
//! log10, log2, exp and pi.
//!
//! Consumes integer (signed or unsigned), Float32/Float64 and Decimal128
//! arrays (resolve widens Float16 to Float32 and Decimal32/64 to Decimal128).
//! Produces: abs keeps the input type (integer overflow, as abs(-128::TINYINT),
//! is an Execution error; Decimal128 keeps precision and scale); sign gives
//! Int8 (-1, 0, 1; NaN gives 0); the others give Float64 and, as DuckDB,
//! return NaN or ±inf for inputs outside their domain (sqrt(-1) is NaN, ln(0)
//! is -inf) rather than failing. pi() takes no argument and gives `num_rows`
//! copies of π.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, Int8Array, PrimitiveArray};
use arrow::compute::kernels::arity::binary;
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};

use super::{no_match, prim};
use crate::error::{QuarryError, Result};

/// Function names implemented here.
pub(super) const NAMES: &[&str] = &[
    "abs", "sign", "power", "pow", "sqrt", "ln", "log10", "log2", "exp", "pi",
];

/// The type a numeric argument is evaluated as, or None if not numeric.
/// NULL is not numeric here: callers pick its type.
pub(super) fn coerce_numeric(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::Float16 => Some(DataType::Float32),
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) if *s >= 0 => {
            Some(DataType::Decimal128(*p, *s))
        }
        DataType::Decimal128(_, s) if *s >= 0 => Some(dt.clone()),
        DataType::Float32 | DataType::Float64 => Some(dt.clone()),
        t if super::is_integer(t) => Some(dt.clone()),
        _ => None,
    }
}

/// `dt` coerced to a numeric type, NULL becoming `null_as`.
pub(super) fn numeric_or(dt: &DataType, null_as: DataType) -> Option<DataType> {
    if dt == &DataType::Null {
        Some(null_as)
    } else {
        coerce_numeric(dt)
    }
}

/// Coerced argument types and result type of `name`.
pub(super) fn resolve(name: &str, args: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    let f64t = DataType::Float64;
    let fail = |cands: &str| Err(no_match(name, args, cands));
    match (name, args) {
        ("abs", [x]) => match numeric_or(x, DataType::Int64) {
            Some(t) => Ok((vec![t.clone()], t)),
            None => fail("abs(NUMERIC)"),
        },
        ("sign", [x]) => match numeric_or(x, DataType::Int64) {
            Some(t) => Ok((vec![t], DataType::Int8)),
            None => fail("sign(NUMERIC)"),
        },
        ("power" | "pow", [x, y]) => {
            match (numeric_or(x, f64t.clone()), numeric_or(y, f64t.clone())) {
                (Some(_), Some(_)) => Ok((vec![f64t.clone(), f64t.clone()], f64t)),
                _ => fail(&format!("{name}(DOUBLE, DOUBLE)")),
            }
        }
        ("pi", []) => Ok((vec![], f64t)),
        ("pi", _) => fail("pi()"),
        ("abs" | "sign" | "power" | "pow", _) => fail(&format!("{name}(NUMERIC)")),
        (_, [x]) if numeric_or(x, f64t.clone()).is_some() => Ok((vec![f64t.clone()], f64t)),
        _ => fail(&format!("{name}(DOUBLE)")),
    }
}

/// Evaluates `name` on arguments cast as [`resolve`] asked.
pub(super) fn evaluate(name: &str, args: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
    if name == "pi" {
        return Ok(Arc::new(Float64Array::from_value(
            std::f64::consts::PI,
            num_rows,
        )));
    }
    let Some(x) = args.first() else {
        return crate::internal_err!("{name}: missing argument");
    };
    match name {
        "abs" => abs(x),
        "sign" => sign(x),
        "power" | "pow" => {
            let Some(y) = args.get(1) else {
                return crate::internal_err!("{name}: missing argument");
            };
            let out: Float64Array = binary(
                prim::<Float64Type>(name, x)?,
                prim::<Float64Type>(name, y)?,
                f64::powf,
            )?;
            Ok(Arc::new(out))
        }
        _ => {
            let op: fn(f64) -> f64 = match name {
                "sqrt" => f64::sqrt,
                "ln" => f64::ln,
                "log10" => f64::log10,
                "log2" => f64::log2,
                "exp" => f64::exp,
                _ => return crate::internal_err!("{name} is not a math function"),
            };
            let out: Float64Array = prim::<Float64Type>(name, x)?.unary(op);
            Ok(Arc::new(out))
        }
    }
}

/// The Execution error for abs() of the most negative integer.
fn abs_overflow(v: impl std::fmt::Display) -> QuarryError {
    QuarryError::Execution(format!("Overflow on abs({v})"))
}

/// abs of a signed integer array; the most negative value is an error.
macro_rules! abs_checked {
    ($x:expr, $t:ty) => {{
        let out: PrimitiveArray<$t> =
            prim::<$t>("abs", $x)?.try_unary(|v| v.checked_abs().ok_or_else(|| abs_overflow(v)))?;
        Arc::new(out) as ArrayRef
    }};
}

/// abs keeping the input type.
fn abs(x: &ArrayRef) -> Result<ArrayRef> {
    Ok(match x.data_type() {
        DataType::Int8 => abs_checked!(x, Int8Type),
        DataType::Int16 => abs_checked!(x, Int16Type),
        DataType::Int32 => abs_checked!(x, Int32Type),
        DataType::Int64 => abs_checked!(x, Int64Type),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => x.clone(),
        DataType::Float32 => {
            Arc::new(prim::<Float32Type>("abs", x)?.unary::<_, Float32Type>(f32::abs))
        }
        DataType::Float64 => {
            Arc::new(prim::<Float64Type>("abs", x)?.unary::<_, Float64Type>(f64::abs))
        }
        DataType::Decimal128(p, s) => {
            let out: PrimitiveArray<Decimal128Type> = prim::<Decimal128Type>("abs", x)?
                .try_unary(|v| v.checked_abs().ok_or_else(|| abs_overflow(v)))?;
            Arc::new(out.with_precision_and_scale(*p, *s)?)
        }
        other => return crate::internal_err!("abs: unexpected argument type {other}"),
    })
}

/// -1, 0 or 1 by comparison with zero (NaN and -0.0 give 0).
fn sign_of<T: ArrowPrimitiveType>(x: &ArrayRef) -> Result<ArrayRef> {
    let zero = T::Native::default();
    let out: Int8Array = prim::<T>("sign", x)?.unary(|v| {
        if v > zero {
            1
        } else if v < zero {
            -1
        } else {
            0
        }
    });
    Ok(Arc::new(out))
}

/// sign as Int8 for any numeric type.
fn sign(x: &ArrayRef) -> Result<ArrayRef> {
    match x.data_type() {
        DataType::Int8 => sign_of::<Int8Type>(x),
        DataType::Int16 => sign_of::<Int16Type>(x),
        DataType::Int32 => sign_of::<Int32Type>(x),
        DataType::Int64 => sign_of::<Int64Type>(x),
        DataType::UInt8 => sign_of::<UInt8Type>(x),
        DataType::UInt16 => sign_of::<UInt16Type>(x),
        DataType::UInt32 => sign_of::<UInt32Type>(x),
        DataType::UInt64 => sign_of::<UInt64Type>(x),
        DataType::Float32 => sign_of::<Float32Type>(x),
        DataType::Float64 => sign_of::<Float64Type>(x),
        DataType::Decimal128(..) => sign_of::<Decimal128Type>(x),
        other => crate::internal_err!("sign: unexpected argument type {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::resolve as resolve_fn;
    use super::super::test_util::*;
    use super::*;
    use arrow::array::{
        AsArray, Decimal128Array, Float32Array, Int32Array, Int8Array, NullArray, UInt8Array,
    };

    fn f64s(a: &ArrayRef) -> Vec<Option<f64>> {
        a.as_primitive::<Float64Type>().iter().collect()
    }

    fn dec(v: &[Option<i128>], p: u8, s: i8) -> ArrayRef {
        Arc::new(
            Decimal128Array::from(v.to_vec())
                .with_precision_and_scale(p, s)
                .unwrap(),
        )
    }

    #[test]
    fn abs_keeps_types() {
        let out = run(
            "abs",
            vec![Arc::new(Int32Array::from(vec![Some(-5), None, Some(7)]))],
        )
        .unwrap();
        assert_eq!(
            out.as_ref(),
            &Int32Array::from(vec![Some(5), None, Some(7)])
        );
        let out = run("abs", vec![ints(&[Some(-9223372036854775807)])]).unwrap();
        assert_eq!(out_ints(&out), vec![Some(i64::MAX)]);
        let out = run("abs", vec![Arc::new(Float32Array::from(vec![-1.5f32]))]).unwrap();
        assert_eq!(out.as_ref(), &Float32Array::from(vec![1.5f32]));
        let out = run("abs", vec![Arc::new(Float64Array::from(vec![-1.5, -0.0]))]).unwrap();
        assert_eq!(f64s(&out), vec![Some(1.5), Some(0.0)]);
        let out = run("abs", vec![Arc::new(UInt8Array::from(vec![5u8]))]).unwrap();
        assert_eq!(out.as_ref(), &UInt8Array::from(vec![5u8]));
        let out = run("abs", vec![dec(&[Some(-15000), None], 10, 4)]).unwrap();
        assert_eq!(out.as_ref(), dec(&[Some(15000), None], 10, 4).as_ref());
        let out = run("abs", vec![Arc::new(NullArray::new(1))]).unwrap();
        assert_eq!(out.data_type(), &DataType::Int64);
        assert!(out.is_null(0));
    }

    #[test]
    fn abs_overflow_is_an_error() {
        let err = run("abs", vec![Arc::new(Int8Array::from(vec![-128i8]))]).unwrap_err();
        assert!(
            matches!(err, QuarryError::Execution(ref m) if m.contains("abs(-128)")),
            "{err}"
        );
        assert!(run("abs", vec![ints(&[Some(i64::MIN)])]).is_err());
        // A NULL slot holding the most negative value is not evaluated.
        let with_null = Int32Array::new(vec![i32::MIN].into(), Some(vec![false].into()));
        assert!(run("abs", vec![Arc::new(with_null)]).unwrap().is_null(0));
    }

    #[test]
    fn sign_gives_int8() {
        let expect = |out: ArrayRef, v: Vec<Option<i8>>| {
            assert_eq!(out.as_ref(), &Int8Array::from(v));
        };
        expect(
            run("sign", vec![ints(&[Some(-5), Some(0), Some(3), None])]).unwrap(),
            vec![Some(-1), Some(0), Some(1), None],
        );
        let f = Float64Array::from(vec![-0.0, f64::NAN, 2.5, f64::NEG_INFINITY]);
        expect(
            run("sign", vec![Arc::new(f)]).unwrap(),
            vec![Some(0), Some(0), Some(1), Some(-1)],
        );
        expect(
            run("sign", vec![dec(&[Some(250), Some(-1)], 10, 2)]).unwrap(),
            vec![Some(1), Some(-1)],
        );
        expect(
            run("sign", vec![Arc::new(UInt8Array::from(vec![0u8, 5]))]).unwrap(),
            vec![Some(0), Some(1)],
        );
    }

    #[test]
    fn float_functions_follow_duckdb() {
        let one = |name: &str, v: f64| {
            f64s(&run(name, vec![Arc::new(Float64Array::from(vec![v]))]).unwrap())[0].unwrap()
        };
        assert_eq!(one("sqrt", 4.0), 2.0);
        assert!(one("sqrt", -1.0).is_nan());
        assert_eq!(one("sqrt", f64::INFINITY), f64::INFINITY);
        assert_eq!(one("ln", 0.0), f64::NEG_INFINITY);
        assert!(one("ln", -1.0).is_nan());
        assert_eq!(one("ln", std::f64::consts::E), 1.0);
        assert_eq!(one("log10", 1000.0), 3.0);
        assert_eq!(one("log10", 0.0), f64::NEG_INFINITY);
        assert_eq!(one("log2", 8.0), 3.0);
        assert!(one("log2", -1.0).is_nan());
        assert_eq!(one("exp", 1.0), std::f64::consts::E);
        assert_eq!(one("exp", 1000.0), f64::INFINITY);
        let out = run(
            "sqrt",
            vec![Arc::new(Int32Array::from(vec![Some(2), None]))],
        )
        .unwrap();
        assert_eq!(f64s(&out), vec![Some(std::f64::consts::SQRT_2), None]);
        let out = run("sqrt", vec![dec(&[Some(225)], 4, 2)]).unwrap();
        assert_eq!(f64s(&out), vec![Some(1.5)]);
    }

    #[test]
    fn power_and_pi() {
        let x = Arc::new(Int32Array::from(vec![
            Some(2),
            Some(0),
            Some(-8),
            None,
            Some(10),
        ])) as ArrayRef;
        let y = Arc::new(Float64Array::from(vec![
            Some(10.0),
            Some(-1.0),
            Some(1.0 / 3.0),
            Some(1.0),
            Some(400.0),
        ]));
        let out = f64s(&run("power", vec![x.clone(), y.clone()]).unwrap());
        assert_eq!(out[0], Some(1024.0));
        assert_eq!(out[1], Some(f64::INFINITY));
        assert!(out[2].unwrap().is_nan());
        assert_eq!(out[3], None);
        assert_eq!(out[4], Some(f64::INFINITY));
        assert_eq!(f64s(&run("pow", vec![x, y]).unwrap())[0], Some(1024.0));
        let out = run_n("pi", vec![], 3).unwrap();
        assert_eq!(f64s(&out), vec![Some(std::f64::consts::PI); 3]);
        assert_eq!(run_n("pi", vec![], 0).unwrap().len(), 0);
    }

    #[test]
    fn resolve_errors() {
        for (name, args) in [
            ("abs", vec![DataType::Utf8]),
            ("abs", vec![]),
            ("sign", vec![DataType::Boolean]),
            ("power", vec![DataType::Float64]),
            ("sqrt", vec![DataType::Utf8]),
            ("pi", vec![DataType::Int32]),
            ("abs", vec![DataType::Decimal256(40, 2)]),
        ] {
            let err = resolve_fn(name, &args).unwrap_err();
            assert!(
                matches!(err, QuarryError::Plan(ref m) if m.contains(&format!("{name}("))),
                "{err}"
            );
        }
        let (args, ret) = resolve_fn("abs", &[DataType::Float16]).unwrap();
        assert_eq!((args, ret), (vec![DataType::Float32], DataType::Float32));
        let (args, _) = resolve_fn("abs", &[DataType::Decimal64(10, 2)]).unwrap();
        assert_eq!(args, vec![DataType::Decimal128(10, 2)]);
    }
}
