//! WindowExec: buffers its single input partition, and for each distinct
//! (PARTITION BY, ORDER BY) specification sorts the rows by partition then
//! order keys, finds partitions and peer groups with Arrow's `partition`
//! kernel (NULL keys compare equal, so they form their own partition) and
//! computes the calls of that specification. Emits the input columns, in the
//! order of the last sort, then one column per call.

use super::window_frame::{frame_ranges, RangeKey, RowBounds};
use super::window_functions::{evaluate, WindowInput};
use crate::error::{QuarryError, Result};
use crate::execution::expressions::PhysicalExpr;
use crate::execution::operators::{slice_stream, SortKeyExpr};
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use crate::logical::{AggregateParameter, WindowFrame, WindowFunction};
use arrow::array::{ArrayRef, AsArray};
use arrow::compute::{
    concat_batches, lexsort_to_indices, partition, take, take_record_batch, SortColumn, SortOptions,
};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// One window call as the operator runs it.
#[derive(Debug, Clone)]
pub struct WindowCall {
    pub func: WindowFunction,
    pub args: Vec<PhysicalExpr>,
    /// The constant argument of an aggregate (a quantile, a separator).
    pub parameter: Option<AggregateParameter>,
    pub filter: Option<PhysicalExpr>,
    pub partition_by: Vec<PhysicalExpr>,
    pub order_by: Vec<SortKeyExpr>,
    pub frame: WindowFrame,
    pub result_type: DataType,
    pub display: String,
}

impl WindowCall {
    /// Calls with equal specifications share one sort.
    fn specification(&self) -> String {
        format!("{:?} {:?}", self.partition_by, self.order_by)
    }
}

#[derive(Debug)]
pub struct WindowExec {
    pub input: Arc<PhysicalPlan>,
    pub calls: Vec<WindowCall>,
    pub schema: SchemaRef,
}

impl WindowExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let input_schema = self.input.schema();
        let mut reservation = ctx.reserve("Window");
        let mut batches = vec![];
        let mut tally = crate::execution::memory::BufferTally::default();
        for batch in self.input.execute(partition, ctx)? {
            let batch = batch?;
            reservation.try_grow(tally.add(&batch))?;
            batches.push(batch);
        }
        let mut batch = concat_batches(&input_schema, &batches)?;
        drop(batches);
        if batch.num_rows() == 0 {
            return Ok(Box::new(std::iter::empty()));
        }
        let mut results: Vec<Option<ArrayRef>> = vec![None; self.calls.len()];
        let mut done = vec![false; self.calls.len()];
        for first in 0..self.calls.len() {
            if done[first] {
                continue;
            }
            let specification = self.calls[first].specification();
            let group: Vec<usize> = (first..self.calls.len())
                .filter(|&i| !done[i] && self.calls[i].specification() == specification)
                .collect();
            let call = &self.calls[first];
            let (sorted, bounds, order_keys) = sort_for(call, &batch)?;
            if let Some(indices) = &sorted {
                batch = take_record_batch(&batch, indices)?;
                for result in results.iter_mut().flatten() {
                    *result = take(result, indices, None)?;
                }
            }
            for index in group {
                done[index] = true;
                results[index] =
                    Some(self.evaluate_call(&self.calls[index], &batch, &bounds, &order_keys)?);
            }
            reservation.try_grow(
                results
                    .iter()
                    .flatten()
                    .map(|a| a.get_array_memory_size())
                    .sum::<usize>(),
            )?;
        }
        let mut columns = batch.columns().to_vec();
        for result in results {
            columns.push(
                result.ok_or_else(|| QuarryError::Internal("window call not computed".into()))?,
            );
        }
        let output = RecordBatch::try_new(self.schema.clone(), columns)?;
        Ok(slice_stream(output, ctx.batch_size))
    }

    fn evaluate_call(
        &self,
        call: &WindowCall,
        batch: &RecordBatch,
        bounds: &RowBounds,
        order_keys: &[ArrayRef],
    ) -> Result<ArrayRef> {
        let args = call
            .args
            .iter()
            .map(|a| a.evaluate_to_array(batch))
            .collect::<Result<Vec<_>>>()?;
        let filter = call
            .filter
            .as_ref()
            .map(|f| f.evaluate_to_array(batch))
            .transpose()?;
        let filter = filter.as_ref().map(|f| f.as_boolean());
        let (starts, ends) = if call.func.uses_frame() {
            let range_key = match (order_keys, call.order_by.as_slice()) {
                ([values], [key]) => Some(RangeKey {
                    values,
                    descending: key.options.descending,
                }),
                _ => None,
            };
            frame_ranges(&call.frame, bounds, range_key)?
        } else {
            (vec![], vec![])
        };
        evaluate(&WindowInput {
            func: call.func,
            args: &args,
            parameter: call.parameter.as_ref(),
            filter,
            result_type: &call.result_type,
            bounds,
            frame: (&starts, &ends),
        })
    }

    pub fn describe(&self) -> String {
        let calls: Vec<&str> = self.calls.iter().map(|c| c.display.as_str()).collect();
        format!("Window [{}]", calls.join(", "))
    }
}

/// The sort permutation for a call's specification (`None` when it has no
/// keys), the partition and peer bounds of the sorted rows, and its order keys
/// after sorting.
fn sort_for(
    call: &WindowCall,
    batch: &RecordBatch,
) -> Result<(Option<arrow::array::UInt32Array>, RowBounds, Vec<ArrayRef>)> {
    let mut sort_columns = vec![];
    for expr in &call.partition_by {
        sort_columns.push(SortColumn {
            values: expr.evaluate_key(batch)?,
            options: Some(SortOptions::default()),
        });
    }
    for key in &call.order_by {
        sort_columns.push(SortColumn {
            values: key.expr.evaluate_to_array(batch)?,
            options: Some(key.options),
        });
    }
    let indices = if sort_columns.is_empty() {
        None
    } else {
        let indices = lexsort_to_indices(&sort_columns, None)?;
        for column in sort_columns.iter_mut() {
            column.values = take(&column.values, &indices, None)?;
        }
        Some(indices)
    };
    let keys: Vec<ArrayRef> = sort_columns.into_iter().map(|c| c.values).collect();
    let rows = batch.num_rows();
    let ranges = |keys: &[ArrayRef]| -> Result<Vec<std::ops::Range<usize>>> {
        if keys.is_empty() {
            return Ok(std::iter::once(0..rows).collect());
        }
        Ok(partition(keys)?.ranges())
    };
    let partition_count = call.partition_by.len();
    let bounds = RowBounds::from_ranges(&ranges(&keys[..partition_count])?, &ranges(&keys)?);
    Ok((indices, bounds, keys[partition_count..].to_vec()))
}
