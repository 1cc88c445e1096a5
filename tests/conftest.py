"""Shared test helpers: run dbt builds into throwaway DuckDB files and query them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = REPO / "tests" / "fixtures"


def dbt_build(
    db_path: Path,
    input_dir: Path,
    input_format: str = "shopify",
    timezone: str = "America/New_York",
    extra_vars: dict[str, object] | None = None,
    select: str | None = None,
    unit_tests: bool = False,
    full_refresh: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`dbt build` of the whole project into `db_path` (or, with `select`, of those nodes
    without data and unit tests, for tests that need one mart on many stores); returns the
    finished process. dbt unit tests use their own fixed inputs, not the store's, so they
    run in one build of the session (the healthy_beauty scenario, `unit_tests=True`), not
    in each of the thirty."""
    dbt_vars = {
        "aura_input_format": input_format,
        "aura_input_dir": str(input_dir),
        "aura_timezone": timezone,
        **(extra_vars or {}),
    }
    target = db_path.parent / f"dbt_target_{db_path.stem}"
    cmd = [
        str(Path(sys.executable).parent / "dbt"), "build",
        *(["--select", select, "--exclude-resource-type", "test", "unit_test"] if select
          else [] if unit_tests else ["--exclude-resource-type", "unit_test"]),
        "--profiles-dir", str(REPO),
        "--project-dir", str(REPO), "--target-path", str(target),
        "--log-path", str(target / "logs"), "--vars", json.dumps(dbt_vars),
        *(["--full-refresh"] if full_refresh else []),
    ]
    env = {**os.environ, "AURA_DB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)


def built(db_path: Path, *args, **kwargs) -> Callable[[str], list[tuple]]:  # type: ignore[no-untyped-def]
    """Build and return a query function over the result; fail with dbt's output."""
    proc = dbt_build(db_path, *args, **kwargs)
    if proc.returncode != 0:
        pytest.fail(f"dbt build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return con.execute(sql).fetchall()

    query.db_path = db_path  # type: ignore[attr-defined]  # for tests that publish the build
    return query


@pytest.fixture(scope="session")
def small_store_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made six-row Shopify export (tests/fixtures/shopify_small), built once per
    session: the DuckDB file (open it read-only, or copy it to change it)."""
    db = tmp_path_factory.mktemp("small") / "small.duckdb"
    built(db, FIXTURES / "shopify_small")
    return db


@pytest.fixture(scope="session")
def small_store(small_store_db: Path) -> Callable[[str], list[tuple]]:
    """A query function over the built six-row Shopify export."""

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(small_store_db), read_only=True) as con:
            return con.execute(sql).fetchall()

    query.db_path = small_store_db  # type: ignore[attr-defined]  # for tests that publish the build
    return query


@pytest.fixture(scope="session")
def canonical_store(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[tuple]]:
    """The hand-made canonical files (tests/fixtures/canonical_small), built."""
    db = tmp_path_factory.mktemp("canonical") / "canonical.duckdb"
    return built(db, FIXTURES / "canonical_small", "canonical", "Europe/Paris")


UNIT_TEST_SCENARIO = "healthy_beauty"  # the one build that also runs the dbt unit tests


@pytest.fixture(scope="session")
def scenario_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], tuple[dict, Callable[[str], list[tuple]]]]]:
    """`scenario_store(name)` -> (ground truth, query): the demo scenario generated with its
    defaults and fully built, once per test session (modules share the builds). The first
    call starts every scenario's build, two at a time (dbt's parse and compile are single
    threaded, so two builds use both cores of a CI machine); each call waits for its own."""
    from aura.demo import SCENARIOS, generate

    def build(name: str) -> tuple[dict, subprocess.CompletedProcess[str], Path]:
        work = tmp_path_factory.mktemp(name)
        truth = generate(name, work / "data").to_dict()
        proc = dbt_build(work / "store.duckdb", work / "data", unit_tests=name == UNIT_TEST_SCENARIO)
        return truth, proc, work / "store.duckdb"

    pool = ThreadPoolExecutor(max_workers=2)
    futures: dict[str, Future[tuple[dict, subprocess.CompletedProcess[str], Path]]] = {}

    def get(name: str) -> tuple[dict, Callable[[str], list[tuple]]]:
        if not futures:
            for scenario in [name, *sorted(set(SCENARIOS) - {name})]:
                futures[scenario] = pool.submit(build, scenario)
        truth, proc, db_path = futures[name].result()
        if proc.returncode != 0:
            pytest.fail(f"dbt build of {name} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")

        def query(sql: str) -> list[tuple]:
            with duckdb.connect(str(db_path), read_only=True) as con:
                return con.execute(sql).fetchall()

        query.db_path = db_path  # type: ignore[attr-defined]  # for tests that publish the build
        return truth, query

    yield get
    pool.shutdown(wait=True, cancel_futures=True)


# inside the demo's latest action's window (launched 2026-09-16, 28 days); the earlier
# reminder (launched 2026-08-02) is complete by then
WINBACK_PENDING_AS_OF = "2026-10-01"


@pytest.fixture(scope="session")
def winback_pending(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[tuple]]:
    """The winback_activation store (same generator defaults) built as of a date inside its
    latest launched action's measurement window, 15 days after that launch; shared by the
    outcome, accuracy and variant tests (one build per session)."""
    from aura.demo import generate

    work = tmp_path_factory.mktemp("winback_pending")
    generate("winback_activation", work / "data")
    return built(work / "winback_pending.duckdb", work / "data",
                 extra_vars={"aura_as_of": WINBACK_PENDING_AS_OF})


# --- published brands for the briefing app and HTML tests --------------------------------

# A month that publishes: winback_activation (its launched winback actions are measured)
# built with loosened gates, so that it publishes whatever the default gates decide (at
# the default gates winback_activation publishes too; the other scenarios do not).
PUBLISH_MONTH_VARS = {"aura_confidence_mode": "aggressive", "aura_fdr_alpha": 0.45}


@dataclass(frozen=True)
class PublishedBrand:
    """A build published into the briefing tests' publish root under `brand`."""

    brand: str
    db_path: Path
    input_dir: Path
    query: Callable[[str], list[tuple]]


@pytest.fixture(scope="session")
def briefing_brands(
    tmp_path_factory: pytest.TempPathFactory, scenario_store, small_store,  # type: ignore[no-untyped-def]
) -> tuple[Path, dict[str, PublishedBrand]]:
    """(publish root, brands): every generator scenario under its own name, the hand-made
    six-order Shopify export as `shopify_small` (empty optional inputs) and
    `publish_month`, each published with aura.serving.store into one publish root."""
    from aura.demo import SCENARIOS, generate
    from aura.serving import store

    work = tmp_path_factory.mktemp("publish_month")
    generate("winback_activation", work / "data")
    extra = ThreadPoolExecutor(max_workers=1)
    publish_month = extra.submit(built, work / "store.duckdb", work / "data", extra_vars=PUBLISH_MONTH_VARS)

    builds: dict[str, tuple[Callable[[str], list[tuple]], Path]] = {}
    for name in sorted(SCENARIOS):
        _, query = scenario_store(name)
        builds[name] = (query, query.db_path.parent / "data")  # type: ignore[attr-defined]
    builds["shopify_small"] = (small_store, FIXTURES / "shopify_small")
    query = publish_month.result()
    extra.shutdown()
    builds["publish_month"] = (query, work / "data")

    root = tmp_path_factory.mktemp("published")
    brands = {}
    for brand, (query, input_dir) in builds.items():
        db_path = query.db_path  # type: ignore[attr-defined]
        (as_of,), = query("select max(as_of_date) from mart_briefing")
        staged = store.new_run_dir(brand, root)
        shutil.copy2(db_path, staged / store.DB_FILE)
        run = store.publish_run(staged, brand, as_of, {"input_dir": str(input_dir)}, root)
        brands[brand] = PublishedBrand(brand, run.db_path, input_dir, query)
    return root, brands
