"""Build, validate and publish one brand's marts.

`dbt build` writes a fresh DuckDB file that no reader uses; only when every model and
test passes is that file moved into `published/<brand>/aura.duckdb` (an atomic rename on
the same filesystem). A failed build leaves the last published result untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
CORE_MARTS = (
    "fct_orders", "fct_order_lines", "dim_customers", "dim_products", "fct_daily_kpis",
    "mart_kpi_snapshot", "mart_data_quality_flags", "mart_audiences",
)


class BuildFailed(Exception):
    """dbt build failed; nothing was published."""


@dataclass(frozen=True)
class BuildResult:
    brand: str
    published_path: Path
    seconds: float
    row_counts: dict[str, int]
    decision: tuple[str, str] | None = None  # (decision_state, plain-English reason)
    plan: list[tuple[str, str, str]] | None = None  # (lane, play title, variant) to act on


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def build_and_publish(
    brand: str,
    input_dir: Path,
    input_format: str = "shopify",
    timezone: str = "America/New_York",
    publish_root: Path | None = None,
    extra_vars: dict[str, object] | None = None,
    quiet: bool = False,
) -> BuildResult:
    publish_root = publish_root or REPO / "published"
    build_dir = REPO / "target" / "builds" / brand
    build_dir.mkdir(parents=True, exist_ok=True)
    build_db = build_dir / f"aura_build_{os.getpid()}_{int(time.time())}.duckdb"
    dbt_vars = {
        "aura_input_format": input_format,
        "aura_input_dir": str(Path(input_dir).resolve()),
        "aura_timezone": timezone,
        "aura_brand": brand,
        **(extra_vars or {}),
    }
    cmd = [dbt_executable(), "build", "--profiles-dir", str(REPO), "--project-dir", str(REPO),
           "--target-path", str(build_dir / "dbt_target"), "--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "AURA_DB": str(build_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=quiet, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        build_db.unlink(missing_ok=True)
        Path(str(build_db) + ".wal").unlink(missing_ok=True)
        detail = (proc.stdout or "")[-4000:] if quiet else ""
        raise BuildFailed(
            f"dbt build failed for brand {brand!r}; the last published result is unchanged.\n"
            + detail
        )
    with duckdb.connect(str(build_db), read_only=True) as con:
        counts = {m: con.execute(f"select count(*) from main.{m}").fetchone()[0] for m in CORE_MARTS}
        decision = con.execute(
            "select decision_state, decision_reason from main.mart_briefing"
        ).fetchone()
        plan = con.execute(
            "select lane, title, variant_id from main.mart_action_plan "
            "where lane in ('recommended', 'pilot') order by lane_order, lane_rank"
        ).fetchall()
    target = publish_root / brand / "aura.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build_db, target)  # atomic: readers see the old file or the new one
    return BuildResult(brand, target, seconds, counts, decision, plan)
