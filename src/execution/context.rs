//! What every task receives: batch size, the query's memory pool and the
//! cancellation flag.

use super::memory::MemoryPool;
use crate::error::{QuarryError, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct TaskContext {
    pub batch_size: usize,
    pub target_partitions: usize,
    pub memory_pool: Arc<MemoryPool>,
    pub cancelled: Arc<AtomicBool>,
}

impl TaskContext {
    pub fn new(batch_size: usize, target_partitions: usize, memory_pool: Arc<MemoryPool>) -> Self {
        Self {
            batch_size,
            target_partitions,
            memory_pool,
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Fails with `Cancelled` once the query has been cancelled.
    pub fn check_cancelled(&self) -> Result<()> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(QuarryError::Cancelled);
        }
        Ok(())
    }
}
