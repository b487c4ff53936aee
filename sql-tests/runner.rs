//! Golden SQL tests in the style of Spark's SQLQueryTestSuite.
//!
//! Every `sql-tests/inputs/NAME.sql` runs statement by statement in a fresh
//! session with the bundled TPC-H tables of `data/`. The result file
//! `sql-tests/results/NAME.sql.out` holds, for each statement, the SQL, its
//! output schema and its rows (or its error). Rows of a query without ORDER BY
//! are sorted so the file does not depend on execution order.
//!
//! Regenerate after a deliberate change, then read the diff:
//! `INSTA_UPDATE=always cargo test --test sql_tests`

use quarry::binder::types::sql_type_name;
use quarry::repl::format::format_value;
use quarry::repl::split_statements;
use quarry::Session;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The golden text of one input file, run with 2 partitions.
fn run_file(path: &Path) -> String {
    run_file_with(path, 2, &[], false)
}

/// The text of one input file run with `partitions` after the `setup`
/// statements; with `results_only`, plans (EXPLAIN) and option values
/// (SHOW), which depend on the setup, are left out.
fn run_file_with(path: &Path, partitions: usize, setup: &[&str], results_only: bool) -> String {
    let text = std::fs::read_to_string(path).expect("readable test input");
    let config = quarry::config::SessionConfig {
        target_partitions: partitions,
        ..Default::default()
    };
    let mut session = Session::with_config(config).expect("session");
    session
        .register_directory(&root().join("data"))
        .expect("bundled data");
    for statement in setup {
        session.sql(statement).expect("setup statement");
    }
    let mut out = String::new();
    for (statement, _) in split_statements(&text) {
        let sql = strip_comments(&statement);
        let sql = sql.trim().trim_end_matches(';').trim();
        writeln!(out, "-- !query\n{sql}").unwrap();
        let upper = sql.to_uppercase();
        if results_only && (upper.starts_with("EXPLAIN") || upper.starts_with("SHOW")) {
            let _ = session.sql(sql);
            continue;
        }
        match session.sql(sql) {
            Ok(result) => {
                let schema: Vec<String> = result
                    .schema
                    .fields()
                    .iter()
                    .map(|f| format!("{} {}", f.name(), sql_type_name(f.data_type())))
                    .collect();
                writeln!(out, "-- !query schema\n({})", schema.join(", ")).unwrap();
                let mut rows = vec![];
                for batch in &result.batches {
                    for row in 0..batch.num_rows() {
                        let cells: Vec<String> = batch
                            .columns()
                            .iter()
                            .map(|c| match format_value(c.as_ref(), row) {
                                Ok(Some(text)) => text,
                                Ok(None) => "NULL".to_string(),
                                Err(e) => format!("<error: {e}>"),
                            })
                            .collect();
                        rows.push(cells.join("\t"));
                    }
                }
                if !sql.to_uppercase().contains("ORDER BY") {
                    rows.sort();
                }
                writeln!(out, "-- !query output").unwrap();
                for row in rows {
                    writeln!(out, "{row}").unwrap();
                }
            }
            Err(error) => {
                writeln!(out, "-- !query output\nError: {error}").unwrap();
            }
        }
        out.push('\n');
    }
    out
}

/// Drops whole-line `--` comments, which document the input file.
fn strip_comments(statement: &str) -> String {
    statement
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn golden_sql_files() {
    let inputs = root().join("sql-tests").join("inputs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&inputs)
        .expect("sql-tests/inputs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .sql files in {}", inputs.display());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("sql-tests").join("results"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for file in &files {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            insta::assert_snapshot!(name, run_file(file));
        }
    });
}

/// Every golden file gives the same results whatever the number of
/// partitions and whichever join strategy is forced.
#[test]
fn results_do_not_depend_on_partitions_or_join_strategy() {
    let inputs = root().join("sql-tests").join("inputs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&inputs)
        .expect("sql-tests/inputs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let strategies: [(&str, &[&str]); 4] = [
        ("default", &[]),
        ("broadcast", &["SET broadcast_threshold = '1TB'"]),
        (
            "sort-merge",
            &[
                "SET broadcast_threshold = -1",
                "SET prefer_sort_merge_join = true",
            ],
        ),
        ("shuffled-hash", &["SET broadcast_threshold = -1"]),
    ];
    let mut failures = vec![];
    for file in &files {
        let expected = run_file_with(file, 2, &[], true);
        for partitions in [1, 2, 3, 8] {
            for (name, setup) in &strategies {
                if partitions == 2 && *name == "default" {
                    continue;
                }
                let got = run_file_with(file, partitions, setup, true);
                if got != expected {
                    let first = got
                        .lines()
                        .zip(expected.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    failures.push(format!(
                        "{} with {partitions} partitions, {name} joins: differs at line {}: {:?}",
                        file.display(),
                        first + 1,
                        got.lines().nth(first)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
