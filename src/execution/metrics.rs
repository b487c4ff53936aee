//! Per-operator metrics for EXPLAIN ANALYZE: rows and batches produced, time
//! spent inside the operator (its children included; EXPLAIN subtracts them),
//! tasks run, and the peak of the memory its reservations held.
//!
//! Metrics are collected only when the query's [`TaskContext`] carries a
//! [`QueryMetrics`]; a plain query pays nothing.
//!
//! [`TaskContext`]: super::TaskContext

use super::{BatchStream, PhysicalPlan};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Counters of one operator, summed over its tasks.
#[derive(Debug, Default)]
pub struct OperatorMetrics {
    pub rows: AtomicU64,
    pub batches: AtomicU64,
    /// Nanoseconds spent in the operator's `execute`, `prepare` and `next`
    /// calls, children included.
    pub elapsed_nanos: AtomicU64,
    pub tasks: AtomicU64,
    pub memory_used: AtomicUsize,
    pub memory_peak: AtomicUsize,
    /// For a stage boundary (exchange, merge, broadcast build): wall time
    /// of running the stage below it.
    pub stage_nanos: AtomicU64,
}

impl OperatorMetrics {
    pub fn add_time(&self, since: Instant) {
        let nanos = since.elapsed().as_nanos() as u64;
        self.elapsed_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn grow_memory(&self, bytes: usize) {
        let now = self.memory_used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.memory_peak.fetch_max(now, Ordering::Relaxed);
    }

    pub fn shrink_memory(&self, bytes: usize) {
        self.memory_used.fetch_sub(bytes, Ordering::Relaxed);
    }

    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }
}

/// The metrics of every operator of one query, by operator identity.
#[derive(Debug, Default)]
pub struct QueryMetrics {
    operators: Mutex<HashMap<usize, Arc<OperatorMetrics>>>,
}

impl QueryMetrics {
    /// The metrics of `plan`, created on first use.
    pub fn operator(&self, plan: &PhysicalPlan) -> Arc<OperatorMetrics> {
        let key = plan as *const PhysicalPlan as usize;
        let mut operators = self
            .operators
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        operators.entry(key).or_default().clone()
    }

    /// The metrics of `plan` if it ran.
    pub fn get(&self, plan: &PhysicalPlan) -> Option<Arc<OperatorMetrics>> {
        let key = plan as *const PhysicalPlan as usize;
        let operators = self
            .operators
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        operators.get(&key).cloned()
    }
}

/// Counts the batches and rows of `inner` and the time spent pulling them.
pub fn metered(inner: BatchStream, metrics: Arc<OperatorMetrics>) -> BatchStream {
    Box::new(MeteredStream { inner, metrics })
}

struct MeteredStream {
    inner: BatchStream,
    metrics: Arc<OperatorMetrics>,
}

impl Iterator for MeteredStream {
    type Item = crate::error::Result<arrow::record_batch::RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        let started = Instant::now();
        let next = self.inner.next();
        self.metrics.add_time(started);
        if let Some(Ok(batch)) = &next {
            self.metrics.batches.fetch_add(1, Ordering::Relaxed);
            self.metrics
                .rows
                .fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        }
        next
    }
}
