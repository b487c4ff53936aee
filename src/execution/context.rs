//! What every task receives: batch size, the query's memory pool and the
//! cancellation flag.

use super::memory::{MemoryPool, MemoryReservation};
use super::metrics::{OperatorMetrics, QueryMetrics};
use crate::error::{QuarryError, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct TaskContext {
    pub batch_size: usize,
    pub target_partitions: usize,
    pub memory_pool: Arc<MemoryPool>,
    pub cancelled: Arc<AtomicBool>,
    /// Set for EXPLAIN ANALYZE: every operator's counters.
    pub metrics: Option<Arc<QueryMetrics>>,
    /// The operator this context was handed to, when metrics are collected.
    pub operator: Option<Arc<OperatorMetrics>>,
}

impl TaskContext {
    pub fn new(batch_size: usize, target_partitions: usize, memory_pool: Arc<MemoryPool>) -> Self {
        Self {
            batch_size,
            target_partitions,
            memory_pool,
            cancelled: Arc::new(AtomicBool::new(false)),
            metrics: None,
            operator: None,
        }
    }

    /// This context with metrics collected into `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<QueryMetrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The context an operator runs with: its reservations count towards
    /// its own peak memory.
    pub fn for_operator(&self, operator: Arc<OperatorMetrics>) -> Self {
        Self {
            operator: Some(operator),
            ..self.clone()
        }
    }

    /// An empty reservation for `consumer` from the query's pool.
    pub fn reserve(&self, consumer: &str) -> MemoryReservation {
        self.memory_pool.reserve(consumer, self.operator.clone())
    }

    /// Fails with `Cancelled` once the query has been cancelled.
    pub fn check_cancelled(&self) -> Result<()> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(QuarryError::Cancelled);
        }
        Ok(())
    }
}
