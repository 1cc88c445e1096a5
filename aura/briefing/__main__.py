"""Render a published build's briefing as one self-contained HTML file.

    python -m aura.briefing --db published/<brand>/aura.duckdb --out briefing.html [--brand NAME]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from aura.briefing.content import BriefingUnavailable
from aura.briefing.html import render_briefing_html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aura.briefing",
                                     description="Write the month's briefing as one HTML file.")
    parser.add_argument("--db", required=True, type=Path, help="the published DuckDB file")
    parser.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    parser.add_argument("--brand", default=None, help="the brand's name in the title (default: the build's)")
    args = parser.parse_args(argv)
    try:
        path = render_briefing_html(args.db, args.out, args.brand)
    except (FileNotFoundError, BriefingUnavailable, duckdb.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
