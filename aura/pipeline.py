"""Build, validate and publish one brand's marts.

1. `dbt build` (every model and data test) writes a fresh DuckDB file into a private
   staging folder of the published store (`store.new_run_dir`); no reader ever opens it.
2. The Great Expectations checkpoint (`aura.serving.checkpoint`) reads the marts the app
   uses from that file, read-only.
3. The briefing step may write `briefing.html` into the same folder.
4. Only then is the folder published as the brand's newest run (`store.publish_run`: one
   rename and an atomically replaced index).

A failed dbt build or checkpoint removes the staged folder and raises `BuildFailed`
naming what failed; the published runs and the index are untouched. dbt's unit tests
(fixed inputs, not the brand's) are left to the test suite; every data test runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import duckdb

from aura.serving import store
from aura.serving.checkpoint import CheckpointResult, run_checkpoint

REPO = Path(__file__).resolve().parent.parent
CORE_MARTS = (
    "fct_orders", "fct_order_lines", "dim_customers", "dim_products", "fct_daily_kpis",
    "mart_kpi_snapshot", "mart_data_quality_flags", "mart_audiences",
)
STALE_STAGING_SECONDS = 24 * 3600  # a staged folder this old was left by a killed build


class BuildFailed(Exception):
    """The dbt build or the publish checkpoint failed; nothing was published."""


@dataclass(frozen=True)
class BuildResult:
    brand: str
    published_path: Path  # the published run's aura.duckdb
    seconds: float
    row_counts: dict[str, int]
    decision: tuple[str, str] | None = None  # (decision_state, plain-English reason)
    plan: list[tuple[str, str, str]] | None = None  # (lane, play title, variant) to act on
    run: store.PublishedRun | None = None
    checkpoint: CheckpointResult | None = None


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def _versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    try:
        with open(REPO / "pyproject.toml", "rb") as handle:
            versions["aura"] = str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "great_expectations"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def _dbt_summary(target: Path) -> dict[str, object]:
    """Counts of the build's nodes by resource type and status (from run_results.json)."""
    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    counts: dict[str, dict[str, int]] = {}
    for r in results.get("results", []):
        kind = str(r.get("unique_id", "")).split(".", 1)[0]
        status = str(r.get("status"))
        counts.setdefault(kind, {}).setdefault(status, 0)
        counts[kind][status] += 1
    return {"nodes": counts, "elapsed_seconds": round(float(results.get("elapsed_time", 0)), 1)}


def _remove_stale_staging(staging: Path, keep: Path) -> None:
    """Staged folders a killed build left behind (a day old); never the current one."""
    now = time.time()
    for child in staging.glob("run-*"):
        try:
            if child != keep and now - child.stat().st_mtime > STALE_STAGING_SECONDS:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


def write_briefing_html(staged: Path, db_path: Path, brand: str) -> Path:
    """The briefing step: render the month's shareable briefing into the staged run
    folder (`staged / store.HTML_FILE`), after validation and before publishing, so the
    HTML is published together with the marts it was rendered from."""
    from aura.briefing.html import render_briefing_html  # Altair and Jinja2: load when used

    return render_briefing_html(db_path, staged / store.HTML_FILE, brand)


def build_and_publish(
    brand: str,
    input_dir: Path,
    input_format: str = "shopify",
    timezone: str = "America/New_York",
    publish_root: Path | None = None,
    extra_vars: dict[str, object] | None = None,
    quiet: bool = False,
) -> BuildResult:
    """Build the brand's marts from `input_dir`, validate them and publish them as the
    brand's newest run under `publish_root` (else `AURA_PUBLISHED_DIR`, else
    `published/`). Raises `BuildFailed` (nothing published) when dbt or the checkpoint
    fails."""
    root = store.publish_root(publish_root).resolve()
    staged = store.new_run_dir(brand, root)
    _remove_stale_staging(staged.parent, staged)
    try:
        return _build_validate_publish(brand, staged, root, Path(input_dir).resolve(),
                                       input_format, timezone, extra_vars, quiet)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)  # a no-op once published (renamed)
        raise


def _build_validate_publish(
    brand: str, staged: Path, root: Path, input_dir: Path, input_format: str, timezone: str,
    extra_vars: dict[str, object] | None, quiet: bool,
) -> BuildResult:
    db_path = staged / store.DB_FILE
    target = staged / "dbt"  # dbt's target folder and logs for this build only
    dbt_vars = {
        "aura_input_format": input_format,
        "aura_input_dir": str(input_dir),
        "aura_timezone": timezone,
        "aura_brand": brand,
        "aura_backtest": True,  # published runs carry the backtest (off in plain dbt builds)
        **(extra_vars or {}),
    }
    cmd = [dbt_executable(), "build", "--exclude-resource-type", "unit_test",
           "--profiles-dir", str(REPO), "--project-dir", str(REPO),
           "--target-path", str(target), "--log-path", str(target / "logs"),
           "--vars", json.dumps(dbt_vars)]
    env = {**os.environ, "AURA_DB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    unchanged = "the last published result is unchanged"
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=quiet, text=True, check=False)
    dbt_seconds = time.perf_counter() - started
    if proc.returncode != 0:
        detail = (proc.stdout or "")[-4000:] if quiet else ""
        raise BuildFailed(f"dbt build failed for brand {brand!r}; {unchanged}.\n" + detail)
    dbt_summary = _dbt_summary(target)
    shutil.rmtree(target, ignore_errors=True)  # compiled SQL and logs: not part of the run

    try:
        checkpoint = run_checkpoint(db_path)
    except Exception as exc:  # GX itself failed: as good as a failed check
        raise BuildFailed(f"The publish checkpoint could not run for brand {brand!r} "
                          f"({type(exc).__name__}: {exc}); {unchanged}.") from exc
    if not checkpoint.success:
        raise BuildFailed(
            f"The publish checkpoint failed for brand {brand!r}; {unchanged}.\n"
            + checkpoint.describe())

    with duckdb.connect(str(db_path), read_only=True) as con:
        counts = {m: int(con.execute(f"select count(*) from main.{m}").fetchone()[0])  # type: ignore[index]
                  for m in CORE_MARTS}
        as_of_date, state, reason = con.execute(
            "select as_of_date, decision_state, decision_reason from main.mart_briefing"
        ).fetchone()  # type: ignore[misc]
        plan = [(str(lane), str(title), str(variant)) for lane, title, variant in con.execute(
            "select lane, title, variant_id from main.mart_action_plan "
            "where lane in ('recommended', 'pilot') order by lane_order, lane_rank"
        ).fetchall()]
    as_of = as_of_date if isinstance(as_of_date, date) else date.fromisoformat(str(as_of_date)[:10])

    try:
        write_briefing_html(staged, db_path, brand)
    except Exception as exc:  # a briefing that cannot be rendered is not published half-made
        raise BuildFailed(f"The briefing HTML could not be rendered for brand {brand!r} "
                          f"({type(exc).__name__}: {exc}); {unchanged}.") from exc

    meta: dict[str, object] = {
        "input_dir": str(input_dir),
        "input_format": input_format,
        "timezone": timezone,
        "vars": dbt_vars,
        "versions": _versions(),
        "dbt": {**dbt_summary, "seconds": round(dbt_seconds, 1)},
        "checkpoint": checkpoint.summary(),
        "decision_state": state,
        "decision_reason": reason,
        "row_counts": counts,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    run = store.publish_run(staged, brand, as_of, meta, root)
    return BuildResult(
        brand=brand, published_path=run.db_path, seconds=time.perf_counter() - started,
        row_counts=counts, decision=(str(state), str(reason)),
        plan=plan,
        run=run, checkpoint=checkpoint,
    )
