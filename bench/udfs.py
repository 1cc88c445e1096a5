"""Benchmark: the statistics UDFs over N rows inside DuckDB, vectorized (Arrow) against scalar
(one Python call per row), and Wilson against its closed form in pure SQL.

    python -m bench.udfs [--rows 10000000] [--scalar-rows 200000] [--thompson-rows 2000] [--out FILE]

Each timing is `select sum(f(...)) from bench` (count / sum(len) for text and lists) over a
table materialized first, so generation is not timed. Scalar UDFs are timed on the first
--scalar-rows rows and scaled linearly to --rows (marked "est."), except the hand-written
scalar Wilson, which runs on all rows. thompson_p_best draws `draws` x arms Beta variates per
row, so it is timed on --thompson-rows distinct rows and scaled the same way.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
from duckdb.sqltypes import DOUBLE

import python_udfs
from python_udfs import Z_95, bayes

ROOT = Path(__file__).resolve().parent.parent
Z2 = Z_95 * Z_95
# Closed-form Wilson lower bound in plain SQL (double literals: DECIMAL ones are 20x slower).
WILSON_SQL = (
    f"case when n1 = 0 then cast(0 as double) else greatest(cast(0 as double), "
    f"((x1 + cast({Z2 / 2!r} as double)) - cast({Z_95!r} as double) * "
    f"sqrt(x1 * (n1 - x1) / n1 + cast({Z2 / 4!r} as double))) / (n1 + cast({Z2!r} as double))) end"
)

# Deterministic pseudo-random columns: u(k) is uniform on [0, 1) from a hash of (row, k).
BENCH_TABLE = """
create or replace table bench as
with u as (
    select i,
        (hash(i, 1) % 1000003) / 1000003.0 as u1, (hash(i, 2) % 1000003) / 1000003.0 as u2,
        (hash(i, 3) % 1000003) / 1000003.0 as u3, (hash(i, 4) % 1000003) / 1000003.0 as u4,
        (hash(i, 5) % 1000003) / 1000003.0 as u5, (hash(i, 6) % 1000003) / 1000003.0 as u6
    from range({rows}) t(i)
)
select i, i // 10 as family,
    floor(pow(10, 1 + 4 * u1)) as n1, floor(u2 * (floor(pow(10, 1 + 4 * u1)) + 1)) as x1,
    floor(pow(10, 1 + 4 * u3)) as n2, floor(u4 * (floor(pow(10, 1 + 4 * u3)) + 1)) as x2,
    10 * u5 as mean1, 1 + u6 as var1, 10 * u2 as mean2, 1 + u4 as var2,
    0.02 + 0.5 * u5 as p_base, 0.01 + 0.1 * u6 as delta,
    0.5 + 50 * u1 as a, 0.5 + 50 * u3 as b, u5 as q
from u
"""
LIST_TABLE = """
create or replace table bench_lists as
select family, list(q order by i) as p
from bench group by family
"""


@dataclass(frozen=True)
class Case:
    name: str
    expression: str
    aggregate: str = "sum"  # sum | count | len
    table: str = "bench"


CASES = [
    Case("wilson_lower", "wilson_lower(x1, n1)"),
    Case("wilson_upper", "wilson_upper(x1, n1)"),
    Case("diff_ci_lower (newcombe)", "diff_ci_lower(x1, n1, x2, n2)"),
    Case("two_prop_pvalue", "two_prop_pvalue(x1, n1, x2, n2)"),
    Case("two_prop_method", "two_prop_method(x1, n1, x2, n2)", "count"),
    Case("welch_pvalue", "welch_pvalue(n1, mean1, var1, n2, mean2, var2)"),
    Case("required_n_two_prop", "required_n_two_prop(p_base, delta)"),
    Case("beta_quantile", "beta_quantile(a, b, q)"),
    Case("bh_qvalues (lists of 10)", "bh_qvalues(p)", "len", "bench_lists"),
]


def _query(case: Case, rows: int | None = None) -> str:
    value = {"sum": f"sum({case.expression})", "count": f"count({case.expression})",
             "len": f"sum(len({case.expression}))"}[case.aggregate]
    source = case.table if rows is None else f"(select * from {case.table} order by i limit {rows})"
    return f"select {value} from {source}"


def _time(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    # Cold cache: no run profits from Thompson rows another run computed.
    bayes._p_best.cache_clear()
    start = time.perf_counter()
    con.execute(sql).fetchall()
    return time.perf_counter() - start


def _connect(kind: str, rows: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    python_udfs.register(con, kind="arrow" if kind == "arrow" else "native")
    con.execute(BENCH_TABLE.format(rows=rows))
    con.execute(LIST_TABLE)
    return con


def _wilson_scalar_by_hand(x: float | None, n: float | None) -> float | None:
    # What one would write as a scalar UDF: plain Python math, one call per row.
    if x is None or n is None or n < 0 or x < 0 or x > n:
        return None
    if n == 0 or x == 0:
        return 0.0
    center, half = (x + Z2 / 2) / (n + Z2), Z_95 * math.sqrt(x * (n - x) / n + Z2 / 4) / (n + Z2)
    return center - half


def _fmt(seconds: float, estimated: bool = False) -> str:
    return f"{seconds:.2f}{' est.' if estimated else ''}"


def run(rows: int, scalar_rows: int, thompson_rows: int) -> str:
    print(f"building {rows:,} rows ...", file=sys.stderr)
    arrow_con, native_con = _connect("arrow", rows), _connect("native", scalar_rows)
    scale = rows / scalar_rows
    lines = [
        f"# Statistics UDFs over {rows:,} rows in DuckDB {duckdb.__version__}",
        "",
        f"{platform.platform()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}. Seconds per query (`select sum(f(...))`); scalar "
        f"UDFs timed on {scalar_rows:,} rows and scaled (est.).",
        "",
        "| function | pure SQL | vectorized (arrow) UDF | scalar (native) UDF | arrow / SQL "
        "| scalar / arrow |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]

    sql_wilson = _time(arrow_con, f"select sum({WILSON_SQL}) from bench")
    arrow_con.create_function("noop_udf", lambda x, n: x, [DOUBLE, DOUBLE], DOUBLE, type="arrow",
                              null_handling="special")
    noop = _time(arrow_con, "select sum(noop_udf(x1, n1)) from bench")
    lines.append(f"| (arrow UDF returning its input: DuckDB's per-batch cost) | | {_fmt(noop)} | | "
                 f"{noop / sql_wilson:.1f}x wilson SQL | |")
    arrow_times, native_times = {}, {}
    for case in CASES:
        print(f"  {case.name} ...", file=sys.stderr)
        arrow = arrow_times[case.name] = _time(arrow_con, _query(case))
        native = native_times[case.name] = _time(native_con, _query(case)) * scale
        sql = _fmt(sql_wilson) if case.name == "wilson_lower" else ""
        ratio_sql = f"{arrow / sql_wilson:.1f}x" if case.name == "wilson_lower" else ""
        lines.append(f"| {case.name} | {sql} | {_fmt(arrow)} | {_fmt(native, True)} | {ratio_sql} | "
                     f"{native / arrow:.0f}x |")

    arrow_con.create_function("wilson_lower_by_hand", _wilson_scalar_by_hand, [DOUBLE, DOUBLE], DOUBLE,
                              type="native", null_handling="special")
    by_hand = _time(arrow_con, "select sum(wilson_lower_by_hand(x1, n1)) from bench")
    arrow_wilson, kernel_scalar = arrow_times["wilson_lower"], native_times["wilson_lower"]
    lines.append(f"| wilson_lower, scalar UDF written by hand (math module) | | | {_fmt(by_hand)} | | "
                 f"{by_hand / arrow_wilson:.1f}x |")

    bh_macro = _bh_macro_sql()
    macro = _time(arrow_con, f"select sum(q_value) from ({bh_macro})")
    lines.append(f"| BH as the window macro `aura_bh_qvalues` ({rows:,} p-values, families of 10) | "
                 f"{_fmt(macro)} | | | | |")

    thompson_sql = (f"select sum(len(thompson_p_best([a, b, 2 + a / 2], [b, a, 3 + b / 3], 10000, i))) "
                    f"from (select * from bench order by i limit {thompson_rows})")
    t_arrow = _time(arrow_con, thompson_sql) * rows / thompson_rows
    t_native = _time(native_con, thompson_sql) * rows / thompson_rows
    lines.append(f"| thompson_p_best (3 arms x 10,000 draws per row; timed on {thompson_rows:,} rows) | | "
                 f"{_fmt(t_arrow, True)} | {_fmt(t_native, True)} | | {t_native / t_arrow:.1f}x |")
    lines += [
        "",
        f"Goal: vectorized Wilson within 3x of pure SQL: measured {arrow_wilson / sql_wilson:.1f}x. "
        f"At least 10x faster than a scalar UDF: {kernel_scalar / arrow_wilson:.0f}x against the same "
        f"kernel registered as a scalar UDF, {by_hand / arrow_wilson:.1f}x against a scalar Wilson "
        "written by hand with the math module.",
    ]
    return "\n".join(lines) + "\n"


def _bh_macro_sql() -> str:
    source = (ROOT / "macros" / "stats.sql").read_text()
    call = "{{ aura_bh_qvalues('bench', 'q', partition_by=['family'], columns=[]) }}"
    return jinja2.Environment().from_string(source + call).render(execute=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--scalar-rows", type=int, default=200_000)
    parser.add_argument("--thompson-rows", type=int, default=2_000)
    parser.add_argument("--out", help="also write the report to this file")
    args = parser.parse_args()
    report = run(args.rows, min(args.scalar_rows, args.rows), min(args.thompson_rows, args.rows))
    sys.stdout.write(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
