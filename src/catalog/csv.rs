//! CSV tables: files read with a schema inferred from the first file.

use crate::error::{QuarryError, Result};
use arrow::csv::reader::Format;
use arrow::datatypes::SchemaRef;
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

/// How a CSV file is laid out.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub has_header: bool,
    pub delimiter: u8,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            has_header: true,
            delimiter: b',',
        }
    }
}

#[derive(Debug)]
pub struct CsvSource {
    pub files: Vec<PathBuf>,
    pub schema: SchemaRef,
    pub options: CsvOptions,
}

impl CsvSource {
    /// Infers the schema from up to 10,000 rows of the first file.
    pub fn try_new(files: Vec<PathBuf>, options: CsvOptions) -> Result<Self> {
        let Some(first) = files.first() else {
            return Err(QuarryError::Plan(
                "a CSV table needs at least one file".into(),
            ));
        };
        let mut file = File::open(first)
            .map_err(|e| QuarryError::Execution(format!("cannot open {}: {e}", first.display())))?;
        let (schema, _) = self_format(&options).infer_schema(&mut file, Some(10_000))?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Self {
            files,
            schema: Arc::new(schema),
            options,
        })
    }

    /// The arrow CSV format for these options.
    pub fn format(&self) -> Format {
        self_format(&self.options)
    }
}

fn self_format(options: &CsvOptions) -> Format {
    Format::default()
        .with_header(options.has_header)
        .with_delimiter(options.delimiter)
}
