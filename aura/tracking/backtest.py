"""Backtest: replay the engine at every past month-end and print how its predictions did.

`python -m aura.tracking.backtest` (what `make backtest` runs) builds the backtest marts
(mart_backtest_predictions, mart_backtest_calibration: dbt with `aura_backtest: true`, only
the nodes they need, with their data tests) for one input folder into a DuckDB file and
prints mart_backtest_calibration as a table: for each baseline source and the engine's own
pick, how far the monthly baseline at each month-end was from the next 28 days' net sales;
for each play's audience, how often its conversion rate and order value fell inside the
80% range predicted from the audience 28 days earlier. Without `--input-dir` it uses the
demo store under demo_data/healthy_beauty/, generating it when missing. `--from-db` prints
the table of a file already built with the backtest (e.g. a published run) without
building. Definitions: DECISIONLOG "Backtests".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from aura.briefing import format as fmt

REPO = Path(__file__).resolve().parents[2]
DEMO_SCENARIO = "healthy_beauty"
DEFAULT_DB = REPO / "target" / "backtest" / "backtest.duckdb"
SELECTOR = "+mart_backtest_calibration"

CALIBRATION_SQL = """
select check_name, subject, subject_label, month_ends, first_month_end_date, last_month_end_date,
    evaluated_rows, rows_with_range, within_range_rows, coverage_p10_p90, no_change_coverage,
    mean_abs_error, mean_error, mean_abs_pct_error, mean_pct_error, engine_sources, summary,
    summary_null_reason
from mart_backtest_calibration
order by check_order, subject_order, subject
"""
CURRENCY_SQL = """
select currency from fct_orders where currency is not null
group by currency order by count(*) desc, currency limit 1
"""
CHECK_TITLES = {
    "baseline_net_sales": "Monthly baseline net sales against the next 28 days",
    "audience_conversion_rate": "Audience conversion rate (share who ordered in the next 28 days)",
    "audience_aov": "Audience order value (net sales per order in the next 28 days)",
}


class BacktestFailed(RuntimeError):
    """dbt could not build the backtest, or the file holds none."""


@dataclass(frozen=True)
class CalibrationRow:
    """One row of mart_backtest_calibration."""

    check_name: str
    subject: str
    subject_label: str
    month_ends: int
    first_month_end: str | None
    last_month_end: str | None
    evaluated: int
    with_range: int
    within_range: int
    coverage: float | None
    no_change_coverage: float | None
    mean_abs_error: float | None
    mean_error: float | None
    mape: float | None
    bias: float | None
    engine_sources: str | None
    summary: str
    summary_null_reason: str | None


def build_backtest(input_dir: Path, db_path: Path, input_format: str = "shopify",
                   timezone: str = "America/New_York", extra_vars: dict[str, object] | None = None,
                   quiet: bool = True) -> Path:
    """Build the backtest marts and everything they read (and their data tests) for
    `input_dir` into a fresh `db_path`; raise BacktestFailed with dbt's output if it fails."""
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    target = db_path.parent / f"dbt_{db_path.stem}"
    dbt_vars = {
        "aura_input_format": input_format,
        "aura_input_dir": str(Path(input_dir).resolve()),
        "aura_timezone": timezone,
        "aura_backtest": True,
        **(extra_vars or {}),
    }
    dbt = Path(sys.executable).parent / "dbt"
    # cautious: only the data tests whose every parent is built (a test of a selected seed may
    # read a seed or mart the backtest does not need)
    cmd = [str(dbt) if dbt.exists() else "dbt", "build", "--select", SELECTOR,
           "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test",
           "--profiles-dir", str(REPO), "--project-dir", str(REPO),
           "--target-path", str(target), "--log-path", str(target / "logs"),
           "--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "AURA_DB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=quiet, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stdout or "")[-4000:] if quiet else ""
        raise BacktestFailed(f"dbt could not build the backtest for {input_dir}.\n{detail}")
    return db_path


def read_calibration(db_path: Path) -> tuple[list[CalibrationRow], str | None]:
    """The calibration rows and the store's currency from a built file (read-only)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
        if "mart_backtest_calibration" not in tables:
            raise BacktestFailed(f"{db_path} has no mart_backtest_calibration: it was built without "
                                 "the backtest (dbt var aura_backtest: true).")
        found = con.execute(CURRENCY_SQL).fetchone() if "fct_orders" in tables else None
        rows = con.execute(CALIBRATION_SQL).fetchall()
    return [_row(r) for r in rows], (str(found[0]) if found else None)


def _row(r: Sequence[object]) -> CalibrationRow:
    def num(value: object) -> float | None:
        return fmt.number(value)

    def whole(value: object) -> int:
        x = fmt.number(value)
        return 0 if x is None else round(x)

    def when(value: object) -> str | None:
        return None if value is None else str(value)[:10]

    return CalibrationRow(
        check_name=str(r[0]), subject=str(r[1]), subject_label=str(r[2]), month_ends=whole(r[3]),
        first_month_end=when(r[4]), last_month_end=when(r[5]), evaluated=whole(r[6]),
        with_range=whole(r[7]), within_range=whole(r[8]), coverage=num(r[9]),
        no_change_coverage=num(r[10]), mean_abs_error=num(r[11]), mean_error=num(r[12]),
        mape=num(r[13]), bias=num(r[14]), engine_sources=None if r[15] is None else str(r[15]),
        summary=str(r[16]), summary_null_reason=None if r[17] is None else str(r[17]),
    )


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{100 * value:+.1f}%" if signed else f"{100 * value:.1f}%"


def _error(row: CalibrationRow, currency: str | None) -> str:
    if row.mean_abs_error is None:
        return "-"
    if row.check_name == "audience_conversion_rate":
        return f"{100 * row.mean_abs_error:.1f} pts"
    return fmt.money(row.mean_abs_error, currency, cents=row.check_name == "audience_aov")


def format_table(rows: Sequence[CalibrationRow], currency: str | None = None) -> str:
    """The calibration as a plain-text table, one block per check."""
    if not rows:
        return "No backtest rows."
    first = rows[0]
    lines = []
    if first.month_ends:
        lines.append(f"Backtest over {first.month_ends} month-ends, {first.first_month_end} to "
                     f"{first.last_month_end}; each prediction uses only orders up to its month-end "
                     "and is compared with the 28 days after it.")
    else:
        lines.append("No month-end has 56 days of orders before it and 28 days after it: "
                     "nothing to backtest.")
    header = (f"  {'subject':<30} {'evaluated':>9} {'in p10-p90':>12} {'coverage':>9} "
              f"{'if no change':>12} {'MAPE':>7} {'bias':>7} {'MAE':>10}")
    for check, title in CHECK_TITLES.items():
        block = [r for r in rows if r.check_name == check]
        if not block:
            continue
        lines += ["", title, header, "  " + "-" * (len(header) - 2)]
        for r in block:
            inside = f"{r.within_range}/{r.with_range}" if r.with_range else "-"
            lines.append(
                f"  {r.subject[:30]:<30} {r.evaluated:>9} {inside:>12} {_pct(r.coverage):>9} "
                f"{_pct(r.no_change_coverage):>12} {_pct(r.mape):>7} {_pct(r.bias, signed=True):>7} "
                f"{_error(r, currency):>10}")
        engine = next((r for r in block if r.engine_sources), None)
        if engine is not None:
            lines.append(f"  engine choice: {engine.engine_sources}")
    lines += [
        "",
        "coverage: share of actuals inside the predicted p10-p90 range (80% if calibrated); if no "
        "change: the coverage expected from chance alone if the audiences had not changed. "
        "MAPE: mean absolute % error of the middle; bias: mean signed % error (+ = too high); "
        "MAE: mean absolute error (points for rates).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aura.tracking.backtest",
        description="Replay the engine at every past month-end and print how its predictions did.")
    parser.add_argument("--input-dir", type=Path, default=None,
                        help=f"the brand's files (default: demo_data/{DEMO_SCENARIO}, "
                             "generated when missing)")
    parser.add_argument("--format", default="shopify", choices=["shopify", "canonical"])
    parser.add_argument("--timezone", default="America/New_York")
    parser.add_argument("--as-of", default=None, help="replay only month-ends whose 28 days end by this date")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"DuckDB file to build into (default {DEFAULT_DB})")
    parser.add_argument("--from-db", type=Path, default=None,
                        help="print the table of a file already built with the backtest; build nothing")
    parser.add_argument("--summaries", action="store_true",
                        help="also print the plain-English lines the app shows")
    args = parser.parse_args(argv)

    try:
        if args.from_db is not None:
            db_path = args.from_db
        else:
            input_dir = args.input_dir
            if input_dir is None:
                input_dir = REPO / "demo_data" / DEMO_SCENARIO
                if not any(input_dir.glob("orders_export*.csv")):
                    from aura.demo import generate

                    print(f"Generating the {DEMO_SCENARIO} demo store into {input_dir} ...")
                    generate(DEMO_SCENARIO, input_dir)
            extra: dict[str, object] = {"aura_as_of": args.as_of} if args.as_of else {}
            print(f"Building the backtest of {input_dir} into {args.db} ...", flush=True)
            db_path = build_backtest(input_dir, args.db, args.format, args.timezone, extra)
        rows, currency = read_calibration(db_path)
    except BacktestFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    print(format_table(rows, currency))
    if args.summaries:
        print()
        for r in rows:
            print(f"- {r.summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
