//! TPC-H Q1 and Q9 at SF 0.1 on 1 and 2 threads: the speed-up from running
//! a stage's tasks in parallel. The data is generated here (tpchgen, the
//! generator of the answers in ../shared) into `target/bench-data/sf0.1` on
//! first run.
//!
//! `cargo bench --bench tpch`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use quarry::config::SessionConfig;
use quarry::Session;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SCALE_FACTOR: f64 = 0.1;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes one table's batches to `dir/NAME.parquet`.
fn write_table<I>(dir: &Path, name: &str, schema: arrow::datatypes::SchemaRef, batches: I)
where
    I: Iterator<Item = Result<arrow::record_batch::RecordBatch, arrow::error::ArrowError>>,
{
    let file = std::fs::File::create(dir.join(format!("{name}.parquet"))).unwrap();
    // Row groups of about 100k rows, as tpchgen-cli writes them: scans
    // split into partitions by row group.
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_max_row_group_row_count(Some(100_000))
        .build();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, Some(properties)).unwrap();
    for batch in batches {
        writer.write(&batch.unwrap()).unwrap();
    }
    writer.close().unwrap();
}

/// The SF 0.1 tables Q1 and Q9 read, generated once.
fn data() -> PathBuf {
    use tpchgen::generators::*;
    use tpchgen_arrow::*;
    let dir = root().join("target/bench-data/sf0.1-v2");
    if dir.join("done").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let sf = SCALE_FACTOR;
    write_table(
        &dir,
        "lineitem",
        LineItemArrow::schema_ref(),
        LineItemArrow::new(LineItemGenerator::new(sf, 1, 1)),
    );
    write_table(
        &dir,
        "orders",
        OrderArrow::schema_ref(),
        OrderArrow::new(OrderGenerator::new(sf, 1, 1)),
    );
    write_table(
        &dir,
        "part",
        PartArrow::schema_ref(),
        PartArrow::new(PartGenerator::new(sf, 1, 1)),
    );
    write_table(
        &dir,
        "partsupp",
        PartSuppArrow::schema_ref(),
        PartSuppArrow::new(PartSuppGenerator::new(sf, 1, 1)),
    );
    write_table(
        &dir,
        "supplier",
        SupplierArrow::schema_ref(),
        SupplierArrow::new(SupplierGenerator::new(sf, 1, 1)),
    );
    write_table(
        &dir,
        "nation",
        NationArrow::schema_ref(),
        NationArrow::new(NationGenerator::new(sf, 1, 1)),
    );
    std::fs::write(dir.join("done"), "").unwrap();
    dir
}

fn tpch(c: &mut Criterion) {
    let dir = data();
    let mut group = c.benchmark_group("tpch_sf0.1");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for query in ["q01", "q09"] {
        let sql =
            std::fs::read_to_string(root().join(format!("sql-tests/tpch/queries/{query}.sql")))
                .unwrap();
        for threads in [1, 2] {
            let config = SessionConfig {
                target_partitions: threads,
                ..Default::default()
            };
            let mut session = Session::with_config(config).unwrap();
            session.register_directory(&dir).unwrap();
            let session = std::cell::RefCell::new(session);
            group.bench_with_input(
                BenchmarkId::new(
                    query,
                    format!("{threads} thread{}", if threads == 1 { "" } else { "s" }),
                ),
                &sql,
                |b, sql| {
                    b.iter(|| {
                        let mut session = session.borrow_mut();
                        let result = session.sql(sql).unwrap();
                        assert!(result.num_rows() > 0);
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, tpch);
criterion_main!(benches);
