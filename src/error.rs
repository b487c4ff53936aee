//! The one error type of quarry. Variants say who is at fault: the user's SQL
//! (`Parse`, `Plan`), an unsupported feature (`NotImplemented`), the data or the
//! run (`Execution`, `ResourcesExhausted`, `Cancelled`), a library below us
//! (`Arrow`, `Parquet`, `Io`), or quarry itself (`Internal`).

use thiserror::Error;

/// Result alias used throughout quarry.
pub type Result<T, E = QuarryError> = std::result::Result<T, E>;

/// Every error quarry reports.
#[derive(Debug, Error)]
pub enum QuarryError {
    /// The SQL text could not be parsed; `line` and `column` are 1-based.
    #[error("Parser Error: {message} at line {line}, column {column}")]
    Parse {
        message: String,
        line: u64,
        column: u64,
    },
    /// The SQL parsed but cannot be planned: unknown names, type mismatches.
    #[error("{0}")]
    Plan(String),
    /// Valid SQL that quarry does not support yet.
    #[error("Not implemented: {0}")]
    NotImplemented(String),
    /// A failure while running a query: bad casts, division by zero, bad files.
    /// Messages that already name their kind (`Conversion Error: ...`) are
    /// shown as they are.
    #[error("{}", execution_message(.0))]
    Execution(String),
    /// A memory limit was hit.
    #[error("Resources exhausted: {0}")]
    ResourcesExhausted(String),
    /// The query was cancelled.
    #[error("Query cancelled")]
    Cancelled,
    #[error("Arrow Error: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("Parquet Error: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("IO Error: {0}")]
    Io(#[from] std::io::Error),
    /// A broken invariant inside quarry: always a bug.
    #[error("Internal Error: {0}")]
    Internal(String),
}

/// Builds a `QuarryError::Plan` from a format string.
#[macro_export]
macro_rules! plan_err {
    ($($arg:tt)*) => { Err($crate::error::QuarryError::Plan(format!($($arg)*))) };
}

/// Builds a `QuarryError::Execution` from a format string.
#[macro_export]
macro_rules! exec_err {
    ($($arg:tt)*) => { Err($crate::error::QuarryError::Execution(format!($($arg)*))) };
}

/// Builds a `QuarryError::Internal` from a format string.
#[macro_export]
macro_rules! internal_err {
    ($($arg:tt)*) => { Err($crate::error::QuarryError::Internal(format!($($arg)*))) };
}

/// Builds a `QuarryError::NotImplemented` from a format string.
#[macro_export]
macro_rules! not_impl_err {
    ($($arg:tt)*) => { Err($crate::error::QuarryError::NotImplemented(format!($($arg)*))) };
}

/// `Execution Error: ` in front of a message unless it already starts with
/// an error kind such as `Conversion Error:` or `Out of Range Error:`.
fn execution_message(message: &str) -> String {
    match message.find(" Error: ") {
        Some(at) if at <= 24 && !message[..at].contains(':') => message.to_string(),
        _ => format!("Execution Error: {message}"),
    }
}
