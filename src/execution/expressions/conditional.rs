//! CASE, IN lists, COALESCE, GREATEST and LEAST.

use super::{as_boolean, equals, true_mask, wrap, ColumnarValue, PhysicalExpr};
use crate::error::Result;
use arrow::array::{new_null_array, ArrayRef, BooleanArray, RecordBatch};
use arrow::compute::kernels::{boolean, cmp, zip::zip};
use arrow::datatypes::DataType;
use std::sync::Arc;

/// `x IN (a, b)` is `x = a OR x = b` under Kleene logic, so a NULL in the
/// list makes a non-match NULL, as SQL requires.
pub fn evaluate_in_list(
    expr: &PhysicalExpr,
    list: &[PhysicalExpr],
    negated: bool,
    batch: &RecordBatch,
) -> Result<ColumnarValue> {
    let value = expr.evaluate(batch)?;
    let mut result: Option<BooleanArray> = None;
    let mut all_scalar = matches!(value, ColumnarValue::Scalar(_));
    for item in list {
        let item = item.evaluate(batch)?;
        all_scalar &= matches!(item, ColumnarValue::Scalar(_));
        let matched = equals(&value, &item)?;
        result = Some(match result {
            None => matched,
            Some(previous) => {
                if previous.len() != matched.len() {
                    let rows = batch.num_rows();
                    let previous = expand_bool(previous, rows)?;
                    let matched = expand_bool(matched, rows)?;
                    boolean::or_kleene(&previous, &matched)?
                } else {
                    boolean::or_kleene(&previous, &matched)?
                }
            }
        });
    }
    let result = match result {
        Some(result) => result,
        None => BooleanArray::from(vec![false; batch.num_rows()]),
    };
    let result = if negated {
        boolean::not(&result)?
    } else {
        result
    };
    wrap(Arc::new(result), all_scalar)
}

fn expand_bool(array: BooleanArray, rows: usize) -> Result<BooleanArray> {
    if array.len() == rows {
        return Ok(array);
    }
    let value = crate::logical::ScalarValue::from_array(&array, 0).to_array(rows)?;
    Ok(as_boolean(&value)?.clone())
}

/// Searched CASE, first matching branch wins; a NULL condition does not match.
pub fn evaluate_case(
    when_then: &[(PhysicalExpr, PhysicalExpr)],
    else_expr: Option<&PhysicalExpr>,
    data_type: &DataType,
    batch: &RecordBatch,
) -> Result<ColumnarValue> {
    let rows = batch.num_rows();
    let mut result: ArrayRef = match else_expr {
        Some(else_expr) => else_expr.evaluate_to_array(batch)?,
        None => new_null_array(data_type, rows),
    };
    for (when, then) in when_then.iter().rev() {
        let condition = when.evaluate_to_array(batch)?;
        let condition = true_mask(as_boolean(&condition)?);
        let then = then.evaluate_to_array(batch)?;
        result = zip(&condition, &then, &result)?;
    }
    Ok(ColumnarValue::Array(result))
}

/// The first non-NULL argument.
pub fn coalesce(arrays: &[ArrayRef]) -> Result<ArrayRef> {
    let mut iter = arrays.iter().rev();
    let Some(last) = iter.next() else {
        return Ok(new_null_array(&DataType::Null, 0));
    };
    let mut result = last.clone();
    for array in iter {
        let present = boolean::is_not_null(array)?;
        result = zip(&present, array, &result)?;
    }
    Ok(result)
}

/// The largest (or smallest) non-NULL argument, NULL only if all are NULL.
pub fn greatest_or_least(arrays: &[ArrayRef], greatest: bool) -> Result<ArrayRef> {
    let Some(first) = arrays.first() else {
        return Ok(new_null_array(&DataType::Null, 0));
    };
    let mut result = first.clone();
    for array in &arrays[1..] {
        let better = if greatest {
            cmp::gt(array, &result)?
        } else {
            cmp::lt(array, &result)?
        };
        // Take the candidate where it wins, or where the current value is NULL.
        let better = true_mask(&better);
        let current_missing = boolean::is_null(&result)?;
        let take = boolean::or(&better, &current_missing)?;
        result = zip(&take, array, &result)?;
    }
    Ok(result)
}
