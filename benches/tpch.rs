//! TPC-H at SF 0.1: every query on 2 threads, so a regression in any of
//! them shows, and Q1 and Q9 on 1 thread too, for the speed-up from running
//! a stage's tasks in parallel. The data is generated here (tpchgen, the
//! generator of the answers in ../shared) into `target/bench-data/` on
//! first run.
//!
//! `cargo bench --bench tpch` (`-- q05` for one query)

mod common;

use common::{data, root};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use quarry::config::SessionConfig;
use quarry::Session;
use std::time::Duration;

fn session(threads: usize) -> std::cell::RefCell<Session> {
    let config = SessionConfig {
        target_partitions: threads,
        ..Default::default()
    };
    let mut session = Session::with_config(config).unwrap();
    session.register_directory(&data()).unwrap();
    std::cell::RefCell::new(session)
}

fn tpch(c: &mut Criterion) {
    let mut group = c.benchmark_group("tpch_sf0.1");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    let sessions = [(1, session(1)), (2, session(2))];
    for number in 1..=22 {
        let query = format!("q{number:02}");
        let sql =
            std::fs::read_to_string(root().join(format!("sql-tests/tpch/queries/{query}.sql")))
                .unwrap();
        for (threads, session) in &sessions {
            if *threads == 1 && !matches!(number, 1 | 9) {
                continue;
            }
            group.bench_with_input(
                BenchmarkId::new(
                    &query,
                    format!("{threads} thread{}", if *threads == 1 { "" } else { "s" }),
                ),
                &sql,
                |b, sql| {
                    b.iter(|| {
                        let mut session = session.borrow_mut();
                        std::hint::black_box(session.sql(sql).unwrap().num_rows())
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, tpch);
criterion_main!(benches);
