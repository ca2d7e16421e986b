#!/usr/bin/env python3
"""Two Headroom run stores hold the same runs with the same results.

Runs are matched by sweep name and `run_key` (a sweep's job: scenario, variant, seed). For each run
every column of `runs` is compared except the row's identity and its wall clock (ids, `run_uid`,
`started_at`, `wall_seconds`), its scenario by content hash, and every table with a `run_id` column
(summaries, series, decisions, cold starts, quantiles, request samples, deployments...) as a multiset
of rows (`merge` copies a run's rows in no particular order). Used by slurm-array.sh: the merged shards against the unsharded sweep.

Usage: compare_stores.py EXPECTED.sqlite ACTUAL.sqlite
"""
import sqlite3
import sys

# Columns that name a row or a moment of wall-clock time, not a result.
IDENTITY = {"id", "run_id", "run_uid", "scenario_id", "sweep_id", "started_at", "wall_seconds", "created_at"}


def runs(db):
    db.row_factory = sqlite3.Row
    rows = db.execute(
        "SELECT runs.*, sweeps.name AS sweep_name, scenarios.hash AS scenario_hash FROM runs "
        "LEFT JOIN sweeps ON sweeps.id = runs.sweep_id JOIN scenarios ON scenarios.id = runs.scenario_id").fetchall()
    return {(r["sweep_name"], r["run_key"]): r for r in rows}


def result_tables(db):
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return [t for t in tables if any(col[1] == "run_id" for col in db.execute(f"PRAGMA table_info({t})"))]


def order(row):
    """A sort key for rows whose columns may hold NULL, numbers, text or blobs."""
    return [(0, 0) if v is None else (1, v) if isinstance(v, (int, float)) else (2, str(v)) for v in row]


def results(db, table, run_id):
    columns = [col[1] for col in db.execute(f"PRAGMA table_info({table})") if col[1] not in IDENTITY]
    listed = ", ".join(f'"{c}"' for c in columns)
    rows = db.execute(f"SELECT {listed} FROM {table} WHERE run_id = ?", (run_id,)).fetchall()
    return columns, sorted((tuple(r) for r in rows), key=order)


def main():
    expected_path, actual_path = sys.argv[1], sys.argv[2]
    expected, actual = sqlite3.connect(expected_path), sqlite3.connect(actual_path)
    a, b = runs(expected), runs(actual)
    problems = []
    if set(a) != set(b):
        problems.append(f"runs only in {expected_path}: {sorted(set(a) - set(b))}; only in {actual_path}: {sorted(set(b) - set(a))}")
    tables = result_tables(expected)
    if tables != result_tables(actual):
        problems.append(f"result tables differ: {tables} vs {result_tables(actual)}")
    rows = 0
    for key in sorted(set(a) & set(b), key=str):
        ra, rb = a[key], b[key]
        for column in ra.keys():
            if column not in IDENTITY and ra[column] != rb[column]:
                problems.append(f"run {key}: {column} {ra[column]!r} vs {rb[column]!r}")
        for table in tables:
            columns, xa = results(expected, table, ra["id"])
            _, xb = results(actual, table, rb["id"])
            rows += len(xa)
            if xa != xb:
                first = next((i for i, (p, q) in enumerate(zip(xa, xb)) if p != q), None)
                where = "" if first is None else ", first in " + ", ".join(
                    f"{c} ({p!r} vs {q!r})" for c, p, q in zip(columns, xa[first], xb[first]) if p != q)
                problems.append(f"run {key}: {table} differs ({len(xa)} vs {len(xb)} rows{where})")
    if problems:
        sys.exit("stores differ:\n  " + "\n  ".join(problems[:20]))
    print(f"compare-stores: {len(a)} runs and {rows} result rows in {len(tables)} tables are equal")


if __name__ == "__main__":
    main()
