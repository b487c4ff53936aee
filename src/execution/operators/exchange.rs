//! ExchangeExec (SinglePartition): the boundary between two stages. Every
//! input partition runs as a task through the scheduler; their batches are
//! buffered (reserved from the memory pool) and read by one output partition.

use crate::error::Result;
use crate::execution::{scheduler, BatchStream, PhysicalPlan, TaskContext};
use arrow::record_batch::RecordBatch;
use std::sync::Arc;

#[derive(Debug)]
pub struct ExchangeExec {
    pub input: Arc<PhysicalPlan>,
}

impl ExchangeExec {
    pub fn execute(&self, ctx: &TaskContext) -> Result<BatchStream> {
        let partitions = scheduler::collect_partitions(&self.input, ctx)?;
        let batches: Vec<RecordBatch> = partitions.into_iter().flatten().collect();
        let mut reservation = ctx.reserve("Exchange");
        reservation.try_resize(batches.iter().map(RecordBatch::get_array_memory_size).sum())?;
        Ok(Box::new(batches.into_iter().map(move |batch| {
            // The reservation lives as long as the buffered batches do.
            let _ = &reservation;
            Ok(batch)
        })))
    }
}
