//! ParquetScanExec: reads the projected columns of a set of row groups per
//! partition. Row groups are spread over partitions in file order so that
//! every partition reads about the same number of rows.

use crate::catalog::parquet::ParquetFile;
use crate::error::{QuarryError, Result};
use crate::execution::{BatchStream, TaskContext};
use arrow::datatypes::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::fs::File;
use std::sync::Arc;

/// The row groups of one file that one partition reads.
#[derive(Debug, Clone)]
pub struct FileRowGroups {
    pub file: usize,
    pub row_groups: Vec<usize>,
}

#[derive(Debug)]
pub struct ParquetScanExec {
    pub table_name: String,
    pub files: Arc<Vec<ParquetFile>>,
    /// Indices of the file columns read, in output order.
    pub projection: Vec<usize>,
    pub schema: SchemaRef,
    pub partitions: Vec<Vec<FileRowGroups>>,
    /// Filters shown as PushedFilters (rows are filtered above the scan).
    pub pushed_filters: Vec<String>,
}

impl ParquetScanExec {
    pub fn try_new(
        table_name: String,
        files: Arc<Vec<ParquetFile>>,
        projection: Vec<usize>,
        schema: SchemaRef,
        target_partitions: usize,
        pushed_filters: Vec<String>,
    ) -> Result<Self> {
        let partitions = split_row_groups(&files, target_partitions.max(1));
        Ok(Self {
            table_name,
            files,
            projection,
            schema,
            partitions,
            pushed_filters,
        })
    }

    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let Some(units) = self.partitions.get(partition) else {
            return Err(QuarryError::Internal(format!(
                "parquet scan has no partition {partition}"
            )));
        };
        let files = self.files.clone();
        let projection = self.projection.clone();
        let schema = self.schema.clone();
        let batch_size = ctx.batch_size;
        let units = units.clone();
        let streams = units.into_iter().map(move |unit| -> Result<BatchStream> {
            let file = &files[unit.file];
            let handle = File::open(&file.path).map_err(|e| {
                QuarryError::Execution(format!("cannot open {}: {e}", file.path.display()))
            })?;
            let builder =
                ParquetRecordBatchReaderBuilder::new_with_metadata(handle, file.metadata.clone());
            // The reader returns columns in file order; reorder to the projection's.
            let mut sorted = projection.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let mask = ProjectionMask::roots(builder.parquet_schema(), sorted.iter().copied());
            let order: Vec<usize> = projection
                .iter()
                .map(|p| sorted.iter().position(|s| s == p).unwrap_or(0))
                .collect();
            let reader = builder
                .with_projection(mask)
                .with_row_groups(unit.row_groups)
                .with_batch_size(batch_size)
                .build()?;
            let schema = schema.clone();
            Ok(Box::new(reader.map(move |batch| {
                let batch = batch?;
                let columns = order.iter().map(|&i| batch.column(i).clone()).collect();
                let options = arrow::record_batch::RecordBatchOptions::new()
                    .with_row_count(Some(batch.num_rows()));
                Ok(arrow::record_batch::RecordBatch::try_new_with_options(
                    schema.clone(),
                    columns,
                    &options,
                )?)
            })))
        });
        Ok(Box::new(streams.flat_map(|stream| match stream {
            Ok(stream) => stream,
            Err(e) => Box::new(std::iter::once(Err(e))) as BatchStream,
        })))
    }

    pub fn describe(&self) -> String {
        let columns: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let row_groups: usize = self
            .partitions
            .iter()
            .flatten()
            .map(|u| u.row_groups.len())
            .sum();
        format!(
            "Scan parquet {} [{}] PushedFilters: [{}], RowGroups: {row_groups}, Partitions: {}",
            self.table_name,
            columns.join(", "),
            self.pushed_filters.join(", "),
            self.partitions.len()
        )
    }
}

/// Contiguous runs of row groups, balanced by row count, at most `target` runs.
fn split_row_groups(files: &[ParquetFile], target: usize) -> Vec<Vec<FileRowGroups>> {
    let mut units = vec![];
    for (file_index, file) in files.iter().enumerate() {
        let metadata = file.metadata.metadata();
        for (rg, row_group) in metadata.row_groups().iter().enumerate() {
            units.push((file_index, rg, row_group.num_rows().max(0) as usize));
        }
    }
    let total: usize = units.iter().map(|u| u.2).sum();
    let per_partition = total.div_ceil(target).max(1);
    let mut partitions: Vec<Vec<FileRowGroups>> = vec![];
    let mut current: Vec<FileRowGroups> = vec![];
    let mut current_rows = 0;
    for (file, rg, rows) in units {
        match current.last_mut() {
            Some(last) if last.file == file => last.row_groups.push(rg),
            _ => current.push(FileRowGroups {
                file,
                row_groups: vec![rg],
            }),
        }
        current_rows += rows;
        if current_rows >= per_partition {
            partitions.push(std::mem::take(&mut current));
            current_rows = 0;
        }
    }
    if !current.is_empty() {
        partitions.push(current);
    }
    if partitions.is_empty() {
        partitions.push(vec![]);
    }
    partitions
}
