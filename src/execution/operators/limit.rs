//! LimitExec: skips `skip` rows, then passes at most `fetch` rows.

use crate::error::Result;
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use std::sync::Arc;

#[derive(Debug)]
pub struct LimitExec {
    pub input: Arc<PhysicalPlan>,
    pub skip: usize,
    pub fetch: Option<usize>,
}

impl LimitExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let input = self.input.execute(partition, ctx)?;
        let mut to_skip = self.skip;
        let mut remaining = self.fetch.unwrap_or(usize::MAX);
        Ok(Box::new(
            input
                .map_while(move |batch| {
                    if remaining == 0 {
                        return None;
                    }
                    let batch = match batch {
                        Ok(batch) => batch,
                        Err(e) => return Some(Err(e)),
                    };
                    let skipped = to_skip.min(batch.num_rows());
                    to_skip -= skipped;
                    let available = batch.num_rows() - skipped;
                    let taken = available.min(remaining);
                    remaining -= taken;
                    Some(Ok(batch.slice(skipped, taken)))
                })
                .filter(|b| !matches!(b, Ok(b) if b.num_rows() == 0)),
        ))
    }

    pub fn describe(&self) -> String {
        match self.fetch {
            Some(fetch) => format!("GlobalLimit {fetch}, offset {}", self.skip),
            None => format!("GlobalLimit ALL, offset {}", self.skip),
        }
    }
}
