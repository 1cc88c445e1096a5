"""`python -m aura demo` (what `make demo` runs) and `python -m aura build` (own data)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from aura.pipeline import REPO, BuildFailed, BuildResult, build_and_publish
from aura.serving import store


def _report(result: BuildResult, input_dir: Path) -> None:
    run = result.run
    print(f"\nBuilt, validated and published brand {result.brand!r} in {result.seconds:.1f} s "
          f"from {input_dir}")
    for mart, n in result.row_counts.items():
        print(f"  {mart:<24} {n:>10,} rows")
    if result.checkpoint is not None:
        c = result.checkpoint
        print(f"  dbt build passed; Great Expectations checkpoint: {c.passed} of {c.evaluated} "
              f"expectations passed ({c.seconds:.1f} s)")
    if run is not None:
        print(f"  Published as-of {run.as_of.isoformat()} (run {run.run_id}) in {run.directory}")
    if result.decision:
        print(f"\nThis month: {result.decision[0]} - {result.decision[1]}")
    for lane, title, variant in result.plan or []:
        label = "Recommended now" if lane == "recommended" else "Pilot (a small test)"
        print(f"  {label}: {title} ({variant})")
    brand_dir = run.directory.parent.parent if run is not None else result.published_path.parent
    latest_db = brand_dir / store.DB_FILE  # a link to the brand's latest run, for analysts
    db = latest_db if latest_db.exists() else result.published_path
    print(
        "\nLook at it:\n"
        f"  {sys.executable} -c \"import duckdb; print(duckdb.connect('{db}', read_only=True)"
        ".sql('select lane, play_id, variant_id, plan_reason_code from mart_action_plan "
        "order by lane_order, lane_rank'))\"\n"
        f"  or any DuckDB client: duckdb -readonly {db}\n"
        f"  Audiences as CSV for an email/SMS tool: {sys.executable} -m aura.audiences "
        f"--db {db} --out audiences/\n"
        "  Marts are documented in models/marts/*/*.yml and README.md; `make docs` serves "
        "dbt docs."
    )
    html = run.html_path if run is not None else None
    if html is not None:
        print(f"\nThe briefing to share: {html}")
        if (brand_dir / store.HTML_FILE).exists():
            print(f"  (the latest month's, always: {brand_dir / store.HTML_FILE})")
    print(f"\nOpen the app:\n  {app_command(brand_dir.parent)}")


def app_command(root: Path | None = None) -> str:
    """The shell command that opens the briefing app on publish root `root`."""
    streamlit = Path(sys.executable).parent / "streamlit"
    app = REPO / "app" / "streamlit_app.py"
    app_text = str(app.relative_to(REPO)) if Path.cwd().resolve() == REPO else str(app)
    env = ""
    if root is not None and root.resolve() != (REPO / "published").resolve():
        env = f"AURA_PUBLISHED_DIR={shlex.quote(str(root))} "
    return f"{env}{shlex.quote(str(streamlit))} run {shlex.quote(app_text)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aura")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="generate the demo store, build and publish it")
    demo.add_argument("--scenario", default="healthy_beauty")
    demo.add_argument("--orders", type=int, default=None)
    build = sub.add_parser("build", help="build and publish a brand from its files")
    build.add_argument("--input-dir", required=True, type=Path)
    build.add_argument("--format", default="shopify", choices=["shopify", "canonical"])
    build.add_argument("--brand", required=True)
    build.add_argument("--timezone", default="America/New_York")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from aura.demo import generate

        input_dir = REPO / "demo_data" / args.scenario
        print(f"Generating the {args.scenario} demo store into {input_dir} ...")
        generate(args.scenario, input_dir, orders=args.orders)
        brand, fmt, tz = args.scenario, "shopify", "America/New_York"
    else:
        input_dir, brand, fmt, tz = args.input_dir, args.brand, args.format, args.timezone
    try:
        result = build_and_publish(brand, input_dir, fmt, tz)
    except BuildFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    _report(result, input_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
