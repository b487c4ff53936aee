#!/usr/bin/env python3
"""Peak resident set size (RSS) of each TPC-H query: quarry side by side with DuckDB.

  python3 benches/peak_rss.py --quarry target/release/quarry --sf 1 --threads 2 [--queries q01,q06]

Every query runs alone in a fresh process, wrapped in `/usr/bin/time -f %M`, which reports that
process's own peak RSS (max RSS in KB).
  quarry:  quarry --data DIR --threads N --format csv -f QUERY.sql
  DuckDB:  the venv's python (~/.cache/quarry-bench/venv), in-process as in ../shared/bench/tpch.py:
           duckdb.connect(), SET threads=N, one view per table over read_parquet, execute(sql).fetchall().
DuckDB's number includes the Python interpreter and the duckdb module. To show how much that is, the
same script is also run with `SELECT 1` (the baseline); the table shows DuckDB's raw peak and the raw
peak minus the baseline. The ratios use the raw numbers. quarry's and DuckDB's row counts must agree.
Data: SF 1 from ~/.cache/quarry-bench/tpch/sf1 (`tpch.py gen --sf 1`), SF 0.01 from ../shared/tpch/data.
The last line of output is machine-readable JSON. Any failure in either engine exits non-zero.

(Not os.wait4 / RUSAGE_CHILDREN from this script: on Linux a child's ru_maxrss starts from the
high-water mark of the process it was forked or vforked from, so it would include this script's RSS;
/usr/bin/time is a small C program, so its floor is about 1 MB.)
"""
import argparse, json, math, os, subprocess, sys, tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
QUERIES = SHARED / "tpch" / "queries"
CACHE = Path(os.environ.get("QUARRY_BENCH_CACHE", Path.home() / ".cache" / "quarry-bench"))
VENV_PYTHON = CACHE / "venv" / "bin" / "python"
TABLES = ["lineitem", "orders", "customer", "part", "partsupp", "supplier", "nation", "region"]

DUCKDB = r"""
import sys, duckdb
data, threads, sql = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read() if sys.argv[3] != "-" else "SELECT 1"
con = duckdb.connect(); con.execute(f"SET threads={threads}")
for t in %r: con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{data}/{t}.parquet')")
print(len(con.execute(sql).fetchall()))
""" % (TABLES,)


def data_dir(sf):
    name = "sf" + (str(int(float(sf))) if float(sf) >= 1 else str(sf))
    shipped = SHARED / "tpch" / "data" / name
    return shipped if shipped.exists() else CACHE / "tpch" / name


def peak_kb(cmd, what):
    """Run cmd under /usr/bin/time; return (peak RSS in KB, stdout). Exit on any failure."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        p = subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%M"] + cmd,
                           capture_output=True, text=True, timeout=1800)
        report = out.read().strip().splitlines()
    if p.returncode != 0 or not report:
        err = (p.stderr.strip().splitlines() or ["(no message)"])[-1][:300]
        sys.exit(f"peak_rss.py: {what} failed (exit {p.returncode}): {err}")
    return int(report[-1]), p.stdout


def quarry_rows(csv_text):
    lines = csv_text.splitlines()
    return max(len(lines) - 1, 0)  # minus the header line


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quarry", default="target/release/quarry")
    ap.add_argument("--sf", default="1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--queries", default="", help="comma-separated, e.g. q01,q06 (default: all 22)")
    args = ap.parse_args()

    data = data_dir(args.sf)
    missing = [t for t in TABLES if not (data / f"{t}.parquet").exists()]
    if missing:
        sys.exit(f"peak_rss.py: no {', '.join(missing)} Parquet under {data} (run tpch.py gen --sf {args.sf})")
    if not Path(args.quarry).exists():
        sys.exit(f"peak_rss.py: no quarry binary at {args.quarry}")
    if not VENV_PYTHON.exists():
        sys.exit(f"peak_rss.py: no DuckDB venv at {VENV_PYTHON} (tpch.py compare creates it)")
    queries = sorted(QUERIES.glob("q*.sql"))
    if args.queries:
        want = args.queries.split(",")
        unknown = set(want) - {q.stem for q in queries}
        if unknown:
            sys.exit(f"peak_rss.py: unknown queries {', '.join(sorted(unknown))}")
        queries = [q for q in queries if q.stem in want]

    duck = lambda sql_file: [str(VENV_PYTHON), "-c", DUCKDB, str(data), str(args.threads), sql_file]
    base_kb, _ = peak_kb(duck("-"), "DuckDB baseline (SELECT 1)")
    mb = lambda kb: kb / 1024

    print(f"TPC-H peak RSS, {data}, {args.threads} threads (MB = MiB; one fresh process per query)")
    print(f"DuckDB baseline (python + import duckdb + views, SELECT 1): {mb(base_kb):.1f} MB")
    print(f"{'query':6} {'quarry':>9} {'duckdb':>9} {'duck-base':>10} {'q/duck':>7}")
    rows = {}
    for q in queries:
        q_kb, q_out = peak_kb([args.quarry, "--data", str(data), "--threads", str(args.threads),
                               "--format", "csv", "-f", str(q)], f"quarry {q.stem}")
        d_kb, d_out = peak_kb(duck(str(q)), f"DuckDB {q.stem}")
        if quarry_rows(q_out) != int(d_out):
            sys.exit(f"peak_rss.py: {q.stem}: quarry returned {quarry_rows(q_out)} rows, DuckDB {int(d_out)}")
        ratio = q_kb / d_kb
        rows[q.stem] = {"quarry_mb": round(mb(q_kb), 1), "duckdb_mb": round(mb(d_kb), 1),
                        "duckdb_minus_baseline_mb": round(mb(d_kb - base_kb), 1), "ratio": round(ratio, 3)}
        print(f"{q.stem:6} {mb(q_kb):9.1f} {mb(d_kb):9.1f} {mb(d_kb - base_kb):10.1f} {ratio:7.2f}", flush=True)

    ratios = [r["ratio"] for r in rows.values()]
    worst = max(rows, key=lambda k: rows[k]["ratio"])
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"quarry/duckdb (raw) over {len(ratios)} queries: max {rows[worst]['ratio']:.2f} ({worst}), "
          f"geomean {geo:.2f}")
    print(json.dumps({"sf": args.sf, "threads": args.threads, "duckdb_baseline_mb": round(mb(base_kb), 1),
                      "max_ratio": rows[worst]["ratio"], "max_ratio_query": worst,
                      "geomean_ratio": round(geo, 3), "queries": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
