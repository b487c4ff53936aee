//! Parquet tables: one or more files sharing a schema. Footers (and page
//! indexes, when present) are read once when the table is registered; scans
//! reuse them.

use crate::error::{QuarryError, Result};
use arrow::datatypes::SchemaRef;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use std::fs::File;
use std::path::{Path, PathBuf};

/// One Parquet file and its parsed footer.
#[derive(Debug, Clone)]
pub struct ParquetFile {
    pub path: PathBuf,
    pub metadata: ArrowReaderMetadata,
}

impl ParquetFile {
    pub fn num_rows(&self) -> usize {
        let metadata = self.metadata.metadata();
        metadata.file_metadata().num_rows().max(0) as usize
    }
}

#[derive(Debug)]
pub struct ParquetSource {
    pub files: Vec<ParquetFile>,
    pub schema: SchemaRef,
}

impl ParquetSource {
    /// Opens every file's footer; all files must have the first file's schema.
    pub fn try_new(paths: Vec<PathBuf>) -> Result<Self> {
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let file = File::open(&path).map_err(|e| {
                QuarryError::Execution(format!("cannot open {}: {e}", path.display()))
            })?;
            // The page index, where the file has one, lets scans skip pages
            // inside the row groups they read.
            let options = ArrowReaderOptions::new()
                .with_page_index_policy(parquet::file::metadata::PageIndexPolicy::Optional);
            let metadata = ArrowReaderMetadata::load(&file, options).map_err(|e| {
                QuarryError::Execution(format!("{} is not a Parquet file: {e}", path.display()))
            })?;
            files.push(ParquetFile { path, metadata });
        }
        let Some(first) = files.first() else {
            return Err(QuarryError::Plan(
                "a Parquet table needs at least one file".into(),
            ));
        };
        let schema = first.metadata.schema().clone();
        for file in &files[1..] {
            if file.metadata.schema().fields() != schema.fields() {
                return Err(QuarryError::Plan(format!(
                    "{} has a different schema from {}",
                    file.path.display(),
                    first.path.display()
                )));
            }
        }
        Ok(Self { files, schema })
    }

    pub fn num_rows(&self) -> usize {
        self.files.iter().map(ParquetFile::num_rows).sum()
    }

    /// The smallest and largest value of an integer column over every row
    /// group, from the footers' statistics; `None` when any is missing.
    pub fn integer_range(&self, column: usize) -> Option<(i64, i64)> {
        use parquet::file::statistics::Statistics;
        let mut range: Option<(i64, i64)> = None;
        for file in &self.files {
            for row_group in file.metadata.metadata().row_groups() {
                let (min, max) = match row_group.columns().get(column)?.statistics()? {
                    Statistics::Int32(s) => (*s.min_opt()? as i64, *s.max_opt()? as i64),
                    Statistics::Int64(s) => (*s.min_opt()?, *s.max_opt()?),
                    _ => return None,
                };
                range = Some(match range {
                    None => (min, max),
                    Some((lo, hi)) => (lo.min(min), hi.max(max)),
                });
            }
        }
        range
    }
}

/// The `.parquet` files directly inside `dir`, sorted.
pub fn list_parquet_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
        })
        .collect();
    files.sort();
    Ok(files)
}
