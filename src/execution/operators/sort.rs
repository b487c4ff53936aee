//! SortExec: buffers its input partition, sorts by the keys with Arrow's
//! lexicographic sort, and emits `fetch` rows at most (TopK when set).

use crate::error::Result;
use crate::execution::expressions::PhysicalExpr;
use crate::execution::operators::slice_stream;
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use arrow::compute::{
    concat_batches, lexsort_to_indices, take_record_batch, SortColumn, SortOptions,
};
use arrow::record_batch::RecordBatch;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct SortKeyExpr {
    pub expr: PhysicalExpr,
    pub options: SortOptions,
}

#[derive(Debug)]
pub struct SortExec {
    pub input: Arc<PhysicalPlan>,
    pub keys: Vec<SortKeyExpr>,
    pub fetch: Option<usize>,
}

impl SortExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let schema = self.input.schema();
        let mut reservation = ctx.reserve("Sort");
        let mut batches = vec![];
        let mut tally = crate::execution::memory::BufferTally::default();
        for batch in self.input.execute(partition, ctx)? {
            let batch = batch?;
            reservation.try_grow(tally.add(&batch))?;
            batches.push(batch);
        }
        let batch = concat_batches(&schema, &batches)?;
        drop(batches);
        if batch.num_rows() == 0 {
            return Ok(Box::new(std::iter::empty()));
        }
        let columns = self
            .keys
            .iter()
            .map(|key| {
                Ok(SortColumn {
                    values: key.expr.evaluate_to_array(&batch)?,
                    options: Some(key.options),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let indices = lexsort_to_indices(&columns, self.fetch)?;
        let sorted: RecordBatch = take_record_batch(&batch, &indices)?;
        Ok(slice_stream(sorted, ctx.batch_size))
    }

    pub fn describe(&self) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                format!(
                    "{} {} {}",
                    k.expr,
                    if k.options.descending { "DESC" } else { "ASC" },
                    if k.options.nulls_first {
                        "NULLS FIRST"
                    } else {
                        "NULLS LAST"
                    }
                )
            })
            .collect();
        match self.fetch {
            Some(fetch) => format!(
                "TakeOrderedAndProject(limit={fetch}, orderBy=[{}])",
                keys.join(", ")
            ),
            None => format!("Sort [{}]", keys.join(", ")),
        }
    }
}
