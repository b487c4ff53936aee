//! The scheduler: runs every partition of an operator as a task on the
//! session's rayon pool and gathers their batches. A panic inside a task is
//! caught here and becomes an `Internal` error; the session stays usable.

use crate::error::{QuarryError, Result};
use crate::execution::{PhysicalPlan, TaskContext};
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Runs all partitions of `plan` in parallel; returns each partition's batches.
pub fn collect_partitions(
    plan: &Arc<PhysicalPlan>,
    ctx: &TaskContext,
) -> Result<Vec<Vec<RecordBatch>>> {
    plan.prepare(ctx)?;
    let partitions = plan.output_partitions();
    let results: Vec<Result<Vec<RecordBatch>>> = (0..partitions)
        .into_par_iter()
        .map(|partition| run_task(plan, partition, ctx))
        .collect();
    // Report the error that failed the query, not the cancellations it caused.
    let mut output = Vec::with_capacity(results.len());
    let mut cancelled = false;
    for result in results {
        match result {
            Ok(batches) => output.push(batches),
            Err(QuarryError::Cancelled) => cancelled = true,
            Err(error) => return Err(error),
        }
    }
    if cancelled {
        return Err(QuarryError::Cancelled);
    }
    Ok(output)
}

/// Runs a query's plan: its shared subplans first, innermost first and one
/// at a time, then every partition; returns the batches in partition order.
pub fn run(plan: &Arc<PhysicalPlan>, ctx: &TaskContext) -> Result<Vec<RecordBatch>> {
    prepare_shared(plan, ctx)?;
    collect(plan, ctx)
}

fn prepare_shared(plan: &Arc<PhysicalPlan>, ctx: &TaskContext) -> Result<()> {
    for child in plan.children() {
        prepare_shared(child, ctx)?;
    }
    if let PhysicalPlan::Shared(shared) = plan.as_ref() {
        if !shared.is_prepared() {
            plan.prepare(ctx)?;
        }
    }
    Ok(())
}

/// Runs all partitions and concatenates their batches in partition order.
pub fn collect(plan: &Arc<PhysicalPlan>, ctx: &TaskContext) -> Result<Vec<RecordBatch>> {
    Ok(collect_partitions(plan, ctx)?
        .into_iter()
        .flatten()
        .collect())
}

fn run_task(
    plan: &Arc<PhysicalPlan>,
    partition: usize,
    ctx: &TaskContext,
) -> Result<Vec<RecordBatch>> {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<Vec<RecordBatch>> {
        let mut batches = vec![];
        for batch in plan.execute(partition, ctx)? {
            ctx.check_cancelled()?;
            let batch = batch?;
            if batch.num_rows() > 0 {
                batches.push(batch);
            }
        }
        Ok(batches)
    }));
    match result {
        Ok(result) => {
            if result.is_err() {
                // Stop the other tasks of this query early.
                ctx.cancelled
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            result
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(QuarryError::Internal(format!(
                "task {partition} panicked: {message}"
            )))
        }
    }
}
