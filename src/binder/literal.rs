//! Literals: numbers typed as DuckDB types them (INTEGER, BIGINT, DECIMAL(p,s),
//! DOUBLE), strings, booleans, NULL, typed strings and intervals.

use super::types::arrow_type;
use crate::error::{QuarryError, Result};
use crate::execution::expressions::cast::cast_array;
use crate::logical::{Expr, ScalarValue};
use arrow::array::{
    ArrayRef, Decimal128Array, Float64Array, Int32Array, Int64Array, IntervalMonthDayNanoArray,
};
use arrow::datatypes::{DataType, IntervalMonthDayNano};
use sqlparser::ast::{self, DateTimeField, Value};
use std::sync::Arc;

fn scalar(array: ArrayRef) -> Result<Expr> {
    Ok(Expr::Literal(ScalarValue::try_new(array)?))
}

/// A numeric literal: INTEGER if it fits, then BIGINT, then DECIMAL, else DOUBLE.
pub fn bind_number(text: &str) -> Result<Expr> {
    let invalid = || QuarryError::Plan(format!("Parser Error: invalid number \"{text}\""));
    if text.contains(['e', 'E']) {
        let value: f64 = text.parse().map_err(|_| invalid())?;
        return scalar(Arc::new(Float64Array::from(vec![value])));
    }
    if let Some((whole, fraction)) = text.split_once('.') {
        let digits = format!("{whole}{fraction}");
        let precision = digits.len().max(1);
        let scale = fraction.len();
        if precision <= 38 {
            let value: i128 = if digits.is_empty() {
                0
            } else {
                digits.parse().map_err(|_| invalid())?
            };
            let array = Decimal128Array::from(vec![value])
                .with_precision_and_scale(precision as u8, scale as i8)?;
            return scalar(Arc::new(array));
        }
        let value: f64 = text.parse().map_err(|_| invalid())?;
        return scalar(Arc::new(Float64Array::from(vec![value])));
    }
    if let Ok(value) = text.parse::<i32>() {
        return scalar(Arc::new(Int32Array::from(vec![value])));
    }
    if let Ok(value) = text.parse::<i64>() {
        return scalar(Arc::new(Int64Array::from(vec![value])));
    }
    if let Ok(value) = text.parse::<i128>() {
        if text.len() <= 38 {
            let array = Decimal128Array::from(vec![value]).with_precision_and_scale(38, 0)?;
            return scalar(Arc::new(array));
        }
    }
    let value: f64 = text.parse().map_err(|_| invalid())?;
    scalar(Arc::new(Float64Array::from(vec![value])))
}

/// A plain `Value` literal.
pub fn bind_value(value: &Value) -> Result<Expr> {
    match value {
        Value::Number(text, _) => bind_number(text),
        Value::SingleQuotedString(text)
        | Value::DoubleQuotedString(text)
        | Value::EscapedStringLiteral(text)
        | Value::NationalStringLiteral(text)
        | Value::TripleSingleQuotedString(text)
        | Value::TripleDoubleQuotedString(text) => Ok(Expr::Literal(ScalarValue::utf8(text))),
        Value::Boolean(b) => Ok(Expr::Literal(ScalarValue::boolean(*b))),
        Value::Null => Ok(Expr::Literal(ScalarValue::null(&DataType::Null))),
        other => Err(QuarryError::NotImplemented(format!(
            "the literal {other} is not supported"
        ))),
    }
}

/// `DATE '1998-09-02'`, `TIMESTAMP '...'`: the string cast to the type now, so
/// a malformed value is reported at bind time.
pub fn bind_typed_string(data_type: &ast::DataType, value: &Value) -> Result<Expr> {
    let target = arrow_type(data_type)?;
    let text = match value {
        Value::SingleQuotedString(text) | Value::DoubleQuotedString(text) => text.clone(),
        other => other.to_string(),
    };
    if matches!(target, DataType::Interval(_)) {
        return interval_from_text(&text);
    }
    // The same cast as at run time, so `CAST('..' AS T)` of a literal and of a
    // column agree (rounding, timestamps without seconds, error wording).
    let literal = ScalarValue::utf8(&text);
    let cast = cast_array(literal.as_array(), &target).map_err(|error| match error {
        // Reported while binding, like DuckDB, so without the execution prefix.
        QuarryError::Execution(message) => QuarryError::Plan(message),
        other => other,
    })?;
    Ok(Expr::Literal(ScalarValue::try_new(cast)?))
}

fn interval_literal(months: i32, days: i32, nanoseconds: i64) -> Result<Expr> {
    let array =
        IntervalMonthDayNanoArray::from(vec![IntervalMonthDayNano::new(months, days, nanoseconds)]);
    scalar(Arc::new(array))
}

/// `INTERVAL '90' DAY`, `INTERVAL 3 MONTH`, `INTERVAL '1 year 2 days'`.
pub fn bind_interval(interval: &ast::Interval) -> Result<Expr> {
    let text = match interval.value.as_ref() {
        ast::Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(text) => text.clone(),
            Value::Number(text, _) => text.clone(),
            other => other.to_string(),
        },
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => format!("-{expr}"),
        other => {
            return Err(QuarryError::NotImplemented(format!(
                "INTERVAL of a non-constant expression ({other})"
            )))
        }
    };
    match &interval.leading_field {
        None => interval_from_text(&text),
        Some(field) => {
            let amount: f64 = text.trim().parse().map_err(|_| {
                QuarryError::Plan(format!(
                    "Conversion Error: invalid interval amount \"{text}\""
                ))
            })?;
            interval_of(amount, field)
        }
    }
}

fn interval_of(amount: f64, field: &DateTimeField) -> Result<Expr> {
    const NANOS_PER_SECOND: f64 = 1e9;
    let whole = amount as i32;
    match field {
        DateTimeField::Year | DateTimeField::Years => interval_literal(whole * 12, 0, 0),
        DateTimeField::Month | DateTimeField::Months => interval_literal(whole, 0, 0),
        DateTimeField::Week(_) | DateTimeField::Weeks => interval_literal(0, whole * 7, 0),
        DateTimeField::Day | DateTimeField::Days => interval_literal(0, whole, 0),
        DateTimeField::Hour | DateTimeField::Hours => {
            interval_literal(0, 0, (amount * 3600.0 * NANOS_PER_SECOND) as i64)
        }
        DateTimeField::Minute | DateTimeField::Minutes => {
            interval_literal(0, 0, (amount * 60.0 * NANOS_PER_SECOND) as i64)
        }
        DateTimeField::Second | DateTimeField::Seconds => {
            interval_literal(0, 0, (amount * NANOS_PER_SECOND) as i64)
        }
        other => Err(QuarryError::NotImplemented(format!(
            "INTERVAL unit {other}"
        ))),
    }
}

/// Parses `'1 year 2 months 3 days 04:05:06'`-style text.
fn interval_from_text(text: &str) -> Result<Expr> {
    let invalid = || QuarryError::Plan(format!("Conversion Error: invalid INTERVAL \"{text}\""));
    let (mut months, mut days, mut nanos) = (0i32, 0i32, 0i64);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if word.contains(':') {
            let parts: Vec<f64> = word
                .split(':')
                .map(|p| p.parse::<f64>().map_err(|_| invalid()))
                .collect::<Result<_>>()?;
            let seconds = match parts.as_slice() {
                [h, m, s] => h * 3600.0 + m * 60.0 + s,
                [h, m] => h * 3600.0 + m * 60.0,
                _ => return Err(invalid()),
            };
            nanos += (seconds * 1e9) as i64;
            i += 1;
            continue;
        }
        let amount: f64 = word.parse().map_err(|_| invalid())?;
        let unit = words.get(i + 1).ok_or_else(invalid)?.to_lowercase();
        let unit = match unit.strip_suffix('s') {
            Some(singular) if unit.len() > 2 => singular,
            _ => unit.as_str(),
        };
        let whole = amount as i32;
        match unit {
            "year" | "yr" | "y" => months += whole * 12,
            "month" | "mon" => months += whole,
            "week" | "w" => days += whole * 7,
            "day" | "d" => days += whole,
            "hour" | "h" => nanos += (amount * 3.6e12) as i64,
            "minute" | "min" | "m" => nanos += (amount * 6e10) as i64,
            "second" | "sec" => nanos += (amount * 1e9) as i64,
            "millisecond" | "ms" => nanos += (amount * 1e6) as i64,
            _ => return Err(invalid()),
        }
        i += 2;
    }
    interval_literal(months, days, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_duckdb_types() {
        assert_eq!(bind_number("1").unwrap().data_type(), DataType::Int32);
        assert_eq!(
            bind_number("3000000000").unwrap().data_type(),
            DataType::Int64
        );
        assert_eq!(
            bind_number("0.05").unwrap().data_type(),
            DataType::Decimal128(3, 2)
        );
        assert_eq!(
            bind_number("100.00").unwrap().data_type(),
            DataType::Decimal128(5, 2)
        );
        assert_eq!(bind_number("1.5e3").unwrap().data_type(), DataType::Float64);
    }

    #[test]
    fn typed_timestamp_may_omit_seconds() {
        let timestamp = ast::DataType::Timestamp(None, ast::TimezoneInfo::None);
        let value = Value::SingleQuotedString("2024-01-01 10:00".into());
        let Expr::Literal(literal) = bind_typed_string(&timestamp, &value).unwrap() else {
            panic!("a typed string binds to a literal");
        };
        assert_eq!(literal.to_string(), "2024-01-01T10:00:00");
    }

    #[test]
    fn typed_string_that_does_not_convert_reads_like_duckdb() {
        let value = Value::SingleQuotedString("x".into());
        let error = bind_typed_string(&ast::DataType::Integer(None), &value)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "Conversion Error: Could not convert string 'x' to INTEGER"
        );
    }
}
