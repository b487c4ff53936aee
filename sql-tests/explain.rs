//! EXPLAIN goldens and plan properties:
//! - the physical plan of every TPC-H query on the bundled SF 0.01 data
//!   (`sql-tests/results/explain/`), with column ids removed so the files do
//!   not change when binding numbers columns differently;
//! - TPC-H Q5 and Q9 get the same join order whatever the order of FROM;
//! - EXPLAIN ANALYZE reports row groups pruned from min/max statistics,
//!   also for a prepared statement whose filter values are parameters.

use quarry::Session;
use std::path::PathBuf;
use std::sync::Arc;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn session() -> Session {
    let config = quarry::config::SessionConfig {
        target_partitions: 2,
        ..Default::default()
    };
    let mut session = Session::with_config(config).unwrap();
    session.register_directory(&root().join("data")).unwrap();
    session
}

fn plan_text(session: &mut Session, sql: &str) -> String {
    let result = session
        .sql(sql)
        .unwrap_or_else(|e| panic!("{sql} failed: {e}"));
    let batch = &result.batches[0];
    quarry::repl::format::format_value(batch.column(0).as_ref(), 0)
        .unwrap()
        .unwrap()
}

/// The text without `#id` suffixes and without timings.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '#' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn query(name: &str) -> String {
    std::fs::read_to_string(root().join(format!("sql-tests/tpch/queries/{name}.sql"))).unwrap()
}

#[test]
fn tpch_physical_plans() {
    let mut session = session();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("sql-tests/results/explain"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for i in 1..=22 {
            let name = format!("q{i:02}");
            let sql = query(&name);
            let plan = plan_text(&mut session, &format!("EXPLAIN {sql}"));
            insta::assert_snapshot!(format!("tpch_{name}"), normalize(&plan), &sql);
        }
    });
}

/// The lines of the physical plan below the top projection: the joins and
/// scans, which must not depend on the order of FROM.
fn join_tree(session: &mut Session, sql: &str) -> String {
    let plan = normalize(&plan_text(session, &format!("EXPLAIN {sql}")));
    plan.lines()
        .filter(|l| l.contains("Join") || l.contains("Scan") || l.contains("Filter"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn join_order_does_not_depend_on_from_order() {
    let mut session = session();
    let list = |tables: &[&str], indent: &str| {
        let items: Vec<String> = tables.iter().map(|t| format!("{indent}{t}")).collect();
        format!("FROM\n{}\n", items.join(",\n"))
    };
    let q05 = [
        "customer", "orders", "lineitem", "supplier", "nation", "region",
    ];
    let q09 = [
        "part", "supplier", "lineitem", "partsupp", "orders", "nation",
    ];
    fn reversed<'a>(t: &[&'a str]) -> Vec<&'a str> {
        t.iter().rev().copied().collect()
    }
    let cases = [
        ("q05", list(&q05, "    "), list(&reversed(&q05), "    ")),
        (
            "q09",
            list(&q09, "        "),
            list(&reversed(&q09), "        "),
        ),
    ];
    for (name, from, swapped) in cases {
        let sql = query(name);
        assert!(sql.contains(&from), "{name}: FROM clause not found");
        let reordered = sql.replace(&from, &swapped);
        let (a, b) = (
            join_tree(&mut session, &sql),
            join_tree(&mut session, &reordered),
        );
        assert!(a.matches("Join").count() >= 5, "{name}:\n{a}");
        assert_eq!(a, b, "{name}: the join order changed with the FROM order");
    }
}

/// A Parquet file of `groups` row groups of 100 rows, `k` ascending.
fn sorted_parquet(dir: &std::path::Path, groups: usize) -> PathBuf {
    use arrow::array::Int64Array;
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::record_batch::RecordBatch;
    let path = dir.join("sorted.parquet");
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("v", DataType::Int64, true),
    ]));
    // Pages of 10 rows, so the page index can skip inside a row group.
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(100))
        .set_data_page_row_count_limit(10)
        .set_write_batch_size(10)
        .build();
    let file = std::fs::File::create(&path).unwrap();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(properties)).unwrap();
    let n = (groups * 100) as i64;
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from_iter_values(0..n)),
            Arc::new(Int64Array::from_iter(
                (0..n).map(|i| (i % 7 != 0).then_some(i * 2)),
            )),
        ],
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

#[test]
fn explain_analyze_reports_pruned_row_groups() {
    let dir = std::env::temp_dir().join(format!("quarry-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = sorted_parquet(&dir, 10);
    let mut session = session();
    session
        .sql(&format!(
            "CREATE VIEW sorted AS SELECT * FROM read_parquet('{}')",
            path.display()
        ))
        .unwrap();
    // (filter, row groups read, rows the page index skips, matching rows)
    let cases = [
        ("k < 50", 1, 50, 50),
        ("k >= 250 AND k < 450", 3, 100, 200),
        ("k = 999", 1, 90, 1),
        ("k IN (5, 950)", 2, 180, 2),
        ("k > 5000", 0, 0, 0),
        ("k < 50 OR k > 949", 2, 100, 100),
        ("v IS NULL", 10, 0, 143),
        ("v + 1 > 0", 10, 0, 857),
    ];
    for (filter, read, skipped, rows) in cases {
        let sql = format!("SELECT count(*) FROM sorted WHERE {filter}");
        let plan = plan_text(&mut session, &format!("EXPLAIN ANALYZE {sql}"));
        let expected = format!(
            "row groups: {read} read, {} pruned; rows skipped by the page index: {skipped}",
            10 - read
        );
        assert!(
            plan.contains(&expected),
            "{filter}: want {expected}\n{plan}"
        );
        let count = session.sql(&sql).unwrap();
        let got = quarry::repl::format::format_value(count.batches[0].column(0).as_ref(), 0)
            .unwrap()
            .unwrap();
        assert_eq!(got, rows.to_string(), "{filter}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn prepared_statement_prunes_row_groups_with_bound_values() {
    let dir = std::env::temp_dir().join(format!("quarry-prepared-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = sorted_parquet(&dir, 10);
    let mut session = session();
    session
        .sql(&format!(
            "CREATE VIEW sorted AS SELECT * FROM read_parquet('{}')",
            path.display()
        ))
        .unwrap();
    session
        .sql("PREPARE below AS SELECT count(*) FROM sorted WHERE k < $1")
        .unwrap();
    // A declared INTEGER beside a BIGINT column: the bound value is cast and folded.
    session
        .sql("PREPARE between(INTEGER, INTEGER) AS SELECT count(*) FROM sorted WHERE k >= $1 AND k < $2")
        .unwrap();
    for (execute, read) in [
        ("below(50)", 1),
        ("below(450)", 5),
        ("below('250')", 3),
        ("below(0)", 0),
        ("between(250, 450)", 3),
        ("between(990, 2000)", 1),
    ] {
        let plan = plan_text(&mut session, &format!("EXPLAIN ANALYZE EXECUTE {execute}"));
        let expected = format!("row groups: {read} read, {} pruned", 10 - read);
        assert!(
            plan.contains(&expected),
            "{execute}: want {expected}\n{plan}"
        );
    }
    // The same through the API: the scan of the planned execution.
    let prepared = session
        .prepare("SELECT count(*) FROM sorted WHERE k = $1")
        .unwrap();
    for key in [0i64, 555, 999] {
        let planned = prepared.plan_with(&session, &[key.into()]).unwrap();
        let physical = planned.physical.display_indent();
        assert!(
            physical.contains("RowGroups: 1 of 10"),
            "k = {key}\n{physical}"
        );
        let result = prepared.execute(&mut session, &[key.into()]).unwrap();
        let count = quarry::repl::format::format_value(result.batches[0].column(0).as_ref(), 0)
            .unwrap()
            .unwrap();
        assert_eq!(count, "1", "k = {key}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explain_forms() {
    let mut session = session();
    let sql = "SELECT n_name, count(*) FROM nation JOIN region ON n_regionkey = r_regionkey \
               WHERE r_name = 'ASIA' GROUP BY n_name";
    let extended = plan_text(&mut session, &format!("EXPLAIN EXTENDED {sql}"));
    for section in [
        "== Parsed Logical Plan ==",
        "== Analyzed Logical Plan ==",
        "== Optimized Logical Plan ==",
        "== Physical Plan ==",
    ] {
        assert!(extended.contains(section), "{section} missing:\n{extended}");
    }
    let verbose = plan_text(&mut session, &format!("EXPLAIN VERBOSE {sql}"));
    assert!(
        verbose.contains("== After push_down_filter =="),
        "{verbose}"
    );
    let cost = plan_text(&mut session, &format!("EXPLAIN COST {sql}"));
    assert!(
        cost.lines()
            .filter(|l| !l.starts_with("==") && !l.is_empty())
            .take_while(|l| !l.contains("Physical"))
            .take(5)
            .all(|l| l.contains("[rows=") && l.contains("bytes=")),
        "{cost}"
    );
    let analyze = plan_text(&mut session, &format!("EXPLAIN ANALYZE {sql}"));
    assert!(analyze.contains("rows=5 "), "{analyze}");
    assert!(analyze.contains("total time:"), "{analyze}");
    let error = session
        .sql(&format!("EXPLAIN (FORMATTED) {sql}"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("unknown EXPLAIN option FORMATTED"),
        "{error}"
    );
}

/// The physical operators of `sql`'s plan whose names contain `Join`.
fn join_operators(session: &mut Session, sql: &str) -> Vec<String> {
    plan_text(session, &format!("EXPLAIN {sql}"))
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| w.ends_with("Join"))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn disabling_broadcast_turns_q5_into_shuffled_joins_with_the_same_answer() {
    let sql = query("q05");
    let mut session = session();
    let broadcast = join_operators(&mut session, &sql);
    assert!(
        broadcast.iter().any(|j| j == "BroadcastHashJoin"),
        "{broadcast:?}"
    );
    let answer = session.sql(&sql).unwrap();
    session.sql("SET broadcast_threshold = -1").unwrap();
    session.sql("SET prefer_sort_merge_join = true").unwrap();
    let shuffled = join_operators(&mut session, &sql);
    assert!(
        !shuffled.iter().any(|j| j == "BroadcastHashJoin"),
        "{shuffled:?}"
    );
    assert!(
        shuffled.iter().any(|j| j == "SortMergeJoin"),
        "{shuffled:?}"
    );
    let plan = plan_text(&mut session, &format!("EXPLAIN {sql}"));
    assert!(plan.contains("Exchange hashpartitioning("), "{plan}");
    let merged = session.sql(&sql).unwrap();
    let csv = |r: &quarry::session::QueryResult| {
        quarry::repl::format::format_batches(
            &r.schema,
            &r.batches,
            quarry::repl::OutputFormat::Csv,
            0,
        )
        .unwrap()
    };
    assert_eq!(csv(&answer), csv(&merged));
    session.sql("SET prefer_sort_merge_join = false").unwrap();
    let hashed = join_operators(&mut session, &sql);
    assert!(hashed.iter().any(|j| j == "ShuffledHashJoin"), "{hashed:?}");
    assert!(!hashed.iter().any(|j| j == "SortMergeJoin"), "{hashed:?}");
}

#[test]
fn hints_override_the_cost_based_choice() {
    let mut session = session();
    let sql = |hint: &str| {
        format!("SELECT /*+ {hint} */ count(*) FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey")
    };
    assert_eq!(
        join_operators(&mut session, &sql("MERGE(c)")),
        ["SortMergeJoin"]
    );
    assert_eq!(
        join_operators(&mut session, &sql("SHUFFLE_HASH(o)")),
        ["ShuffledHashJoin"]
    );
    session.sql("SET broadcast_threshold = -1").unwrap();
    assert_eq!(
        join_operators(&mut session, &sql("BROADCAST(c)")),
        ["BroadcastHashJoin"]
    );
    let error = session.sql(&sql("FASTEST(c)")).unwrap_err().to_string();
    assert!(error.contains("unknown hint FASTEST"), "{error}");
}

#[test]
fn an_aggregate_on_the_join_key_needs_no_second_exchange() {
    let mut session = session();
    session.sql("SET broadcast_threshold = -1").unwrap();
    // Grouped by l_orderkey, then joined on it: the join reuses the
    // aggregate's partitioning on that side.
    let plan = plan_text(
        &mut session,
        "EXPLAIN SELECT o_orderkey, q FROM orders JOIN \
         (SELECT l_orderkey, sum(l_quantity) AS q FROM lineitem GROUP BY l_orderkey) t \
         ON o_orderkey = l_orderkey",
    );
    assert_eq!(
        plan.matches("Exchange hashpartitioning(l_orderkey").count(),
        1,
        "{plan}"
    );
    let cost = plan_text(
        &mut session,
        "EXPLAIN COST SELECT count(*) FROM orders JOIN customer ON o_custkey = c_custkey",
    );
    assert!(cost.contains("== Join Strategies =="), "{cost}");
    assert!(cost.contains("*ShuffledHashJoin cost="), "{cost}");
    assert!(cost.contains("BroadcastHashJoin cost="), "{cost}");
}

#[test]
fn explain_analyze_reports_every_stage() {
    let mut session = session();
    session.sql("SET broadcast_threshold = -1").unwrap();
    let plan = plan_text(
        &mut session,
        "EXPLAIN ANALYZE SELECT c_mktsegment, count(*) FROM orders JOIN customer \
         ON o_custkey = c_custkey GROUP BY c_mktsegment",
    );
    assert!(plan.contains("stages:"), "{plan}");
    assert!(plan.contains("*(0) 2 tasks, 5 rows"), "{plan}");
    assert!(plan.contains("exchanged"), "{plan}");
    assert!(
        plan.contains("-> Exchange hashpartitioning(o_custkey, 2)"),
        "{plan}"
    );
}

#[test]
fn a_cte_read_twice_is_computed_once() {
    let mut session = session();
    let sql = query("q15");
    let plan = plan_text(&mut session, &format!("EXPLAIN {sql}"));
    assert_eq!(plan.matches("Scan parquet lineitem").count(), 1, "{plan}");
    assert!(plan.contains("Shared (read by 2), reused: stage"), "{plan}");
    let analyzed = plan_text(&mut session, &format!("EXPLAIN ANALYZE {sql}"));
    assert!(analyzed.contains("-> Shared (read by 2)"), "{analyzed}");
    assert_eq!(session.sql(&sql).unwrap().num_rows(), 1);
}

#[test]
fn aggregates_that_differ_in_a_literal_are_not_shared() {
    let mut session = session();
    // The literals hold what looks like a column id (`#12`).
    let sql = "WITH a AS (SELECT p_brand, count(*) AS c FROM part WHERE p_brand = 'Brand#12' GROUP BY p_brand), \
               b AS (SELECT p_brand, count(*) AS c FROM part WHERE p_brand = 'Brand#23' GROUP BY p_brand) \
               SELECT p_brand FROM a UNION ALL SELECT p_brand FROM b ORDER BY p_brand";
    let plan = plan_text(&mut session, &format!("EXPLAIN {sql}"));
    assert!(!plan.contains("Shared"), "{plan}");
    let result = session.sql(sql).unwrap();
    let text = quarry::repl::format::format_batches(
        &result.schema,
        &result.batches,
        quarry::repl::OutputFormat::Csv,
        0,
    )
    .unwrap();
    assert_eq!(text.trim(), "p_brand\nBrand#12\nBrand#23", "{text}");
}

#[test]
fn broadcast_joins_emitting_build_rows_probe_in_parallel_with_the_shuffled_answer() {
    // The UNION ALL gives the probe side two partitions; `% 97` is no
    // predicate `infer_predicates` copies to it.
    let probe =
        "(SELECT l_orderkey AS k FROM lineitem UNION ALL SELECT l_orderkey + 3 FROM lineitem)";
    let build = "(SELECT o_orderkey FROM orders WHERE o_orderkey % 97 = 0)";
    let queries = [
        format!("SELECT count(*), count(k), count(o_orderkey) FROM {probe} p FULL JOIN {build} o ON k = o_orderkey"),
        format!("SELECT count(*) FROM {build} o WHERE EXISTS (SELECT 1 FROM {probe} p WHERE k = o_orderkey)"),
        format!("SELECT count(*) FROM {build} o WHERE NOT EXISTS (SELECT 1 FROM {probe} p WHERE k = o_orderkey)"),
    ];
    let mut session = session();
    session.sql("SET broadcast_threshold = '1GB'").unwrap();
    let mut broadcast = vec![];
    for sql in &queries {
        let plan = plan_text(&mut session, &format!("EXPLAIN {sql}"));
        // The join's stage reads the union directly: no exchange between.
        let join = plan
            .lines()
            .position(|l| l.contains("BroadcastHashJoin Full") || l.contains("BuildLeft"))
            .unwrap_or_else(|| panic!("{plan}"));
        let probe: Vec<&str> = plan
            .lines()
            .skip(join + 1)
            .take_while(|l| !l.contains("BroadcastExchange"))
            .collect();
        assert!(probe.iter().any(|l| l.ends_with(") Union")), "{plan}");
        assert!(!probe.iter().any(|l| l.contains("Exchange")), "{plan}");
        broadcast.push(format!("{:?}", session.sql(sql).unwrap().batches));
    }
    session.sql("SET broadcast_threshold = -1").unwrap();
    for (sql, expected) in queries.iter().zip(&broadcast) {
        let shuffled = format!("{:?}", session.sql(sql).unwrap().batches);
        assert_eq!(&shuffled, expected, "{sql}");
    }
}

#[test]
fn a_predicate_inferred_again_above_a_union_is_not_repeated() {
    // `k < 3000` is inferred from the join each time the pushdown batch
    // runs, since the second branch holds it as `(l_orderkey + 3) < 3000`.
    let mut session = session();
    let plan = plan_text(
        &mut session,
        "EXPLAIN SELECT count(*) FROM orders WHERE o_orderkey < 3000 AND EXISTS (\
         SELECT 1 FROM (SELECT l_orderkey AS k FROM lineitem \
         UNION ALL SELECT l_orderkey + 3 FROM lineitem) p WHERE k = o_orderkey)",
    );
    let filter = plan
        .lines()
        .find(|l| l.contains("Filter") && l.contains("(l_orderkey < 3000)"))
        .unwrap_or_else(|| panic!("{plan}"));
    assert_eq!(filter.matches("l_orderkey < 3000").count(), 1, "{plan}");
    assert!(
        plan.lines()
            .any(|l| l.contains("PushedFilters: [(l_orderkey#") && l.contains(" < 3000)]")),
        "{plan}"
    );
}

#[test]
fn aggregates_over_different_values_or_files_are_not_shared() {
    let mut session = session();
    // VALUES rows are not in the plan text, so they are never shared.
    let result = session
        .sql(
            "SELECT * FROM (SELECT sum(x) AS s FROM (VALUES (1), (2)) v(x)) a, \
             (SELECT sum(x) AS s FROM (VALUES (3), (4)) v(x)) b",
        )
        .unwrap();
    let text = format!("{:?}", result.batches);
    assert!(text.contains('3') && text.contains('7'), "{text}");
    let files = format!(
        "SELECT * FROM (SELECT count(*) FROM read_parquet('{0}/data/nation.parquet')) a, \
         (SELECT count(*) FROM read_parquet('{0}/data/region.parquet')) b",
        root().display()
    );
    let result = session.sql(&files).unwrap();
    let text = format!("{:?}", result.batches);
    assert!(text.contains("25") && text.contains('5'), "{text}");
    let plan = plan_text(&mut session, &format!("EXPLAIN {files}"));
    assert!(!plan.contains("Shared"), "{plan}");
}

#[test]
fn a_shared_aggregate_under_grouping_sets_counts_every_reader() {
    let mut session = session();
    // The ROLLUP plans its input once per grouping set: three readers.
    let sql =
        "WITH s AS (SELECT n_regionkey AS k, count(*) AS t FROM nation GROUP BY n_regionkey) \
               SELECT k, sum(t) FROM s GROUP BY ROLLUP (k) \
               UNION ALL SELECT k, t FROM s";
    let plan = plan_text(&mut session, &format!("EXPLAIN {sql}"));
    assert!(plan.contains("Shared (read by 3)"), "{plan}");
    // 5 regions and the grand total from the rollup, 5 from the second arm.
    assert_eq!(session.sql(sql).unwrap().num_rows(), 11);
}
