//! CASE, IN lists, COALESCE, GREATEST and LEAST.

use super::{as_boolean, equals, true_mask, wrap, ColumnarValue, PhysicalExpr};
use crate::error::{QuarryError, Result};
use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BooleanArray, RecordBatch, UInt32Array,
};
use arrow::compute::kernels::{boolean, cmp, zip::zip};
use arrow::compute::{cast, filter, filter_record_batch, interleave};
use arrow::datatypes::{DataType, UInt32Type};
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
/// Each WHEN sees only the rows no earlier WHEN took, each THEN only the rows
/// its WHEN took and ELSE only the rest, so a branch never fails on a row it
/// does not produce: `CASE WHEN s IN ('1', '2') THEN CAST(s AS INTEGER) END`.
/// The branch results are stitched back into row order with `interleave`.
pub fn evaluate_case(
    when_then: &[(PhysicalExpr, PhysicalExpr)],
    else_expr: Option<&PhysicalExpr>,
    data_type: &DataType,
    batch: &RecordBatch,
) -> Result<ColumnarValue> {
    let rows = batch.num_rows();
    // The rows no WHEN has taken yet, and their positions in `batch`.
    let mut remaining = batch.clone();
    let mut positions = UInt32Array::from_iter_values(0..rows as u32);
    let mut branches = CaseBranches::new(rows, data_type);
    for (when, then) in when_then {
        if remaining.num_rows() == 0 {
            break;
        }
        let condition = when.evaluate_to_array(&remaining)?;
        let matched = true_mask(as_boolean(&condition)?);
        let taken = matched.true_count();
        if taken == 0 {
            continue;
        }
        if taken == remaining.num_rows() {
            branches.push(then.evaluate_to_array(&remaining)?, &positions)?;
            positions = positions.slice(0, 0);
            remaining = remaining.slice(0, 0);
            break;
        }
        let matched_batch = filter_record_batch(&remaining, &matched)?;
        let matched_positions = filter(&positions, &matched)?;
        branches.push(
            then.evaluate_to_array(&matched_batch)?,
            matched_positions.as_primitive::<UInt32Type>(),
        )?;
        let unmatched = boolean::not(&matched)?;
        remaining = filter_record_batch(&remaining, &unmatched)?;
        positions = filter(&positions, &unmatched)?
            .as_primitive::<UInt32Type>()
            .clone();
    }
    if remaining.num_rows() > 0 {
        let values = match else_expr {
            Some(else_expr) => else_expr.evaluate_to_array(&remaining)?,
            None => new_null_array(data_type, remaining.num_rows()),
        };
        branches.push(values, &positions)?;
    }
    Ok(ColumnarValue::Array(branches.finish()?))
}

/// The results of the CASE branches that produced rows, each over its own
/// rows only, and for every output row the branch and offset it comes from.
struct CaseBranches<'a> {
    data_type: &'a DataType,
    values: Vec<ArrayRef>,
    sources: Vec<(usize, usize)>,
}

impl<'a> CaseBranches<'a> {
    fn new(rows: usize, data_type: &'a DataType) -> Self {
        Self {
            data_type,
            values: vec![],
            sources: vec![(0, 0); rows],
        }
    }

    /// Records `values`, the results for the rows at `positions`.
    fn push(&mut self, values: ArrayRef, positions: &UInt32Array) -> Result<()> {
        if values.len() != positions.len() {
            return Err(QuarryError::Internal(format!(
                "a CASE branch gave {} values for {} rows",
                values.len(),
                positions.len()
            )));
        }
        let branch = self.values.len();
        for (offset, position) in positions.values().iter().enumerate() {
            if let Some(source) = self.sources.get_mut(*position as usize) {
                *source = (branch, offset);
            }
        }
        let values = if values.data_type() == self.data_type {
            values
        } else {
            cast(&values, self.data_type)?
        };
        self.values.push(values);
        Ok(())
    }

    /// The CASE result in row order.
    fn finish(self) -> Result<ArrayRef> {
        match self.values.as_slice() {
            [] => Ok(new_null_array(self.data_type, self.sources.len())),
            // One branch took every row, in order.
            [only] => Ok(only.clone()),
            values => {
                let values: Vec<&dyn Array> = values.iter().map(|v| v.as_ref()).collect();
                Ok(interleave(&values, &self.sources)?)
            }
        }
    }
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

/// `subquery_single_row(rows, value)`: `value`, or the error DuckDB gives
/// when a scalar subquery yielded more than one row for some outer row.
pub fn subquery_single_row(arrays: &[ArrayRef]) -> Result<ArrayRef> {
    let [rows, value] = arrays else {
        return Err(QuarryError::Internal(
            "subquery_single_row takes (rows, value)".into(),
        ));
    };
    let rows = cast(rows, &DataType::Int64)?;
    let rows = rows
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .ok_or_else(|| QuarryError::Internal("subquery_single_row: rows not BIGINT".into()))?;
    if rows.iter().any(|n| n.is_some_and(|n| n > 1)) {
        return Err(QuarryError::Execution(
            "Invalid Input Error: More than one row returned by a subquery used as an expression - scalar subqueries can only return a single row.\n\nUse \"SET scalar_subquery_error_on_multiple_rows=false\" to revert to previous behavior of returning a random row.".into(),
        ));
    }
    Ok(value.clone())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logical::ScalarValue;
    use arrow::array::{Int32Array, StringArray};
    use arrow::datatypes::{Field, Int32Type, Schema};

    fn literal(value: &str) -> PhysicalExpr {
        PhysicalExpr::Literal(ScalarValue::utf8(value))
    }

    fn int(value: i32) -> PhysicalExpr {
        let array: ArrayRef = Arc::new(Int32Array::from(vec![value]));
        PhysicalExpr::Literal(ScalarValue::try_new(array).unwrap())
    }

    fn strings(values: Vec<Option<&str>>) -> RecordBatch {
        let schema = Schema::new(vec![Field::new("s", DataType::Utf8, true)]);
        let column: ArrayRef = Arc::new(StringArray::from(values));
        RecordBatch::try_new(Arc::new(schema), vec![column]).unwrap()
    }

    fn column() -> Box<PhysicalExpr> {
        Box::new(PhysicalExpr::Column {
            index: 0,
            name: "s".into(),
        })
    }

    fn evaluate(case: &PhysicalExpr, batch: &RecordBatch) -> Vec<Option<i32>> {
        let result = case.evaluate_to_array(batch).unwrap();
        result.as_primitive::<Int32Type>().iter().collect()
    }

    /// `CASE WHEN s IN ('1', '2') THEN CAST(s AS INTEGER) WHEN s = 'x' THEN 0 ELSE -1 END`
    fn guarded_cast() -> PhysicalExpr {
        PhysicalExpr::Case {
            when_then: vec![
                (
                    PhysicalExpr::InList {
                        expr: column(),
                        list: vec![literal("1"), literal("2")],
                        negated: false,
                    },
                    PhysicalExpr::Cast {
                        expr: column(),
                        data_type: DataType::Int32,
                    },
                ),
                (
                    PhysicalExpr::Binary {
                        left: column(),
                        op: crate::logical::BinaryOp::Eq,
                        right: Box::new(literal("x")),
                        data_type: DataType::Boolean,
                    },
                    int(0),
                ),
            ],
            else_expr: Some(Box::new(int(-1))),
            data_type: DataType::Int32,
        }
    }

    #[test]
    fn case_evaluates_each_branch_only_on_its_own_rows() {
        let batch = strings(vec![Some("1"), Some("x"), Some("y"), None, Some("2")]);
        assert_eq!(
            evaluate(&guarded_cast(), &batch),
            vec![Some(1), Some(0), Some(-1), Some(-1), Some(2)]
        );
    }

    #[test]
    fn case_without_else_is_null_where_nothing_matches() {
        let PhysicalExpr::Case {
            when_then,
            data_type,
            ..
        } = guarded_cast()
        else {
            unreachable!()
        };
        let case = PhysicalExpr::Case {
            when_then,
            else_expr: None,
            data_type,
        };
        let batch = strings(vec![Some("y"), Some("2"), Some("x")]);
        assert_eq!(evaluate(&case, &batch), vec![None, Some(2), Some(0)]);
        let everything_matches = strings(vec![Some("1"), Some("2")]);
        assert_eq!(evaluate(&case, &everything_matches), vec![Some(1), Some(2)]);
        assert_eq!(evaluate(&case, &strings(vec![])), vec![]);
    }
}
