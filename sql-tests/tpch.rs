//! TPC-H on the bundled SF 0.01 data (`data/`), compared with the expected
//! answers in `sql-tests/tpch/answers` (DuckDB's results on exactly this data).
//! Numbers match within the tolerance of ../shared/bench/tpch.py: relative
//! 1e-6 or absolute 0.011.

use quarry::repl::format::format_value;
use quarry::Session;
use std::path::PathBuf;

/// The queries quarry answers today.
const QUERIES: &[&str] = &[
    "q01", "q02", "q03", "q04", "q05", "q06", "q07", "q08", "q09", "q10", "q11", "q12", "q13",
    "q14", "q15", "q16", "q17", "q18", "q19", "q20", "q21", "q22",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn same_cell(got: &str, want: &str) -> bool {
    if got == want {
        return true;
    }
    match (got.parse::<f64>(), want.parse::<f64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() <= 0.011_f64.max(1e-6 * a.abs().max(b.abs())),
        _ => false,
    }
}

fn run(query: &str, threads: usize, setup: &[&str]) -> Vec<Vec<String>> {
    let config = quarry::config::SessionConfig {
        target_partitions: threads,
        ..Default::default()
    };
    let mut session = Session::with_config(config).unwrap();
    session.register_directory(&root().join("data")).unwrap();
    for statement in setup {
        session.sql(statement).unwrap();
    }
    let sql = std::fs::read_to_string(root().join(format!("sql-tests/tpch/queries/{query}.sql")))
        .unwrap();
    let result = session
        .sql(&sql)
        .unwrap_or_else(|e| panic!("{query} failed: {e}"));
    let mut rows = vec![];
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|c| format_value(c.as_ref(), row).unwrap().unwrap_or_default())
                    .collect(),
            );
        }
    }
    rows
}

fn expected(query: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join(format!("sql-tests/tpch/answers/{query}.csv")))
        .unwrap();
    text.lines()
        .skip(1)
        .map(|line| line.split('|').map(unquote).collect())
        .collect()
}

/// A CSV field without its quotes (`""` is the empty string).
fn unquote(field: &str) -> String {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

fn check(query: &str, threads: usize, setup: &[&str]) -> Result<(), String> {
    let got = run(query, threads, setup);
    let want = expected(query);
    if got.len() != want.len() {
        return Err(format!(
            "{query}: {} rows, expected {}",
            got.len(),
            want.len()
        ));
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if g.len() != w.len() || !g.iter().zip(w).all(|(a, b)| same_cell(a, b)) {
            return Err(format!("{query} row {}: got {g:?}, expected {w:?}", i + 1));
        }
    }
    Ok(())
}

#[test]
fn tpch_answers_match_on_one_and_several_threads() {
    let mut failures = vec![];
    for query in QUERIES {
        for threads in [1, 2, 3, 8] {
            if let Err(e) = check(query, threads, &[]) {
                failures.push(format!("{e} (threads={threads})"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tpch_answers_match_with_every_join_strategy_forced() {
    let strategies: [(&str, &[&str]); 3] = [
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
    for query in QUERIES {
        for threads in [2, 3] {
            for (name, setup) in &strategies {
                if let Err(e) = check(query, threads, setup) {
                    failures.push(format!("{e} (threads={threads}, {name} joins)"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
