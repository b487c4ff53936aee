//! Physical expressions: logical expressions with columns resolved to input
//! positions, evaluated on whole record batches with Arrow compute kernels.
//! A constant subexpression stays a one-row scalar until an array is needed.

mod arithmetic_error;
mod binary;
pub(crate) mod cast;
mod conditional;
mod decimal;
pub(crate) mod float_text;

use crate::error::{QuarryError, Result};
use crate::execution::functions::scalar;
use crate::logical::{BinaryOp, ScalarValue};
use arrow::array::{Array, ArrayRef, BooleanArray, Datum, RecordBatch, Scalar};
use arrow::compute::kernels::{boolean, cmp, comparison, numeric};
use arrow::datatypes::DataType;

/// The result of evaluating an expression: a column, or one value for all rows.
#[derive(Debug, Clone)]
pub enum ColumnarValue {
    Array(ArrayRef),
    Scalar(ScalarValue),
}

impl ColumnarValue {
    /// As an array of `len` rows.
    pub fn into_array(self, len: usize) -> Result<ArrayRef> {
        match self {
            ColumnarValue::Array(array) => Ok(array),
            ColumnarValue::Scalar(value) => value.to_array(len),
        }
    }

    pub fn data_type(&self) -> DataType {
        match self {
            ColumnarValue::Array(array) => array.data_type().clone(),
            ColumnarValue::Scalar(value) => value.data_type().clone(),
        }
    }

    /// A `Datum` for Arrow kernels that accept a scalar on either side.
    pub fn datum(&self) -> Box<dyn Datum + '_> {
        match self {
            ColumnarValue::Array(array) => Box::new(array.clone()),
            ColumnarValue::Scalar(value) => Box::new(Scalar::new(value.as_array().clone())),
        }
    }

    fn is_scalar(&self) -> bool {
        matches!(self, ColumnarValue::Scalar(_))
    }
}

/// Wraps a kernel result: one row from two scalars is a scalar again.
fn wrap(array: ArrayRef, scalar_inputs: bool) -> Result<ColumnarValue> {
    if scalar_inputs && array.len() == 1 {
        return Ok(ColumnarValue::Scalar(ScalarValue::try_new(array)?));
    }
    Ok(ColumnarValue::Array(array))
}

/// A resolved expression over the columns of an input batch.
#[derive(Debug, Clone)]
pub enum PhysicalExpr {
    Column {
        index: usize,
        name: String,
    },
    Literal(ScalarValue),
    Binary {
        left: Box<PhysicalExpr>,
        op: BinaryOp,
        right: Box<PhysicalExpr>,
        data_type: DataType,
    },
    Not(Box<PhysicalExpr>),
    Negative(Box<PhysicalExpr>),
    IsNull(Box<PhysicalExpr>),
    IsNotNull(Box<PhysicalExpr>),
    Like {
        negated: bool,
        case_insensitive: bool,
        expr: Box<PhysicalExpr>,
        pattern: Box<PhysicalExpr>,
    },
    InList {
        expr: Box<PhysicalExpr>,
        list: Vec<PhysicalExpr>,
        negated: bool,
    },
    Case {
        when_then: Vec<(PhysicalExpr, PhysicalExpr)>,
        else_expr: Option<Box<PhysicalExpr>>,
        data_type: DataType,
    },
    Cast {
        expr: Box<PhysicalExpr>,
        data_type: DataType,
    },
    ScalarFunction {
        name: String,
        args: Vec<PhysicalExpr>,
        data_type: DataType,
    },
}

impl PhysicalExpr {
    pub fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        match self {
            PhysicalExpr::Column { index, name } => match batch.columns().get(*index) {
                Some(column) => Ok(ColumnarValue::Array(column.clone())),
                None => Err(QuarryError::Internal(format!(
                    "column {name} at position {index} is outside a batch of {} columns",
                    batch.num_columns()
                ))),
            },
            PhysicalExpr::Literal(value) => Ok(ColumnarValue::Scalar(value.clone())),
            PhysicalExpr::Binary {
                left,
                op,
                right,
                data_type,
            } => {
                let left = left.evaluate(batch)?;
                let right = right.evaluate(batch)?;
                binary::evaluate_binary(left, *op, right, data_type, batch.num_rows(), self)
            }
            PhysicalExpr::Not(expr) => {
                let value = expr.evaluate(batch)?;
                let scalar = value.is_scalar();
                let array = value.into_array(batch.num_rows())?;
                let result = boolean::not(as_boolean(&array)?)?;
                wrap(std::sync::Arc::new(result), scalar)
            }
            PhysicalExpr::Negative(expr) => {
                let value = expr.evaluate(batch)?;
                let scalar = value.is_scalar();
                let array = value.into_array(batch.num_rows())?;
                // A NULL literal has no sign to flip: `-NULL` is NULL.
                if array.data_type() == &DataType::Null {
                    return wrap(array, scalar);
                }
                let negated = numeric::neg(&array)
                    .map_err(|error| arithmetic_error::negation(&array, error))?;
                wrap(negated, scalar)
            }
            PhysicalExpr::IsNull(expr) | PhysicalExpr::IsNotNull(expr) => {
                let value = expr.evaluate(batch)?;
                let scalar = value.is_scalar();
                let array = value.into_array(batch.num_rows())?;
                let result = if matches!(self, PhysicalExpr::IsNull(_)) {
                    boolean::is_null(&array)?
                } else {
                    boolean::is_not_null(&array)?
                };
                wrap(std::sync::Arc::new(result), scalar)
            }
            PhysicalExpr::Like {
                negated,
                case_insensitive,
                expr,
                pattern,
            } => {
                let value = expr.evaluate(batch)?;
                let pattern = pattern.evaluate(batch)?;
                let scalar = value.is_scalar() && pattern.is_scalar();
                let (left, right) = (value.datum(), pattern.datum());
                let result = match (negated, case_insensitive) {
                    (false, false) => comparison::like(left.as_ref(), right.as_ref())?,
                    (true, false) => comparison::nlike(left.as_ref(), right.as_ref())?,
                    (false, true) => comparison::ilike(left.as_ref(), right.as_ref())?,
                    (true, true) => comparison::nilike(left.as_ref(), right.as_ref())?,
                };
                wrap(std::sync::Arc::new(result), scalar)
            }
            PhysicalExpr::InList {
                expr,
                list,
                negated,
            } => conditional::evaluate_in_list(expr, list, *negated, batch),
            PhysicalExpr::Case {
                when_then,
                else_expr,
                data_type,
            } => conditional::evaluate_case(when_then, else_expr.as_deref(), data_type, batch),
            PhysicalExpr::Cast { expr, data_type } => match expr.evaluate(batch)? {
                ColumnarValue::Scalar(value) => Ok(ColumnarValue::Scalar(ScalarValue::try_new(
                    cast::cast_array(value.as_array(), data_type)?,
                )?)),
                ColumnarValue::Array(array) => {
                    Ok(ColumnarValue::Array(cast::cast_array(&array, data_type)?))
                }
            },
            PhysicalExpr::ScalarFunction {
                name,
                args,
                data_type,
            } => {
                let values = args
                    .iter()
                    .map(|arg| arg.evaluate(batch))
                    .collect::<Result<Vec<_>>>()?;
                let all_scalar = values.iter().all(ColumnarValue::is_scalar) && !args.is_empty();
                let rows = if all_scalar { 1 } else { batch.num_rows() };
                let arrays = values
                    .into_iter()
                    .map(|v| v.into_array(rows))
                    .collect::<Result<Vec<_>>>()?;
                let result = match name.as_str() {
                    "coalesce" => conditional::coalesce(&arrays)?,
                    "greatest" => conditional::greatest_or_least(&arrays, true)?,
                    "least" => conditional::greatest_or_least(&arrays, false)?,
                    "subquery_single_row" => conditional::subquery_single_row(&arrays)?,
                    // TRY_CAST(x AS t): the call's type is the target.
                    "try_cast" => match arrays.first() {
                        Some(array) => cast::try_cast_array(array, data_type)?,
                        None => return crate::internal_err!("try_cast without an argument"),
                    },
                    _ => scalar::evaluate(name, &arrays, rows)?,
                };
                let result = if result.data_type() != data_type {
                    arrow::compute::cast(&result, data_type)?
                } else {
                    result
                };
                wrap(result, all_scalar)
            }
        }
    }

    /// Evaluates to an array of exactly `batch.num_rows()` rows.
    pub fn evaluate_to_array(&self, batch: &RecordBatch) -> Result<ArrayRef> {
        self.evaluate(batch)?.into_array(batch.num_rows())
    }

    /// Evaluates a key that rows are hashed, grouped or matched on: as
    /// `evaluate_to_array`, with float -0.0 made 0.0 (they are equal in SQL).
    pub fn evaluate_key(&self, batch: &RecordBatch) -> Result<ArrayRef> {
        let value = binary::positive_zero(self.evaluate(batch)?)?;
        value.into_array(batch.num_rows())
    }
}

/// The mask that is true exactly where `mask` is true (NULL becomes false).
pub fn true_mask(mask: &BooleanArray) -> BooleanArray {
    if mask.null_count() == 0 {
        return mask.clone();
    }
    arrow::compute::prep_null_mask_filter(mask)
}

pub(crate) fn as_boolean(array: &ArrayRef) -> Result<&BooleanArray> {
    array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| {
            QuarryError::Internal(format!("expected BOOLEAN, got {}", array.data_type()))
        })
}

/// `left = right` with SQL NULL semantics, used by IN lists.
pub(crate) fn equals(left: &ColumnarValue, right: &ColumnarValue) -> Result<BooleanArray> {
    let left = binary::positive_zero(left.clone())?;
    let right = binary::positive_zero(right.clone())?;
    let result = cmp::eq(left.datum().as_ref(), right.datum().as_ref())?;
    Ok(result)
}

impl std::fmt::Display for PhysicalExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[PhysicalExpr]| {
            items
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            PhysicalExpr::Column { name, .. } => write!(f, "{name}"),
            PhysicalExpr::Literal(value) => match value.as_str() {
                Some(text) => write!(f, "'{}'", text.replace('\'', "''")),
                None => write!(f, "{value}"),
            },
            PhysicalExpr::Binary {
                left, op, right, ..
            } => write!(f, "({left} {op} {right})"),
            PhysicalExpr::Not(e) => write!(f, "NOT {e}"),
            PhysicalExpr::Negative(e) => write!(f, "(- {e})"),
            PhysicalExpr::IsNull(e) => write!(f, "{e} IS NULL"),
            PhysicalExpr::IsNotNull(e) => write!(f, "{e} IS NOT NULL"),
            PhysicalExpr::Like {
                negated,
                case_insensitive,
                expr,
                pattern,
            } => write!(
                f,
                "{expr} {}{} {pattern}",
                if *negated { "NOT " } else { "" },
                if *case_insensitive { "ILIKE" } else { "LIKE" }
            ),
            PhysicalExpr::InList {
                expr,
                list: items,
                negated,
            } => write!(
                f,
                "{expr} {}IN ({})",
                if *negated { "NOT " } else { "" },
                list(items)
            ),
            PhysicalExpr::Case {
                when_then,
                else_expr,
                ..
            } => {
                write!(f, "CASE")?;
                for (when, then) in when_then {
                    write!(f, " WHEN {when} THEN {then}")?;
                }
                if let Some(e) = else_expr {
                    write!(f, " ELSE {e}")?;
                }
                write!(f, " END")
            }
            PhysicalExpr::Cast { expr, data_type } => write!(
                f,
                "CAST({expr} AS {})",
                crate::binder::types::sql_type_name(data_type)
            ),
            PhysicalExpr::ScalarFunction { name, args, .. } => write!(f, "{name}({})", list(args)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{AsArray, Decimal128Array, Int32Array};
    use arrow::datatypes::{Field, Int32Type, Schema};
    use std::sync::Arc;

    fn empty_batch(rows: usize) -> RecordBatch {
        let options = arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options).unwrap()
    }

    #[test]
    fn negating_null_is_null() {
        let negated = PhysicalExpr::Negative(Box::new(PhysicalExpr::Literal(ScalarValue::null(
            &DataType::Null,
        ))));
        let value = negated.evaluate(&empty_batch(1)).unwrap();
        let ColumnarValue::Scalar(value) = value else {
            panic!("expected a scalar, got {value:?}");
        };
        // A NullArray has no validity buffer, so ask for logical nulls.
        assert_eq!(value.as_array().logical_null_count(), 1);
    }

    #[test]
    fn negation_overflow_names_the_value() {
        let schema = Schema::new(vec![Field::new("a", DataType::Int32, false)]);
        let column: ArrayRef = Arc::new(Int32Array::from(vec![1, i32::MIN]));
        let batch = RecordBatch::try_new(Arc::new(schema), vec![column]).unwrap();
        let negated = PhysicalExpr::Negative(Box::new(PhysicalExpr::Column {
            index: 0,
            name: "a".into(),
        }));
        let error = negated.evaluate(&batch).unwrap_err().to_string();
        assert!(
            error.ends_with("Overflow in negation of INTEGER (-(-2147483648))!"),
            "{error}"
        );
    }

    #[test]
    fn cast_of_decimals_to_integers_rounds() {
        let decimals = Decimal128Array::from(vec![37, -35, 25])
            .with_precision_and_scale(2, 1)
            .unwrap();
        let schema = Schema::new(vec![Field::new("d", decimals.data_type().clone(), false)]);
        let batch = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(decimals)]).unwrap();
        let cast = PhysicalExpr::Cast {
            expr: Box::new(PhysicalExpr::Column {
                index: 0,
                name: "d".into(),
            }),
            data_type: DataType::Int32,
        };
        let result = cast.evaluate_to_array(&batch).unwrap();
        let values: Vec<i32> = result.as_primitive::<Int32Type>().values().to_vec();
        assert_eq!(values, vec![4, -4, 3]);
        let scalar = PhysicalExpr::Cast {
            expr: Box::new(PhysicalExpr::Literal(ScalarValue::from_array(
                batch.column(0).as_ref(),
                1,
            ))),
            data_type: DataType::Int64,
        };
        let ColumnarValue::Scalar(value) = scalar.evaluate(&batch).unwrap() else {
            panic!("a cast of a literal stays a scalar");
        };
        assert_eq!(value.as_i64(), Some(-4));
    }
}
