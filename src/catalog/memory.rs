//! In-memory tables made by CREATE TABLE and filled by INSERT.

use crate::error::{QuarryError, Result};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use std::sync::RwLock;

#[derive(Debug)]
pub struct MemorySource {
    pub schema: SchemaRef,
    batches: RwLock<Vec<RecordBatch>>,
}

impl MemorySource {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Self {
            schema,
            batches: RwLock::new(batches),
        }
    }

    /// A snapshot of the current rows.
    pub fn batches(&self) -> Result<Vec<RecordBatch>> {
        self.batches
            .read()
            .map(|batches| batches.clone())
            .map_err(|_| QuarryError::Internal("memory table lock poisoned".into()))
    }

    /// Appends rows; each batch must already have this table's schema.
    pub fn append(&self, new_batches: Vec<RecordBatch>) -> Result<()> {
        let mut batches = self
            .batches
            .write()
            .map_err(|_| QuarryError::Internal("memory table lock poisoned".into()))?;
        batches.extend(new_batches.into_iter().filter(|batch| batch.num_rows() > 0));
        Ok(())
    }

    /// Replaces every row (UPDATE, DELETE, ROLLBACK).
    pub fn replace(&self, new_batches: Vec<RecordBatch>) -> Result<()> {
        let mut batches = self
            .batches
            .write()
            .map_err(|_| QuarryError::Internal("memory table lock poisoned".into()))?;
        *batches = new_batches
            .into_iter()
            .filter(|batch| batch.num_rows() > 0)
            .collect();
        Ok(())
    }

    pub fn num_rows(&self) -> usize {
        self.batches
            .read()
            .map(|batches| batches.iter().map(RecordBatch::num_rows).sum())
            .unwrap_or(0)
    }
}
