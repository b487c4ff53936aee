//! Memory accounting. Operators that buffer rows (aggregate, sort, exchange)
//! hold a [`MemoryReservation`] from the query's [`MemoryPool`] and grow it as
//! they buffer; past the limit they fail with `ResourcesExhausted`.

use super::metrics::OperatorMetrics;
use crate::error::{QuarryError, Result};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A byte budget shared by every operator of a query.
#[derive(Debug)]
pub struct MemoryPool {
    limit: usize,
    used: AtomicUsize,
    peak: AtomicUsize,
}

impl MemoryPool {
    /// A pool of `limit` bytes (`usize::MAX` for no limit).
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit,
            used: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        })
    }

    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// An empty reservation for `consumer` (named in errors), also counted
    /// in `operator`'s peak memory when given.
    pub fn reserve(
        self: &Arc<Self>,
        consumer: &str,
        operator: Option<Arc<OperatorMetrics>>,
    ) -> MemoryReservation {
        MemoryReservation {
            pool: self.clone(),
            consumer: consumer.to_string(),
            size: 0,
            operator,
        }
    }

    fn try_grow(&self, bytes: usize, consumer: &str) -> Result<()> {
        let mut current = self.used.load(Ordering::Relaxed);
        loop {
            let next = current.saturating_add(bytes);
            if next > self.limit {
                return Err(QuarryError::ResourcesExhausted(format!(
                    "{consumer} could not reserve {bytes} bytes: {current} of the memory_limit of {} bytes in use",
                    self.limit
                )));
            }
            match self
                .used
                .compare_exchange(current, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => {
                    self.peak.fetch_max(next, Ordering::Relaxed);
                    return Ok(());
                }
                Err(actual) => current = actual,
            }
        }
    }

    fn shrink(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }
}

/// Bytes held by one operator; released when dropped.
#[derive(Debug)]
pub struct MemoryReservation {
    pool: Arc<MemoryPool>,
    consumer: String,
    size: usize,
    operator: Option<Arc<OperatorMetrics>>,
}

impl MemoryReservation {
    pub fn size(&self) -> usize {
        self.size
    }

    /// Grows or shrinks the reservation to `bytes`.
    pub fn try_resize(&mut self, bytes: usize) -> Result<()> {
        if bytes > self.size {
            self.pool.try_grow(bytes - self.size, &self.consumer)?;
            if let Some(operator) = &self.operator {
                operator.grow_memory(bytes - self.size);
            }
        } else {
            self.pool.shrink(self.size - bytes);
            if let Some(operator) = &self.operator {
                operator.shrink_memory(self.size - bytes);
            }
        }
        self.size = bytes;
        Ok(())
    }

    pub fn try_grow(&mut self, bytes: usize) -> Result<()> {
        self.try_resize(self.size + bytes)
    }
}

impl Drop for MemoryReservation {
    fn drop(&mut self) {
        self.pool.shrink(self.size);
        if let Some(operator) = &self.operator {
            operator.shrink_memory(self.size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservation_past_the_limit_fails_and_drop_releases() {
        let pool = MemoryPool::new(100);
        let mut first = pool.reserve("sort", None);
        first.try_resize(80).unwrap();
        let mut second = pool.reserve("aggregate", None);
        let error = second.try_resize(30).unwrap_err().to_string();
        assert!(error.contains("aggregate"), "{error}");
        drop(first);
        assert_eq!(pool.used(), 0);
        second.try_resize(30).unwrap();
        assert_eq!(pool.peak(), 80);
    }
}
