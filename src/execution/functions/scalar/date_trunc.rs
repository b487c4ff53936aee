//! Calendar arithmetic on dates and timestamps: date_trunc/datetrunc(part, d),
//! make_date(y, m, d) and last_day(d).
//!
//! Consumes Date32 or Timestamp (any unit, no time zone) arrays, a Utf8 part
//! name constant across rows (row 0 is read; NULL gives an all-NULL result),
//! and Int64 year/month/day. Produces: date_trunc on a DATE gives
//! Timestamp(Microsecond) as DuckDB's TIMESTAMP, on a timestamp the same
//! timestamp type; make_date and last_day give Date32. Uses the proleptic
//! Gregorian calendar with astronomical years (0 = 1 BC), as DuckDB does;
//! results that do not fit the output type are an Execution error.

use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, Date32Array, Int64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Date32Type, TimeUnit};

use super::datetime::{coerce_temporal, part_arg, temporal_candidates, timestamp_ticks, Part};
use super::{arg_as, coerce_str, match_kinds, no_match, Kind};
use crate::error::{QuarryError, Result};

/// Function names implemented here.
pub(super) const NAMES: &[&str] = &["date_trunc", "datetrunc", "make_date", "last_day"];

/// Microseconds in a day.
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Coerced argument types and result type of `name`.
pub(super) fn resolve(name: &str, args: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    match name {
        "make_date" => {
            let cands = "make_date(BIGINT, BIGINT, BIGINT)";
            let types = match_kinds(name, args, &[Kind::Int, Kind::Int, Kind::Int], cands)?;
            Ok((types, DataType::Date32))
        }
        "last_day" => match args {
            [d] => match coerce_temporal(d) {
                Some(d) => Ok((vec![d], DataType::Date32)),
                None => Err(no_match(name, args, &temporal_candidates(name))),
            },
            _ => Err(no_match(name, args, &temporal_candidates(name))),
        },
        _ => {
            let cands = format!("{name}(VARCHAR, DATE), {name}(VARCHAR, TIMESTAMP)");
            let [p, d] = args else {
                return Err(no_match(name, args, &cands));
            };
            let (Some(p), Some(d)) = (coerce_str(p), coerce_temporal(d)) else {
                return Err(no_match(name, args, &cands));
            };
            let ret = match &d {
                DataType::Timestamp(..) => d.clone(),
                _ => DataType::Timestamp(TimeUnit::Microsecond, None),
            };
            Ok((vec![p, d], ret))
        }
    }
}

/// Evaluates `name` on arguments cast as [`resolve`] asked.
pub(super) fn evaluate(name: &str, args: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
    match name {
        "make_date" => {
            let n = |i| arg_as::<Int64Array>(name, args, i);
            let (y, m, d) = (n(0)?, n(1)?, n(2)?);
            let out: Date32Array = (0..num_rows)
                .map(|i| {
                    if y.is_valid(i) && m.is_valid(i) && d.is_valid(i) {
                        make_date(y.value(i), m.value(i), d.value(i)).map(Some)
                    } else {
                        Ok(None)
                    }
                })
                .collect::<Result<_>>()?;
            Ok(Arc::new(out))
        }
        "last_day" => {
            let Some(d) = args.first() else {
                return crate::internal_err!("last_day: missing argument");
            };
            let out: Date32Array = to_days(d)?.try_unary(|days| {
                let (y, m, _) = civil_from_days(days);
                let last = days_from_civil(y, m, days_in_month(y, m));
                i32::try_from(last).map_err(|_| out_of_range("last_day"))
            })?;
            Ok(Arc::new(out))
        }
        _ => {
            let Some(d) = args.get(1) else {
                return crate::internal_err!("{name}: missing argument");
            };
            match part_arg(name, args)? {
                Some(part) => date_trunc(name, part, d),
                None => {
                    let ret = match d.data_type() {
                        DataType::Timestamp(..) => d.data_type().clone(),
                        _ => DataType::Timestamp(TimeUnit::Microsecond, None),
                    };
                    Ok(new_null_array(&ret, num_rows))
                }
            }
        }
    }
}

/// The Execution error for a result outside the output type's range.
fn out_of_range(name: &str) -> QuarryError {
    QuarryError::Execution(format!("{name}: result out of the supported date range"))
}

/// Days since 1970-01-01 of each date or timestamp (timestamps are floored).
fn to_days(d: &ArrayRef) -> Result<Int64Array> {
    if let Some((ticks, ups)) = timestamp_ticks(d)? {
        return Ok(ticks.unary(|v| v.div_euclid(ups * 86_400)));
    }
    match d.as_primitive_opt::<Date32Type>() {
        Some(days) => Ok(days.unary(i64::from)),
        None => crate::internal_err!("unexpected date type {}", d.data_type()),
    }
}

/// Truncation unit of a date part: sub-day parts give ticks per unit.
enum Unit {
    /// Truncate to a calendar boundary, working on whole days.
    Days(Part),
    /// Truncate to a multiple of this many microseconds.
    Micros(i64),
}

/// date_trunc(part, d) for a date (as TIMESTAMP) or a timestamp.
fn date_trunc(name: &str, part: Part, d: &ArrayRef) -> Result<ArrayRef> {
    let unit = match part {
        Part::Hour => Unit::Micros(3_600_000_000),
        Part::Minute => Unit::Micros(60_000_000),
        Part::Second => Unit::Micros(1_000_000),
        Part::Millisecond => Unit::Micros(1_000),
        Part::Microsecond => Unit::Micros(1),
        Part::DayOfWeek | Part::IsoDayOfWeek | Part::DayOfYear => Unit::Days(Part::Day),
        Part::YearWeek => Unit::Days(Part::Week),
        Part::Era | Part::Epoch => {
            return crate::exec_err!("{name}: specifier {part:?} is not supported")
        }
        other => Unit::Days(other),
    };
    let Some((ticks, ups)) = timestamp_ticks(d)? else {
        // A date: whole days, output in microseconds.
        let out: Int64Array = to_days(d)?.try_unary(|days| {
            let days = match unit {
                Unit::Days(p) => trunc_days(days, p),
                Unit::Micros(_) => days,
            };
            days.checked_mul(MICROS_PER_DAY)
                .ok_or_else(|| out_of_range(name))
        })?;
        return Ok(cast(
            &out,
            &DataType::Timestamp(TimeUnit::Microsecond, None),
        )?);
    };
    let day = ups * 86_400;
    let out: Int64Array = ticks.try_unary(|v| match unit {
        Unit::Days(p) => trunc_days(v.div_euclid(day), p)
            .checked_mul(day)
            .ok_or_else(|| out_of_range(name)),
        Unit::Micros(us) => {
            // Units finer than the timestamp's own keep it unchanged.
            let step = (us.saturating_mul(ups) / 1_000_000).max(1);
            v.checked_sub(v.rem_euclid(step))
                .ok_or_else(|| out_of_range(name))
        }
    })?;
    Ok(cast(&out, d.data_type())?)
}

/// The first day of the `part` period containing `days`.
fn trunc_days(days: i64, part: Part) -> i64 {
    let (y, m, _) = civil_from_days(days);
    // Monday = 0; 1970-01-01 was a Thursday.
    let monday = |d: i64| d - (d + 3).rem_euclid(7);
    match part {
        Part::Week => monday(days),
        Part::Month => days_from_civil(y, m, 1),
        Part::Quarter => days_from_civil(y, (m - 1) / 3 * 3 + 1, 1),
        Part::Year => days_from_civil(y, 1, 1),
        // Truncation toward zero, as DuckDB: the 1990s start in 1990, the
        // 1900s in 1900.
        Part::Decade => days_from_civil(y / 10 * 10, 1, 1),
        Part::Century => days_from_civil(y / 100 * 100, 1, 1),
        Part::Millennium => days_from_civil(y / 1000 * 1000, 1, 1),
        Part::IsoYear => {
            // The ISO year is the year of the week's Thursday; it starts on
            // the Monday of the week holding January 4th.
            let (iso_year, _, _) = civil_from_days(monday(days) + 3);
            monday(days_from_civil(iso_year, 1, 4))
        }
        _ => days,
    }
}

/// make_date: the Date32 of year `y`, month `m`, day `d`, or DuckDB's
/// "Date out of range" error.
fn make_date(y: i64, m: i64, d: i64) -> Result<i32> {
    let err = || QuarryError::Execution(format!("Date out of range: {y}-{m}-{d}"));
    if !(1..=12).contains(&m) || !(-10_000_000..=10_000_000).contains(&y) || d < 1 {
        return Err(err());
    }
    let m = u32::try_from(m).map_err(|_| err())?;
    let d = u32::try_from(d).map_err(|_| err())?;
    if d > days_in_month(y, m) {
        return Err(err());
    }
    // DuckDB keeps the two extreme day numbers for -infinity and infinity.
    let days = days_from_civil(y, m, d);
    if days.unsigned_abs() >= i32::MAX.unsigned_abs().into() {
        return Err(err());
    }
    i32::try_from(days).map_err(|_| err())
}

/// Number of days in month `m` (1..=12) of year `y`.
fn days_in_month(y: i64, m: u32) -> u32 {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // m is in 1..=12 and d in 1..=31 by construction.
    (y, m as u32, d as u32)
}

/// Day count since 1970-01-01 of (year, month 1..=12, day).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let (m, d) = (i64::from(m), i64::from(d));
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::super::datetime::tests::{dates, day, micros, stamps};
    use super::super::test_util::*;
    use super::*;
    use arrow::array::{NullArray, TimestampMicrosecondArray, TimestampSecondArray};
    use arrow::datatypes::{TimestampMicrosecondType, TimestampNanosecondType};

    fn trunc(part: &str, d: ArrayRef) -> Vec<Option<i64>> {
        let n = d.len();
        let out = run("date_trunc", vec![str_n(part, n), d]).unwrap();
        out.as_primitive::<TimestampMicrosecondType>()
            .iter()
            .collect()
    }

    fn at(s: &str) -> Option<i64> {
        Some(micros(s))
    }

    #[test]
    fn civil_round_trip() {
        for days in (-1_000_000..1_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(i64::from(day("-0001-02-28"))), (-1, 2, 28));
    }

    #[test]
    fn trunc_dates_to_timestamps() {
        // Expected values checked against DuckDB.
        let d = || dates(&[Some("1992-08-05"), None]);
        assert_eq!(trunc("month", d()), vec![at("1992-08-01 00:00:00"), None]);
        assert_eq!(trunc("quarter", d()), vec![at("1992-07-01 00:00:00"), None]);
        assert_eq!(trunc("year", d()), vec![at("1992-01-01 00:00:00"), None]);
        assert_eq!(trunc("decade", d()), vec![at("1990-01-01 00:00:00"), None]);
        assert_eq!(trunc("century", d()), vec![at("1900-01-01 00:00:00"), None]);
        assert_eq!(
            trunc("millennium", d()),
            vec![at("1000-01-01 00:00:00"), None]
        );
        assert_eq!(trunc("week", d()), vec![at("1992-08-03 00:00:00"), None]);
        assert_eq!(trunc("day", d()), vec![at("1992-08-05 00:00:00"), None]);
        assert_eq!(trunc("hour", d()), vec![at("1992-08-05 00:00:00"), None]);
        assert_eq!(trunc("dow", d()), vec![at("1992-08-05 00:00:00"), None]);
        let y2k = || dates(&[Some("2000-08-05"), Some("-0015-08-05")]);
        assert_eq!(
            trunc("century", y2k()),
            vec![at("2000-01-01 00:00:00"), at("0000-01-01 00:00:00")]
        );
        assert_eq!(trunc("decade", y2k())[1], at("-0010-01-01 00:00:00"));
        assert_eq!(
            trunc("isoyear", dates(&[Some("2021-01-03")])),
            vec![at("2019-12-30 00:00:00")]
        );
        assert_eq!(
            trunc("isoyear", dates(&[Some("1992-03-05")])),
            vec![at("1991-12-30 00:00:00")]
        );
        assert_eq!(
            trunc("week", dates(&[Some("0001-01-01")])),
            vec![at("0001-01-01 00:00:00")]
        );
    }

    #[test]
    fn trunc_timestamps_keep_their_type() {
        let t = || {
            stamps(&[
                Some("1969-12-31 23:59:58.5"),
                Some("1992-03-08 10:11:12.345678"),
            ])
        };
        assert_eq!(
            trunc("minute", t()),
            vec![at("1969-12-31 23:59:00"), at("1992-03-08 10:11:00")]
        );
        assert_eq!(
            trunc("second", t()),
            vec![at("1969-12-31 23:59:58"), at("1992-03-08 10:11:12")]
        );
        assert_eq!(trunc("ms", t())[1], at("1992-03-08 10:11:12.345"));
        assert_eq!(
            trunc("microsecond", t())[1],
            at("1992-03-08 10:11:12.345678")
        );
        assert_eq!(
            trunc("week", t()),
            vec![at("1969-12-29 00:00:00"), at("1992-03-02 00:00:00")]
        );
        assert_eq!(trunc("quarter", t())[0], at("1969-10-01 00:00:00"));
        let ns: ArrayRef = Arc::new(
            arrow::array::PrimitiveArray::<TimestampNanosecondType>::from(vec![
                micros("1992-03-05 10:11:12.123456") * 1000 + 789,
            ]),
        );
        let out = run("date_trunc", vec![str_n("month", 1), ns.clone()]).unwrap();
        let v = out.as_primitive::<TimestampNanosecondType>().value(0);
        assert_eq!(v, micros("1992-03-01 00:00:00") * 1000);
        let out = run("date_trunc", vec![str_n("us", 1), ns]).unwrap();
        let v = out.as_primitive::<TimestampNanosecondType>().value(0);
        assert_eq!(v, micros("1992-03-05 10:11:12.123456") * 1000);
        let s: ArrayRef = Arc::new(TimestampSecondArray::from(vec![
            micros("1992-03-05 10:11:12") / 1_000_000,
        ]));
        let out = run("datetrunc", vec![str_n("ms", 1), s.clone()]).unwrap();
        assert_eq!(out.as_ref(), s.as_ref());
    }

    #[test]
    fn trunc_errors_and_nulls() {
        let d = dates(&[Some("1992-03-05")]);
        let err = run("date_trunc", vec![str_n("foo", 1), d.clone()]).unwrap_err();
        assert!(err.to_string().contains("\"foo\" not recognized"), "{err}");
        assert!(run("date_trunc", vec![str_n("era", 1), d.clone()]).is_err());
        let out = run("date_trunc", vec![strs(&[None]), d]).unwrap();
        assert_eq!(
            out.data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, None)
        );
        assert!(out.is_null(0));
        let far: ArrayRef = Arc::new(Date32Array::from(vec![i32::MAX]));
        let err = run("date_trunc", vec![str_n("day", 1), far]).unwrap_err();
        assert!(
            err.to_string().contains("out of the supported date range"),
            "{err}"
        );
        let low: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![i64::MIN]));
        assert!(run("date_trunc", vec![str_n("day", 1), low.clone()]).is_err());
        assert!(run("date_trunc", vec![str_n("second", 1), low]).is_err());
        let null: ArrayRef = Arc::new(NullArray::new(1));
        assert!(run("date_trunc", vec![str_n("day", 1), null])
            .unwrap()
            .is_null(0));
        assert!(super::super::resolve("date_trunc", &[DataType::Date32]).is_err());
        let err = super::super::resolve("date_trunc", &[DataType::Utf8, DataType::Int64]);
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("date_trunc(Utf8, Int64)"));
    }

    fn ymd(y: i64, m: i64, d: i64) -> Result<Option<i32>> {
        let out = run(
            "make_date",
            vec![ints(&[Some(y)]), ints(&[Some(m)]), ints(&[Some(d)])],
        )?;
        Ok(out.as_primitive::<Date32Type>().iter().next().flatten())
    }

    #[test]
    fn make_date_validates() {
        assert_eq!(ymd(1992, 2, 29).unwrap(), Some(day("1992-02-29")));
        assert_eq!(ymd(0, 1, 1).unwrap(), Some(day("0000-01-01")));
        assert_eq!(ymd(-5, 1, 1).unwrap(), Some(day("-0005-01-01")));
        assert_eq!(ymd(5_881_580, 7, 10).unwrap(), Some(i32::MAX - 1));
        assert_eq!(ymd(-5_877_641, 6, 25).unwrap(), Some(i32::MIN + 2));
        assert!(ymd(-5_877_641, 6, 24).is_err());
        for (y, m, d) in [
            (1992, 2, 30),
            (1900, 2, 29),
            (1992, 13, 1),
            (1992, 0, 1),
            (1992, 1, 0),
        ] {
            let err = ymd(y, m, d).unwrap_err().to_string();
            assert!(
                err.contains(&format!("Date out of range: {y}-{m}-{d}")),
                "{err}"
            );
        }
        for (y, m, d) in [
            (5_881_580, 7, 11),
            (i64::MAX, 1, 1),
            (i64::MIN, 1, 1),
            (1, i64::MIN, 1),
        ] {
            assert!(ymd(y, m, d).is_err());
        }
        let i32s: ArrayRef = Arc::new(arrow::array::Int32Array::from(vec![Some(1992), None]));
        let args = vec![i32s, ints(&[Some(2), Some(2)]), ints(&[Some(3), Some(3)])];
        let out = run("make_date", args).unwrap();
        let v: Vec<_> = out.as_primitive::<Date32Type>().iter().collect();
        assert_eq!(v, vec![Some(day("1992-02-03")), None]);
        assert!(super::super::resolve("make_date", &vec![DataType::Float64; 3]).is_err());
    }

    #[test]
    fn last_day_of_month() {
        let d = dates(&[
            Some("1992-02-05"),
            Some("1900-02-05"),
            Some("-0001-02-03"),
            None,
        ]);
        let out = run("last_day", vec![d]).unwrap();
        let v: Vec<_> = out.as_primitive::<Date32Type>().iter().collect();
        let expected = [
            Some("1992-02-29"),
            Some("1900-02-28"),
            Some("-0001-02-28"),
            None,
        ];
        assert_eq!(v, expected.iter().map(|s| s.map(day)).collect::<Vec<_>>());
        let t = stamps(&[Some("1992-12-05 10:00:00"), Some("1969-12-31 23:59:59")]);
        let out = run("last_day", vec![t]).unwrap();
        let v: Vec<_> = out.as_primitive::<Date32Type>().iter().collect();
        assert_eq!(v, vec![Some(day("1992-12-31")), Some(day("1969-12-31"))]);
        let far: ArrayRef = Arc::new(Date32Array::from(vec![i32::MAX]));
        assert!(run("last_day", vec![far]).is_err());
    }
}
