"""The shareable HTML briefing: the app's briefing as one self-contained file for email and
archives.

`render_briefing_html(db_path, out_path, brand)` reads a published build (read-only) with
the same data layer as the app (`load_briefing`, `load_evidence`), renders
`templates/briefing.html.j2` (Jinja2, autoescaped) with inline CSS, the app's Altair charts
as inline SVG (vl-convert, no browser) and KPI sparklines drawn as SVG polylines, and
writes the file atomically. Nothing in it loads from anywhere: no scripts, no external
stylesheets, fonts, images or links. Statistics sit in each card's collapsed "Evidence"
section, as on the app's Evidence page.

    python -m aura.briefing --db published/<brand>/aura.duckdb --out briefing.html
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import jinja2

from aura.briefing import charts, kpis
from aura.briefing import format as fmt
from aura.briefing.content import load_briefing
from aura.briefing.evidence import load_evidence
from aura.briefing.model import Briefing

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "briefing.html.j2"
TREND_DAYS = 365  # the net-sales trend covers the last year


def sparkline_svg(values: Sequence[float], width: int = 140, height: int = 32) -> str:
    """A KPI's daily values as a small SVG polyline (empty text for fewer than 2 values)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
                      for i, v in enumerate(values))
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="daily values, last 28 days"><polyline fill="none" stroke="#3b5b92" '
            f'stroke-width="1.5" points="{points}"/></svg>')


def _trend_svg(con: duckdb.DuckDBPyConnection, as_of: date) -> str:
    series = kpis.rolling(kpis.daily_frame(con, as_of), "net_sales", 28)
    series = series[series["kpi_date"] >= str(as_of - timedelta(days=TREND_DAYS))]
    if series.empty:
        return ""
    return charts.to_svg(charts.trend_chart(
        series, "Net sales, trailing 28 days", "Net sales",
        subtitle="Each point is the net sales of the 28 days ending that day, over the last year.",
        width=640))


def _context(b: Briefing, con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return {
        "b": b, "fmt": fmt,
        "evidence": load_evidence(con, b.header.as_of, b.header.currency),
        "sparks": {k.key: sparkline_svg(k.spark) for k in b.kpis},
        "forecast_svg": charts.to_svg(charts.forecast_chart(b.forecast, width=640)),
        "trend_svg": _trend_svg(con, b.header.as_of),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def render_html(b: Briefing, con: duckdb.DuckDBPyConnection) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(TEMPLATE).render(**_context(b, con))


def render_briefing_html(db_path: Path, out_path: Path, brand: str | None = None) -> Path:
    """Render the build at `db_path` into one self-contained HTML file at `out_path`
    (written atomically); `brand` names it (default: the build's own aura_brand)."""
    db_path, out_path = Path(db_path), Path(out_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"no DuckDB file at {db_path}")
    with duckdb.connect(str(db_path), read_only=True) as con:
        b = load_briefing(con, brand)
        page = render_html(b, con)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would keep the archive copy from other readers
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out_path
