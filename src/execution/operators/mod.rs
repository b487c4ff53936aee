//! Physical operators, one per file. [`PhysicalPlan`] is the enum over them;
//! every operator states its output schema and partition count and executes
//! one partition at a time as a pull-based [`BatchStream`].

mod exchange;
mod filter;
mod hash_aggregate;
mod hash_join;
mod join_output;
mod limit;
mod nested_loop_join;
mod packed_keys;
mod projection;
mod scan_csv;
mod scan_memory;
mod scan_parquet;
mod shared;
mod sort;
mod sort_merge_join;
mod sort_preserving_merge;
mod union;
mod values;
mod window;
mod window_frame;
mod window_functions;

pub use exchange::{partition_of_rows, ExchangeExec, Partitioning};
pub use filter::FilterExec;
pub use hash_aggregate::{AggregateCall, AggregateMode, HashAggregateExec};
pub use hash_join::{BuildSide, HashJoinExec};
pub use join_output::{JoinLayout, ProbeJoinType};
pub use limit::LimitExec;
pub use nested_loop_join::NestedLoopJoinExec;
pub use packed_keys::KeyPacking;
pub use projection::ProjectionExec;
pub use scan_csv::CsvScanExec;
pub use scan_memory::MemoryScanExec;
pub use scan_parquet::{split_row_groups, ParquetScanExec, RowGroupAccess, ScanPredicate};
pub use shared::SharedExec;
pub use sort::{SortExec, SortKeyExpr};
pub use sort_merge_join::SortMergeJoinExec;
pub use sort_preserving_merge::SortPreservingMergeExec;
pub use union::UnionExec;
pub use values::ValuesExec;
pub use window::{WindowCall, WindowExec};

use super::{BatchStream, TaskContext};
use crate::error::Result;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// A physical operator.
#[derive(Debug)]
pub enum PhysicalPlan {
    ParquetScan(ParquetScanExec),
    CsvScan(CsvScanExec),
    MemoryScan(MemoryScanExec),
    Values(ValuesExec),
    Filter(FilterExec),
    Projection(ProjectionExec),
    HashAggregate(HashAggregateExec),
    Sort(SortExec),
    Limit(LimitExec),
    Union(UnionExec),
    Exchange(ExchangeExec),
    HashJoin(HashJoinExec),
    SortMergeJoin(SortMergeJoinExec),
    SortPreservingMerge(SortPreservingMergeExec),
    NestedLoopJoin(NestedLoopJoinExec),
    Window(WindowExec),
    Shared(SharedExec),
}

impl PhysicalPlan {
    pub fn schema(&self) -> SchemaRef {
        match self {
            PhysicalPlan::ParquetScan(exec) => exec.schema.clone(),
            PhysicalPlan::CsvScan(exec) => exec.schema.clone(),
            PhysicalPlan::MemoryScan(exec) => exec.schema.clone(),
            PhysicalPlan::Values(exec) => exec.batch.schema(),
            PhysicalPlan::Filter(exec) => exec.input.schema(),
            PhysicalPlan::Projection(exec) => exec.schema.clone(),
            PhysicalPlan::HashAggregate(exec) => exec.schema.clone(),
            PhysicalPlan::Sort(exec) => exec.input.schema(),
            PhysicalPlan::Limit(exec) => exec.input.schema(),
            PhysicalPlan::Union(exec) => exec.schema.clone(),
            PhysicalPlan::Exchange(exec) => exec.input.schema(),
            PhysicalPlan::HashJoin(exec) => exec.layout.schema.clone(),
            PhysicalPlan::SortMergeJoin(exec) => exec.layout.schema.clone(),
            PhysicalPlan::SortPreservingMerge(exec) => exec.input.schema(),
            PhysicalPlan::NestedLoopJoin(exec) => exec.layout.schema.clone(),
            PhysicalPlan::Window(exec) => exec.schema.clone(),
            PhysicalPlan::Shared(exec) => exec.input.schema(),
        }
    }

    /// How many partitions `execute` accepts.
    pub fn output_partitions(&self) -> usize {
        match self {
            PhysicalPlan::ParquetScan(exec) => exec.partitions.len(),
            PhysicalPlan::CsvScan(exec) => exec.files.len().max(1),
            PhysicalPlan::MemoryScan(exec) => exec.partitions.len(),
            PhysicalPlan::Values(_) => 1,
            PhysicalPlan::Filter(exec) => exec.input.output_partitions(),
            PhysicalPlan::Projection(exec) => exec.input.output_partitions(),
            PhysicalPlan::HashAggregate(exec) => exec.input.output_partitions(),
            PhysicalPlan::Sort(exec) => exec.input.output_partitions(),
            PhysicalPlan::Limit(exec) => exec.input.output_partitions(),
            PhysicalPlan::Union(exec) => exec.inputs.iter().map(|i| i.output_partitions()).sum(),
            PhysicalPlan::Exchange(exec) => exec.partitioning.partition_count(),
            PhysicalPlan::HashJoin(exec) => exec.probe.output_partitions(),
            PhysicalPlan::SortMergeJoin(exec) => exec.probe.output_partitions(),
            PhysicalPlan::SortPreservingMerge(_) => 1,
            PhysicalPlan::NestedLoopJoin(exec) => exec.probe.output_partitions(),
            PhysicalPlan::Window(exec) => exec.input.output_partitions(),
            PhysicalPlan::Shared(exec) => exec.input.output_partitions(),
        }
    }

    pub fn children(&self) -> Vec<&Arc<PhysicalPlan>> {
        match self {
            PhysicalPlan::ParquetScan(_)
            | PhysicalPlan::CsvScan(_)
            | PhysicalPlan::MemoryScan(_)
            | PhysicalPlan::Values(_) => vec![],
            PhysicalPlan::Filter(exec) => vec![&exec.input],
            PhysicalPlan::Projection(exec) => vec![&exec.input],
            PhysicalPlan::HashAggregate(exec) => vec![&exec.input],
            PhysicalPlan::Sort(exec) => vec![&exec.input],
            PhysicalPlan::Limit(exec) => vec![&exec.input],
            PhysicalPlan::Union(exec) => exec.inputs.iter().collect(),
            PhysicalPlan::Exchange(exec) => vec![&exec.input],
            PhysicalPlan::HashJoin(exec) => vec![&exec.probe, &exec.build],
            PhysicalPlan::SortMergeJoin(exec) => vec![&exec.probe, &exec.build],
            PhysicalPlan::SortPreservingMerge(exec) => vec![&exec.input],
            PhysicalPlan::NestedLoopJoin(exec) => vec![&exec.probe, &exec.build],
            PhysicalPlan::Window(exec) => vec![&exec.input],
            PhysicalPlan::Shared(exec) => vec![&exec.input],
        }
    }

    /// Runs one partition; with metrics on, counts what it produces.
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        ctx.check_cancelled()?;
        let Some(metrics) = &ctx.metrics else {
            return self.execute_partition(partition, ctx);
        };
        let operator = metrics.operator(self);
        let started = std::time::Instant::now();
        let stream = self.execute_partition(partition, &ctx.for_operator(operator.clone()))?;
        operator.add_time(started);
        operator
            .tasks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(super::metrics::metered(stream, operator))
    }

    fn execute_partition(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        match self {
            PhysicalPlan::ParquetScan(exec) => exec.execute(partition, ctx),
            PhysicalPlan::CsvScan(exec) => exec.execute(partition, ctx),
            PhysicalPlan::MemoryScan(exec) => exec.execute(partition),
            PhysicalPlan::Values(exec) => exec.execute(),
            PhysicalPlan::Filter(exec) => exec.execute(partition, ctx),
            PhysicalPlan::Projection(exec) => exec.execute(partition, ctx),
            PhysicalPlan::HashAggregate(exec) => exec.execute(partition, ctx),
            PhysicalPlan::Sort(exec) => exec.execute(partition, ctx),
            PhysicalPlan::Limit(exec) => exec.execute(partition, ctx),
            PhysicalPlan::Union(exec) => exec.execute(partition, ctx),
            PhysicalPlan::Exchange(exec) => exec.execute(partition, ctx),
            PhysicalPlan::HashJoin(exec) => exec.execute(partition, ctx),
            PhysicalPlan::SortMergeJoin(exec) => exec.execute(partition, ctx),
            PhysicalPlan::SortPreservingMerge(exec) => exec.execute(ctx),
            PhysicalPlan::NestedLoopJoin(exec) => exec.execute(partition, ctx),
            PhysicalPlan::Window(exec) => exec.execute(partition, ctx),
            PhysicalPlan::Shared(exec) => exec.execute(partition, ctx),
        }
    }

    /// Runs what must exist before any task of this stage starts: the build
    /// sides of joins (each collected once, then shared by all probe tasks).
    /// Exchanges run the stage below them here.
    pub fn prepare(&self, ctx: &TaskContext) -> Result<()> {
        // With metrics on, building counts as the join's time and memory.
        let operator = ctx.metrics.as_ref().map(|m| m.operator(self));
        let own = match &operator {
            Some(operator) => ctx.for_operator(operator.clone()),
            None => ctx.clone(),
        };
        let started = std::time::Instant::now();
        let built = match self {
            PhysicalPlan::Exchange(exec) => Some(exec.prepare(&own)),
            PhysicalPlan::SortPreservingMerge(exec) => Some(exec.prepare(&own)),
            PhysicalPlan::Shared(exec) => Some(exec.prepare(&own)),
            // The stages below the probe side and the build side are
            // independent: they run concurrently.
            PhysicalPlan::HashJoin(exec) => {
                let (probe, build) = rayon::join(|| exec.probe.prepare(ctx), || exec.prepare(&own));
                probe?;
                Some(build)
            }
            PhysicalPlan::NestedLoopJoin(exec) => {
                let (probe, build) = rayon::join(|| exec.probe.prepare(ctx), || exec.prepare(&own));
                probe?;
                Some(build)
            }
            _ => None,
        };
        if let Some(result) = built {
            if let Some(operator) = operator {
                operator.add_time(started);
                operator.stage_nanos.fetch_add(
                    started.elapsed().as_nanos() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
            }
            return result;
        }
        use rayon::prelude::*;
        self.children()
            .par_iter()
            .try_for_each(|child| child.prepare(ctx))
    }

    /// One line describing this operator, in Spark's vocabulary.
    pub fn node_line(&self) -> String {
        match self {
            PhysicalPlan::ParquetScan(exec) => exec.describe(),
            PhysicalPlan::CsvScan(exec) => exec.describe(),
            PhysicalPlan::MemoryScan(exec) => exec.describe(),
            PhysicalPlan::Values(exec) => format!("LocalTableScan rows={}", exec.batch.num_rows()),
            PhysicalPlan::Filter(exec) => format!("Filter {}", exec.predicate),
            PhysicalPlan::Projection(exec) => exec.describe(),
            PhysicalPlan::HashAggregate(exec) => exec.describe(),
            PhysicalPlan::Sort(exec) => exec.describe(),
            PhysicalPlan::Limit(exec) => exec.describe(),
            PhysicalPlan::Union(_) => "Union".to_string(),
            PhysicalPlan::Exchange(exec) => exec.describe(),
            PhysicalPlan::HashJoin(exec) => exec.describe(),
            PhysicalPlan::SortMergeJoin(exec) => exec.describe(),
            PhysicalPlan::SortPreservingMerge(exec) => exec.describe(),
            PhysicalPlan::NestedLoopJoin(exec) => exec.describe(),
            PhysicalPlan::Window(exec) => exec.describe(),
            PhysicalPlan::Shared(exec) => exec.describe(),
        }
    }

    /// The tree, one operator per line, children indented.
    pub fn display_indent(&self) -> String {
        let mut out = String::new();
        let mut next_stage = 1;
        self.write_indent(&mut out, 0, 0, &mut next_stage, &mut Default::default());
        out
    }

    /// Whether child `i` runs as a stage of its own, before this operator's
    /// tasks: below an exchange or a merge, or a broadcast build side.
    pub fn child_is_stage(&self, i: usize) -> bool {
        match self {
            PhysicalPlan::Exchange(_)
            | PhysicalPlan::SortPreservingMerge(_)
            | PhysicalPlan::Shared(_) => true,
            PhysicalPlan::HashJoin(exec) => i == 1 && !exec.partitioned,
            PhysicalPlan::NestedLoopJoin(_) => i == 1,
            _ => false,
        }
    }

    /// The tree with each operator's stage: `*(n)`; stage 0 produces the
    /// result, and a broadcast build side shows as a BroadcastExchange.
    /// A shared subplan is written where it is first read; later readers
    /// name its stage (`seen`: shared node address to stage).
    fn write_indent(
        &self,
        out: &mut String,
        depth: usize,
        stage: usize,
        next: &mut usize,
        seen: &mut std::collections::HashMap<usize, usize>,
    ) {
        out.push_str(&"  ".repeat(depth));
        out.push_str(&format!("*({stage}) "));
        out.push_str(&self.node_line());
        if let PhysicalPlan::Shared(_) = self {
            let key = self as *const PhysicalPlan as usize;
            if let Some(first) = seen.get(&key) {
                out.push_str(&format!(", reused: stage {first}\n"));
                return;
            }
            seen.insert(key, *next);
        }
        out.push('\n');
        for (i, child) in self.children().into_iter().enumerate() {
            if !self.child_is_stage(i) {
                child.write_indent(out, depth + 1, stage, next, seen);
                continue;
            }
            let child_stage = *next;
            *next += 1;
            if matches!(
                self,
                PhysicalPlan::HashJoin(_) | PhysicalPlan::NestedLoopJoin(_)
            ) {
                out.push_str(&"  ".repeat(depth + 1));
                out.push_str(&format!("*({stage}) BroadcastExchange\n"));
                child.write_indent(out, depth + 2, child_stage, next, seen);
            } else {
                child.write_indent(out, depth + 1, child_stage, next, seen);
            }
        }
    }
}

/// Batches as a stream of slices of at most `batch_size` rows.
pub(crate) fn slice_stream_all(batches: Vec<RecordBatch>, batch_size: usize) -> BatchStream {
    Box::new(
        batches
            .into_iter()
            .flat_map(move |batch| slice_stream(batch, batch_size)),
    )
}

/// Splits one batch into a stream of slices of at most `batch_size` rows.
pub(crate) fn slice_stream(batch: RecordBatch, batch_size: usize) -> BatchStream {
    let rows = batch.num_rows();
    let size = batch_size.max(1);
    if rows <= size {
        return Box::new(std::iter::once(Ok(batch)));
    }
    let slices: Vec<RecordBatch> = (0..rows)
        .step_by(size)
        .map(|offset| batch.slice(offset, size.min(rows - offset)))
        .collect();
    Box::new(slices.into_iter().map(Ok))
}
