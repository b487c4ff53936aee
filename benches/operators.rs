//! One operator at a time, over TPC-H SF 0.1 tables loaded into memory first
//! (so no Parquet decoding is timed), on one thread: filter, hash aggregate
//! (one integer key, and two string keys in Arrow's row format), hash join
//! (broadcast and shuffled), and sort (whole and TopK).
//!
//! `cargo bench --bench operators` (`-- hash_join` for one group)

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use quarry::config::SessionConfig;
use quarry::Session;
use std::cell::RefCell;
use std::time::Duration;

/// A one-thread session with `lineitem` and `orders` copied into memory.
fn session() -> RefCell<Session> {
    let config = SessionConfig {
        target_partitions: 1,
        ..Default::default()
    };
    let mut session = Session::with_config(config).unwrap();
    session.register_directory(&common::data()).unwrap();
    session
        .sql("CREATE TABLE li AS SELECT * FROM lineitem")
        .unwrap();
    session
        .sql("CREATE TABLE ord AS SELECT * FROM orders")
        .unwrap();
    RefCell::new(session)
}

fn run(c: &mut Criterion, group: &str, session: &RefCell<Session>, cases: &[(&str, &str)]) {
    let mut group = c.benchmark_group(group);
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(3));
    for (name, sql) in cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut session = session.borrow_mut();
                std::hint::black_box(session.sql(sql).unwrap().num_rows())
            })
        });
    }
    group.finish();
}

fn operators(c: &mut Criterion) {
    let session = session();
    run(
        c,
        "filter",
        &session,
        &[(
            "decimal_and_date_conjuncts",
            "SELECT count(*) FROM li WHERE l_quantity < 24 \
             AND l_discount BETWEEN 0.05 AND 0.07 AND l_shipdate >= DATE '1994-01-01'",
        )],
    );
    run(
        c,
        "hash_aggregate",
        &session,
        &[
            (
                "integer_key_150k_groups",
                "SELECT l_orderkey, sum(l_quantity) FROM li GROUP BY l_orderkey",
            ),
            (
                "two_string_keys_4_groups",
                "SELECT l_returnflag, l_linestatus, sum(l_extendedprice), \
                 avg(l_discount), count(*) FROM li GROUP BY 1, 2",
            ),
        ],
    );
    run(
        c,
        "hash_join",
        &session,
        &[(
            "broadcast_600k_probe_150k_build",
            "SELECT count(*) FROM li JOIN ord ON l_orderkey = o_orderkey",
        )],
    );
    session
        .borrow_mut()
        .sql("SET broadcast_threshold = -1")
        .unwrap();
    run(
        c,
        "hash_join",
        &session,
        &[(
            "shuffled_600k_probe_150k_build",
            "SELECT count(*) FROM li JOIN ord ON l_orderkey = o_orderkey",
        )],
    );
    run(
        c,
        "sort",
        &session,
        &[
            (
                "600k_rows_two_keys",
                "SELECT l_orderkey, l_extendedprice FROM li \
                 ORDER BY l_extendedprice DESC, l_orderkey",
            ),
            (
                "top_10_of_600k",
                "SELECT l_orderkey, l_extendedprice FROM li \
                 ORDER BY l_extendedprice DESC, l_orderkey LIMIT 10",
            ),
        ],
    );
}

criterion_group!(benches, operators);
criterion_main!(benches);
