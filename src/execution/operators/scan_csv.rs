//! CsvScanExec: one partition per file, projected after decoding.

use crate::error::{QuarryError, Result};
use crate::execution::{BatchStream, TaskContext};
use arrow::csv::ReaderBuilder;
use arrow::datatypes::SchemaRef;
use std::fs::File;
use std::path::PathBuf;

#[derive(Debug)]
pub struct CsvScanExec {
    pub table_name: String,
    pub files: Vec<PathBuf>,
    pub file_schema: SchemaRef,
    pub has_header: bool,
    pub delimiter: u8,
    pub projection: Vec<usize>,
    pub schema: SchemaRef,
}

impl CsvScanExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let Some(path) = self.files.get(partition) else {
            return Ok(Box::new(std::iter::empty()));
        };
        let file = File::open(path)
            .map_err(|e| QuarryError::Execution(format!("cannot open {}: {e}", path.display())))?;
        let reader = ReaderBuilder::new(self.file_schema.clone())
            .with_header(self.has_header)
            .with_delimiter(self.delimiter)
            .with_batch_size(ctx.batch_size)
            .build(file)?;
        let projection = self.projection.clone();
        let schema = self.schema.clone();
        let path = path.clone();
        Ok(Box::new(reader.map(move |batch| {
            let batch = batch
                .map_err(|e| QuarryError::Execution(format!("reading {}: {e}", path.display())))?;
            let columns = projection
                .iter()
                .map(|&i| batch.column(i).clone())
                .collect();
            let options = arrow::record_batch::RecordBatchOptions::new()
                .with_row_count(Some(batch.num_rows()));
            Ok(arrow::record_batch::RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &options,
            )?)
        })))
    }

    pub fn describe(&self) -> String {
        let columns: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        format!("Scan csv {} [{}]", self.table_name, columns.join(", "))
    }
}
