//! DuckDB's result convention for sqllogictest files: a row per line with
//! tab-separated values (or one value per line), each expected value
//! compared with the result value by the result column's type, as DuckDB's
//! runner does (`1` / `true`, `0` / `false` for booleans; floating and
//! decimal values within a relative 1e-6), and `<REGEX>:` / `<!REGEX>:`
//! patterns matched against the whole result.

use crate::error::{QuarryError, Result};
use crate::repl::format::format_value;
use crate::session::Session;
use arrow::array::Array;
use arrow::datatypes::DataType;
use sqllogictest::{DefaultColumnType, QueryExpect, SortMode};
use std::path::Path;

/// How a file writes its expected results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    Sqlite,
    DuckDb,
}

impl Convention {
    /// `sqlite` or `duckdb`.
    pub fn parse(name: &str) -> Result<Convention> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Convention::Sqlite),
            "duckdb" => Ok(Convention::DuckDb),
            other => Err(QuarryError::Plan(format!(
                "unknown sqllogictest convention '{other}': expected sqlite or duckdb"
            ))),
        }
    }

    /// DuckDB's when the file says it comes from DuckDB's suite (its
    /// `# name: test/...` header or `# group: [...]` line) or uses a DuckDB
    /// runner feature (`<REGEX>:`); SQLite's otherwise.
    pub fn of_file(path: &Path) -> Result<Convention> {
        let text = std::fs::read_to_string(path)?;
        let duckdb = text.lines().any(|line| {
            line.starts_with("# name: test/")
                || line.starts_with("# group: [")
                || line.contains("<REGEX>:")
                || line.contains("<!REGEX>:")
        });
        Ok(if duckdb {
            Convention::DuckDb
        } else {
            Convention::Sqlite
        })
    }
}

/// One result value: its text as DuckDB prints it and its column's type.
struct Value {
    text: String,
    data_type: DataType,
}

/// `None` when the query's result matches, else why not.
pub fn check_query(
    session: &mut Session,
    sql: &str,
    expected: QueryExpect<DefaultColumnType>,
) -> Option<String> {
    let (sort_mode, expected_lines) = match expected {
        QueryExpect::Error(_) => {
            return match session.sql(sql) {
                Err(_) => None,
                Ok(_) => Some("expected an error, got rows".into()),
            }
        }
        QueryExpect::Results {
            sort_mode, results, ..
        } => (sort_mode, results),
    };
    let mut rows = match result_rows(session, sql) {
        Ok(rows) => rows,
        Err(e) => return Some(format!("expected rows, got error: {e}")),
    };
    let got_text = |rows: &[Vec<Value>]| {
        rows_text(rows)
            .iter()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if let [line] = expected_lines.as_slice() {
        if let Some((negated, pattern)) = regex_line(line) {
            let text = rows_text(&rows).join("\n");
            let matched = match regex::Regex::new(&format!("(?s)^{pattern}$")) {
                Ok(re) => re.is_match(&text),
                Err(e) => return Some(format!("bad pattern {pattern}: {e}")),
            };
            return (matched == negated)
                .then(|| format!("expected {line}\ngot:\n{}", got_text(&rows)));
        }
    }
    let width = rows.first().map_or(0, Vec::len);
    let mut expected: Vec<Vec<String>> = expected_lines
        .iter()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    // One value per line is DuckDB's other layout.
    if width > 1 && expected.len() == rows.len() * width && expected.iter().all(|r| r.len() == 1) {
        expected = expected.chunks(width).map(|c| c.concat()).collect();
    }
    match sort_mode {
        Some(SortMode::RowSort) | Some(SortMode::ValueSort) => {
            let types: Vec<DataType> = rows
                .first()
                .map(|r| r.iter().map(|v| v.data_type.clone()).collect())
                .unwrap_or_default();
            rows.sort_by_key(|row| {
                row.iter()
                    .map(|v| canonical(&v.text, &v.data_type))
                    .collect::<Vec<_>>()
            });
            expected.sort_by_key(|row| {
                row.iter()
                    .enumerate()
                    .map(|(i, text)| match types.get(i) {
                        Some(t) => canonical(text, t),
                        None => text.clone(),
                    })
                    .collect::<Vec<_>>()
            });
        }
        _ => {}
    }
    let matches = expected.len() == rows.len()
        && expected.iter().zip(&rows).all(|(want, got)| {
            want.len() == got.len() && want.iter().zip(got).all(|(w, g)| value_equals(w, g))
        });
    if matches {
        return None;
    }
    Some(format!(
        "expected:\n  {}\ngot:\n{}",
        expected_lines.join("\n  "),
        got_text(&rows)
    ))
}

/// `<REGEX>:p` as `(false, p)`, `<!REGEX>:p` as `(true, p)`.
fn regex_line(line: &str) -> Option<(bool, &str)> {
    if let Some(pattern) = line.strip_prefix("<REGEX>:") {
        return Some((false, pattern));
    }
    line.strip_prefix("<!REGEX>:").map(|p| (true, p))
}

fn rows_text(rows: &[Vec<Value>]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|v| v.text.as_str())
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect()
}

fn result_rows(session: &mut Session, sql: &str) -> Result<Vec<Vec<Value>>> {
    let result = session.sql(sql)?;
    let mut rows = vec![];
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            let mut values = vec![];
            for column in batch.columns() {
                let text = match format_value(column.as_ref(), row)? {
                    None => "NULL".to_string(),
                    Some(text) if text.is_empty() => "(empty)".to_string(),
                    Some(text) => text,
                };
                values.push(Value {
                    text,
                    data_type: column.data_type().clone(),
                });
            }
            rows.push(values);
        }
    }
    Ok(rows)
}

/// Whether the expected text `want` stands for the value `got`.
fn value_equals(want: &str, got: &Value) -> bool {
    if want == got.text {
        return true;
    }
    if got.text == "NULL" || want == "NULL" {
        return false;
    }
    match &got.data_type {
        DataType::Boolean => boolean(want).is_some_and(|w| boolean(&got.text) == Some(w)),
        t if is_approximate(t) => match (want.parse::<f64>(), got.text.parse::<f64>()) {
            (Ok(w), Ok(g)) => approximately_equal(w, g),
            _ => false,
        },
        t if t.is_integer() => match (want.parse::<f64>(), got.text.parse::<f64>()) {
            (Ok(w), Ok(g)) => w == g,
            _ => false,
        },
        _ => false,
    }
}

fn is_approximate(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Decimal128(_, _)
            | DataType::Decimal256(_, _)
    )
}

fn approximately_equal(a: f64, b: f64) -> bool {
    if a == b || (a.is_nan() && b.is_nan()) {
        return true;
    }
    let scale = a.abs().max(b.abs()).max(1e-300);
    (a - b).abs() / scale <= 1e-6 || (a - b).abs() <= 1e-12
}

fn boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "t" => Some(true),
        "false" | "0" | "f" => Some(false),
        _ => None,
    }
}

/// A sort key under which values equal by `value_equals` sort together.
fn canonical(text: &str, data_type: &DataType) -> String {
    match data_type {
        DataType::Boolean => match boolean(text) {
            Some(b) => b.to_string(),
            None => text.to_string(),
        },
        t if t.is_numeric() || is_approximate(t) => match text.parse::<f64>() {
            Ok(v) => format!("{v:+.9e}"),
            Err(_) => text.to_string(),
        },
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, data_type: DataType) -> Value {
        Value {
            text: text.into(),
            data_type,
        }
    }

    #[test]
    fn booleans_compare_with_one_and_zero() {
        assert!(value_equals("1", &value("true", DataType::Boolean)));
        assert!(value_equals("0", &value("false", DataType::Boolean)));
        assert!(!value_equals("1", &value("false", DataType::Boolean)));
        assert!(!value_equals("NULL", &value("false", DataType::Boolean)));
    }

    #[test]
    fn floats_compare_approximately_and_integers_exactly() {
        assert!(value_equals(
            "0.1",
            &value("0.10000000000000002", DataType::Float64)
        ));
        assert!(!value_equals("0.1", &value("0.2", DataType::Float64)));
        assert!(value_equals("3.0", &value("3", DataType::Int64)));
        assert!(!value_equals("3", &value("4", DataType::Int64)));
        assert!(!value_equals("1", &value("true", DataType::Utf8)));
    }
}
