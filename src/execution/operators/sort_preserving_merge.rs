//! SortPreservingMergeExec: the end of a global ORDER BY. Its input is
//! sorted within each partition (a Sort per partition, in parallel); this
//! operator runs that stage and merges the sorted partitions into one, in
//! order, taking at most `fetch` rows (ORDER BY + LIMIT: a TopK per
//! partition, then the merge).

use super::sort::SortKeyExpr;
use crate::error::{QuarryError, Result};
use crate::execution::memory::MemoryReservation;
use crate::execution::{scheduler, BatchStream, PhysicalPlan, TaskContext};
use arrow::array::{Array, ArrayRef};
use arrow::compute::concat_batches;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use arrow::row::{RowConverter, Rows, SortField};
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Debug)]
pub struct SortPreservingMergeExec {
    pub input: Arc<PhysicalPlan>,
    pub keys: Vec<SortKeyExpr>,
    pub fetch: Option<usize>,
    merged: OnceLock<Mutex<Option<Merged>>>,
}

/// The merged batches and the memory they hold.
type Merged = (Vec<RecordBatch>, MemoryReservation);

impl SortPreservingMergeExec {
    pub fn new(input: Arc<PhysicalPlan>, keys: Vec<SortKeyExpr>, fetch: Option<usize>) -> Self {
        Self {
            input,
            keys,
            fetch,
            merged: OnceLock::new(),
        }
    }

    /// Runs the sorted partitions and merges them; once.
    pub fn prepare(&self, ctx: &TaskContext) -> Result<()> {
        if self.merged.get().is_some() {
            return Ok(());
        }
        let schema = self.input.schema();
        let partitions = scheduler::collect_partitions(&self.input, ctx)?;
        let runs: Vec<RecordBatch> = partitions
            .into_iter()
            .map(|batches| concat_batches(&schema, &batches))
            .collect::<std::result::Result<_, _>>()?;
        let runs: Vec<RecordBatch> = runs.into_iter().filter(|r| r.num_rows() > 0).collect();
        let mut reservation = ctx.reserve("SortPreservingMerge");
        reservation.try_resize(crate::execution::memory::batches_bytes(&runs))?;
        let merged = self.merge(&runs, ctx.batch_size)?;
        let _ = self.merged.set(Mutex::new(Some((merged, reservation))));
        Ok(())
    }

    fn merge(&self, runs: &[RecordBatch], batch_size: usize) -> Result<Vec<RecordBatch>> {
        let schema = self.input.schema();
        if runs.len() <= 1 {
            let mut out = runs.to_vec();
            if let (Some(fetch), Some(run)) = (self.fetch, out.first_mut()) {
                *run = run.slice(0, fetch.min(run.num_rows()));
            }
            return Ok(out);
        }
        let keys: Vec<Vec<ArrayRef>> = runs
            .iter()
            .map(|run| {
                self.keys
                    .iter()
                    .map(|k| k.expr.evaluate_to_array(run))
                    .collect::<Result<Vec<ArrayRef>>>()
            })
            .collect::<Result<_>>()?;
        let fields = keys[0]
            .iter()
            .zip(&self.keys)
            .map(|(array, k)| SortField::new_with_options(array.data_type().clone(), k.options))
            .collect();
        let converter = RowConverter::new(fields)?;
        let rows: Vec<Rows> = keys
            .iter()
            .map(|k| converter.convert_columns(k))
            .collect::<std::result::Result<_, _>>()?;
        let total: usize = runs.iter().map(RecordBatch::num_rows).sum();
        let limit = self.fetch.map_or(total, |f| f.min(total));
        // The next row of each run; the smallest head goes out next (ties
        // to the earlier partition, so the merge is stable).
        let mut heads = vec![0usize; runs.len()];
        let mut order: Vec<(usize, usize)> = Vec::with_capacity(limit);
        while order.len() < limit {
            let mut best: Option<usize> = None;
            for run in 0..runs.len() {
                if heads[run] >= runs[run].num_rows() {
                    continue;
                }
                best = match best {
                    Some(b) if rows[b].row(heads[b]) <= rows[run].row(heads[run]) => Some(b),
                    _ => Some(run),
                };
            }
            let Some(run) = best else { break };
            order.push((run, heads[run]));
            heads[run] += 1;
        }
        let mut out = vec![];
        for chunk in order.chunks(batch_size.max(1)) {
            let columns = (0..schema.fields().len())
                .map(|c| {
                    let arrays: Vec<&dyn Array> =
                        runs.iter().map(|r| r.column(c).as_ref()).collect();
                    Ok(arrow::compute::interleave(&arrays, chunk)?)
                })
                .collect::<Result<Vec<_>>>()?;
            let options = RecordBatchOptions::new().with_row_count(Some(chunk.len()));
            out.push(RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &options,
            )?);
        }
        Ok(out)
    }

    pub fn execute(&self, ctx: &TaskContext) -> Result<BatchStream> {
        self.prepare(ctx)?;
        let slot = self
            .merged
            .get()
            .ok_or_else(|| QuarryError::Internal("merge read before it ran".into()))?;
        let taken = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        let (batches, reservation) =
            taken.ok_or_else(|| QuarryError::Internal("merge output read twice".into()))?;
        Ok(Box::new(batches.into_iter().map(move |b| {
            let _ = &reservation;
            Ok(b)
        })))
    }

    pub fn describe(&self) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                format!(
                    "{} {}",
                    k.expr,
                    if k.options.descending { "DESC" } else { "ASC" }
                )
            })
            .collect();
        match self.fetch {
            Some(fetch) => format!("SortPreservingMerge [{}], limit={fetch}", keys.join(", ")),
            None => format!("SortPreservingMerge [{}]", keys.join(", ")),
        }
    }
}
