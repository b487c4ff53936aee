//! CAST with DuckDB's semantics on top of Arrow's cast kernel.
//!
//! Consumes an array and a target type; produces the converted array or an
//! error that names the first value that does not convert and the SQL types
//! involved (`Conversion Error: Could not convert string 'x' to INTEGER`),
//! never a silent NULL and never Arrow's own wording. Where DuckDB and Arrow
//! differ, DuckDB wins: floats round half to even and decimals round half away
//! from zero when cast to integers (Arrow truncates), timestamps may omit
//! their seconds (`'2024-01-01 10:00'`), and floats become text as DuckDB
//! writes them (`1e+20`).

use super::float_text::{double_text, float_text};
use crate::binder::types::{is_decimal, is_string, sql_type_name};
use crate::error::{QuarryError, Result};
use crate::logical::ScalarValue;
use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::compute::kernels::boolean;
use arrow::compute::{can_cast_types, cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Float32Type, Float64Type};
use arrow::error::ArrowError;
use std::sync::Arc;

/// Casts `array` to `target`; a value that does not convert is an error.
pub fn cast_array(array: &ArrayRef, target: &DataType) -> Result<ArrayRef> {
    cast_as(array, target, false)
}

/// CAST (`safe`: TRY_CAST) of a whole array.
fn cast_as(array: &ArrayRef, target: &DataType, safe: bool) -> Result<ArrayRef> {
    if array.data_type() == target {
        return Ok(array.clone());
    }
    if let Some(widened) = super::decimal::widen(array, target) {
        return Ok(widened);
    }
    convert(array, target, safe).map_err(|error| conversion_error(array, target, &error))
}

/// TRY_CAST: values that do not convert become NULL.
pub fn try_cast_array(array: &ArrayRef, target: &DataType) -> Result<ArrayRef> {
    cast_as(array, target, true)
}

/// The cast itself; `safe` turns values that do not convert into NULLs, which
/// is how [`conversion_error`] finds the culprit.
fn convert(array: &ArrayRef, target: &DataType, safe: bool) -> Result<ArrayRef, ArrowError> {
    let options = CastOptions {
        safe,
        ..Default::default()
    };
    let source = array.data_type();
    let prepared = if target.is_integer() && source.is_floating() {
        round_half_even(array)?
    } else if target.is_integer() && is_decimal(source) {
        // Arrow rounds half away from zero when a decimal loses scale.
        cast_with_options(array, &DataType::Decimal128(38, 0), &options)?
    } else if is_string(source) && matches!(target, DataType::Timestamp(_, _) | DataType::Date32) {
        normalize_datetimes(array)?
    } else if source.is_floating() && is_string(target) {
        float_strings(array)?
    } else {
        array.clone()
    };
    cast_with_options(&prepared, target, &options)
}

/// Floats rounded to whole numbers, ties to even, as DuckDB's `nearbyint`.
fn round_half_even(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let doubles = arrow::compute::cast(array, &DataType::Float64)?;
    let rounded = doubles
        .as_primitive::<Float64Type>()
        .unary::<_, Float64Type>(f64::round_ties_even);
    Ok(Arc::new(rounded))
}

/// Floats as DuckDB writes them (`1e+20`, not Arrow's `100000000000000000000`).
fn float_strings(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let strings: StringArray = if array.data_type() == &DataType::Float64 {
        let doubles = array.as_primitive::<Float64Type>();
        doubles.iter().map(|v| v.map(double_text)).collect()
    } else {
        let floats = arrow::compute::cast(array, &DataType::Float32)?;
        let floats = floats.as_primitive::<Float32Type>();
        floats.iter().map(|v| v.map(float_text)).collect()
    };
    Ok(Arc::new(strings))
}

/// Date and timestamp strings in the shape Arrow parses: `2024-1-1 9:00`
/// becomes `2024-01-01 09:00:00`. Strings of another shape are left alone.
fn normalize_datetimes(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let strings = arrow::compute::cast(array, &DataType::Utf8)?;
    let strings = strings.as_string::<i32>();
    if !strings
        .iter()
        .flatten()
        .any(|text| normalize_datetime(text).is_some())
    {
        return Ok(array.clone());
    }
    let normalized: StringArray = strings
        .iter()
        .map(|text| text.map(|t| normalize_datetime(t).unwrap_or_else(|| t.to_string())))
        .collect();
    Ok(Arc::new(normalized))
}

/// `Some` with the normalized text when `text` is a date with an optional
/// `H:MM[:SS[.fff]]` time that Arrow would not parse as it is.
fn normalize_datetime(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let (date, rest) = split_date(trimmed)?;
    let mut out = date;
    if let Some(time) = rest.strip_prefix([' ', 'T']) {
        let (clock, zone) = split_time(time)?;
        out.push(' ');
        out.push_str(&clock);
        out.push_str(zone);
    } else if !rest.is_empty() {
        return None;
    }
    (out != text).then_some(out)
}

/// `Y-M-D` at the start of `text`, zero-padded, and what follows it.
fn split_date(text: &str) -> Option<(String, &str)> {
    let (year, rest) = take_digits(text, 4, 9)?;
    let (month, rest) = take_digits(rest.strip_prefix('-')?, 1, 2)?;
    let (day, rest) = take_digits(rest.strip_prefix('-')?, 1, 2)?;
    Some((format!("{year}-{month:0>2}-{day:0>2}"), rest))
}

/// `H:MM[:SS[.fff]]` at the start of `text` as `HH:MM:SS[.fff]`, and the
/// time zone (or nothing) after it.
fn split_time(text: &str) -> Option<(String, &str)> {
    let (hour, rest) = take_digits(text, 1, 2)?;
    let (minute, rest) = take_digits(rest.strip_prefix(':')?, 2, 2)?;
    let (second, rest) = match rest.strip_prefix(':') {
        Some(rest) => take_digits(rest, 2, 2)?,
        None => ("00", rest),
    };
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(rest) => {
            let (digits, rest) = take_digits(rest, 1, 9)?;
            (format!(".{digits}"), rest)
        }
        None => (String::new(), rest),
    };
    Some((format!("{hour:0>2}:{minute}:{second}{fraction}"), rest))
}

/// Between `min` and `max` ASCII digits at the start of `text`.
fn take_digits(text: &str, min: usize, max: usize) -> Option<(&str, &str)> {
    let count = text.bytes().take_while(u8::is_ascii_digit).count();
    (min..=max).contains(&count).then(|| text.split_at(count))
}

/// The DuckDB-style error for a failed cast of `array` to `target`.
fn conversion_error(array: &ArrayRef, target: &DataType, error: &ArrowError) -> QuarryError {
    let source = array.data_type();
    let (source_name, target_name) = (sql_type_name(source), sql_type_name(target));
    if !can_cast_types(source, target) {
        return QuarryError::Execution(format!(
            "Conversion Error: Unimplemented type for cast ({source_name} -> {target_name})"
        ));
    }
    let Some(row) = first_failing_row(array, target) else {
        return QuarryError::Execution(format!(
            "Conversion Error: Could not convert {source_name} to {target_name} ({error})"
        ));
    };
    let value = ScalarValue::from_array(array.as_ref(), row).to_string();
    let message = match target {
        _ if is_string(source) => match target {
            DataType::Date32 if out_of_range(&value) => {
                format!("date field value out of range: \"{value}\"")
            }
            DataType::Date32 => {
                format!("invalid date field format: \"{value}\", expected format is (YYYY-MM-DD)")
            }
            DataType::Timestamp(_, _) if out_of_range(&value) => {
                format!("timestamp field value out of range: \"{value}\"")
            }
            DataType::Timestamp(_, _) => format!(
                "invalid timestamp field format: \"{value}\", expected format is \
                 (YYYY-MM-DD HH:MM[:SS[.US]][±HH[:MM[:SS]]| ZONE])"
            ),
            DataType::Decimal128(_, _) => {
                format!("Could not convert string \"{value}\" to {target_name}")
            }
            _ => format!(
                "Could not convert string '{}' to {target_name}",
                value.replace('\'', "''")
            ),
        },
        DataType::Decimal128(_, _) => format!("Could not cast value {value} to {target_name}"),
        _ if source.is_primitive() && target.is_primitive() => format!(
            "Type {source_name} with value {value} can't be cast because the value is out of \
             range for the destination type {target_name}"
        ),
        _ => format!("Could not convert {source_name} value {value} to {target_name}"),
    };
    QuarryError::Execution(format!("Conversion Error: {message}"))
}

/// Whether a date or timestamp that failed to parse has the right shape, so a
/// field is out of range (`2024-13-01`, `2024-01-01 25:00`), as DuckDB tells
/// apart from a malformed value.
fn out_of_range(text: &str) -> bool {
    let Some((date, rest)) = split_date(text.trim()) else {
        return false;
    };
    let time_is_well_formed =
        rest.is_empty() || rest.strip_prefix([' ', 'T']).and_then(split_time).is_some();
    chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err() || time_is_well_formed
}

/// The first row that is valid in `array` but NULL after a lenient cast.
fn first_failing_row(array: &ArrayRef, target: &DataType) -> Option<usize> {
    let lenient = convert(array, target, true).ok()?;
    let present = boolean::is_not_null(array).ok()?;
    let lost = boolean::is_null(&lenient).ok()?;
    let failed = boolean::and(&present, &lost).ok()?;
    failed.values().set_indices().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Decimal128Array, Float32Array, Float64Array, Int32Array, Int64Array};

    fn int32_values(array: &ArrayRef) -> Vec<Option<i32>> {
        array
            .as_primitive::<arrow::datatypes::Int32Type>()
            .iter()
            .collect()
    }

    #[test]
    fn decimals_round_half_away_from_zero_to_integers() {
        let decimals: ArrayRef = Arc::new(
            Decimal128Array::from(vec![37, -35, 25, -25, 14])
                .with_precision_and_scale(2, 1)
                .unwrap(),
        );
        let integers = cast_array(&decimals, &DataType::Int32).unwrap();
        assert_eq!(
            int32_values(&integers),
            vec![Some(4), Some(-4), Some(3), Some(-3), Some(1)]
        );
    }

    #[test]
    fn floats_round_half_to_even_to_integers() {
        let doubles: ArrayRef = Arc::new(Float64Array::from(vec![1.9, 2.5, 3.5, -2.5, -3.7]));
        let integers = cast_array(&doubles, &DataType::Int64).unwrap();
        let integers: Vec<Option<i64>> = integers
            .as_primitive::<arrow::datatypes::Int64Type>()
            .iter()
            .collect();
        assert_eq!(
            integers,
            vec![Some(2), Some(2), Some(4), Some(-2), Some(-4)]
        );
        let floats: ArrayRef = Arc::new(Float32Array::from(vec![3.7f32, -0.4]));
        let integers = cast_array(&floats, &DataType::Int32).unwrap();
        assert_eq!(int32_values(&integers), vec![Some(4), Some(0)]);
    }

    #[test]
    fn float_out_of_range_for_an_integer_is_an_error() {
        let doubles: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 1e20]));
        let error = cast_array(&doubles, &DataType::Int32)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("Conversion Error: Type DOUBLE with value")
                && error.contains("out of range for the destination type INTEGER"),
            "{error}"
        );
    }

    #[test]
    fn bad_string_is_reported_with_sql_type_names() {
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["1", "x"]));
        let error = cast_array(&strings, &DataType::Int32)
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with("Conversion Error: Could not convert string 'x' to INTEGER"),
            "{error}"
        );
        let error = cast_array(&strings, &DataType::Decimal128(4, 1))
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with("Could not convert string \"x\" to DECIMAL(4,1)"),
            "{error}"
        );
        assert!(!error.contains("Arrow"), "{error}");
    }

    #[test]
    fn integer_too_wide_for_a_decimal_names_the_value() {
        let integers: ArrayRef = Arc::new(Int32Array::from(vec![1000]));
        let error = cast_array(&integers, &DataType::Decimal128(4, 1))
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with("Could not cast value 1000 to DECIMAL(4,1)"),
            "{error}"
        );
        let wide: ArrayRef = Arc::new(Int64Array::from(vec![300]));
        let error = cast_array(&wide, &DataType::Int8).unwrap_err().to_string();
        assert!(
            error.contains("Type BIGINT with value 300 can't be cast")
                && error.contains("destination type TINYINT"),
            "{error}"
        );
    }

    #[test]
    fn timestamps_without_seconds_parse() {
        let strings: ArrayRef = Arc::new(StringArray::from(vec![
            Some("2024-01-01 10:00"),
            Some("2024-1-2T9:30"),
            Some("2024-01-03"),
            Some(" 2024-01-04 10:00:05.5 "),
            None,
        ]));
        let target = DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None);
        let timestamps = cast_array(&strings, &target).unwrap();
        let text: Vec<String> = (0..timestamps.len())
            .map(|row| ScalarValue::from_array(timestamps.as_ref(), row).to_string())
            .collect();
        assert_eq!(
            text,
            vec![
                "2024-01-01T10:00:00",
                "2024-01-02T09:30:00",
                "2024-01-03T00:00:00",
                "2024-01-04T10:00:05.500",
                "NULL"
            ]
        );
        let error = cast_array(
            &(Arc::new(StringArray::from(vec!["2024-01-01 10"])) as ArrayRef),
            &target,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("invalid timestamp field format"), "{error}");
    }

    #[test]
    fn floats_become_text_as_duckdb_writes_them() {
        let doubles: ArrayRef = Arc::new(Float64Array::from(vec![Some(1e20), Some(1e-5), None]));
        let text = cast_array(&doubles, &DataType::Utf8).unwrap();
        let text: Vec<Option<&str>> = text.as_string::<i32>().iter().collect();
        assert_eq!(text, vec![Some("1e+20"), Some("1e-05"), None]);
        let floats: ArrayRef = Arc::new(Float32Array::from(vec![0.1f32]));
        let text = cast_array(&floats, &DataType::Utf8View).unwrap();
        let text: Vec<Option<&str>> = text.as_string_view().iter().collect();
        assert_eq!(text, vec![Some("0.1")]);
    }

    #[test]
    fn dates_out_of_range_are_told_from_malformed_ones() {
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["2024-13-01"]));
        let error = cast_array(&strings, &DataType::Date32)
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with("Conversion Error: date field value out of range: \"2024-13-01\""),
            "{error}"
        );
        let target = DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None);
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["2024-01-01 25:00"]));
        let error = cast_array(&strings, &target).unwrap_err().to_string();
        assert!(
            error.contains("timestamp field value out of range"),
            "{error}"
        );
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["soon"]));
        let error = cast_array(&strings, &DataType::Date32)
            .unwrap_err()
            .to_string();
        assert!(error.contains("invalid date field format"), "{error}");
    }
}
