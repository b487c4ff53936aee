//! Functions: scalar functions evaluated on whole arrays (`scalar/`) and
//! aggregate accumulators updated by group index (`aggregate/`).

pub mod aggregate;
pub mod scalar;
