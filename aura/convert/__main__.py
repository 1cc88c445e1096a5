"""CLI: ``python -m aura.convert online_retail --input PATH --out DIR``."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from aura.convert import CONVERTERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aura.convert",
        description="Convert a source data set into Aura's canonical orders/order_lines CSVs.",
    )
    parser.add_argument("converter", choices=sorted(CONVERTERS), help="which converter to run")
    parser.add_argument("--input", required=True, type=Path, help="source file")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    args = parser.parse_args(argv)

    module = importlib.import_module(CONVERTERS[args.converter])
    try:
        counts = module.convert(args.input, args.out)
    except FileNotFoundError as exc:
        print(f"error: input not found: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(counts, indent=2))
    timezone = getattr(module, "TIMEZONE", None)
    if timezone:
        print(
            f"Wrote {args.out}/orders.csv and order_lines.csv. Timestamps are local time "
            f"without offset: run Aura with aura_timezone = '{timezone}'.",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
