//! SortMergeJoinExec: both inputs are hash-partitioned on the join keys and
//! sorted by them within each partition (Sort operators below it, ascending,
//! NULLs first, the order of Arrow's row format). A task merges its two
//! sorted partitions: walking both in key order, each run of equal keys on
//! the left pairs with the run of the same keys on the right. The pairs go
//! through the same residual filter and output rules as the hash join
//! (`join_output.rs`), so every join type is served.

use super::hash_join::{null_key_mask, BuildSide};
use super::join_output::JoinLayout;
use crate::error::Result;
use crate::execution::expressions::PhysicalExpr;
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use arrow::compute::concat_batches;
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, SortField};
use std::cmp::Ordering;
use std::sync::Arc;

#[derive(Debug)]
pub struct SortMergeJoinExec {
    /// The streamed side (its rows are "probe" rows for the output rules).
    pub probe: Arc<PhysicalPlan>,
    /// The buffered side.
    pub build: Arc<PhysicalPlan>,
    pub probe_keys: Vec<PhysicalExpr>,
    pub build_keys: Vec<PhysicalExpr>,
    pub layout: JoinLayout,
}

impl SortMergeJoinExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let probe = gather(&self.probe, partition, ctx)?;
        let build = gather(&self.build, partition, ctx)?;
        let mut reservation = ctx.reserve("SortMergeJoin");
        reservation.try_resize(crate::execution::memory::batches_bytes([&probe, &build]))?;
        let evaluate = |keys: &[PhysicalExpr], batch: &RecordBatch| {
            keys.iter()
                .map(|k| k.evaluate_key(batch))
                .collect::<Result<Vec<_>>>()
        };
        let probe_keys = evaluate(&self.probe_keys, &probe)?;
        let build_keys = evaluate(&self.build_keys, &build)?;
        let fields = probe_keys
            .iter()
            .map(|k| SortField::new(k.data_type().clone()))
            .collect();
        let converter = RowConverter::new(fields)?;
        let probe_rows = converter.convert_columns(&probe_keys)?;
        let build_rows = converter.convert_columns(&build_keys)?;
        let (probe_nulls, build_nulls) = if self.layout.null_equals_null {
            (None, None)
        } else {
            (
                null_key_mask(&probe_keys, probe.num_rows()),
                null_key_mask(&build_keys, build.num_rows()),
            )
        };
        let is_null = |mask: &Option<arrow::array::BooleanArray>, i: usize| {
            mask.as_ref().is_some_and(|m| m.value(i))
        };
        // Merge the two sorted runs.
        let (mut probe_indices, mut build_indices) = (vec![], vec![]);
        let (mut i, mut j) = (0, 0);
        while i < probe.num_rows() && j < build.num_rows() {
            if is_null(&probe_nulls, i) {
                i += 1;
                continue;
            }
            if is_null(&build_nulls, j) {
                j += 1;
                continue;
            }
            match probe_rows.row(i).cmp(&build_rows.row(j)) {
                Ordering::Less => i += 1,
                Ordering::Greater => j += 1,
                Ordering::Equal => {
                    let key = probe_rows.row(i);
                    let probe_end = (i..probe.num_rows())
                        .find(|&k| probe_rows.row(k) != key)
                        .unwrap_or(probe.num_rows());
                    let build_end = (j..build.num_rows())
                        .find(|&k| build_rows.row(k) != key)
                        .unwrap_or(build.num_rows());
                    for p in i..probe_end {
                        for b in j..build_end {
                            probe_indices.push(p as u32);
                            build_indices.push(b as u32);
                        }
                    }
                    i = probe_end;
                    j = build_end;
                }
            }
        }
        let build_side = BuildSide::unindexed(build, reservation);
        let mut matched = vec![false; build_side.batch.num_rows()];
        let mut out = vec![];
        if let Some(batch) = self.layout.output(
            &probe,
            probe_nulls.as_ref(),
            &build_side,
            (probe_indices, build_indices),
            &mut matched,
        )? {
            out.push(batch);
        }
        if self.layout.join_type.emits_unmatched_build() {
            out.extend(self.layout.unmatched_build(
                &self.probe.schema(),
                &build_side.batch,
                &matched,
            )?);
        }
        Ok(super::slice_stream_all(out, ctx.batch_size))
    }

    pub fn describe(&self) -> String {
        let keys: Vec<String> = self
            .probe_keys
            .iter()
            .zip(&self.build_keys)
            .map(|(p, b)| format!("{p} = {b}"))
            .collect();
        let mut line = format!(
            "SortMergeJoin {} keys=[{}]",
            self.layout.join_type,
            keys.join(", ")
        );
        if let Some(filter) = &self.layout.filter {
            line.push_str(&format!(" filter={filter}"));
        }
        line
    }
}

/// Every batch of one partition of `plan`, as one batch.
fn gather(plan: &Arc<PhysicalPlan>, partition: usize, ctx: &TaskContext) -> Result<RecordBatch> {
    let batches = plan.execute(partition, ctx)?.collect::<Result<Vec<_>>>()?;
    Ok(concat_batches(&plan.schema(), &batches)?)
}
