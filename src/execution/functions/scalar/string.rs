//! String functions that map or slice a string by character position:
//! upper/lower (ucase/lcase), length (char_length, character_length),
//! substring/substr, left and right; plus the char-position helpers the other
//! string files share.
//!
//! Consumes Utf8 arrays (resolve coerces Utf8View, LargeUtf8 and NULL to Utf8)
//! and Int64 positions/counts (any integer type is coerced). Produces Utf8, or
//! Int64 for the lengths. Positions and lengths count Unicode scalar values
//! (chars), never bytes. NULL in any argument gives NULL. Out-of-range
//! positions follow DuckDB (empty or clamped results); offsets beyond DuckDB's
//! supported range are an Execution error.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use arrow::buffer::{Buffer, OffsetBuffer};
use arrow::compute::cast;
use arrow::datatypes::DataType;

use super::{arg_as, match_kinds, Kind, Utf8Out};
use crate::error::Result;

/// Function names implemented here.
pub(super) const NAMES: &[&str] = &[
    "upper",
    "ucase",
    "lower",
    "lcase",
    "length",
    "char_length",
    "character_length",
    "substring",
    "substr",
    "left",
    "right",
];

/// Coerced argument types and result type of `name`.
pub(super) fn resolve(name: &str, args: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    use Kind::{Int, Str};
    let utf8 = DataType::Utf8;
    Ok(match name {
        "length" | "char_length" | "character_length" => (
            match_kinds(name, args, &[Str], &format!("{name}(VARCHAR)"))?,
            DataType::Int64,
        ),
        "substring" | "substr" => {
            let kinds: &[Kind] = if args.len() == 2 {
                &[Str, Int]
            } else {
                &[Str, Int, Int]
            };
            let cands = format!("{name}(VARCHAR, BIGINT), {name}(VARCHAR, BIGINT, BIGINT)");
            (match_kinds(name, args, kinds, &cands)?, utf8)
        }
        "left" | "right" => (
            match_kinds(name, args, &[Str, Int], &format!("{name}(VARCHAR, BIGINT)"))?,
            utf8,
        ),
        _ => (
            match_kinds(name, args, &[Str], &format!("{name}(VARCHAR)"))?,
            utf8,
        ),
    })
}

/// Evaluates `name` on arguments cast as [`resolve`] asked.
pub(super) fn evaluate(name: &str, args: &[ArrayRef], _num_rows: usize) -> Result<ArrayRef> {
    let s = || arg_as::<StringArray>(name, args, 0);
    let n = |i| arg_as::<Int64Array>(name, args, i);
    match name {
        "upper" | "ucase" => case_map(s()?, true),
        "lower" | "lcase" => case_map(s()?, false),
        "length" | "char_length" | "character_length" => char_length(s()?),
        "substring" | "substr" => {
            let len = if args.len() > 2 { Some(n(2)?) } else { None };
            substring(s()?, n(1)?, len)
        }
        "left" => left_right(s()?, n(1)?, true),
        "right" => left_right(s()?, n(1)?, false),
        _ => crate::internal_err!("{name} is not a string function"),
    }
}

/// Number of chars in `s`.
pub(super) fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Byte offset of char index `c` in `s` (`s.len()` when past the end).
pub(super) fn byte_offset(s: &str, c: usize) -> usize {
    if s.is_ascii() {
        return c.min(s.len());
    }
    s.char_indices().nth(c).map_or(s.len(), |(b, _)| b)
}

/// The chars `[from, to)` of `s`; both are clamped to the string.
pub(super) fn char_slice(s: &str, from: usize, to: usize) -> &str {
    let start = byte_offset(s, from);
    let end = if to <= from {
        start
    } else {
        start + byte_offset(&s[start..], to - from)
    };
    &s[start..end]
}

/// Converts a count that may be negative or huge to `usize`, saturating.
pub(super) fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(if n < 0 { 0 } else { usize::MAX })
}

/// True when row `i` is NULL in any of `arrays`.
pub(super) fn any_null(arrays: &[&dyn Array], i: usize) -> bool {
    arrays.iter().any(|a| a.is_null(i))
}

/// DuckDB upper/lower: one char maps to one char (the simple case mapping);
/// ASCII-only arrays are mapped byte-wise in one pass over the value buffer.
fn case_map(s: &StringArray, upper: bool) -> Result<ArrayRef> {
    if s.is_ascii() {
        let offsets = s.value_offsets();
        let first = offsets.first().copied().unwrap_or(0);
        let last = offsets.last().copied().unwrap_or(0);
        let range = usize::try_from(first).unwrap_or(0)..usize::try_from(last).unwrap_or(0);
        let mut data = s.value_data().get(range).unwrap_or_default().to_vec();
        if upper {
            data.make_ascii_uppercase();
        } else {
            data.make_ascii_lowercase();
        }
        let rebased = OffsetBuffer::new(offsets.iter().map(|o| o - first).collect());
        let out = StringArray::try_new(rebased, Buffer::from_vec(data), s.nulls().cloned())?;
        return Ok(Arc::new(out));
    }
    let name = if upper { "upper" } else { "lower" };
    let mut out = Utf8Out::new(name, s.len(), s.value_data().len());
    for v in s.iter() {
        let Some(v) = v else {
            out.append_null();
            continue;
        };
        for c in v.chars() {
            out.push_char(if upper { upper_char(c) } else { lower_char(c) })?;
        }
        out.end_value();
    }
    Ok(out.finish())
}

/// The simple (one char to one char) upper case mapping of `c`, as DuckDB's
/// utf8proc: the full mapping when it is one char, else the few simple
/// mappings std does not expose ('ß' to 'ẞ', Greek with ypogegrammeni to
/// prosgegrammeni), else `c` itself.
fn upper_char(c: char) -> char {
    let mut it = c.to_uppercase();
    if let (Some(u), None) = (it.next(), it.next()) {
        return u;
    }
    let shift = match u32::from(c) {
        0xDF => return 'ẞ',
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => 8,
        0x1FB3 | 0x1FC3 | 0x1FF3 => 9,
        _ => 0,
    };
    char::from_u32(u32::from(c) + shift).unwrap_or(c)
}

/// Lower case of one char; for the one multi-char mapping ('İ') its first char.
fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Length in chars; ASCII-only arrays use the byte-length kernel.
fn char_length(s: &StringArray) -> Result<ArrayRef> {
    if s.is_ascii() {
        let bytes = arrow::compute::kernels::length::length(s)?;
        return Ok(cast(&bytes, &DataType::Int64)?);
    }
    let out: Int64Array = s
        .iter()
        .map(|v| v.map(|v| i64::try_from(v.chars().count()).unwrap_or(i64::MAX)))
        .collect();
    Ok(Arc::new(out))
}

/// Largest offset and length DuckDB's substring accepts.
const SUBSTRING_MAX: i64 = u32::MAX as i64;
/// Smallest offset and length DuckDB's substring accepts.
const SUBSTRING_MIN: i64 = -(u32::MAX as i64) - 1;

/// DuckDB substring: 1-based `start` (0 is one before the first char, negative
/// counts from the end); a negative `len` takes the chars before `start`.
fn substring(s: &StringArray, start: &Int64Array, len: Option<&Int64Array>) -> Result<ArrayRef> {
    let mut out = Utf8Out::new("substring", s.len(), s.value_data().len());
    for i in 0..s.len() {
        if any_null(&[s, start], i) || len.is_some_and(|l| l.is_null(i)) {
            out.append_null();
            continue;
        }
        let (v, off, l) = (s.value(i), start.value(i), len.map(|l| l.value(i)));
        check_substring_range("offset", off)?;
        if let Some(l) = l {
            check_substring_range("length", l)?;
        }
        let n = i64::try_from(char_len(v)).unwrap_or(i64::MAX);
        let begin = match off {
            o if o > 0 => o - 1,
            o if o < 0 => n + o,
            _ => -1,
        };
        // Both bounds are within +-2^34 after the range checks: no overflow.
        let (from, to) = match l {
            None => (begin, n),
            Some(l) if l >= 0 => (begin, begin + l),
            Some(l) => (begin + l, begin),
        };
        let (from, to) = (to_usize(from.clamp(0, n)), to_usize(to.clamp(0, n)));
        out.append(char_slice(v, from, to))?;
    }
    Ok(out.finish())
}

/// DuckDB's "Substring offset/length outside of supported range" error.
fn check_substring_range(what: &str, v: i64) -> Result<()> {
    if v > SUBSTRING_MAX {
        return crate::exec_err!("Substring {what} outside of supported range (> {SUBSTRING_MAX})");
    }
    if v < SUBSTRING_MIN {
        return crate::exec_err!("Substring {what} outside of supported range (< {SUBSTRING_MIN})");
    }
    Ok(())
}

/// left(s, n): first n chars (n < 0: all but the last -n); right(s, n): last
/// n chars (n < 0: all but the first -n).
fn left_right(s: &StringArray, n: &Int64Array, left: bool) -> Result<ArrayRef> {
    let name = if left { "left" } else { "right" };
    let mut out = Utf8Out::new(name, s.len(), s.value_data().len());
    for i in 0..s.len() {
        if any_null(&[s, n], i) {
            out.append_null();
            continue;
        }
        let (v, k) = (s.value(i), n.value(i));
        let len = char_len(v);
        let count = usize::try_from(k.unsigned_abs())
            .unwrap_or(usize::MAX)
            .min(len);
        let (from, to) = match (left, k >= 0) {
            (true, true) => (0, count),
            (true, false) => (0, len - count),
            (false, true) => (len - count, len),
            (false, false) => (count, len),
        };
        out.append(char_slice(v, from, to))?;
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use arrow::array::{ArrayRef, Int32Array};
    use arrow::datatypes::DataType;
    use std::sync::Arc;

    #[test]
    fn upper_lower() {
        let input = [Some("héllo"), None, Some(""), Some("ß ǅ ŉ ﬁ ς ᾳ ᾀ ᾲ")];
        assert_eq!(
            str1("upper", &input),
            owned(&[Some("HÉLLO"), None, Some(""), Some("ẞ Ǆ ŉ ﬁ Σ ᾼ ᾈ ᾲ")])
        );
        assert_eq!(
            str1("lower", &[Some("ÀÉ İ ẞ Σ")]),
            owned(&[Some("àé i ß σ")])
        );
        assert_eq!(
            str1("ucase", &[Some("abC1"), None]),
            owned(&[Some("ABC1"), None])
        );
        assert_eq!(str1("lcase", &[Some("AbC1")]), owned(&[Some("abc1")]));
        let out = run(
            "upper",
            vec![views(&[Some("héllo"), None, Some("a long view string!")])],
        );
        assert_eq!(
            out_strs(&out.unwrap()),
            owned(&[Some("HÉLLO"), None, Some("A LONG VIEW STRING!")])
        );
        // A sliced ASCII array exercises the offset rebasing of the fast path.
        let sliced = strs(&[Some("skip"), Some("ab"), None, Some("cd")]).slice(1, 3);
        let out = run("upper", vec![sliced]).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("AB"), None, Some("CD")]));
        let null: ArrayRef = Arc::new(arrow::array::NullArray::new(2));
        assert_eq!(
            out_strs(&run("upper", vec![null]).unwrap()),
            vec![None, None]
        );
    }

    #[test]
    fn length_counts_chars() {
        for name in ["length", "char_length", "character_length"] {
            let out = run(
                name,
                vec![strs(&[Some("héllo"), None, Some(""), Some("abc")])],
            );
            assert_eq!(
                out_ints(&out.unwrap()),
                vec![Some(5), None, Some(0), Some(3)]
            );
        }
        let out = run("length", vec![strs(&[Some("abc"), None])]).unwrap();
        assert_eq!(out_ints(&out), vec![Some(3), None]);
        let out = run("length", vec![views(&[Some("🇺🇸"), Some("e\u{301}")])]).unwrap();
        assert_eq!(out_ints(&out), vec![Some(2), Some(2)]);
    }

    fn sub(s: &str, start: i64, len: Option<i64>) -> String {
        let mut args = vec![strs(&[Some(s)]), ints(&[Some(start)])];
        if let Some(l) = len {
            args.push(ints(&[Some(l)]));
        }
        out_strs(&run("substring", args).unwrap())[0]
            .clone()
            .unwrap()
    }

    #[test]
    fn substring_follows_duckdb() {
        // Expected values checked against DuckDB.
        assert_eq!(sub("hello", 0, None), "hello");
        assert_eq!(sub("hello", 0, Some(2)), "h");
        assert_eq!(sub("hello", -2, None), "lo");
        assert_eq!(sub("hello", -2, Some(1)), "l");
        assert_eq!(sub("hello", -10, Some(7)), "he");
        assert_eq!(sub("hello", 2, Some(-1)), "h");
        assert_eq!(sub("hello", 4, Some(-2)), "el");
        assert_eq!(sub("hello", 10, Some(2)), "");
        assert_eq!(sub("hello", -1, Some(-2)), "ll");
        assert_eq!(sub("héllo", 2, Some(2)), "él");
        assert_eq!(sub("hello", 1, Some(0)), "");
        assert_eq!(sub("hello", 2, None), "ello");
        assert_eq!(sub("", 1, Some(3)), "");
        assert_eq!(sub("héllo", -3, Some(5)), "llo");
        assert_eq!(sub("hello", 4294967295, Some(4294967295)), "");
    }

    #[test]
    fn substring_nulls_views_and_range_errors() {
        let args = vec![
            views(&[Some("héllo"), None, Some("abc"), Some("abc")]),
            ints(&[Some(2), Some(1), None, Some(1)]),
            ints(&[Some(3), Some(1), Some(1), None]),
        ];
        let out = run("substr", args).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("éll"), None, None, None]));
        let int32: ArrayRef = Arc::new(Int32Array::from(vec![2]));
        let out = run("substring", vec![strs(&[Some("abc")]), int32]).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("bc")]));
        for (start, len) in [
            (i64::MAX, 3),
            (i64::MIN + 1, 3),
            (3, i64::MAX),
            (2, i64::MIN),
        ] {
            let args = vec![
                strs(&[Some("hello")]),
                ints(&[Some(start)]),
                ints(&[Some(len)]),
            ];
            let err = run("substring", args).unwrap_err().to_string();
            assert!(err.contains("outside of supported range"), "{err}");
        }
        let err = super::super::resolve("substring", &[DataType::Utf8]).unwrap_err();
        assert!(err.to_string().contains("substring(Utf8)"));
    }

    #[test]
    fn left_and_right() {
        let s = [
            Some("héllo"),
            Some("hello"),
            Some("hello"),
            Some("hello"),
            None,
            Some("a"),
        ];
        let n = [Some(2), Some(-2), Some(0), Some(10), Some(1), None];
        let l = str_int("left", &s, &n);
        assert_eq!(
            l,
            owned(&[Some("hé"), Some("hel"), Some(""), Some("hello"), None, None])
        );
        let r = str_int("right", &s, &n);
        assert_eq!(
            r,
            owned(&[Some("lo"), Some("llo"), Some(""), Some("hello"), None, None])
        );
        assert_eq!(
            str_int("left", &[Some("hello")], &[Some(i64::MIN)]),
            owned(&[Some("")])
        );
        assert_eq!(
            str_int("right", &[Some("hello")], &[Some(i64::MIN)]),
            owned(&[Some("")])
        );
        let out = run("right", vec![views(&[Some("héllo")]), ints(&[Some(4)])]).unwrap();
        assert_eq!(out_strs(&out), owned(&[Some("éllo")]));
    }
}
