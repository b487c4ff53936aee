//! Session options, settable with `--threads` and (later) `SET`.

/// Options that shape planning and execution.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Partitions per scan and threads in the pool.
    pub target_partitions: usize,
    /// Rows per record batch.
    pub batch_size: usize,
    /// Bytes a query may hold in buffering operators.
    pub memory_limit: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            target_partitions: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            batch_size: 8192,
            memory_limit: usize::MAX,
        }
    }
}
