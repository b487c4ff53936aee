//! String functions that search a string for another: trim/ltrim/rtrim,
//! replace, strpos/instr, starts_with/ends_with/contains and split_part.
//!
//! Consumes Utf8 arrays (resolve coerces Utf8View, LargeUtf8 and NULL to Utf8;
//! starts_with/ends_with/contains keep Utf8View when both arguments are
//! Utf8View, as their arrow kernels handle it) and an Int64 index for
//! split_part. Produces Utf8, Int64 (strpos/instr: 1-based char position, 0
//! when absent) or Boolean. NULL in any argument gives NULL.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use arrow::compute::kernels::comparison;
use arrow::datatypes::DataType;

use super::string::{any_null, char_len, char_slice};
use super::{arg_as, coerce_str, match_kinds, Kind, Utf8Out};
use crate::error::Result;

/// Function names implemented here.
pub(super) const NAMES: &[&str] = &[
    "trim",
    "ltrim",
    "rtrim",
    "replace",
    "strpos",
    "instr",
    "starts_with",
    "ends_with",
    "contains",
    "split_part",
];

/// Coerced argument types and result type of `name`.
pub(super) fn resolve(name: &str, args: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    use Kind::{Int, Str};
    let utf8 = DataType::Utf8;
    Ok(match name {
        "trim" | "ltrim" | "rtrim" => {
            let kinds: &[Kind] = if args.len() == 1 { &[Str] } else { &[Str, Str] };
            let cands = format!("{name}(VARCHAR), {name}(VARCHAR, VARCHAR)");
            (match_kinds(name, args, kinds, &cands)?, utf8)
        }
        "replace" => {
            let cands = "replace(VARCHAR, VARCHAR, VARCHAR)";
            (match_kinds(name, args, &[Str, Str, Str], cands)?, utf8)
        }
        "strpos" | "instr" => {
            let cands = format!("{name}(VARCHAR, VARCHAR)");
            (
                match_kinds(name, args, &[Str, Str], &cands)?,
                DataType::Int64,
            )
        }
        "starts_with" | "ends_with" | "contains" => {
            let cands = format!("{name}(VARCHAR, VARCHAR)");
            let both_views = args.len() == 2 && args.iter().all(|t| t == &DataType::Utf8View);
            let types = if both_views {
                args.to_vec()
            } else {
                match_kinds(name, args, &[Str, Str], &cands)?
            };
            (types, DataType::Boolean)
        }
        _ => {
            let cands = "split_part(VARCHAR, VARCHAR, BIGINT)";
            (match_kinds(name, args, &[Str, Str, Int], cands)?, utf8)
        }
    })
}

/// Evaluates `name` on arguments cast as [`resolve`] asked.
pub(super) fn evaluate(name: &str, args: &[ArrayRef], _num_rows: usize) -> Result<ArrayRef> {
    let s = |i| arg_as::<StringArray>(name, args, i);
    match name {
        "trim" | "ltrim" | "rtrim" => {
            let set = if args.len() > 1 { Some(s(1)?) } else { None };
            trim(name, s(0)?, set)
        }
        "replace" => replace(s(0)?, s(1)?, s(2)?),
        "strpos" | "instr" => strpos(s(0)?, s(1)?),
        "starts_with" | "ends_with" | "contains" => {
            let (Some(l), Some(r)) = (args.first(), args.get(1)) else {
                return crate::internal_err!("{name}: expected two arguments");
            };
            if l.data_type() != r.data_type() || coerce_str(l.data_type()).is_none() {
                let (lt, rt) = (l.data_type(), r.data_type());
                return crate::internal_err!("{name}: unexpected argument types {lt}, {rt}");
            }
            let out = match name {
                "starts_with" => comparison::starts_with(l, r)?,
                "ends_with" => comparison::ends_with(l, r)?,
                _ => comparison::contains(l, r)?,
            };
            Ok(Arc::new(out))
        }
        "split_part" => split_part(s(0)?, s(1)?, arg_as::<Int64Array>(name, args, 2)?),
        _ => crate::internal_err!("{name} is not a string search function"),
    }
}

/// trim/ltrim/rtrim: strips spaces, or every char found in `set`.
fn trim(name: &str, s: &StringArray, set: Option<&StringArray>) -> Result<ArrayRef> {
    let mut out = Utf8Out::new("trim", s.len(), s.value_data().len());
    for i in 0..s.len() {
        if s.is_null(i) || set.is_some_and(|t| t.is_null(i)) {
            out.append_null();
            continue;
        }
        let v = s.value(i);
        let chars = set.map_or(" ", |t| t.value(i));
        let strip = |c: char| chars.contains(c);
        let trimmed = match name {
            "ltrim" => v.trim_start_matches(strip),
            "rtrim" => v.trim_end_matches(strip),
            _ => v.trim_matches(strip),
        };
        out.append(trimmed)?;
    }
    Ok(out.finish())
}

/// replace(s, from, to): every non-overlapping `from`, left to right, becomes
/// `to`; an empty `from` leaves `s` unchanged.
fn replace(s: &StringArray, from: &StringArray, to: &StringArray) -> Result<ArrayRef> {
    let mut out = Utf8Out::new("replace", s.len(), s.value_data().len());
    for i in 0..s.len() {
        if any_null(&[s, from, to], i) {
            out.append_null();
            continue;
        }
        let (v, f, t) = (s.value(i), from.value(i), to.value(i));
        if f.is_empty() {
            out.append(v)?;
            continue;
        }
        if t.len() > f.len() {
            let grow = v.matches(f).count().saturating_mul(t.len() - f.len());
            out.check_room(grow.saturating_add(v.len()))?;
        }
        let mut last = 0;
        for (at, _) in v.match_indices(f) {
            out.push(&v[last..at])?;
            out.push(t)?;
            last = at + f.len();
        }
        out.push(&v[last..])?;
        out.end_value();
    }
    Ok(out.finish())
}

/// 1-based char position of the first `needle` in `haystack`, 0 if absent;
/// an empty needle is found at 1.
fn strpos(haystack: &StringArray, needle: &StringArray) -> Result<ArrayRef> {
    let out: Int64Array = (0..haystack.len())
        .map(|i| {
            if any_null(&[haystack, needle], i) {
                return None;
            }
            let (h, n) = (haystack.value(i), needle.value(i));
            let pos = h.find(n).map_or(0, |b| char_len(&h[..b]) + 1);
            Some(i64::try_from(pos).unwrap_or(i64::MAX))
        })
        .collect();
    Ok(Arc::new(out))
}

/// split_part(s, delim, idx): the idx-th (1-based; negative counts from the
/// end) part of `s` split on `delim`, '' when out of range or idx = 0. An
/// empty delimiter splits into single chars.
fn split_part(s: &StringArray, delim: &StringArray, idx: &Int64Array) -> Result<ArrayRef> {
    let mut out = Utf8Out::new("split_part", s.len(), s.value_data().len());
    for i in 0..s.len() {
        if any_null(&[s, delim, idx], i) {
            out.append_null();
            continue;
        }
        out.append(part(s.value(i), delim.value(i), idx.value(i)))?;
    }
    Ok(out.finish())
}

/// The part of `v` selected by split_part.
fn part<'a>(v: &'a str, delim: &str, idx: i64) -> &'a str {
    let count = if delim.is_empty() {
        char_len(v)
    } else {
        v.split(delim).count()
    };
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let pos = match idx {
        0 => return "",
        i if i > 0 => i - 1,
        i => count + i,
    };
    if pos < 0 || pos >= count {
        return "";
    }
    let pos = usize::try_from(pos).unwrap_or(usize::MAX);
    if delim.is_empty() {
        char_slice(v, pos, pos + 1)
    } else {
        v.split(delim).nth(pos).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use arrow::array::{ArrayRef, AsArray};
    use arrow::datatypes::DataType;

    fn call(name: &str, args: Vec<ArrayRef>) -> Vec<Option<String>> {
        out_strs(&run(name, args).unwrap())
    }

    #[test]
    fn trim_spaces_and_sets() {
        let s = strs(&[Some("  ab  "), Some(" \tab\t "), None, Some("")]);
        assert_eq!(
            call("trim", vec![s.clone()]),
            owned(&[Some("ab"), Some("\tab\t"), None, Some("")])
        );
        assert_eq!(call("ltrim", vec![s.clone()])[0].as_deref(), Some("ab  "));
        assert_eq!(call("rtrim", vec![s])[0].as_deref(), Some("  ab"));
        let s = strs(&[
            Some("xxabyx"),
            Some("xxabyx"),
            Some("éaé"),
            Some("ab"),
            Some(""),
        ]);
        let set = strs(&[Some("xy"), Some(""), Some("é"), None, Some("a")]);
        assert_eq!(
            call("trim", vec![s.clone(), set.clone()]),
            owned(&[Some("ab"), Some("xxabyx"), Some("a"), None, Some("")])
        );
        assert_eq!(
            call("ltrim", vec![s.clone(), set.clone()])[0].as_deref(),
            Some("abyx")
        );
        assert_eq!(call("rtrim", vec![s, set])[0].as_deref(), Some("xxab"));
        let v = call("trim", vec![views(&[Some(" v ")]), views(&[Some(" ")])]);
        assert_eq!(v, owned(&[Some("v")]));
        assert!(super::super::resolve("trim", &vec![DataType::Utf8; 3]).is_err());
    }

    #[test]
    fn replace_all() {
        let s = strs(&[
            Some("hello"),
            Some("hello"),
            Some(""),
            Some("aaa"),
            None,
            Some("héé"),
        ]);
        let f = strs(&[
            Some("l"),
            Some(""),
            Some("a"),
            Some("aa"),
            Some("a"),
            Some("é"),
        ]);
        let t = strs(&[
            Some("L"),
            Some("X"),
            Some("b"),
            Some("b"),
            Some("b"),
            Some(""),
        ]);
        assert_eq!(
            call("replace", vec![s, f, t]),
            owned(&[
                Some("heLLo"),
                Some("hello"),
                Some(""),
                Some("ba"),
                None,
                Some("h")
            ])
        );
        let args = vec![
            views(&[Some("a-b")]),
            views(&[Some("-")]),
            strs(&[Some("+=")]),
        ];
        assert_eq!(call("replace", args), owned(&[Some("a+=b")]));
    }

    #[test]
    fn strpos_and_instr() {
        for name in ["strpos", "instr"] {
            let h = strs(&[
                Some("héllo"),
                Some("hello"),
                Some(""),
                Some("abc"),
                None,
                Some("a"),
            ]);
            let n = strs(&[Some("l"), Some(""), Some(""), Some("d"), Some("a"), None]);
            let out = out_ints(&run(name, vec![h, n]).unwrap());
            assert_eq!(out, vec![Some(3), Some(1), Some(1), Some(0), None, None]);
        }
        let out = run(
            "strpos",
            vec![views(&[Some("héllo")]), strs(&[Some("llo")])],
        )
        .unwrap();
        assert_eq!(out_ints(&out), vec![Some(3)]);
    }

    fn bools(name: &str, a: ArrayRef, b: ArrayRef) -> Vec<Option<bool>> {
        run(name, vec![a, b]).unwrap().as_boolean().iter().collect()
    }

    #[test]
    fn prefix_suffix_contains() {
        let s = strs(&[Some("hello"), Some("hello"), None, Some("héllo"), Some("")]);
        let p = strs(&[Some("he"), Some(""), Some("a"), Some("hé"), Some("a")]);
        let expect = vec![Some(true), Some(true), None, Some(true), Some(false)];
        assert_eq!(bools("starts_with", s.clone(), p), expect);
        let e = strs(&[Some("lo"), Some("x"), Some("a"), Some("éllo"), None]);
        let expect = vec![Some(true), Some(false), None, Some(true), None];
        assert_eq!(bools("ends_with", s.clone(), e), expect);
        let c = strs(&[Some("ll"), Some(""), None, Some("él"), Some("")]);
        let expect = vec![Some(true), Some(true), None, Some(true), Some(true)];
        assert_eq!(bools("contains", s, c), expect);
        let v = views(&[Some("a long string view value"), None]);
        let n = views(&[Some("string"), Some("x")]);
        assert_eq!(bools("contains", v.clone(), n), vec![Some(true), None]);
        let mixed = bools("starts_with", v, strs(&[Some("a long"), Some("x")]));
        assert_eq!(mixed, vec![Some(true), None]);
        let err = super::super::resolve("contains", &[DataType::Utf8, DataType::Int64]);
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("contains(Utf8, Int64)"));
    }

    #[test]
    fn split_part_follows_duckdb() {
        let cases: &[(&str, &str, i64, &str)] = &[
            ("a,b,c", ",", 2, "b"),
            ("a,b,c", ",", 0, ""),
            ("a,b,c", ",", -1, "c"),
            ("a,b,c", ",", 4, ""),
            ("a,b,c", ",", -3, "a"),
            ("a,b,c", ",", -4, ""),
            ("a,b,c", "", 1, "a"),
            ("a,b,c", "", 2, ","),
            ("abc", "", -1, "c"),
            ("", "", 1, ""),
            ("", ",", 1, ""),
            ("a,,b", ",", 2, ""),
            ("aaa", "aa", -1, "a"),
            ("aaa", "aa", 1, ""),
            ("héllo wörld", " ", 2, "wörld"),
            ("a,b", ",", i64::MAX, ""),
            ("a,b", ",", i64::MIN, ""),
        ];
        for (s, d, i, expected) in cases {
            let args = vec![strs(&[Some(s)]), strs(&[Some(d)]), ints(&[Some(*i)])];
            assert_eq!(
                call("split_part", args)[0].as_deref(),
                Some(*expected),
                "{s} {d} {i}"
            );
        }
        let args = vec![
            views(&[None, Some("a"), Some("a")]),
            strs(&[Some(","), None, Some(",")]),
            ints(&[Some(1), Some(1), None]),
        ];
        assert_eq!(call("split_part", args), vec![None, None, None]);
    }
}
