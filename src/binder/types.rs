//! SQL types and implicit coercion, following DuckDB: which Arrow type a SQL
//! type name means, the common type two operands are cast to, and the result
//! types of arithmetic (decimal precision and scale included).

use crate::error::{QuarryError, Result};
use crate::logical::BinaryOp;
use arrow::datatypes::{DataType, IntervalUnit, TimeUnit};
use sqlparser::ast::{self, ExactNumberInfo};

/// The Arrow type for a SQL type name.
pub fn arrow_type(sql_type: &ast::DataType) -> Result<DataType> {
    use ast::DataType as S;
    Ok(match sql_type {
        S::Boolean | S::Bool => DataType::Boolean,
        S::TinyInt(_) => DataType::Int8,
        S::SmallInt(_) | S::Int2(_) | S::Int16 => DataType::Int16,
        S::Int(_) | S::Integer(_) | S::Int4(_) | S::Int32 | S::MediumInt(_) | S::Signed => {
            DataType::Int32
        }
        S::BigInt(_) | S::Int8(_) | S::Int64 => DataType::Int64,
        S::UTinyInt | S::UInt8 => DataType::UInt8,
        S::USmallInt | S::UInt16 => DataType::UInt16,
        S::UInt32 | S::IntUnsigned(_) | S::IntegerUnsigned(_) => DataType::UInt32,
        S::UBigInt | S::UInt64 | S::BigIntUnsigned(_) => DataType::UInt64,
        S::HugeInt | S::Int128 => DataType::Decimal128(38, 0),
        S::Real | S::Float4 | S::Float32 => DataType::Float32,
        // DuckDB: FLOAT is 4 bytes, FLOAT(p) is 8 bytes only past 24 bits.
        S::Float(info) => match info {
            ExactNumberInfo::None => DataType::Float32,
            ExactNumberInfo::Precision(p) if *p <= 24 => DataType::Float32,
            _ => DataType::Float64,
        },
        S::Double(_) | S::DoublePrecision | S::Float8 | S::Float64 => DataType::Float64,
        S::Decimal(info) | S::Numeric(info) | S::Dec(info) => decimal_type(info)?,
        S::Varchar(_)
        | S::Nvarchar(_)
        | S::Char(_)
        | S::Character(_)
        | S::CharacterVarying(_)
        | S::CharVarying(_)
        | S::Text
        | S::String(_) => DataType::Utf8,
        S::Date => DataType::Date32,
        S::Timestamp(_, ast::TimezoneInfo::None | ast::TimezoneInfo::WithoutTimeZone)
        | S::Datetime(_)
        | S::TimestampNtz(_) => DataType::Timestamp(TimeUnit::Microsecond, None),
        S::Timestamp(_, _) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        S::Interval { .. } => DataType::Interval(IntervalUnit::MonthDayNano),
        S::Custom(name, _) => match name.to_string().to_lowercase().as_str() {
            "tinyint" | "int1" => DataType::Int8,
            "utinyint" => DataType::UInt8,
            "hugeint" => DataType::Decimal128(38, 0),
            "varchar" | "string" => DataType::Utf8,
            other => {
                return Err(QuarryError::Plan(format!(
                    "Catalog Error: Type with name {other} does not exist!"
                )))
            }
        },
        other => {
            return Err(QuarryError::NotImplemented(format!(
                "the SQL type {other} is not supported"
            )))
        }
    })
}

fn decimal_type(info: &ExactNumberInfo) -> Result<DataType> {
    let (precision, scale) = match info {
        ExactNumberInfo::None => (18, 3),
        ExactNumberInfo::Precision(p) => (*p, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
    };
    if !(1..=38).contains(&precision) || scale < 0 || scale as u64 > precision {
        return Err(QuarryError::Plan(format!(
            "Parser Error: invalid DECIMAL({precision},{scale}): width must be between 1 and 38 and scale between 0 and width"
        )));
    }
    Ok(DataType::Decimal128(precision as u8, scale as i8))
}

/// The SQL name of an Arrow type, as DuckDB spells it in CAST and errors.
pub fn sql_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Null => "NULL".into(),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Int8 => "TINYINT".into(),
        DataType::Int16 => "SMALLINT".into(),
        DataType::Int32 => "INTEGER".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::UInt8 => "UTINYINT".into(),
        DataType::UInt16 => "USMALLINT".into(),
        DataType::UInt32 => "UINTEGER".into(),
        DataType::UInt64 => "UBIGINT".into(),
        DataType::Float32 => "FLOAT".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Decimal128(p, s) => format!("DECIMAL({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        DataType::Date32 => "DATE".into(),
        DataType::Timestamp(_, None) => "TIMESTAMP".into(),
        DataType::Timestamp(_, Some(_)) => "TIMESTAMP WITH TIME ZONE".into(),
        DataType::Interval(_) => "INTERVAL".into(),
        other => other.to_string().to_uppercase(),
    }
}

pub fn is_string(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

pub fn is_numeric(data_type: &DataType) -> bool {
    data_type.is_integer() || data_type.is_floating() || is_decimal(data_type)
}

pub fn is_decimal(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Decimal128(_, _))
}

pub fn is_temporal(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Date32 | DataType::Timestamp(_, _))
}

/// The decimal type that holds every value of an integer or decimal type.
pub fn as_decimal(data_type: &DataType) -> Option<(u8, i8)> {
    Some(match data_type {
        DataType::Int8 | DataType::UInt8 => (3, 0),
        DataType::Int16 | DataType::UInt16 => (5, 0),
        DataType::Int32 | DataType::UInt32 => (10, 0),
        DataType::Int64 => (19, 0),
        DataType::UInt64 => (20, 0),
        DataType::Decimal128(p, s) => (*p, *s),
        _ => return None,
    })
}

fn integer_rank(data_type: &DataType) -> Option<u8> {
    Some(match data_type {
        DataType::Int8 => 1,
        DataType::UInt8 => 2,
        DataType::Int16 => 3,
        DataType::UInt16 => 4,
        DataType::Int32 => 5,
        DataType::UInt32 => 6,
        DataType::Int64 => 7,
        DataType::UInt64 => 8,
        _ => return None,
    })
}

fn wider_integer(left: &DataType, right: &DataType) -> DataType {
    let (l, r) = (integer_rank(left), integer_rank(right));
    let signed_mix = left.is_signed_integer() != right.is_signed_integer();
    match (l, r) {
        (Some(l), Some(r)) if signed_mix => {
            // A signed and an unsigned type need the next signed type up.
            match l.max(r) {
                1..=2 => DataType::Int16,
                3..=4 => DataType::Int32,
                5..=6 => DataType::Int64,
                _ => DataType::Decimal128(38, 0),
            }
        }
        (Some(l), Some(r)) if l >= r => left.clone(),
        _ => right.clone(),
    }
}

/// The type both sides of a comparison, a CASE or a UNION are cast to, or `None`
/// when there is none.
pub fn common_type(left: &DataType, right: &DataType) -> Option<DataType> {
    use DataType::*;
    if left == right {
        return Some(left.clone());
    }
    Some(match (left, right) {
        (Null, other) | (other, Null) => other.clone(),
        (l, r) if l.is_integer() && r.is_integer() => wider_integer(l, r),
        (l, r) if (l.is_floating() || r.is_floating()) && is_numeric(l) && is_numeric(r) => {
            float_type(l, r)
        }
        (l, r) if as_decimal(l).is_some() && as_decimal(r).is_some() => {
            let (p1, s1) = as_decimal(l)?;
            let (p2, s2) = as_decimal(r)?;
            let scale = s1.max(s2);
            let digits = (p1 as i16 - s1 as i16).max(p2 as i16 - s2 as i16);
            Decimal128((digits + scale as i16).min(38) as u8, scale)
        }
        (l, r) if is_numeric(l) && is_numeric(r) => Float64,
        (l, r) if is_string(l) && is_string(r) => Utf8View,
        (l, r) if is_string(l) => r.clone(),
        (l, r) if is_string(r) => l.clone(),
        (Date32, Timestamp(unit, tz)) | (Timestamp(unit, tz), Date32) => {
            Timestamp(*unit, tz.clone())
        }
        (Timestamp(_, _), Timestamp(_, _)) => Timestamp(TimeUnit::Microsecond, None),
        _ => return None,
    })
}

/// The float type a float and another number meet in: FLOAT unless either
/// side is DOUBLE, as in DuckDB (`FLOAT + BIGINT` is FLOAT).
fn float_type(left: &DataType, right: &DataType) -> DataType {
    if left == &DataType::Float64 || right == &DataType::Float64 {
        DataType::Float64
    } else {
        DataType::Float32
    }
}

/// The type of a column that combines values of two types (UNION, VALUES):
/// like `common_type`, except that a string and a non-string meet in VARCHAR
/// (a comparison would instead read the string as the other type).
pub fn set_operation_type(left: &DataType, right: &DataType) -> Option<DataType> {
    let text = |t: &DataType| is_string(t);
    match (left, right) {
        (l, r) if text(l) != text(r) && l != &DataType::Null && r != &DataType::Null => {
            Some(DataType::Utf8)
        }
        _ => common_type(left, right),
    }
}

/// How a binary arithmetic operator is computed: the types both operands are
/// cast to first, and the result type.
#[derive(Debug, Clone, PartialEq)]
pub struct ArithmeticSignature {
    pub left: DataType,
    pub right: DataType,
    pub result: DataType,
}

/// The DuckDB signature of `left op right` for an arithmetic operator.
pub fn arithmetic_signature(
    op: BinaryOp,
    left: &DataType,
    right: &DataType,
) -> Result<ArithmeticSignature> {
    use DataType::*;
    let no_operator = || {
        QuarryError::Plan(format!(
            "Binder Error: No operator {} for types {} and {}",
            op.symbol(),
            sql_type_name(left),
            sql_type_name(right)
        ))
    };
    let same = |t: DataType| ArithmeticSignature {
        left: t.clone(),
        right: t.clone(),
        result: t,
    };
    // NULL literals take the other side's type; two NULLs are BIGINT, as
    // DuckDB types `NULL + NULL`.
    match (left, right) {
        (Null, Null) => return arithmetic_signature(op, &Int64, &Int64),
        (Null, other) | (other, Null) => return arithmetic_signature(op, other, other),
        _ => {}
    }
    // Dates and intervals.
    match (op, left, right) {
        (BinaryOp::Minus, Date32, Date32) => {
            return Ok(ArithmeticSignature {
                left: Date32,
                right: Date32,
                result: Int64,
            })
        }
        (BinaryOp::Plus | BinaryOp::Minus, Date32, r) if r.is_integer() => {
            return Ok(ArithmeticSignature {
                left: Date32,
                right: Int32,
                result: Date32,
            })
        }
        (BinaryOp::Plus, l, Date32) if l.is_integer() => {
            return Ok(ArithmeticSignature {
                left: Int32,
                right: Date32,
                result: Date32,
            })
        }
        (BinaryOp::Plus | BinaryOp::Minus, Date32 | Timestamp(_, _), Interval(_)) => {
            let timestamp = match left {
                Timestamp(unit, tz) => Timestamp(*unit, tz.clone()),
                _ => Timestamp(TimeUnit::Microsecond, None),
            };
            return Ok(ArithmeticSignature {
                left: timestamp.clone(),
                right: Interval(IntervalUnit::MonthDayNano),
                result: timestamp,
            });
        }
        (BinaryOp::Plus, Interval(_), Date32 | Timestamp(_, _)) => {
            let timestamp = match right {
                Timestamp(unit, tz) => Timestamp(*unit, tz.clone()),
                _ => Timestamp(TimeUnit::Microsecond, None),
            };
            return Ok(ArithmeticSignature {
                left: Interval(IntervalUnit::MonthDayNano),
                right: timestamp.clone(),
                result: timestamp,
            });
        }
        (BinaryOp::Minus, Timestamp(unit, tz), Timestamp(_, _)) => {
            let timestamp = Timestamp(*unit, tz.clone());
            return Ok(ArithmeticSignature {
                left: timestamp.clone(),
                right: timestamp,
                result: Interval(IntervalUnit::MonthDayNano),
            });
        }
        (BinaryOp::Plus | BinaryOp::Minus, Interval(_), Interval(_)) => {
            return Ok(same(Interval(IntervalUnit::MonthDayNano)))
        }
        _ => {}
    }
    // String literals in arithmetic are read as numbers, as DuckDB does for
    // untyped literals; typed strings are an error.
    if !is_numeric(left) || !is_numeric(right) {
        return Err(no_operator());
    }
    // `/` is always a float division; `//` is one too unless both sides are
    // integers (DuckDB: `7.5 // 2` is 3.75).
    let integers = left.is_integer() && right.is_integer();
    if op == BinaryOp::Divide || (op == BinaryOp::IntegerDivide && !integers) {
        let float = if left.is_floating() || right.is_floating() {
            float_type(left, right)
        } else {
            Float64
        };
        return Ok(same(float));
    }
    if left.is_floating() || right.is_floating() {
        return Ok(same(float_type(left, right)));
    }
    if left.is_integer() && right.is_integer() {
        return Ok(same(wider_integer(left, right)));
    }
    // Decimal arithmetic, with DuckDB's precision and scale rules.
    let (p1, s1) = as_decimal(left).ok_or_else(no_operator)?;
    let (p2, s2) = as_decimal(right).ok_or_else(no_operator)?;
    let (p1, p2) = (p1.min(38), p2.min(38));
    let left_type = Decimal128(p1, s1);
    let right_type = Decimal128(p2, s2);
    let result = match op {
        BinaryOp::Plus | BinaryOp::Minus => {
            let scale = s1.max(s2);
            let digits = (p1 as i16 - s1 as i16).max(p2 as i16 - s2 as i16);
            Decimal128((digits + scale as i16 + 1).min(38) as u8, scale)
        }
        BinaryOp::Multiply => {
            let scale = s1 + s2;
            let mut precision = p1 as u16 + p2 as u16;
            // DuckDB keeps products of two int64-sized decimals in 18 digits.
            if precision > 18 && p1 <= 18 && p2 <= 18 {
                precision = 18;
            }
            if scale as u16 > 38 {
                return Err(no_operator());
            }
            Decimal128(precision.clamp(scale as u16, 38) as u8, scale)
        }
        BinaryOp::Modulo => {
            let scale = s1.max(s2);
            let digits = (p1 as i16 - s1 as i16).max(p2 as i16 - s2 as i16);
            Decimal128((digits + scale as i16).min(38) as u8, scale)
        }
        _ => return Err(no_operator()),
    };
    Ok(ArithmeticSignature {
        left: left_type,
        right: right_type,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arithmetic_follows_duckdb() {
        let d15_2 = DataType::Decimal128(15, 2);
        let minus = arithmetic_signature(BinaryOp::Minus, &DataType::Int32, &d15_2).unwrap();
        assert_eq!(minus.result, DataType::Decimal128(16, 2));
        let product =
            arithmetic_signature(BinaryOp::Multiply, &d15_2, &DataType::Decimal128(16, 2)).unwrap();
        assert_eq!(product.result, DataType::Decimal128(18, 4));
        let ratio = arithmetic_signature(BinaryOp::Divide, &d15_2, &d15_2).unwrap();
        assert_eq!(ratio.result, DataType::Float64);
    }

    #[test]
    fn common_type_of_integer_and_decimal_keeps_both_ranges() {
        assert_eq!(
            common_type(&DataType::Int32, &DataType::Decimal128(15, 2)),
            Some(DataType::Decimal128(15, 2))
        );
        assert_eq!(
            common_type(&DataType::Int64, &DataType::Decimal128(3, 2)),
            Some(DataType::Decimal128(21, 2))
        );
    }

    #[test]
    fn string_and_number_have_no_operator() {
        let error = arithmetic_signature(BinaryOp::Plus, &DataType::Utf8, &DataType::Int32)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("VARCHAR") && error.contains("INTEGER"),
            "{error}"
        );
    }

    #[test]
    fn null_op_null_is_a_bigint_not_a_stack_overflow() {
        let sum = arithmetic_signature(BinaryOp::Plus, &DataType::Null, &DataType::Null).unwrap();
        assert_eq!(sum.result, DataType::Int64);
        let ratio =
            arithmetic_signature(BinaryOp::Divide, &DataType::Null, &DataType::Null).unwrap();
        assert_eq!(ratio.result, DataType::Float64);
    }

    #[test]
    fn float_is_four_bytes_and_stays_float_in_arithmetic() {
        let float = ast::DataType::Float(ExactNumberInfo::None);
        assert_eq!(arrow_type(&float).unwrap(), DataType::Float32);
        assert_eq!(arrow_type(&ast::DataType::Real).unwrap(), DataType::Float32);
        let ratio =
            arithmetic_signature(BinaryOp::Divide, &DataType::Float32, &DataType::Int32).unwrap();
        assert_eq!(ratio.result, DataType::Float32);
        let sum =
            arithmetic_signature(BinaryOp::Plus, &DataType::Float32, &DataType::Int64).unwrap();
        assert_eq!(sum.result, DataType::Float32);
        let mixed =
            arithmetic_signature(BinaryOp::Plus, &DataType::Float32, &DataType::Float64).unwrap();
        assert_eq!(mixed.result, DataType::Float64);
        assert_eq!(
            common_type(&DataType::Float32, &DataType::Decimal128(2, 1)),
            Some(DataType::Float32)
        );
    }

    #[test]
    fn integer_division_of_non_integers_is_a_float_division() {
        let decimal = DataType::Decimal128(2, 1);
        let divide =
            arithmetic_signature(BinaryOp::IntegerDivide, &DataType::Int32, &decimal).unwrap();
        assert_eq!(divide.left, DataType::Float64);
        assert_eq!(divide.result, DataType::Float64);
        let integers =
            arithmetic_signature(BinaryOp::IntegerDivide, &DataType::Int32, &DataType::Int64)
                .unwrap();
        assert_eq!(integers.result, DataType::Int64);
    }
}
