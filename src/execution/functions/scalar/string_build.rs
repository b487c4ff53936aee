//! String functions that build a new string from pieces: reverse, repeat,
//! lpad, rpad and concat.
//!
//! Consumes Utf8 arrays (resolve coerces Utf8View, LargeUtf8 and NULL to Utf8;
//! concat also casts any other type castable to Utf8) and Int64 counts (any
//! integer type is coerced). Produces Utf8. Counts are in chars, never bytes.
//! NULL in any argument gives NULL, except concat, which skips NULL arguments
//! and never returns NULL. A result too large for a Utf8 array is an
//! Execution error, checked before any large allocation.

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use arrow::compute::can_cast_types;
use arrow::datatypes::DataType;

use super::string::{any_null, byte_offset, char_len, char_slice, to_usize};
use super::{arg_as, coerce_str, match_kinds, no_match, Kind, Utf8Out};
use crate::error::Result;

/// Function names implemented here.
pub(super) const NAMES: &[&str] = &["reverse", "repeat", "lpad", "rpad", "concat"];

/// Coerced argument types and result type of `name`.
pub(super) fn resolve(name: &str, args: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    use Kind::{Int, Str};
    let utf8 = DataType::Utf8;
    Ok(match name {
        "reverse" => (match_kinds(name, args, &[Str], "reverse(VARCHAR)")?, utf8),
        "repeat" => (
            match_kinds(name, args, &[Str, Int], "repeat(VARCHAR, BIGINT)")?,
            utf8,
        ),
        "lpad" | "rpad" => {
            let cands = format!("{name}(VARCHAR, BIGINT, VARCHAR)");
            (match_kinds(name, args, &[Str, Int, Str], &cands)?, utf8)
        }
        _ => {
            // concat: one or more arguments of any type castable to VARCHAR.
            let coerced = args
                .iter()
                .map(|t| coerce_str(t).or_else(|| can_cast_types(t, &utf8).then(|| utf8.clone())))
                .collect::<Option<Vec<_>>>();
            match coerced {
                Some(types) if !types.is_empty() => (types, utf8),
                _ => return Err(no_match(name, args, "concat(ANY, ...)")),
            }
        }
    })
}

/// Evaluates `name` on arguments cast as [`resolve`] asked.
pub(super) fn evaluate(name: &str, args: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
    let s = |i| arg_as::<StringArray>(name, args, i);
    let n = || arg_as::<Int64Array>(name, args, 1);
    match name {
        "reverse" => reverse(s(0)?),
        "repeat" => repeat(s(0)?, n()?),
        "lpad" => pad(s(0)?, n()?, s(2)?, true),
        "rpad" => pad(s(0)?, n()?, s(2)?, false),
        "concat" => concat(args, num_rows),
        _ => crate::internal_err!("{name} is not a string building function"),
    }
}

/// The chars of each value in reverse order.
fn reverse(s: &StringArray) -> Result<ArrayRef> {
    let mut out = Utf8Out::new("reverse", s.len(), s.value_data().len());
    for v in s.iter() {
        match v {
            Some(v) => {
                for c in v.chars().rev() {
                    out.push_char(c)?;
                }
                out.end_value();
            }
            None => out.append_null(),
        }
    }
    Ok(out.finish())
}

/// `s` repeated `n` times; n <= 0 gives ''.
fn repeat(s: &StringArray, n: &Int64Array) -> Result<ArrayRef> {
    let mut out = Utf8Out::new("repeat", s.len(), s.value_data().len());
    for i in 0..s.len() {
        if any_null(&[s, n], i) {
            out.append_null();
            continue;
        }
        let (v, times) = (s.value(i), to_usize(n.value(i)));
        if !v.is_empty() {
            out.check_room(v.len().saturating_mul(times))?;
            for _ in 0..times {
                out.push(v)?;
            }
        }
        out.end_value();
    }
    Ok(out.finish())
}

/// lpad/rpad(s, n, fill): `s` padded to n chars with `fill` repeated on the
/// left/right, or cut to its first n chars when longer; n < 0 gives ''.
fn pad(s: &StringArray, n: &Int64Array, fill: &StringArray, left: bool) -> Result<ArrayRef> {
    let name = if left { "lpad" } else { "rpad" };
    let mut out = Utf8Out::new(name, s.len(), s.value_data().len());
    for i in 0..s.len() {
        if any_null(&[s, n, fill], i) {
            out.append_null();
            continue;
        }
        let (v, target, f) = (s.value(i), to_usize(n.value(i)), fill.value(i));
        let len = char_len(v);
        if len >= target {
            out.append(char_slice(v, 0, target))?;
            continue;
        }
        if f.is_empty() {
            return crate::exec_err!("Insufficient padding in {}.", name.to_uppercase());
        }
        let missing = target - len;
        let fill_chars = char_len(f);
        let (full, rest) = (
            missing / fill_chars,
            &f[..byte_offset(f, missing % fill_chars)],
        );
        let pad_bytes = full.saturating_mul(f.len()).saturating_add(rest.len());
        out.check_room(pad_bytes.saturating_add(v.len()))?;
        if !left {
            out.push(v)?;
        }
        for _ in 0..full {
            out.push(f)?;
        }
        out.push(rest)?;
        if left {
            out.push(v)?;
        }
        out.end_value();
    }
    Ok(out.finish())
}

/// Concatenation of all arguments, skipping NULLs; never NULL.
fn concat(args: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
    let strings = (0..args.len())
        .map(|i| arg_as::<StringArray>("concat", args, i))
        .collect::<Result<Vec<_>>>()?;
    let bytes = strings.iter().map(|s| s.value_data().len()).sum();
    let mut out = Utf8Out::new("concat", num_rows, bytes);
    for i in 0..num_rows {
        for s in &strings {
            if s.is_valid(i) {
                out.push(s.value(i))?;
            }
        }
        out.end_value();
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use arrow::array::{ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array};
    use std::sync::Arc;

    #[test]
    fn reverse_chars() {
        let out = str1("reverse", &[Some("héllo"), Some(""), None]);
        assert_eq!(out, owned(&[Some("olléh"), Some(""), None]));
        let out = run("reverse", vec![views(&[Some("abc")])]).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("cba")]));
    }

    #[test]
    fn repeat_strings() {
        let s = [
            Some("ab"),
            Some("ab"),
            Some("ab"),
            None,
            Some("é"),
            Some(""),
        ];
        let n = [
            Some(3),
            Some(0),
            Some(-1),
            Some(2),
            Some(2),
            Some(1_000_000_000_000),
        ];
        let expected = [
            Some("ababab"),
            Some(""),
            Some(""),
            None,
            Some("éé"),
            Some(""),
        ];
        assert_eq!(str_int("repeat", &s, &n), owned(&expected));
        let err = run("repeat", vec![strs(&[Some("ab")]), ints(&[Some(i64::MAX)])]).unwrap_err();
        assert!(
            err.to_string().contains("maximum string column size"),
            "{err}"
        );
    }

    fn pad(name: &str, s: Option<&str>, n: Option<i64>, f: Option<&str>) -> Option<String> {
        let args = vec![strs(&[s]), ints(&[n]), strs(&[f])];
        out_strs(&run(name, args).unwrap())[0].clone()
    }

    #[test]
    fn lpad_rpad() {
        let p = |name, s, n, f| pad(name, Some(s), Some(n), Some(f));
        assert_eq!(p("lpad", "abc", 5, "xy").as_deref(), Some("xyabc"));
        assert_eq!(p("lpad", "abc", 2, "xy").as_deref(), Some("ab"));
        assert_eq!(p("lpad", "abc", -1, "xy").as_deref(), Some(""));
        assert_eq!(p("lpad", "abc", 3, "").as_deref(), Some("abc"));
        assert_eq!(p("lpad", "ab", 4, "é").as_deref(), Some("ééab"));
        assert_eq!(p("rpad", "abc", 6, "xy").as_deref(), Some("abcxyx"));
        assert_eq!(p("rpad", "héllo", 7, "é").as_deref(), Some("hélloéé"));
        assert_eq!(p("rpad", "abc", 2, "x").as_deref(), Some("ab"));
        assert_eq!(p("rpad", "ab", 7, "xyz").as_deref(), Some("abxyzxy"));
        assert_eq!(pad("lpad", None, Some(5), Some("x")), None);
        assert_eq!(pad("lpad", Some("a"), None, Some("x")), None);
        assert_eq!(pad("rpad", Some("a"), Some(5), None), None);
        let err = run(
            "lpad",
            vec![strs(&[Some("abc")]), ints(&[Some(5)]), strs(&[Some("")])],
        );
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("Insufficient padding in LPAD"));
        let huge = vec![
            strs(&[Some("a")]),
            ints(&[Some(i64::MAX)]),
            strs(&[Some("xy")]),
        ];
        assert!(run("rpad", huge).is_err());
        let args = vec![views(&[Some("a")]), ints(&[Some(3)]), views(&[Some("-")])];
        assert_eq!(out_strs(&run("lpad", args).unwrap()), owned(&[Some("--a")]));
    }

    #[test]
    fn concat_skips_nulls_and_casts() {
        let a = strs(&[Some("a"), None, None, Some("x")]);
        let b = views(&[None, Some("b"), None, Some("é")]);
        let c: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), None, None, Some(2)]));
        let out = run("concat", vec![a, b, c]).unwrap();
        assert_eq!(
            out_strs(&out),
            owned(&[Some("a1"), Some("b"), Some(""), Some("xé2")])
        );
        let d: ArrayRef = Arc::new(Date32Array::from(vec![8035]));
        let t: ArrayRef = Arc::new(BooleanArray::from(vec![true]));
        let f: ArrayRef = Arc::new(Float64Array::from(vec![2.5]));
        let out = run("concat", vec![d, t, f]).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("1992-01-01true2.5")]));
        let out = run("concat", vec![strs(&[Some("solo")])]).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("solo")]));
        let err = super::super::resolve("concat", &[]).unwrap_err();
        assert!(err.to_string().contains("concat()"), "{err}");
    }
}
