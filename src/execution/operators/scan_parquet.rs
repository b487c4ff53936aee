//! ParquetScanExec: reads the projected columns of a set of row groups per
//! partition. Row groups are spread over partitions in file order so that
//! every partition reads about the same number of rows.
//!
//! Row groups whose statistics rule out every pushed filter were dropped by
//! the planner (`row_groups_total` counts them all). The pushed filters run
//! while decoding (arrow's `RowFilter`): each conjunct decodes only the
//! columns it reads, and the other columns are decoded only for the rows
//! that passed (late materialization).

use crate::catalog::parquet::ParquetFile;
use crate::error::{QuarryError, Result};
use crate::execution::expressions::PhysicalExpr;
use crate::execution::{BatchStream, TaskContext};
use arrow::array::{Array, BooleanArray};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use parquet::arrow::arrow_reader::{
    ArrowPredicate, ArrowPredicateFn, ParquetRecordBatchReaderBuilder, RowFilter, RowSelection,
    RowSelector,
};
use parquet::arrow::ProjectionMask;
use std::fs::File;
use std::sync::{Arc, Mutex};

/// One pushed conjunct, evaluated while decoding over the file columns
/// `columns` (ascending; the expression's column positions index them).
#[derive(Debug)]
pub struct ScanPredicate {
    pub columns: Vec<usize>,
    pub expr: PhysicalExpr,
}

/// The row groups of one file that one partition reads.
#[derive(Debug, Clone)]
pub struct FileRowGroups {
    pub file: usize,
    pub row_groups: Vec<usize>,
    /// The rows of those row groups to read (from the page index); `None`
    /// reads them all.
    pub selection: Option<RowSelection>,
}

/// What a scan reads of one row group.
#[derive(Debug, Clone)]
pub enum RowGroupAccess {
    /// Pruned by statistics.
    Skip,
    All,
    /// Only these rows (pages the page index could not rule out).
    Rows(RowSelection),
}

#[derive(Debug)]
pub struct ParquetScanExec {
    pub table_name: String,
    pub files: Arc<Vec<ParquetFile>>,
    /// Indices of the file columns read, in output order.
    pub projection: Vec<usize>,
    pub schema: SchemaRef,
    pub partitions: Vec<Vec<FileRowGroups>>,
    /// Filters shown as PushedFilters.
    pub pushed_filters: Vec<String>,
    /// The pushed filters, run while decoding; empty when the rows are
    /// filtered above the scan.
    pub predicates: Vec<Arc<ScanPredicate>>,
    /// Row groups in the files, before pruning.
    pub row_groups_total: usize,
}

impl ParquetScanExec {
    /// `, PageIndex: N rows skipped` when the page index ruled rows out.
    fn page_skips(&self) -> String {
        match self.rows_skipped_by_page_index() {
            0 => String::new(),
            n => format!(", PageIndex: {n} rows skipped"),
        }
    }

    /// `, LateMaterialization: [..]`: the columns decoded only for rows that
    /// passed the pushed filters; empty without a row filter.
    fn late_columns(&self) -> String {
        if self.predicates.is_empty() {
            return String::new();
        }
        let filtered: std::collections::HashSet<usize> = self
            .predicates
            .iter()
            .flat_map(|p| p.columns.iter().copied())
            .collect();
        let late: Vec<&str> = self
            .projection
            .iter()
            .zip(self.schema.fields())
            .filter(|(p, _)| !filtered.contains(p))
            .map(|(_, f)| f.name().as_str())
            .collect();
        format!(", LateMaterialization: [{}]", late.join(", "))
    }

    /// Rows the page index ruled out inside the row groups read.
    pub fn rows_skipped_by_page_index(&self) -> usize {
        self.partitions
            .iter()
            .flatten()
            .filter_map(|unit| {
                let selection = unit.selection.as_ref()?;
                let metadata = self.files[unit.file].metadata.metadata();
                let total: usize = unit
                    .row_groups
                    .iter()
                    .map(|&rg| metadata.row_group(rg).num_rows().max(0) as usize)
                    .sum();
                Some(total - selection.row_count())
            })
            .sum()
    }

    /// Row groups read after pruning.
    pub fn row_groups_read(&self) -> usize {
        self.partitions
            .iter()
            .flatten()
            .map(|u| u.row_groups.len())
            .sum()
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
        let predicates = self.predicates.clone();
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
            // The first error of a pushed filter, reported as it is rather
            // than wrapped by the Parquet reader.
            let failure: Arc<Mutex<Option<QuarryError>>> = Arc::default();
            let mut builder = builder
                .with_projection(mask)
                .with_row_groups(unit.row_groups)
                .with_batch_size(batch_size);
            if let Some(selection) = unit.selection {
                builder = builder.with_row_selection(selection);
            }
            if !predicates.is_empty() {
                let filters = predicates
                    .iter()
                    .map(|p| row_predicate(p, builder.parquet_schema(), &failure))
                    .collect();
                builder = builder.with_row_filter(RowFilter::new(filters));
            }
            let taken = |failure: &Mutex<Option<QuarryError>>| {
                failure.lock().ok().and_then(|mut f| f.take())
            };
            let reader = match builder.build() {
                Ok(reader) => reader,
                Err(e) => return Err(taken(&failure).unwrap_or(e.into())),
            };
            let schema = schema.clone();
            Ok(Box::new(reader.map(move |batch| {
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(e) => return Err(taken(&failure).unwrap_or(e.into())),
                };
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
        format!(
            "Scan parquet {} [{}] PushedFilters: [{}], ReadSchema: [{}], RowGroups: {} of {}, Partitions: {}",
            self.table_name,
            columns.join(", "),
            self.pushed_filters.join(", "),
            self.schema
                .fields()
                .iter()
                .map(|f| format!("{}:{}", f.name(), f.data_type()))
                .collect::<Vec<_>>()
                .join(", "),
            self.row_groups_read(),
            self.row_groups_total,
            self.partitions.len()
        ) + &self.page_skips()
            + &self.late_columns()
    }
}

/// One pushed conjunct as an arrow `ArrowPredicate` over the file columns it
/// reads. NULL counts as false; an error is kept in `failure`.
fn row_predicate(
    predicate: &Arc<ScanPredicate>,
    parquet_schema: &parquet::schema::types::SchemaDescriptor,
    failure: &Arc<Mutex<Option<QuarryError>>>,
) -> Box<dyn ArrowPredicate> {
    let mask = ProjectionMask::roots(parquet_schema, predicate.columns.iter().copied());
    let predicate = predicate.clone();
    let failure = failure.clone();
    Box::new(ArrowPredicateFn::new(mask, move |batch| {
        let result = predicate.expr.evaluate_to_array(&batch).and_then(|array| {
            array
                .as_any()
                .downcast_ref::<BooleanArray>()
                .cloned()
                .ok_or_else(|| QuarryError::Internal("a filter returned a non-boolean".into()))
        });
        match result {
            Ok(mask) if mask.null_count() == 0 => Ok(mask),
            Ok(mask) => Ok(arrow::compute::prep_null_mask_filter(&mask)),
            Err(e) => {
                let message = e.to_string();
                if let Ok(mut slot) = failure.lock() {
                    slot.get_or_insert(e);
                }
                Err(ArrowError::ComputeError(message))
            }
        }
    }))
}

/// Contiguous runs of the row groups read, balanced by row count, at most
/// `target` runs. `access[f][g]` says what is read of row group `g` of file `f`.
pub fn split_row_groups(
    files: &[ParquetFile],
    access: &[Vec<RowGroupAccess>],
    target: usize,
) -> Vec<Vec<FileRowGroups>> {
    let mut units = vec![];
    for (file_index, file) in files.iter().enumerate() {
        let metadata = file.metadata.metadata();
        for (rg, row_group) in metadata.row_groups().iter().enumerate() {
            let rows = row_group.num_rows().max(0) as usize;
            let read = access
                .get(file_index)
                .and_then(|a| a.get(rg))
                .cloned()
                .unwrap_or(RowGroupAccess::All);
            match read {
                RowGroupAccess::Skip => {}
                RowGroupAccess::All => units.push((file_index, rg, rows, rows, None)),
                RowGroupAccess::Rows(selection) => {
                    let selected = selection.row_count();
                    units.push((file_index, rg, selected, rows, Some(selection)));
                }
            }
        }
    }
    let total: usize = units.iter().map(|u| u.2).sum();
    let per_partition = total.div_ceil(target).max(1);
    let mut partitions: Vec<Vec<FileRowGroups>> = vec![];
    let mut current: Vec<FileRowGroups> = vec![];
    let mut current_rows = 0;
    for (file, rg, rows, all_rows, selection) in units {
        if current.last().is_none_or(|last| last.file != file) {
            current.push(FileRowGroups {
                file,
                row_groups: vec![],
                selection: None,
            });
        }
        if let Some(unit) = current.last_mut() {
            append_selection(unit, files, all_rows, selection);
            unit.row_groups.push(rg);
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

/// Extends `unit`'s selection by the next row group's: its selected rows
/// (`Some((selection, rows))`), or all of its `rows` (`None`). A unit reads
/// everything until one of its row groups needs a selection.
fn append_selection(
    unit: &mut FileRowGroups,
    files: &[ParquetFile],
    rows: usize,
    next: Option<RowSelection>,
) {
    if unit.selection.is_none() && next.is_none() {
        return;
    }
    let mut selectors: Vec<RowSelector> = match unit.selection.take() {
        Some(selection) => selection.into(),
        None => {
            let metadata = files[unit.file].metadata.metadata();
            let before: usize = unit
                .row_groups
                .iter()
                .map(|&rg| metadata.row_group(rg).num_rows().max(0) as usize)
                .sum();
            vec![RowSelector::select(before)]
        }
    };
    match next {
        Some(selection) => selectors.extend(Vec::<RowSelector>::from(selection)),
        None => selectors.push(RowSelector::select(rows)),
    }
    unit.selection = Some(RowSelection::from(selectors));
}
