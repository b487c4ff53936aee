//! Date part extraction: date_part/datepart(part, d), epoch(d) and the
//! one-argument shorthands year, month, day, quarter, dayofweek, ... .
//!
//! Consumes Date32 or Timestamp (any unit, no time zone) arrays and, for
//! date_part, a Utf8 part name that is constant across rows (row 0 is read; a
//! NULL part gives an all-NULL result). Produces Int64 (epoch: Float64), with
//! DuckDB's meaning for every part: dow has Sunday = 0, isodow Monday = 1, week
//! is the ISO week, millisecond/microsecond include the seconds, decade,
//! century and millennium follow DuckDB's rules for years <= 0. Values outside
//! the calendar range are an Execution error, never a silent NULL.

use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, Float64Array, Int32Array, Int64Array, StringArray,
};
use arrow::compute::cast;
use arrow::compute::kernels::arity::binary;
use arrow::compute::kernels::temporal::{date_part, DatePart};
use arrow::datatypes::{DataType, Date32Type, Int32Type, Int64Type, TimeUnit};

use super::{arg_as, coerce_str, no_match};
use crate::error::Result;

/// Function names implemented here.
pub(super) const NAMES: &[&str] = &[
    "date_part",
    "datepart",
    "epoch",
    "year",
    "isoyear",
    "quarter",
    "month",
    "week",
    "weekofyear",
    "yearweek",
    "day",
    "dayofmonth",
    "dayofweek",
    "weekday",
    "isodow",
    "dayofyear",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "decade",
    "century",
    "millennium",
    "era",
];

/// A date part, as named by DuckDB's extract specifiers (see [`parse_part`]
/// for the accepted spellings of each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    Millennium,
    Century,
    Decade,
    Year,
    IsoYear,
    Quarter,
    Month,
    Week,
    YearWeek,
    Day,
    DayOfWeek,
    IsoDayOfWeek,
    DayOfYear,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Era,
    Epoch,
}

/// The part DuckDB means by specifier `s` (case-insensitive).
pub(super) fn parse_part(s: &str) -> Option<Part> {
    use Part::*;
    Some(match s.to_ascii_lowercase().as_str() {
        "millennium" | "mil" | "millenniums" | "millennia" | "mils" | "millenium" => Millennium,
        "century" | "cent" | "centuries" | "c" => Century,
        "decade" | "dec" | "decades" | "decs" => Decade,
        "year" | "yr" | "y" | "years" | "yrs" => Year,
        "isoyear" => IsoYear,
        "quarter" | "quarters" => Quarter,
        "month" | "mon" | "months" | "mons" => Month,
        "week" | "weeks" | "w" | "weekofyear" => Week,
        "yearweek" => YearWeek,
        "day" | "days" | "d" | "dayofmonth" => Day,
        "dow" | "dayofweek" | "weekday" => DayOfWeek,
        "isodow" => IsoDayOfWeek,
        "doy" | "dayofyear" => DayOfYear,
        "hour" | "hr" | "hours" | "hrs" | "h" => Hour,
        "minute" | "min" | "minutes" | "mins" | "m" => Minute,
        "second" | "sec" | "seconds" | "secs" | "s" => Second,
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "msecond" | "mseconds" => {
            Millisecond
        }
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "usecond" | "useconds" => {
            Microsecond
        }
        "era" => Era,
        "epoch" => Epoch,
        _ => return None,
    })
}

/// The part named by argument 0 of `name` (read at row 0); None when NULL or
/// there are no rows; an Execution error when it is not a known specifier.
pub(super) fn part_arg(name: &str, args: &[ArrayRef]) -> Result<Option<Part>> {
    let spec = arg_as::<StringArray>(name, args, 0)?;
    if spec.is_empty() || spec.is_null(0) {
        return Ok(None);
    }
    let text = spec.value(0);
    match parse_part(text) {
        Some(p) => Ok(Some(p)),
        None => crate::exec_err!("{name}: extract specifier \"{text}\" not recognized"),
    }
}

/// The date/time type an argument is used as: Date32, a Timestamp without
/// time zone, or Date32 for NULL.
pub(super) fn coerce_temporal(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::Date32 | DataType::Timestamp(_, None) => Some(dt.clone()),
        DataType::Null => Some(DataType::Date32),
        _ => None,
    }
}

/// Candidate signatures of a function taking one DATE/TIMESTAMP.
pub(super) fn temporal_candidates(name: &str) -> String {
    format!("{name}(DATE), {name}(TIMESTAMP) (timestamps without time zone)")
}

/// Ticks per second of a timestamp unit.
pub(super) fn ticks_per_second(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// A timestamp array as raw Int64 ticks plus ticks per second; None for dates.
pub(super) fn timestamp_ticks(d: &ArrayRef) -> Result<Option<(Int64Array, i64)>> {
    match d.data_type() {
        DataType::Timestamp(unit, None) => {
            let ticks = cast(d, &DataType::Int64)?;
            Ok(Some((
                ticks.as_primitive::<Int64Type>().clone(),
                ticks_per_second(unit),
            )))
        }
        _ => Ok(None),
    }
}

/// Coerced argument types and result type of `name`.
pub(super) fn resolve(name: &str, args: &[DataType]) -> Result<(Vec<DataType>, DataType)> {
    if name == "date_part" || name == "datepart" {
        let cands = format!("{name}(VARCHAR, DATE), {name}(VARCHAR, TIMESTAMP)");
        return match args {
            [p, d] => match (coerce_str(p), coerce_temporal(d)) {
                (Some(p), Some(d)) => Ok((vec![p, d], DataType::Int64)),
                _ => Err(no_match(name, args, &cands)),
            },
            _ => Err(no_match(name, args, &cands)),
        };
    }
    let ret = if name == "epoch" {
        DataType::Float64
    } else {
        DataType::Int64
    };
    match args {
        [d] => match coerce_temporal(d) {
            Some(d) => Ok((vec![d], ret)),
            None => Err(no_match(name, args, &temporal_candidates(name))),
        },
        _ => Err(no_match(name, args, &temporal_candidates(name))),
    }
}

/// Evaluates `name` on arguments cast as [`resolve`] asked.
pub(super) fn evaluate(name: &str, args: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
    let Some(d) = args.last() else {
        return crate::internal_err!("{name}: missing argument");
    };
    let part = match name {
        "date_part" | "datepart" => match part_arg(name, args)? {
            Some(Part::Epoch) => {
                return crate::exec_err!(
                    "date_part('epoch', ...) returns DOUBLE: call epoch(x) instead"
                )
            }
            Some(p) => p,
            None => return Ok(new_null_array(&DataType::Int64, num_rows)),
        },
        "epoch" => return epoch(d),
        other => match parse_part(other) {
            Some(p) => p,
            None => return crate::internal_err!("{name} is not a date part function"),
        },
    };
    extract(name, part, d)
}

/// Runs arrow's date_part kernel; values it cannot place on the calendar are
/// an error instead of NULL.
fn kernel(name: &str, d: &ArrayRef, part: DatePart) -> Result<Int32Array> {
    let out = date_part(d, part)?;
    if out.null_count() != d.null_count() {
        return crate::exec_err!("{name}: date or timestamp out of the supported range");
    }
    match out.as_primitive_opt::<Int32Type>() {
        Some(a) => Ok(a.clone()),
        None => crate::internal_err!("{name}: date_part kernel returned {}", out.data_type()),
    }
}

/// Int32 kernel output widened to Int64.
fn widen(a: Int32Array) -> ArrayRef {
    Arc::new(a.unary::<_, Int64Type>(i64::from))
}

/// The Int64 values of `part` for each date or timestamp in `d`.
fn extract(name: &str, part: Part, d: &ArrayRef) -> Result<ArrayRef> {
    let simple = match part {
        Part::Year => Some(DatePart::Year),
        Part::IsoYear => Some(DatePart::YearISO),
        Part::Quarter => Some(DatePart::Quarter),
        Part::Month => Some(DatePart::Month),
        Part::Week => Some(DatePart::WeekISO),
        Part::Day => Some(DatePart::Day),
        Part::DayOfWeek => Some(DatePart::DayOfWeekSunday0),
        Part::IsoDayOfWeek => Some(DatePart::DayOfWeekMonday1),
        Part::DayOfYear => Some(DatePart::DayOfYear),
        Part::Hour => Some(DatePart::Hour),
        Part::Minute => Some(DatePart::Minute),
        Part::Second => Some(DatePart::Second),
        _ => None,
    };
    if let Some(p) = simple {
        return Ok(widen(kernel(name, d, p)?));
    }
    let year = || kernel(name, d, DatePart::Year);
    Ok(match part {
        Part::Millisecond => sub_minute(d, 1_000)?,
        Part::Microsecond => sub_minute(d, 1_000_000)?,
        // Integer division truncates toward zero, as in DuckDB.
        Part::Decade => widen(year()?.unary(|y| y / 10)),
        Part::Century => widen(year()?.unary(|y| {
            if y > 0 {
                (y - 1) / 100 + 1
            } else {
                y / 100 - 1
            }
        })),
        Part::Millennium => widen(year()?.unary(|y| {
            if y > 0 {
                (y - 1) / 1000 + 1
            } else {
                y / 1000 - 1
            }
        })),
        Part::Era => widen(year()?.unary(|y| i32::from(y > 0))),
        Part::YearWeek => {
            let iso_year = kernel(name, d, DatePart::YearISO)?;
            let week = kernel(name, d, DatePart::WeekISO)?;
            let out: Int64Array = binary(&iso_year, &week, |y, w| {
                let (y, w) = (i64::from(y), i64::from(w));
                y * 100 + if y > 0 { w } else { -w }
            })?;
            Arc::new(out)
        }
        other => return crate::internal_err!("{name}: part {other:?} is not extracted here"),
    })
}

/// Milliseconds (`per_second` = 1000) or microseconds within the minute,
/// seconds included, as DuckDB's millisecond and microsecond parts.
fn sub_minute(d: &ArrayRef, per_second: i64) -> Result<ArrayRef> {
    let Some((ticks, ups)) = timestamp_ticks(d)? else {
        return Ok(Arc::new(Int64Array::new(
            vec![0; d.len()].into(),
            d.nulls().cloned(),
        )));
    };
    let out: Int64Array = ticks.unary(|v| {
        let r = v.rem_euclid(60 * ups);
        if per_second >= ups {
            r * (per_second / ups)
        } else {
            r / (ups / per_second)
        }
    });
    Ok(Arc::new(out))
}

/// Seconds since 1970-01-01 as a double, fractions included.
fn epoch(d: &ArrayRef) -> Result<ArrayRef> {
    let out: Float64Array = match timestamp_ticks(d)? {
        Some((ticks, ups)) => ticks.unary(|v| v as f64 / ups as f64),
        None => match d.as_primitive_opt::<Date32Type>() {
            Some(days) => days.unary(|v| f64::from(v) * 86_400.0),
            None => return crate::internal_err!("epoch: unexpected type {}", d.data_type()),
        },
    };
    Ok(Arc::new(out))
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::test_util::*;
    use super::*;
    use arrow::array::{NullArray, TimestampMicrosecondArray};
    use arrow::datatypes::TimestampNanosecondType;
    use chrono::{NaiveDate, NaiveDateTime};

    /// Days since the epoch of a "YYYY-MM-DD" date.
    pub fn day(s: &str) -> i32 {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
    }

    /// A Date32 array.
    pub fn dates(v: &[Option<&str>]) -> ArrayRef {
        Arc::new(arrow::array::Date32Array::from(
            v.iter().map(|s| s.map(day)).collect::<Vec<_>>(),
        ))
    }

    /// Microseconds since the epoch of "YYYY-MM-DD HH:MM:SS[.f]".
    pub fn micros(s: &str) -> i64 {
        let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
        t.and_utc().timestamp_micros()
    }

    /// A Timestamp(Microsecond) array.
    pub fn stamps(v: &[Option<&str>]) -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from(
            v.iter().map(|s| s.map(micros)).collect::<Vec<_>>(),
        ))
    }

    /// date_part(part, d) as Int64 values.
    fn dp(part: &str, d: ArrayRef) -> Vec<Option<i64>> {
        let n = d.len();
        out_ints(&run("date_part", vec![str_n(part, n), d]).unwrap())
    }

    #[test]
    fn date_parts_of_dates() {
        // Expected values checked against DuckDB.
        let d = || dates(&[Some("1992-03-05"), None, Some("2021-01-03")]);
        assert_eq!(dp("year", d()), vec![Some(1992), None, Some(2021)]);
        assert_eq!(dp("YEARS", d()), vec![Some(1992), None, Some(2021)]);
        assert_eq!(dp("quarter", d()), vec![Some(1), None, Some(1)]);
        assert_eq!(dp("month", d()), vec![Some(3), None, Some(1)]);
        assert_eq!(dp("week", d()), vec![Some(10), None, Some(53)]);
        assert_eq!(dp("isoyear", d()), vec![Some(1992), None, Some(2020)]);
        assert_eq!(dp("yearweek", d()), vec![Some(199210), None, Some(202053)]);
        assert_eq!(dp("day", d()), vec![Some(5), None, Some(3)]);
        assert_eq!(dp("dow", d()), vec![Some(4), None, Some(0)]);
        assert_eq!(dp("isodow", d()), vec![Some(4), None, Some(7)]);
        assert_eq!(dp("doy", d()), vec![Some(65), None, Some(3)]);
        assert_eq!(dp("hour", d()), vec![Some(0), None, Some(0)]);
        assert_eq!(dp("second", d()), vec![Some(0), None, Some(0)]);
        assert_eq!(dp("millisecond", d()), vec![Some(0), None, Some(0)]);
        assert_eq!(dp("decade", d()), vec![Some(199), None, Some(202)]);
        assert_eq!(dp("century", d()), vec![Some(20), None, Some(21)]);
        assert_eq!(dp("millennium", d()), vec![Some(2), None, Some(3)]);
        assert_eq!(dp("era", d()), vec![Some(1), None, Some(1)]);
        assert_eq!(dp("doy", dates(&[Some("2021-12-31")])), vec![Some(365)]);
    }

    #[test]
    fn centuries_around_year_zero() {
        // Astronomical years: 0 is 1 BC. Values checked against DuckDB.
        let d = || dates(&[Some("2000-03-05"), Some("2001-03-05"), Some("0001-03-05")]);
        assert_eq!(dp("century", d()), vec![Some(20), Some(21), Some(1)]);
        assert_eq!(dp("millennium", d()), vec![Some(2), Some(3), Some(1)]);
        let bc = || {
            dates(&[
                Some("-0005-03-05"),
                Some("-0100-03-05"),
                Some("-1000-03-05"),
            ])
        };
        assert_eq!(dp("year", bc()), vec![Some(-5), Some(-100), Some(-1000)]);
        assert_eq!(dp("decade", bc()), vec![Some(0), Some(-10), Some(-100)]);
        assert_eq!(dp("century", bc()), vec![Some(-1), Some(-2), Some(-11)]);
        assert_eq!(dp("millennium", bc()), vec![Some(-1), Some(-1), Some(-2)]);
        assert_eq!(dp("era", bc()), vec![Some(0), Some(0), Some(0)]);
        assert_eq!(
            dp(
                "yearweek",
                dates(&[Some("-0003-03-05"), Some("0000-12-31")])
            ),
            vec![Some(-310), Some(-52)]
        );
    }

    #[test]
    fn date_parts_of_timestamps() {
        let t = || {
            stamps(&[
                Some("1992-03-05 10:11:12.345678"),
                Some("1969-12-31 23:59:58.5"),
            ])
        };
        assert_eq!(dp("hour", t()), vec![Some(10), Some(23)]);
        assert_eq!(dp("minute", t()), vec![Some(11), Some(59)]);
        assert_eq!(dp("second", t()), vec![Some(12), Some(58)]);
        assert_eq!(dp("millisecond", t()), vec![Some(12345), Some(58500)]);
        assert_eq!(dp("us", t()), vec![Some(12345678), Some(58500000)]);
        assert_eq!(dp("dow", t()), vec![Some(4), Some(3)]);
        assert_eq!(dp("day", t()), vec![Some(5), Some(31)]);
        // Other units.
        let v = micros("1992-03-05 10:11:12.345678") * 1000 + 912;
        let ns: ArrayRef =
            Arc::new(arrow::array::PrimitiveArray::<TimestampNanosecondType>::from(vec![v]));
        assert_eq!(dp("microsecond", ns.clone()), vec![Some(12345678)]);
        assert_eq!(dp("ms", ns.clone()), vec![Some(12345)]);
        assert_eq!(dp("year", ns), vec![Some(1992)]);
        let secs = cast(
            &stamps(&[Some("1992-03-05 10:11:12")]),
            &DataType::Timestamp(TimeUnit::Second, None),
        );
        assert_eq!(dp("millisecond", secs.unwrap()), vec![Some(12000)]);
    }

    #[test]
    fn date_part_specifier_handling() {
        let d = dates(&[Some("1992-03-05"), Some("1992-03-06")]);
        let err = run("date_part", vec![str_n("foo", 2), d.clone()]).unwrap_err();
        assert!(err.to_string().contains("\"foo\" not recognized"), "{err}");
        let err = run("date_part", vec![str_n("epoch", 2), d.clone()]).unwrap_err();
        assert!(err.to_string().contains("epoch(x)"), "{err}");
        let out = run("date_part", vec![strs(&[None, Some("year")]), d.clone()]).unwrap();
        assert_eq!(out_ints(&out), vec![None, None]);
        let out = run("datepart", vec![views(&[Some("y"), Some("y")]), d]).unwrap();
        assert_eq!(out_ints(&out), vec![Some(1992), Some(1992)]);
        let null: ArrayRef = Arc::new(NullArray::new(1));
        let out = run("date_part", vec![str_n("year", 1), null]).unwrap();
        assert_eq!(out_ints(&out), vec![None]);
        let empty = run_n("date_part", vec![str_n("bad", 0), dates(&[])], 0).unwrap();
        assert_eq!(empty.len(), 0);
    }

    #[test]
    fn shorthands_and_epoch() {
        let d = || dates(&[Some("1992-03-08"), None]);
        let t = || stamps(&[Some("1992-03-05 10:00:07.5"), None]);
        let one = |name: &str, a: ArrayRef| out_ints(&run(name, vec![a]).unwrap())[0];
        assert_eq!(one("year", d()), Some(1992));
        assert_eq!(one("month", t()), Some(3));
        assert_eq!(one("day", d()), Some(8));
        assert_eq!(one("dayofmonth", d()), Some(8));
        assert_eq!(one("quarter", d()), Some(1));
        assert_eq!(one("dayofweek", d()), Some(0));
        assert_eq!(one("weekday", d()), Some(0));
        assert_eq!(one("isodow", d()), Some(7));
        assert_eq!(one("dayofyear", d()), Some(68));
        assert_eq!(one("week", d()), Some(10));
        assert_eq!(one("weekofyear", d()), Some(10));
        assert_eq!(one("yearweek", d()), Some(199210));
        assert_eq!(one("isoyear", d()), Some(1992));
        assert_eq!(one("hour", t()), Some(10));
        assert_eq!(one("minute", d()), Some(0));
        assert_eq!(one("second", t()), Some(7));
        assert_eq!(one("millisecond", t()), Some(7500));
        assert_eq!(one("microsecond", t()), Some(7500000));
        assert_eq!(one("decade", d()), Some(199));
        assert_eq!(one("century", d()), Some(20));
        assert_eq!(one("millennium", d()), Some(2));
        assert_eq!(one("era", d()), Some(1));
        assert_eq!(out_ints(&run("year", vec![d()]).unwrap())[1], None);
        let e = run("epoch", vec![dates(&[Some("1992-03-08"), None])]).unwrap();
        let e: Vec<_> = e
            .as_primitive::<arrow::datatypes::Float64Type>()
            .iter()
            .collect();
        assert_eq!(e, vec![Some(700012800.0), None]);
        let e = run("epoch", vec![stamps(&[Some("1969-12-31 23:59:58.5")])]).unwrap();
        assert_eq!(
            e.as_primitive::<arrow::datatypes::Float64Type>().value(0),
            -1.5
        );
    }

    #[test]
    fn out_of_range_and_type_errors() {
        let far: ArrayRef = Arc::new(arrow::array::Date32Array::from(vec![i32::MAX]));
        let err = run("year", vec![far]).unwrap_err();
        assert!(
            err.to_string().contains("out of the supported range"),
            "{err}"
        );
        let tz = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let err = super::super::resolve("year", &[tz]).unwrap_err();
        assert!(
            err.to_string().contains("year(Timestamp(µs, \"UTC\"))"),
            "{err}"
        );
        assert!(super::super::resolve("year", &[DataType::Utf8]).is_err());
        assert!(super::super::resolve("date_part", &[DataType::Int32, DataType::Date32]).is_err());
        assert!(super::super::resolve("date_part", &[DataType::Utf8]).is_err());
    }
}
