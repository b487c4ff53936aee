//! Prepared statements through the Rust API: values bound by position and by
//! name come back as plain data (injection payloads included) and leave
//! every table intact; one statement runs with many values; errors name
//! the parameter; a plan prepared before DDL follows the new catalog.

use arrow::array::{Array, AsArray};
use arrow::datatypes::Int64Type;
use quarry::{ParamValue, QueryResult, Session};
use std::path::PathBuf;

fn session() -> Session {
    let mut session = Session::new().unwrap();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    session.register_directory(&data).unwrap();
    session
        .sql("CREATE TABLE t (id INTEGER, name VARCHAR)")
        .unwrap();
    session
        .sql("INSERT INTO t VALUES (1, 'alice'), (2, 'bob'), (3, 'carol')")
        .unwrap();
    session
}

/// Every value of the first column, as text (NULL as `None`).
fn column(result: &QueryResult) -> Vec<Option<String>> {
    let mut out = vec![];
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            out.push(quarry::repl::format::format_value(batch.column(0).as_ref(), row).unwrap());
        }
    }
    out
}

/// The single string a query returns, exactly (no formatting).
fn single_string(result: &QueryResult) -> String {
    assert_eq!(result.num_rows(), 1);
    let batch = result.batches.iter().find(|b| b.num_rows() == 1).unwrap();
    let array = batch.column(0);
    match array.data_type() {
        arrow::datatypes::DataType::Utf8View => array.as_string_view().value(0).to_string(),
        _ => array.as_string::<i32>().value(0).to_string(),
    }
}

fn count(session: &mut Session, table: &str) -> i64 {
    let result = session
        .sql(&format!("SELECT count(*) FROM {table}"))
        .unwrap();
    result.batches[0]
        .column(0)
        .as_primitive::<Int64Type>()
        .value(0)
}

fn payloads() -> Vec<String> {
    vec![
        "' OR 1=1 --".into(),
        "'; DROP TABLE t; --".into(),
        "x' UNION SELECT n_name FROM nation --".into(),
        "\"; DROP TABLE nation; --".into(),
        "O'Brien".into(),
        "''".into(),
        "back\\slash\\' OR '1'='1".into(),
        "nul\0byte".into(),
        "\0".into(),
        "$1".into(),
        "?".into(),
        "multi\nline; SELECT 1;".into(),
        "x".repeat(1 << 20),
    ]
}

#[test]
fn injection_payloads_are_plain_data() {
    let mut session = session();
    let echo = session.prepare("SELECT $1 AS v").unwrap();
    let lookup = session
        .prepare("SELECT id FROM t WHERE name = ? ORDER BY id")
        .unwrap();
    let insert = session.prepare("INSERT INTO t VALUES ($1, $2)").unwrap();
    let by_id = session
        .prepare("SELECT name FROM t WHERE id = $id")
        .unwrap();
    for (i, payload) in payloads().into_iter().enumerate() {
        let result = echo
            .execute(&mut session, &[payload.as_str().into()])
            .unwrap();
        assert_eq!(single_string(&result), payload, "echo of payload {i}");

        let rows = lookup
            .execute(&mut session, &[payload.clone().into()])
            .unwrap();
        assert_eq!(rows.num_rows(), 0, "payload {i} matched rows");

        let id = 100 + i as i32;
        insert
            .execute(&mut session, &[id.into(), payload.clone().into()])
            .unwrap();
        let stored = by_id
            .execute_named(&mut session, &[("id", id.into())])
            .unwrap();
        assert_eq!(single_string(&stored), payload, "stored payload {i}");
    }
    assert_eq!(count(&mut session, "t"), 3 + payloads().len() as i64);
    assert_eq!(count(&mut session, "nation"), 25);
    assert_eq!(count(&mut session, "region"), 5);
}

#[test]
fn one_statement_many_values() {
    let mut session = session();
    let names = session
        .sql("SELECT n_name FROM nation ORDER BY n_nationkey")
        .unwrap();
    let names = column(&names);
    let by_key = session
        .prepare("SELECT n_name FROM nation WHERE n_nationkey = $1")
        .unwrap();
    for key in 0..25i64 {
        let result = by_key.execute(&mut session, &[key.into()]).unwrap();
        assert_eq!(
            column(&result),
            vec![names[key as usize].clone()],
            "key {key}"
        );
    }
    let in_region = session
        .prepare(
            "SELECT count(*) FROM nation JOIN region ON n_regionkey = r_regionkey \
             WHERE r_name = $region AND n_nationkey >= $from",
        )
        .unwrap();
    for (region, from, expected) in [
        ("ASIA", 0, 5),
        ("ASIA", 10, 3),
        ("EUROPE", 0, 5),
        ("EUROPE", 20, 2),
        ("nowhere", 0, 0),
    ] {
        let result = in_region
            .execute_named(
                &mut session,
                &[("region", region.into()), ("$from", from.into())],
            )
            .unwrap();
        assert_eq!(
            column(&result),
            vec![Some(expected.to_string())],
            "{region} from {from}"
        );
    }
    let page = session
        .prepare("SELECT n_nationkey FROM nation ORDER BY n_nationkey LIMIT ? OFFSET ?")
        .unwrap();
    for (limit, offset) in [(3, 0), (2, 5), (5, 23), (0, 0)] {
        let result = page
            .execute(&mut session, &[limit.into(), offset.into()])
            .unwrap();
        let expected: Vec<Option<String>> = (offset..(offset + limit).min(25))
            .map(|k| Some(k.to_string()))
            .collect();
        assert_eq!(column(&result), expected, "LIMIT {limit} OFFSET {offset}");
    }
}

#[test]
fn rust_values_of_every_kind_bind() {
    let mut session = session();
    let statement = session
        .prepare(
            "SELECT $1 + 1 AS i, $2 * 2 AS f, NOT $3 AS b, $4 + 1 AS d, \
             coalesce($5, 'null') AS n, $6 AS s",
        )
        .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(1998, 9, 2).unwrap();
    let values: Vec<ParamValue> = vec![
        41i64.into(),
        1.25f64.into(),
        false.into(),
        date.into(),
        None::<&str>.into(),
        String::from("text").into(),
    ];
    let result = statement.execute(&mut session, &values).unwrap();
    let batch = &result.batches[0];
    let cells: Vec<String> = (0..batch.num_columns())
        .map(|i| {
            quarry::repl::format::format_value(batch.column(i).as_ref(), 0)
                .unwrap()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(cells, ["42", "2.5", "true", "1998-09-03", "null", "text"]);
}

#[test]
fn errors_name_the_parameter() {
    let mut session = session();
    let statement = session
        .prepare("SELECT * FROM t WHERE id = $1 AND name <> $2")
        .unwrap();
    let error = |result: quarry::Result<QueryResult>| result.unwrap_err().to_string();
    assert_eq!(
        error(statement.execute(&mut session, &[1.into()])),
        "Invalid Input Error: expected 2 parameters, got 1 (no value for $2)"
    );
    assert_eq!(
        error(statement.execute(&mut session, &[1.into(), "a".into(), 3.into()])),
        "Invalid Input Error: expected 2 parameters, got 3 (the statement has no parameter $3)"
    );
    let cast = error(statement.execute(&mut session, &["one".into(), "a".into()]));
    assert!(
        cast.starts_with("Conversion Error: parameter $1 (INTEGER)"),
        "{cast}"
    );
    let named = error(statement.execute_named(&mut session, &[("who", 1.into())]));
    assert!(named.contains("no parameter $who"), "{named}");
    let mixed = session
        .prepare("SELECT * FROM t WHERE id = $1 AND name = $name")
        .unwrap_err()
        .to_string();
    assert!(mixed.contains("$1 and $name"), "{mixed}");
    let unbound = session.sql("SELECT * FROM t WHERE id = $1").unwrap_err();
    assert!(unbound.to_string().contains("parameter $1"), "{unbound}");
}

#[test]
fn prepared_plan_follows_catalog_changes() {
    let mut session = session();
    let statement = session.prepare("SELECT name FROM t WHERE id = $1").unwrap();
    let before = statement.execute(&mut session, &[2.into()]).unwrap();
    assert_eq!(column(&before), vec![Some("bob".to_string())]);
    session.sql("INSERT INTO t VALUES (2, 'bobby')").unwrap();
    let after_insert = statement.execute(&mut session, &[2.into()]).unwrap();
    assert_eq!(after_insert.num_rows(), 2);
    session.sql("DROP TABLE t").unwrap();
    session
        .sql("CREATE TABLE t AS SELECT 2 AS id, 'new' AS name")
        .unwrap();
    let after_replace = statement.execute(&mut session, &[2.into()]).unwrap();
    assert_eq!(column(&after_replace), vec![Some("new".to_string())]);
}
