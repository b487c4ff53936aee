//! `quarry slt FILE...`: runs sqllogictest files (the format of the SQLite,
//! DuckDB and DataFusion suites) against a fresh session per file. Records are
//! parsed by the `sqllogictest` crate; running and comparing is done here so
//! that every failing record is reported and the run goes on.
//!
//! Two result conventions (`Convention`), chosen per file from what it
//! contains or forced with `--convention`:
//! - SQLite's: integers plainly, `R` columns with three decimals, `NULL`,
//!   `(empty)` for the empty string, values compared as text; results with
//!   more values than the `hash-threshold` compare as an MD5 hash.
//! - DuckDB's (`duckdb.rs`): columns separated by tabs, values compared by
//!   the result column's type (`1` equals `true`, floats approximately),
//!   `<REGEX>:` / `<!REGEX>:` lines, `(empty)` and `NULL` as in SQLite's.

mod duckdb;

pub use duckdb::Convention;

use crate::error::{QuarryError, Result};
use crate::repl::format::format_value;
use crate::session::Session;
use arrow::datatypes::DataType;
use sqllogictest::{Condition, DefaultColumnType, QueryExpect, Record, SortMode, StatementExpect};
use std::io::Write;
use std::path::Path;

/// The label quarry answers to in `skipif` / `onlyif`.
const ENGINE_LABEL: &str = "quarry";

/// Pass and fail counts of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SltSummary {
    pub passed: usize,
    pub failed: usize,
}

/// Runs every file; failures are written to `out` as they happen, and the
/// closing `N passed, M failed` line too.
pub fn run_files(files: &[impl AsRef<Path>], out: &mut dyn Write) -> Result<SltSummary> {
    run_files_with(files, None, out)
}

/// `run_files` with a convention for every file (`None`: each file's own).
pub fn run_files_with(
    files: &[impl AsRef<Path>],
    convention: Option<Convention>,
    out: &mut dyn Write,
) -> Result<SltSummary> {
    let mut total = SltSummary::default();
    for file in files {
        let path = file.as_ref();
        let convention = match convention {
            Some(convention) => convention,
            None => Convention::of_file(path)?,
        };
        let summary = run_file(path, convention, out)?;
        total.passed += summary.passed;
        total.failed += summary.failed;
    }
    writeln!(out, "{} passed, {} failed", total.passed, total.failed)?;
    Ok(total)
}

fn run_file(path: &Path, convention: Convention, out: &mut dyn Write) -> Result<SltSummary> {
    let records = sqllogictest::parse_file::<DefaultColumnType>(path)
        .map_err(|e| QuarryError::Plan(format!("cannot parse {}: {e}", path.display())))?;
    let mut session = Session::new()?;
    let mut summary = SltSummary::default();
    let mut hash_threshold = 0usize;
    for record in records {
        let outcome = match record {
            Record::Statement {
                loc,
                conditions,
                sql,
                expected,
                ..
            } => {
                if skipped(&conditions) {
                    continue;
                }
                let result = session.sql(&sql);
                let failure = match (expected, result) {
                    (StatementExpect::Error(_), Err(_)) => None,
                    (StatementExpect::Error(_), Ok(_)) => {
                        Some("expected an error, got success".to_string())
                    }
                    (_, Ok(_)) => None,
                    (_, Err(e)) => Some(format!("expected success, got error: {e}")),
                };
                failure.map(|why| (loc.to_string(), sql, why))
            }
            Record::Query {
                loc,
                conditions,
                sql,
                expected,
                ..
            } => {
                if skipped(&conditions) {
                    continue;
                }
                let why = match convention {
                    Convention::Sqlite => check_query(&mut session, &sql, expected, hash_threshold),
                    Convention::DuckDb => duckdb::check_query(&mut session, &sql, expected),
                };
                why.map(|why| (loc.to_string(), sql, why))
            }
            Record::HashThreshold { threshold, .. } => {
                hash_threshold = threshold as usize;
                continue;
            }
            Record::Halt { .. } => break,
            _ => continue,
        };
        match outcome {
            None => summary.passed += 1,
            Some((location, sql, why)) => {
                summary.failed += 1;
                writeln!(
                    out,
                    "FAILED {location}\n  {}\n{why}\n",
                    sql.replace('\n', "\n  ")
                )?;
            }
        }
    }
    Ok(summary)
}

fn skipped(conditions: &[Condition]) -> bool {
    conditions.iter().any(|c| match c {
        Condition::OnlyIf { label } => label != ENGINE_LABEL,
        Condition::SkipIf { label } => label == ENGINE_LABEL,
    })
}

/// `None` when the query's result matches, else why not.
fn check_query(
    session: &mut Session,
    sql: &str,
    expected: QueryExpect<DefaultColumnType>,
    hash_threshold: usize,
) -> Option<String> {
    let (types, sort_mode, expected_lines) = match expected {
        QueryExpect::Error(_) => {
            return match session.sql(sql) {
                Err(_) => None,
                Ok(_) => Some("expected an error, got rows".into()),
            }
        }
        QueryExpect::Results {
            types,
            sort_mode,
            results,
            ..
        } => (types, sort_mode, results),
    };
    let mut rows = match session_rows(session, sql, &types) {
        Ok(rows) => rows,
        Err(e) => return Some(format!("expected rows, got error: {e}")),
    };
    let mut values: Vec<String> = rows.iter().flatten().cloned().collect();
    match sort_mode {
        Some(SortMode::RowSort) => rows.sort(),
        Some(SortMode::ValueSort) => values.sort(),
        _ => {}
    }
    if !matches!(sort_mode, Some(SortMode::ValueSort)) {
        values = rows.iter().flatten().cloned().collect();
    }
    let expected_text = expected_lines.join("\n");
    if let Some((count, hash)) = parse_hash_line(&expected_lines) {
        let got_hash = hash_values(&values);
        if count == values.len() && got_hash == hash {
            return None;
        }
        return Some(format!(
            "expected: {count} values hashing to {hash}\ngot:      {} values hashing to {got_hash}",
            values.len()
        ));
    }
    if hash_threshold > 0 && values.len() > hash_threshold && expected_lines.len() == 1 {
        return Some(format!(
            "expected: {expected_text}\ngot: {} values",
            values.len()
        ));
    }
    let normalize = |lines: Vec<String>| -> Vec<String> {
        lines
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let expected_norm = normalize(expected_lines.clone());
    let row_lines = normalize(rows.iter().map(|r| r.join(" ")).collect());
    let value_lines = normalize(values.clone());
    if expected_norm == row_lines || expected_norm == value_lines {
        return None;
    }
    Some(format!(
        "expected:\n  {}\ngot:\n  {}",
        expected_lines.join("\n  "),
        rows.iter()
            .map(|r| r.join(" "))
            .collect::<Vec<_>>()
            .join("\n  ")
    ))
}

/// Runs `sql` and formats every value by its declared column type.
fn session_rows(
    session: &mut Session,
    sql: &str,
    types: &[DefaultColumnType],
) -> Result<Vec<Vec<String>>> {
    let result = session.sql(sql)?;
    let mut rows = vec![];
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            let mut cells = vec![];
            for (i, column) in batch.columns().iter().enumerate() {
                let declared = types.get(i).cloned().unwrap_or(DefaultColumnType::Any);
                cells.push(format_cell(column.as_ref(), row, &declared)?);
            }
            rows.push(cells);
        }
    }
    Ok(rows)
}

/// One value as the SQLite corpus prints it.
pub fn format_cell(
    array: &dyn arrow::array::Array,
    row: usize,
    declared: &DefaultColumnType,
) -> Result<String> {
    let Some(text) = format_value(array, row)? else {
        return Ok("NULL".into());
    };
    if text.is_empty() {
        return Ok("(empty)".into());
    }
    let numeric =
        array.data_type().is_numeric() || matches!(array.data_type(), DataType::Decimal128(_, _));
    Ok(match declared {
        DefaultColumnType::FloatingPoint if numeric => match text.parse::<f64>() {
            Ok(value) => format!("{value:.3}"),
            Err(_) => text,
        },
        DefaultColumnType::Integer if numeric && !array.data_type().is_integer() => {
            match text.parse::<f64>() {
                Ok(value) => format!("{}", value.trunc() as i64),
                Err(_) => text,
            }
        }
        _ => text,
    })
}

fn parse_hash_line(lines: &[String]) -> Option<(usize, String)> {
    let [line] = lines else {
        return None;
    };
    let mut words = line.split_whitespace();
    let count = words.next()?.parse().ok()?;
    if words.next()? != "values" || words.next()? != "hashing" || words.next()? != "to" {
        return None;
    }
    Some((count, words.next()?.to_string()))
}

/// SQLite's result hash: MD5 of every value followed by a newline.
fn hash_values(values: &[String]) -> String {
    let mut text = String::new();
    for value in values {
        text.push_str(value);
        text.push('\n');
    }
    format!("{:x}", md5::compute(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_sqlite_for_known_values() {
        // md5("1\n2\n") computed independently.
        assert_eq!(
            hash_values(&["1".into(), "2".into()]),
            format!("{:x}", md5::compute("1\n2\n"))
        );
        assert_eq!(
            parse_hash_line(&["30 values hashing to abc".to_string()]),
            Some((30, "abc".to_string()))
        );
    }
}
