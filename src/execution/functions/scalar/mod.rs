//! Scalar function registry and dispatch.
//!
//! Consumes a function name (case-insensitive) plus either the argument types
//! ([`resolve`]) or the argument arrays ([`evaluate`]). Produces the argument
//! types the caller must cast to and the result type, or the result array.
//!
//! Guarantees: [`resolve`] never accepts a signature that [`evaluate`] cannot
//! run; [`evaluate`] returns an array of exactly `num_rows` rows whose type is
//! the one [`resolve`] promised, and never panics: bad input yields
//! `QuarryError::Execution`, a call that skipped [`resolve`] yields
//! `QuarryError::Internal`. NULL in any argument gives NULL, except `concat`,
//! which skips NULLs as DuckDB does.

mod date_trunc;
mod datetime;
mod math;
mod math_round;
mod string;
mod string_build;
mod string_match;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray, StringBuilder};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{ArrowPrimitiveType, DataType};

use crate::error::{QuarryError, Result};

/// Resolves one family's function: coerced argument types and result type.
type ResolveFn = fn(&str, &[DataType]) -> Result<(Vec<DataType>, DataType)>;
/// Evaluates one family's function on whole arrays.
type EvaluateFn = fn(&str, &[ArrayRef], usize) -> Result<ArrayRef>;

/// Every function family: its names, resolver and evaluator.
const FAMILIES: &[(&[&str], ResolveFn, EvaluateFn)] = &[
    (string::NAMES, string::resolve, string::evaluate),
    (
        string_build::NAMES,
        string_build::resolve,
        string_build::evaluate,
    ),
    (
        string_match::NAMES,
        string_match::resolve,
        string_match::evaluate,
    ),
    (datetime::NAMES, datetime::resolve, datetime::evaluate),
    (date_trunc::NAMES, date_trunc::resolve, date_trunc::evaluate),
    (math::NAMES, math::resolve, math::evaluate),
    (math_round::NAMES, math_round::resolve, math_round::evaluate),
];

/// The family implementing the lower-case `name`, if any.
fn family(name: &str) -> Option<(ResolveFn, EvaluateFn)> {
    FAMILIES
        .iter()
        .find(|(names, _, _)| names.contains(&name))
        .map(|(_, r, e)| (*r, *e))
}

/// The scalar functions quarry knows, resolved by lower-case name.
pub fn is_scalar_function(name: &str) -> bool {
    family(&name.to_ascii_lowercase()).is_some()
}

/// All scalar function names quarry knows, lower-case.
pub fn scalar_function_names() -> impl Iterator<Item = &'static str> {
    FAMILIES
        .iter()
        .flat_map(|(names, _, _)| names.iter().copied())
}

/// Result type for the given argument types, or a Plan error naming the
/// function and the argument types when they do not fit. Also returns the
/// types the caller must CAST each argument to before calling [`evaluate`].
pub fn resolve(name: &str, arg_types: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    let lower = name.to_ascii_lowercase();
    match family(&lower) {
        Some((resolve, _)) => resolve(&lower, arg_types),
        None => crate::plan_err!("Scalar function '{name}' does not exist"),
    }
}

/// Evaluates on whole arrays (all of length `num_rows`; the caller expands
/// scalars to arrays). Args are already cast to the types [`resolve`] returned.
pub fn evaluate(name: &str, args: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
    let lower = name.to_ascii_lowercase();
    let Some((_, evaluate)) = family(&lower) else {
        return crate::plan_err!("Scalar function '{name}' does not exist");
    };
    if let Some(bad) = args.iter().find(|a| a.len() != num_rows) {
        return crate::internal_err!(
            "{lower}: argument has {} rows, expected {num_rows}",
            bad.len()
        );
    }
    let out = evaluate(&lower, args, num_rows)?;
    if out.len() != num_rows {
        return crate::internal_err!("{lower}: produced {} rows, expected {num_rows}", out.len());
    }
    Ok(out)
}

/// The Plan error for a call whose argument types match no signature.
pub(super) fn no_match(name: &str, args: &[DataType], candidates: &str) -> QuarryError {
    let types: Vec<String> = args.iter().map(|t| t.to_string()).collect();
    QuarryError::Plan(format!(
        "No function matches the given name and argument types '{name}({})'. Candidates: {candidates}",
        types.join(", ")
    ))
}

/// Argument classes used to describe simple signatures.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// Any string type (or NULL), coerced to Utf8.
    Str,
    /// Any integer type (or NULL), coerced to Int64.
    Int,
}

/// Utf8 if `dt` is a string type or NULL.
pub(super) fn coerce_str(dt: &DataType) -> Option<DataType> {
    matches!(
        dt,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    )
    .then_some(DataType::Utf8)
}

/// True for the signed and unsigned integer types.
pub(super) fn is_integer(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

/// Int64 if `dt` is an integer type or NULL.
pub(super) fn coerce_int(dt: &DataType) -> Option<DataType> {
    (is_integer(dt) || dt == &DataType::Null).then_some(DataType::Int64)
}

/// Checks `args` against `kinds` (same arity, each of its class) and returns
/// the coerced types, or the Plan error listing `candidates`.
pub(super) fn match_kinds(
    name: &str,
    args: &[DataType],
    kinds: &[Kind],
    candidates: &str,
) -> Result<Vec<DataType>> {
    if args.len() != kinds.len() {
        return Err(no_match(name, args, candidates));
    }
    args.iter()
        .zip(kinds)
        .map(|(dt, kind)| match kind {
            Kind::Str => coerce_str(dt),
            Kind::Int => coerce_int(dt),
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| no_match(name, args, candidates))
}

/// Argument `i` downcast to `T`, or an internal error naming the function.
pub(super) fn arg_as<'a, T: 'static>(name: &str, args: &'a [ArrayRef], i: usize) -> Result<&'a T> {
    let Some(array) = args.get(i) else {
        return crate::internal_err!("{name}: missing argument {}", i + 1);
    };
    array.as_any().downcast_ref::<T>().ok_or_else(|| {
        QuarryError::Internal(format!(
            "{name}: argument {} has type {}, not the type resolve() asked for",
            i + 1,
            array.data_type()
        ))
    })
}

/// `a` as a primitive array of type `T`, or an internal error naming the function.
pub(super) fn prim<'a, T: ArrowPrimitiveType>(
    name: &str,
    a: &'a ArrayRef,
) -> Result<&'a PrimitiveArray<T>> {
    a.as_primitive_opt::<T>().ok_or_else(|| {
        QuarryError::Internal(format!(
            "{name}: unexpected argument type {}",
            a.data_type()
        ))
    })
}

/// Applies a fallible binary operation on the rows where both inputs are
/// valid; the output is NULL where either input is.
pub(super) fn try_binary_prim<A, B, O, F>(
    a: &PrimitiveArray<A>,
    b: &PrimitiveArray<B>,
    op: F,
) -> Result<PrimitiveArray<O>>
where
    A: ArrowPrimitiveType,
    B: ArrowPrimitiveType,
    O: ArrowPrimitiveType,
    F: Fn(A::Native, B::Native) -> Result<O::Native>,
{
    let len = a.len().min(b.len());
    let nulls = NullBuffer::union(a.nulls(), b.nulls());
    let mut values = vec![O::Native::default(); len];
    for (i, slot) in values.iter_mut().enumerate() {
        if nulls.as_ref().is_none_or(|n| n.is_valid(i)) {
            *slot = op(a.value(i), b.value(i))?;
        }
    }
    Ok(PrimitiveArray::new(values.into(), nulls))
}

/// Largest total byte size of the values of one Utf8 array.
const UTF8_LIMIT: usize = i32::MAX as usize;

/// A Utf8 builder that refuses to grow past the Utf8 offset limit instead of
/// panicking. Values are written piecewise with [`Utf8Out::push`] and closed
/// with [`Utf8Out::end_value`], or written whole with [`Utf8Out::append`].
pub(super) struct Utf8Out {
    builder: StringBuilder,
    bytes: usize,
    name: &'static str,
}

impl Utf8Out {
    /// A builder for `rows` values of about `bytes` bytes, for function `name`.
    pub(super) fn new(name: &'static str, rows: usize, bytes: usize) -> Self {
        Self {
            builder: StringBuilder::with_capacity(rows, bytes.min(UTF8_LIMIT)),
            bytes: 0,
            name,
        }
    }

    /// Errors unless `extra` more bytes still fit in the array.
    pub(super) fn check_room(&self, extra: usize) -> Result<()> {
        match self.bytes.checked_add(extra) {
            Some(total) if total <= UTF8_LIMIT => Ok(()),
            _ => crate::exec_err!(
                "{}: result exceeds the maximum string column size of {UTF8_LIMIT} bytes",
                self.name
            ),
        }
    }

    /// Appends `s` to the value being written.
    pub(super) fn push(&mut self, s: &str) -> Result<()> {
        use std::fmt::Write;
        self.check_room(s.len())?;
        self.bytes += s.len();
        // Writing to a StringBuilder cannot fail.
        let _ = self.builder.write_str(s);
        Ok(())
    }

    /// Appends one char to the value being written.
    pub(super) fn push_char(&mut self, c: char) -> Result<()> {
        let mut buf = [0u8; 4];
        self.push(c.encode_utf8(&mut buf))
    }

    /// Closes the value being written.
    pub(super) fn end_value(&mut self) {
        self.builder.append_value("");
    }

    /// Appends a whole value.
    pub(super) fn append(&mut self, s: &str) -> Result<()> {
        self.push(s)?;
        self.end_value();
        Ok(())
    }

    /// Appends a NULL.
    pub(super) fn append_null(&mut self) {
        self.builder.append_null();
    }

    /// The finished array.
    pub(super) fn finish(mut self) -> ArrayRef {
        Arc::new(self.builder.finish())
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers that call functions the way the engine does: resolve, cast, evaluate.
    use super::*;
    use arrow::array::{AsArray, Int64Array, StringArray, StringViewArray};
    use arrow::compute::cast;

    /// Resolves, casts and evaluates `name` over `args` with `rows` rows.
    pub fn run_n(name: &str, args: Vec<ArrayRef>, rows: usize) -> Result<ArrayRef> {
        let types: Vec<DataType> = args.iter().map(|a| a.data_type().clone()).collect();
        let (cast_to, ret) = resolve(name, &types)?;
        assert_eq!(cast_to.len(), args.len());
        let cast_args = args
            .iter()
            .zip(&cast_to)
            .map(|(a, t)| cast(a, t))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let out = evaluate(name, &cast_args, rows)?;
        assert_eq!(
            out.data_type(),
            &ret,
            "{name}: result type differs from resolve()"
        );
        assert_eq!(out.len(), rows);
        Ok(out)
    }

    /// [`run_n`] with the row count taken from the first argument.
    pub fn run(name: &str, args: Vec<ArrayRef>) -> Result<ArrayRef> {
        let rows = args.first().map_or(1, |a| a.len());
        run_n(name, args, rows)
    }

    /// A Utf8 array.
    pub fn strs(v: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(v.to_vec()))
    }

    /// A Utf8View array.
    pub fn views(v: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringViewArray::from(v.to_vec()))
    }

    /// An Int64 array.
    pub fn ints(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    /// `n` copies of the Utf8 value `s`.
    pub fn str_n(s: &str, n: usize) -> ArrayRef {
        Arc::new(StringArray::from(vec![s; n]))
    }

    /// The values of a Utf8 result.
    pub fn out_strs(a: &ArrayRef) -> Vec<Option<String>> {
        a.as_string::<i32>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect()
    }

    /// The values of an Int64 result.
    pub fn out_ints(a: &ArrayRef) -> Vec<Option<i64>> {
        a.as_primitive::<arrow::datatypes::Int64Type>()
            .iter()
            .collect()
    }

    /// The Utf8 result of one-argument function `name` over Utf8 values `v`.
    pub fn str1(name: &str, v: &[Option<&str>]) -> Vec<Option<String>> {
        out_strs(&run(name, vec![strs(v)]).unwrap())
    }

    /// The Utf8 result of `name(s, n)` over Utf8 `s` and Int64 `n`.
    pub fn str_int(name: &str, s: &[Option<&str>], n: &[Option<i64>]) -> Vec<Option<String>> {
        out_strs(&run(name, vec![strs(s), ints(n)]).unwrap())
    }

    /// `Some(s.to_string())` for each entry, for comparing with [`out_strs`].
    pub fn owned(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|s| s.map(str::to_string)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;

    #[test]
    fn names_are_case_insensitive() {
        assert!(is_scalar_function("UPPER"));
        assert!(is_scalar_function("date_part"));
        assert!(is_scalar_function("Pi"));
        assert!(!is_scalar_function("no_such_function"));
        assert!(!is_scalar_function("sum"));
        let out = run("UpPeR", vec![strs(&[Some("a")])]).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("A")]));
    }

    #[test]
    fn every_name_is_unique_and_lower_case() {
        let names: Vec<&str> = scalar_function_names().collect();
        for n in &names {
            assert_eq!(*n, n.to_ascii_lowercase());
            assert_eq!(
                names.iter().filter(|m| *m == n).count(),
                1,
                "{n} listed twice"
            );
        }
    }

    #[test]
    fn unknown_function_is_a_plan_error() {
        let err = resolve("frobnicate", &[DataType::Int32]).unwrap_err();
        assert!(
            matches!(err, QuarryError::Plan(ref m) if m.contains("frobnicate")),
            "{err}"
        );
        let err = evaluate("frobnicate", &[], 0).unwrap_err();
        assert!(matches!(err, QuarryError::Plan(_)));
    }

    #[test]
    fn mismatch_names_function_and_types() {
        let err = resolve("upper", &[DataType::Int32]).unwrap_err();
        let QuarryError::Plan(msg) = err else {
            panic!("not a plan error")
        };
        assert!(msg.contains("upper(Int32)"), "{msg}");
        let err = resolve("substring", &[DataType::Utf8, DataType::Float64]).unwrap_err();
        assert!(
            err.to_string().contains("substring(Utf8, Float64)"),
            "{err}"
        );
    }

    #[test]
    fn evaluate_rejects_wrong_lengths_and_types() {
        let err = evaluate("upper", &[strs(&[Some("a")])], 2).unwrap_err();
        assert!(matches!(err, QuarryError::Internal(_)));
        let err = evaluate("upper", &[ints(&[Some(1)])], 1).unwrap_err();
        assert!(matches!(err, QuarryError::Internal(_)));
        let err = evaluate("upper", &[], 1).unwrap_err();
        assert!(matches!(err, QuarryError::Internal(_)));
    }

    #[test]
    fn utf8_out_refuses_to_overflow() {
        let mut out = Utf8Out::new("t", 1, 0);
        out.bytes = UTF8_LIMIT - 1;
        assert!(out.check_room(1).is_ok());
        assert!(out.push("ab").is_err());
        assert!(out.check_room(usize::MAX).is_err());
    }
}
