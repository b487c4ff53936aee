//! The catalog: named tables (Parquet files, CSV files, in-memory batches) and
//! views. The binder reads it; DDL statements change it.

pub mod csv;
pub mod memory;
pub mod parquet;
pub mod statistics;

use crate::error::{QuarryError, Result};
use arrow::datatypes::SchemaRef;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use self::csv::CsvSource;
pub use self::memory::MemorySource;
pub use self::parquet::ParquetSource;
pub use self::statistics::{ColumnStatistics, TableStatistics};

/// Where a table's rows come from.
#[derive(Debug)]
pub enum TableSource {
    Parquet(ParquetSource),
    Csv(CsvSource),
    Memory(MemorySource),
}

impl TableSource {
    pub fn schema(&self) -> SchemaRef {
        match self {
            TableSource::Parquet(source) => source.schema.clone(),
            TableSource::Csv(source) => source.schema.clone(),
            TableSource::Memory(source) => source.schema.clone(),
        }
    }

    /// A short word for SHOW TABLES and EXPLAIN: `parquet`, `csv` or `memory`.
    pub fn kind(&self) -> &'static str {
        match self {
            TableSource::Parquet(_) => "parquet",
            TableSource::Csv(_) => "csv",
            TableSource::Memory(_) => "memory",
        }
    }
}

/// A view: its defining query, bound anew each time it is used.
#[derive(Debug, Clone)]
pub struct ViewDefinition {
    pub query: sqlparser::ast::Query,
    /// Column names given in `CREATE VIEW v (a, b) AS ...`, if any.
    pub column_names: Vec<String>,
}

/// An index created on a table.
#[derive(Debug, Clone)]
pub struct IndexDefinition {
    pub name: String,
    pub table: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

/// One name in the catalog.
#[derive(Debug, Clone)]
pub enum CatalogEntry {
    Table(Arc<TableSource>),
    View(Arc<ViewDefinition>),
}

/// Tables and views by lower-case name, and the statistics ANALYZE TABLE
/// computed for tables.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    entries: BTreeMap<String, CatalogEntry>,
    /// CREATE INDEX: index name (lower case) -> its table and columns. quarry
    /// keeps them for the catalog's listing; no plan reads them yet.
    indexes: BTreeMap<String, IndexDefinition>,
    analyzed: BTreeMap<String, Arc<TableStatistics>>,
    /// Counts the changes of `entries`, so a prepared statement knows its
    /// plan may read a table or view that no longer exists.
    version: u64,
}

impl Catalog {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, name: &str) -> Option<&CatalogEntry> {
        self.entries.get(&name.to_lowercase())
    }

    /// Changes whenever an entry is added, replaced or removed.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.entries.keys()
    }

    pub fn entries(&self) -> impl Iterator<Item = (&String, &CatalogEntry)> {
        self.entries.iter()
    }

    /// Adds an entry; fails if the name exists unless `replace`.
    pub fn register(&mut self, name: &str, entry: CatalogEntry, replace: bool) -> Result<()> {
        let key = name.to_lowercase();
        if !replace && self.entries.contains_key(&key) {
            return Err(QuarryError::Plan(format!(
                "Catalog Error: Table with name \"{name}\" already exists!"
            )));
        }
        self.analyzed.remove(&key);
        self.entries.insert(key, entry);
        self.version += 1;
        Ok(())
    }

    /// Adds an index; false if one of that name exists.
    pub fn add_index(&mut self, index: IndexDefinition) -> bool {
        let key = index.name.to_lowercase();
        if self.indexes.contains_key(&key) {
            return false;
        }
        self.indexes.insert(key, index);
        self.version += 1;
        true
    }

    /// Removes the index called `name`.
    pub fn remove_index(&mut self, name: &str) -> Option<IndexDefinition> {
        self.indexes.remove(&name.to_lowercase())
    }

    /// Every index, by name.
    pub fn indexes(&self) -> impl Iterator<Item = &IndexDefinition> {
        self.indexes.values()
    }

    pub fn remove(&mut self, name: &str) -> Option<CatalogEntry> {
        self.analyzed.remove(&name.to_lowercase());
        self.indexes
            .retain(|_, index| !index.table.eq_ignore_ascii_case(name));
        self.version += 1;
        self.entries.remove(&name.to_lowercase())
    }

    /// The statistics of table `name` over `source`: those of ANALYZE TABLE
    /// when it ran, else what the storage tells.
    pub fn statistics(&self, name: &str, source: &TableSource) -> Arc<TableStatistics> {
        match self.analyzed.get(&name.to_lowercase()) {
            Some(stats) => stats.clone(),
            None => Arc::new(TableStatistics::from_source(source)),
        }
    }

    /// Keeps what ANALYZE TABLE computed for `name`.
    pub fn set_statistics(&mut self, name: &str, statistics: Arc<TableStatistics>) {
        self.analyzed.insert(name.to_lowercase(), statistics);
    }

    /// Forgets computed statistics after the table's rows changed.
    pub fn invalidate_statistics(&mut self, name: &str) {
        self.analyzed.remove(&name.to_lowercase());
    }

    /// Registers every `NAME.parquet`, `NAME.csv` and directory `NAME/` of Parquet
    /// files in `dir` as table NAME. Returns the names registered.
    pub fn register_directory(&mut self, dir: &Path) -> Result<Vec<String>> {
        let mut registered = vec![];
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| QuarryError::Execution(format!("cannot read {}: {e}", dir.display())))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        paths.sort();
        for path in paths {
            let Some(stem) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let source = if path.is_dir() {
                let files = parquet::list_parquet_files(&path)?;
                if files.is_empty() {
                    continue;
                }
                TableSource::Parquet(ParquetSource::try_new(files)?)
            } else if extension.eq_ignore_ascii_case("parquet") {
                TableSource::Parquet(ParquetSource::try_new(vec![path.clone()])?)
            } else if extension.eq_ignore_ascii_case("csv") {
                TableSource::Csv(CsvSource::try_new(
                    vec![path.clone()],
                    csv::CsvOptions::default(),
                )?)
            } else {
                continue;
            };
            self.register(&stem, CatalogEntry::Table(Arc::new(source)), true)?;
            registered.push(stem);
        }
        Ok(registered)
    }
}

/// Expands a path or glob pattern into the sorted list of matching files.
pub fn expand_glob(pattern: &str) -> Result<Vec<PathBuf>> {
    let paths = glob::glob(pattern)
        .map_err(|e| QuarryError::Plan(format!("invalid file pattern '{pattern}': {e}")))?;
    let mut files: Vec<PathBuf> = paths
        .filter_map(|p| p.ok())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(QuarryError::Plan(format!(
            "IO Error: No files found that match the pattern \"{pattern}\""
        )));
    }
    Ok(files)
}
