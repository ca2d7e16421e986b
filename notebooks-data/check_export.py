"""Round trip of `headroom export`: every exported file, in every format, read back by pandas
(and the Parquet and CSV files by DuckDB too) equals what the SQLite run store holds.

usage: python3 check_export.py DB EXPORT_ROOT   (EXPORT_ROOT holds csv/, jsonl/, parquet/)
"""
import json
import math
import sqlite3
import sys

import duckdb
import pandas as pd

TABLES = ["runs", "run_series", "decisions", "cold_starts", "request_samples", "latency_quantiles", "input_losses"]
BOOLEAN_COLUMNS = {"image_cached", "weights_cached", "waited_for_node"}


def stored(db, table):
    """The store's rows as the export defines them (runs = runs ⋈ scenarios ⋈ sweeps ⋈ run_summaries)."""
    if table == "runs":
        sql = """SELECT runs.id AS run_id, scenarios.name AS scenario, sweeps.name AS sweep, runs.*, s.*
                 FROM runs JOIN scenarios ON scenarios.id = runs.scenario_id LEFT JOIN sweeps ON sweeps.id = runs.sweep_id
                 JOIN run_summaries s ON s.run_id = runs.id ORDER BY runs.id"""
        frame = pd.read_sql(sql, db)
        frame = frame.loc[:, ~frame.columns.duplicated()].drop(columns=["id"])
        return frame
    return pd.read_sql(f"SELECT * FROM {table}", db)


def normalise(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value  # keep floats as floats; ints compare equal to them anyway
    return value


def rows(frame, columns):
    return sorted((tuple(normalise(v) for v in row) for row in frame[columns].itertuples(index=False, name=None)),
                  key=lambda r: tuple((v is None, str(type(v)), v if v is not None else 0) for v in r))


def main():
    db_path, root = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(db_path)
    checked = 0
    for table in TABLES:
        expected = stored(db, table)
        columns = list(expected.columns)
        readers = {
            "csv": lambda p: pd.read_csv(p, keep_default_na=False,
                                         na_values={c: [""] for c in columns}),
            "jsonl": lambda p: pd.read_json(p, lines=True, dtype=False, precise_float=True) if open(p).read(1) else pd.DataFrame(columns=columns),
            "parquet": pd.read_parquet,
        }
        for fmt, read in readers.items():
            path = f"{root}/{fmt}/{table}.{fmt}"
            got = read(path)
            missing = set(columns) - set(got.columns)
            assert not missing, f"{path}: columns {missing} missing"
            want_rows, got_rows = rows(expected, columns), rows(got, columns)
            assert len(want_rows) == len(got_rows), f"{path}: {len(got_rows)} rows, the store has {len(want_rows)}"
            for want, have in zip(want_rows, got_rows):
                for column, a, b in zip(columns, want, have):
                    if column in BOOLEAN_COLUMNS and b is not None:
                        b = int(b)
                    if column == "started_at":
                        continue  # a timestamp: the store's text, pandas may parse it
                    same = (a is None and b is None) or (a is not None and b is not None and (a == b or str(a) == str(b)))
                    assert same, f"{path}: column {column}: exported {b!r}, stored {a!r}"
            checked += len(want_rows)
        # DuckDB reads the same files (counts agree).
        for fmt, reader in [("parquet", "read_parquet"), ("csv", "read_csv_auto")]:
            count = duckdb.sql(f"SELECT COUNT(*) FROM {reader}('{root}/{fmt}/{table}.{fmt}')").fetchall()[0][0]
            assert count == len(expected), f"duckdb: {table}.{fmt} has {count} rows, the store {len(expected)}"
    print(f"export round trip: {len(TABLES)} tables x 3 formats, {checked} rows equal to the store; DuckDB reads them too")


if __name__ == "__main__":
    main()
