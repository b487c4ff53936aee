//! MemoryScanExec: batches of an in-memory table, cut into contiguous runs
//! of about equal rows, one per partition, so reading the partitions in
//! order reads the rows in insertion order.

use crate::error::{QuarryError, Result};
use crate::execution::BatchStream;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};

#[derive(Debug)]
pub struct MemoryScanExec {
    pub table_name: String,
    pub schema: SchemaRef,
    pub partitions: Vec<Vec<RecordBatch>>,
}

impl MemoryScanExec {
    pub fn try_new(
        table_name: String,
        batches: Vec<RecordBatch>,
        projection: &[usize],
        schema: SchemaRef,
        target_partitions: usize,
    ) -> Result<Self> {
        let count = target_partitions.max(1).min(batches.len()).max(1);
        let mut partitions = vec![vec![]; count];
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let mut seen = 0usize;
        for batch in batches.into_iter() {
            // The partition whose share of the rows this batch starts in.
            let i = (seen * count)
                .checked_div(total)
                .unwrap_or(0)
                .min(count - 1);
            seen += batch.num_rows();
            let columns = projection
                .iter()
                .map(|&p| batch.column(p).clone())
                .collect();
            let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
            partitions[i].push(RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &options,
            )?);
        }
        Ok(Self {
            table_name,
            schema,
            partitions,
        })
    }

    pub fn execute(&self, partition: usize) -> Result<BatchStream> {
        let batches = self.partitions.get(partition).cloned().ok_or_else(|| {
            QuarryError::Internal(format!("memory scan has no partition {partition}"))
        })?;
        Ok(Box::new(batches.into_iter().map(Ok)))
    }

    pub fn describe(&self) -> String {
        let columns: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        format!("Scan memory {} [{}]", self.table_name, columns.join(", "))
    }
}
