"""CLI: python -m aura.demo --scenario healthy_beauty --out DIR [--orders N] ..."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from aura.demo.generator import generate
from aura.demo.scenarios import SCENARIOS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m aura.demo", description=__doc__)
    p.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--orders", type=int, default=None, help="number of orders (default: "
                   "the scenario's)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--end-date", type=date.fromisoformat, default=None,
                   help="last day of history, YYYY-MM-DD (default: the scenario's)")
    p.add_argument("--max-rows-per-file", type=int, default=None,
                   help="split orders_export_N.csv files at this many rows")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    t0 = time.perf_counter()
    gt = generate(args.scenario, args.out, orders=args.orders, seed=args.seed,
                  end_date=args.end_date, max_rows_per_file=args.max_rows_per_file)
    c = gt.counts
    print(
        f"{gt.scenario}: {c['orders']} orders, {c['order_lines']} lines, {c['customers']} "
        f"customers, {gt.start_date}..{gt.end_date}, net sales {gt.sales['net_sales']:.2f} USD "
        f"-> {args.out} ({time.perf_counter() - t0:.1f}s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
