"""The SQL path alone: what the pandas baseline computes, done the way the dbt build does
it, without dbt (no start-up, no other marts, no data tests).

    python -m bench.sql_path INPUT_DIR COMPILED_DIR DB_PATH [--timezone TZ]

COMPILED_DIR is a dbt build's `target/compiled/aura/models` for the same input, and
DB_PATH must be a file named like that build's database (`aura.duckdb`) so the compiled
SQL's database name resolves. Steps: the input loader (validation and typing, as in the
build, handed over as an Arrow table as the plugin does) for the orders export and
customer merges, the two staging views, then the
compiled `fct_orders` and `fct_daily_kpis` (intermediate models are inlined into them).
Prints one JSON line of step timings.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

from aura.inputs import loader

SOURCES = {"raw_shopify": ["orders_export"], "raw_inputs": ["customer_merges"]}
VIEWS = ["shopify/stg_shopify__order_rows", "inputs/stg_inputs__customer_merges"]
TABLES = ["fct_orders", "fct_daily_kpis"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.sql_path")
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("compiled_dir", type=Path)
    parser.add_argument("db_path", type=Path)
    parser.add_argument("--timezone", default="America/New_York")
    parser.add_argument("--memory-limit", default="2GB")
    args = parser.parse_args(argv)

    timings: dict[str, float] = {}
    started = time.perf_counter()
    con = duckdb.connect(str(args.db_path))
    con.execute(f"SET memory_limit = '{args.memory_limit}'")
    for schema, keys in SOURCES.items():
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for key in keys:
            step = time.perf_counter()
            table = loader.load(key, args.input_dir, args.timezone).table()
            con.register("loaded", table)
            con.execute(f"CREATE OR REPLACE TABLE {schema}.{key} AS SELECT * FROM loaded")
            con.unregister("loaded")
            timings[f"load {key}"] = time.perf_counter() - step
    for view in VIEWS:
        sql = (args.compiled_dir / "staging" / f"{view}.sql").read_text()
        con.execute(f"CREATE OR REPLACE VIEW main.{view.split('/')[1]} AS {sql}")
    for table in TABLES:
        step = time.perf_counter()
        sql = (args.compiled_dir / "marts" / "core" / f"{table}.sql").read_text()
        con.execute(f"CREATE OR REPLACE TABLE main.{table} AS {sql}")
        timings[table] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    orders = con.execute("SELECT count(*) FROM main.fct_orders").fetchone()
    con.close()
    print(json.dumps({"timings": timings, "orders": orders[0] if orders else None}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
