//! Execution: physical operators that pull Arrow record batches, the physical
//! expressions they evaluate, aggregate and scalar functions, the memory pool
//! and the scheduler that runs partitions in parallel on rayon.

pub mod context;
pub mod expressions;
pub mod functions;
pub mod memory;
pub mod metrics;
pub mod operators;
pub mod scheduler;

use crate::error::Result;
use arrow::record_batch::RecordBatch;

/// The output of one partition of an operator: a lazy stream of batches.
pub type BatchStream = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

pub use context::TaskContext;
pub use operators::PhysicalPlan;
