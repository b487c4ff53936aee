//! Memory accounting. Operators that buffer rows (aggregate, sort, exchange)
//! hold a [`MemoryReservation`] from the query's [`MemoryPool`] and grow it as
//! they buffer; past the limit they fail with `ResourcesExhausted`.

use super::metrics::OperatorMetrics;
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayData};
use arrow::buffer::Buffer;
use arrow::record_batch::RecordBatch;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Bytes held by `batches`, each buffer counted once: the slices an operator
/// takes from a shared array (string view columns keep every data buffer of
/// the array they came from) would otherwise be counted once per slice,
/// which made a hash join's build over 734 probe batches reserve 18 GB for
/// 25 MB of strings.
pub fn batches_bytes<'a>(batches: impl IntoIterator<Item = &'a RecordBatch>) -> usize {
    let mut tally = BufferTally::default();
    batches.into_iter().map(|b| tally.add(b)).sum()
}

/// The buffers seen so far, for operators that buffer batch by batch.
#[derive(Debug, Default)]
pub struct BufferTally {
    seen: HashSet<usize>,
}

impl BufferTally {
    /// The bytes of `batch`'s buffers not seen before.
    pub fn add(&mut self, batch: &RecordBatch) -> usize {
        fn add(data: &ArrayData, seen: &mut HashSet<usize>) -> usize {
            let mut total = 0;
            let mut buffer = |b: &Buffer| {
                if seen.insert(b.data_ptr().as_ptr() as usize) {
                    total += b.capacity();
                }
            };
            data.buffers().iter().for_each(&mut buffer);
            if let Some(nulls) = data.nulls() {
                buffer(nulls.buffer());
            }
            total
                + data
                    .child_data()
                    .iter()
                    .map(|child| add(child, seen))
                    .sum::<usize>()
        }
        batch
            .columns()
            .iter()
            .map(|column| add(&column.to_data(), &mut self.seen))
            .sum()
    }
}

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

    #[test]
    fn slices_of_one_array_count_its_buffers_once() {
        use arrow::array::{ArrayRef, StringViewArray};
        let names: ArrayRef = Arc::new(StringViewArray::from_iter_values(
            (0..1000).map(|i| format!("a string longer than twelve bytes {i}")),
        ));
        let batch = RecordBatch::try_from_iter([("name", names)]).unwrap();
        let whole = batches_bytes([&batch]);
        let slices: Vec<RecordBatch> = (0..10).map(|i| batch.slice(i * 100, 100)).collect();
        assert_eq!(batches_bytes(&slices), whole);
        let naive: usize = slices.iter().map(|b| b.get_array_memory_size()).sum();
        assert!(naive > 5 * whole, "{naive} vs {whole}");
    }
}
