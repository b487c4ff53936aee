//! ValuesExec: rows computed at planning time (VALUES lists, SELECT without FROM).

use crate::error::Result;
use crate::execution::BatchStream;
use arrow::record_batch::RecordBatch;

#[derive(Debug)]
pub struct ValuesExec {
    pub batch: RecordBatch,
}

impl ValuesExec {
    pub fn execute(&self) -> Result<BatchStream> {
        Ok(Box::new(std::iter::once(Ok(self.batch.clone()))))
    }
}
