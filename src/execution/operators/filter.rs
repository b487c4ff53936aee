//! FilterExec: keeps the rows where the predicate is true (NULL drops the row).

use crate::error::{QuarryError, Result};
use crate::execution::expressions::PhysicalExpr;
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use arrow::array::BooleanArray;
use arrow::compute::filter_record_batch;
use std::sync::Arc;

#[derive(Debug)]
pub struct FilterExec {
    pub input: Arc<PhysicalPlan>,
    pub predicate: PhysicalExpr,
}

impl FilterExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let input = self.input.execute(partition, ctx)?;
        let predicate = self.predicate.clone();
        Ok(Box::new(
            input
                .map(move |batch| {
                    let batch = batch?;
                    let mask = predicate.evaluate_to_array(&batch)?;
                    let mask = mask
                        .as_any()
                        .downcast_ref::<BooleanArray>()
                        .ok_or_else(|| {
                            QuarryError::Internal("filter predicate is not BOOLEAN".into())
                        })?;
                    Ok(filter_record_batch(&batch, mask)?)
                })
                .filter(|batch| !matches!(batch, Ok(b) if b.num_rows() == 0)),
        ))
    }
}
