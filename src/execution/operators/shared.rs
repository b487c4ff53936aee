//! SharedExec: a subplan that several parents read, run once. The planner
//! puts one in place of every copy of an aggregate that a query computes
//! more than once (a CTE read twice, as in TPC-H Q15), as Spark reuses an
//! exchange. It is a stage boundary: when first prepared it runs every
//! partition of its input and keeps the batches; each of its `readers`
//! then reads every partition, and the last read of a partition frees it.

use crate::error::{QuarryError, Result};
use crate::execution::memory::MemoryReservation;
use crate::execution::{scheduler, BatchStream, PhysicalPlan, TaskContext};
use arrow::record_batch::RecordBatch;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Debug)]
pub struct SharedExec {
    pub input: Arc<PhysicalPlan>,
    /// How many parents read each partition: one more each time the planner
    /// hands the node out.
    readers: AtomicUsize,
    state: Mutex<Option<Results>>,
}

#[derive(Debug)]
struct Results {
    /// Per partition: its batches and the reads still to come.
    partitions: Vec<(Vec<RecordBatch>, usize)>,
    _reservation: MemoryReservation,
}

impl SharedExec {
    pub fn new(input: Arc<PhysicalPlan>) -> Self {
        Self {
            input,
            readers: AtomicUsize::new(0),
            state: Mutex::new(None),
        }
    }

    /// Counts one more parent.
    pub fn add_reader(&self) {
        self.readers.fetch_add(1, Ordering::Relaxed);
    }

    fn readers(&self) -> usize {
        self.readers.load(Ordering::Relaxed).max(1)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Results>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs the input's partitions, unless it ran. The lock is not held
    /// meanwhile (a rayon worker waiting in the run may pick up another
    /// task that reads this node); `scheduler::run` prepares every shared
    /// node first, one at a time, so the input never runs twice.
    pub fn prepare(&self, ctx: &TaskContext) -> Result<()> {
        if self.lock().is_some() {
            return Ok(());
        }
        let partitions = scheduler::collect_partitions(&self.input, ctx)?;
        let bytes = crate::execution::memory::batches_bytes(partitions.iter().flatten());
        let mut reservation = ctx.reserve("Shared");
        reservation.try_resize(bytes)?;
        let mut state = self.lock();
        if state.is_none() {
            *state = Some(Results {
                partitions: partitions
                    .into_iter()
                    .map(|batches| (batches, self.readers()))
                    .collect(),
                _reservation: reservation,
            });
        }
        Ok(())
    }

    /// Whether the input ran.
    pub fn is_prepared(&self) -> bool {
        self.lock().is_some()
    }

    /// The batches of `partition`; the last reader takes them.
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        self.prepare(ctx)?;
        let mut state = self.lock();
        let results = state
            .as_mut()
            .ok_or_else(|| QuarryError::Internal("shared subplan read before it ran".into()))?;
        let (batches, reads_left) = results.partitions.get_mut(partition).ok_or_else(|| {
            QuarryError::Internal(format!("shared subplan has no partition {partition}"))
        })?;
        *reads_left = reads_left.saturating_sub(1);
        let batches = if *reads_left == 0 {
            std::mem::take(batches)
        } else {
            batches.clone()
        };
        Ok(Box::new(batches.into_iter().map(Ok)))
    }

    pub fn describe(&self) -> String {
        format!("Shared (read by {})", self.readers())
    }
}
