//! UnionExec: the partitions of every input, one after another.

use crate::error::{QuarryError, Result};
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use std::sync::Arc;

#[derive(Debug)]
pub struct UnionExec {
    pub inputs: Vec<Arc<PhysicalPlan>>,
    pub schema: SchemaRef,
}

impl UnionExec {
    pub fn execute(&self, mut partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        for input in &self.inputs {
            let count = input.output_partitions();
            if partition < count {
                let stream = input.execute(partition, ctx)?;
                let schema = self.schema.clone();
                // Inputs may name their columns differently; the union's names win.
                return Ok(Box::new(stream.map(move |batch| {
                    let batch = batch?;
                    Ok(RecordBatch::try_new(
                        schema.clone(),
                        batch.columns().to_vec(),
                    )?)
                })));
            }
            partition -= count;
        }
        Err(QuarryError::Internal(format!(
            "union has no partition {partition}"
        )))
    }
}
