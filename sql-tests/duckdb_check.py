#!/usr/bin/env python3
"""Checks a golden result file (sql-tests/results/NAME.sql.snap) against DuckDB:
each statement runs in DuckDB in order, and every query whose rows differ from
the golden file's (as a multiset when it has no ORDER BY; numbers within 1e-6),
or that errors on one side only, is printed. Reviewing a golden diff says what
quarry answers; this says it is DuckDB's answer.

    python3 sql-tests/duckdb_check.py sql-tests/results/subquery_shapes.sql.snap

Needs the duckdb Python package (pip install duckdb); the bundled data/ tables
are registered as in the golden runner. Not part of `cargo test`.
"""
import math, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def records(text):
    """(sql, output lines) per statement of a golden file."""
    out = []
    for chunk in text.split("-- !query\n")[1:]:
        head, _, output = chunk.partition("-- !query output\n")
        sql = head.split("\n-- !query schema\n")[0]
        out.append((sql.strip(), [l for l in output.rstrip("\n").split("\n") if l != ""]))
    return out


def same(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9)


def text(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def main():
    import duckdb

    con = duckdb.connect()
    for path in sorted((ROOT / "data").glob("*.parquet")):
        con.execute(f"CREATE VIEW {path.stem} AS SELECT * FROM '{path}'")
    failed = passed = 0
    for sql, golden in records(Path(sys.argv[1]).read_text()):
        is_query = sql.upper().startswith(("SELECT", "WITH", "FROM", "VALUES", "("))
        try:
            rows = con.execute(sql).fetchall()
            duck = [[text(v) for v in row] for row in rows]
            error = None
        except Exception as e:  # noqa: BLE001 - DuckDB's error is the answer
            duck, error = None, str(e).splitlines()[0]
        if not is_query:
            continue
        quarry_error = bool(golden) and golden[0].startswith("Error: ")
        if error is not None or quarry_error:
            if (error is None) != (not quarry_error):
                print(f"DIFF {sql}\n  duckdb: {error or duck}\n  golden: {golden}\n")
                failed += 1
            else:
                passed += 1
            continue
        mine = [line.split("\t") for line in golden]
        if "ORDER BY" not in sql.upper():
            mine, duck = sorted(mine), sorted(duck)
        ok = len(mine) == len(duck) and all(
            len(m) == len(d) and all(same(x, y) for x, y in zip(m, d)) for m, d in zip(mine, duck)
        )
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"DIFF {sql}\n  duckdb: {duck}\n  golden: {mine}\n")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
