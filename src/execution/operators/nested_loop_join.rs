//! NestedLoopJoinExec: joins without equality keys. The build side is held in
//! memory; each probe batch is paired with every build row, in chunks small
//! enough to bound memory, and the residual filter decides.

use super::hash_join::BuildSide;
use super::join_output::JoinLayout;
use crate::error::{QuarryError, Result};
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use std::sync::{Arc, OnceLock};

/// Candidate pairs per chunk.
const PAIRS_PER_CHUNK: usize = 1 << 20;

#[derive(Debug)]
pub struct NestedLoopJoinExec {
    pub probe: Arc<PhysicalPlan>,
    pub build: Arc<PhysicalPlan>,
    pub layout: JoinLayout,
    pub built: OnceLock<Arc<BuildSide>>,
}

impl NestedLoopJoinExec {
    pub fn prepare(&self, ctx: &TaskContext) -> Result<()> {
        if self.built.get().is_some() {
            return Ok(());
        }
        let side = BuildSide::collect(&self.build, &[], &[], false, ctx)?;
        let _ = self.built.set(Arc::new(side));
        Ok(())
    }

    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let build = self.built.get().cloned().ok_or_else(|| {
            QuarryError::Internal(
                "nested loop join probed before its build side was prepared".into(),
            )
        })?;
        let build_rows = build.batch.num_rows();
        let mut matched = vec![false; build_rows];
        let mut outputs = vec![];
        let rows_per_chunk = (PAIRS_PER_CHUNK / build_rows.max(1)).max(1);
        for batch in self.probe.execute(partition, ctx)? {
            let batch = batch?;
            let mut offset = 0;
            while offset < batch.num_rows() {
                ctx.check_cancelled()?;
                let length = rows_per_chunk.min(batch.num_rows() - offset);
                let chunk = batch.slice(offset, length);
                let mut probe_indices = Vec::with_capacity(length * build_rows);
                let mut build_indices = Vec::with_capacity(length * build_rows);
                for probe_row in 0..length as u32 {
                    for build_row in 0..build_rows as u32 {
                        probe_indices.push(probe_row);
                        build_indices.push(build_row);
                    }
                }
                if let Some(out) = self.layout.output(
                    &chunk,
                    None,
                    &build,
                    (probe_indices, build_indices),
                    &mut matched,
                )? {
                    outputs.push(out);
                }
                offset += length;
            }
        }
        if self.layout.join_type.emits_unmatched_build() {
            if let Some(out) =
                self.layout
                    .unmatched_build(&self.probe.schema(), &build.batch, &matched)?
            {
                outputs.push(out);
            }
        }
        Ok(Box::new(outputs.into_iter().map(Ok)))
    }

    pub fn describe(&self) -> String {
        let mut line = format!("BroadcastNestedLoopJoin {}", self.layout.join_type);
        if let Some(filter) = &self.layout.filter {
            line.push_str(&format!(" filter={filter}"));
        }
        line
    }
}
