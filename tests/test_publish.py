"""Build, validate, publish: the published store (runs, index, brands, months), the Great
Expectations checkpoint that gates publishing, and a reader that keeps being served while a
build runs and after one fails. Two real dbt builds (a good one and a failing one) besides
the session's build of the six-row Shopify fixture, whose file stands in for dbt's output
elsewhere (`_fake_dbt`)."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from aura import pipeline
from aura.pipeline import BuildFailed, build_and_publish
from aura.serving import store
from aura.serving.action_log import Launch, action_log_path, append_launch
from aura.serving.checkpoint import run_checkpoint

from conftest import FIXTURES

SMALL = FIXTURES / "shopify_small"
BAD = FIXTURES / "bad_inputs"


def _fake_dbt(db: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """A stand-in for `dbt build` that 'builds' by copying `db` to AURA_DB."""
    def run(cmd: list[str], env: dict[str, str], **_: object) -> subprocess.CompletedProcess[str]:
        shutil.copyfile(db, env["AURA_DB"])
        return subprocess.CompletedProcess(cmd, 0, "", "")
    return run


@pytest.fixture(scope="module")
def first_publish(
    small_store_db: Path, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, pipeline.BuildResult, Path]]:
    """(publish root, result, a good database): the session's build of the six-row Shopify
    export (aura_brand left at 'demo') validated and published as brand 'acme' by
    build_and_publish, with dbt stood in for by a copy of that file."""
    root = tmp_path_factory.mktemp("publish") / "published"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.subprocess, "run", _fake_dbt(small_store_db))
        result = build_and_publish("acme", SMALL, publish_root=root, quiet=True)
    yield root, result, small_store_db


def _stage(root: Path, brand: str, db: Path) -> Path:
    staged = store.new_run_dir(brand, root)
    shutil.copyfile(db, staged / store.DB_FILE)
    return staged


def _staged_leftovers(root: Path, brand: str) -> list[Path]:
    return sorted((root / brand / "staging").glob("run-*"))


def _snapshot(root: Path, brand: str) -> tuple[bytes, str, bytes]:
    """The index's bytes, the latest run's id and its database's bytes."""
    latest = store.latest_run(brand, root=root)
    assert latest is not None
    return (root / brand / store.INDEX).read_bytes(), latest.run_id, latest.db_path.read_bytes()


# --- the first publish --------------------------------------------------------------


def test_a_build_is_published_as_a_run(first_publish) -> None:  # type: ignore[no-untyped-def]
    root, result, _ = first_publish
    run = result.run
    assert run is not None and result.published_path == run.db_path
    assert run.directory.parent == root / "acme" / "runs"
    assert store.latest_run("acme", root=root) == run
    assert run.as_of == date(2026, 1, 3) and run.month == "2026-01"
    assert run.meta["input_dir"] == str(SMALL.resolve())
    assert run.meta["checkpoint"]["success"] is True  # type: ignore[index]
    assert json.loads((run.directory / store.RUN_FILE).read_text())["run_id"] == run.run_id
    assert store.list_brands(root) == ["acme"] and store.list_months("acme", root) == ["2026-01"]
    # the run's file is read-only, and readable by a reader running as another user; the
    # brand's aura.duckdb is the latest run's
    assert run.db_path.stat().st_mode & 0o777 == 0o444
    for path in (run.directory, run.directory / store.RUN_FILE, root / "acme" / store.INDEX):
        assert path.stat().st_mode & 0o444 == 0o444, path
    assert (root / "acme" / store.DB_FILE).samefile(run.db_path)
    with run.connect() as con:
        assert con.execute("select decision_state from mart_briefing").fetchone() == result.decision[:1]  # type: ignore[index]
    assert _staged_leftovers(root, "acme") == []


# --- the checkpoint ------------------------------------------------------------------


def test_checkpoint_passes_on_a_good_build(first_publish) -> None:  # type: ignore[no-untyped-def]
    _, _, good = first_publish
    result = run_checkpoint(good)
    assert result.success, result.describe()
    assert result.evaluated == result.passed and not result.failed


def _broken_copy(good: Path, target: Path) -> Path:
    """A copy of a good build with what a reader must never see: two briefing rows, a
    value range with p10 > p50, a pilot without an action id, a missing mart."""
    shutil.copyfile(good, target)
    with duckdb.connect(str(target)) as con:
        con.execute("insert into mart_briefing select * from mart_briefing")
        con.execute("""
            update mart_action_plan set expected_monthly_net_sales_p10 = 120,
                expected_monthly_net_sales_p50 = 80, expected_monthly_net_sales_p90 = 200
            where play_id = 'winback_21_45'""")
        con.execute("""
            update mart_action_plan set lane = 'pilot', action_id = null
            where play_id = 'discount_hygiene'""")
        con.execute("drop table mart_store_profile")
    return target


def test_checkpoint_fails_on_a_broken_copy_and_says_where(first_publish, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, good = first_publish
    result = run_checkpoint(_broken_copy(good, tmp_path / "broken.duckdb"))
    assert not result.success
    failed = {(f.mart, f.expectation, f.column): f.observed for f in result.failed}
    assert failed[("mart_briefing", "expect_table_row_count_to_equal", None)] == "2"
    pair = ("mart_action_plan", "expect_column_pair_values_a_to_be_greater_than_b",
            "expected_monthly_net_sales_p50, expected_monthly_net_sales_p10")
    assert "[80.0, 120.0]" in failed[pair]
    assert ("mart_action_plan", "expect_column_values_to_not_be_null", "action_id") in failed
    assert "does not exist" in failed[("mart_store_profile", "mart_is_readable", None)]
    assert len(result.failed) == 4 and result.passed == result.evaluated - 4
    text = result.describe()
    assert "mart_briefing: expect_table_row_count_to_equal (value=1) failed; observed 2" in text
    assert "where lane IN ['recommended', 'pilot']" in text


def test_a_failed_checkpoint_publishes_nothing(first_publish, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, good = first_publish
    root = tmp_path / "published"
    store.publish_run(_stage(root, "acme", good), "acme", date(2026, 1, 3), root=root)
    before = _snapshot(root, "acme")
    monkeypatch.setattr(pipeline.subprocess, "run", _fake_dbt(_broken_copy(good, tmp_path / "b.duckdb")))
    with pytest.raises(BuildFailed) as info:
        build_and_publish("acme", SMALL, publish_root=root, quiet=True)
    message = str(info.value)
    assert "The publish checkpoint failed for brand 'acme'; the last published result is unchanged" in message
    assert "mart_briefing: expect_table_row_count_to_equal (value=1) failed; observed 2" in message
    assert "mart_action_plan.expected_monthly_net_sales_p50, expected_monthly_net_sales_p10" in message
    assert _snapshot(root, "acme") == before
    assert _staged_leftovers(root, "acme") == []
    assert len(list((root / "acme" / "runs").iterdir())) == 1


def test_publish_root_comes_from_the_environment(first_publish, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, good = first_publish
    monkeypatch.setenv("AURA_PUBLISHED_DIR", str(tmp_path / "env_root"))
    monkeypatch.setattr(pipeline.subprocess, "run", _fake_dbt(good))
    result = build_and_publish("envbrand", SMALL, quiet=True)
    assert result.published_path.is_relative_to(tmp_path / "env_root" / "envbrand" / "runs")
    assert store.list_brands() == ["envbrand"]
    assert store.latest_run("envbrand") == result.run


# --- several brands, runs and months ---------------------------------------------------


def test_brands_side_by_side_with_runs_and_months(first_publish, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, good = first_publish
    root = tmp_path / "published"
    assert store.list_brands(root) == [] and store.latest_run("acme", root=root) is None

    def publish(brand: str, as_of: str) -> store.PublishedRun:
        return store.publish_run(_stage(root, brand, good), brand, date.fromisoformat(as_of),
                                 {"note": f"{brand} {as_of}"}, root=root)

    jan = publish("acme", "2026-01-03")
    beta = publish("beta.shop", "2026-01-03")
    dec = publish("acme", "2025-12-31")  # a backfill: joins its month, not the latest
    assert store.list_brands(root) == ["acme", "beta.shop"]
    assert [r.run_id for r in store.list_runs("acme", root)] == [jan.run_id, dec.run_id]
    assert store.latest_run("acme", root=root) == jan
    assert store.latest_run("acme", "2025-12", root) == dec
    assert store.latest_run("acme", "2025-11", root) is None
    assert store.list_months("acme", root) == ["2026-01", "2025-12"]
    assert store.latest_run("beta.shop", root=root) == beta and beta.meta["note"] == "beta.shop 2026-01-03"
    assert (root / "acme" / store.DB_FILE).samefile(jan.db_path)

    # a month republished three times keeps its two latest runs (the previous latest stays
    # for readers holding the old index), and the latest run of every other month
    jan2, jan3 = publish("acme", "2026-01-03"), publish("acme", "2026-01-03")
    runs = store.list_runs("acme", root)
    assert [r.run_id for r in runs] == [jan3.run_id, jan2.run_id, dec.run_id]
    assert sorted(p.name for p in (root / "acme" / "runs").iterdir()) == sorted(r.run_id for r in runs)
    assert not jan.directory.exists()
    with store.latest_run("beta.shop", root=root).connect() as con:  # type: ignore[union-attr]
        assert con.execute("select count(*) from mart_briefing").fetchone() == (1,)
    with pytest.raises(ValueError, match="names the brand's publish folder"):
        store.check_brand("../acme")


def _publish_tiny(root: str, brand: str, as_of: str) -> str:
    """Publish a run holding a tiny stand-in database (the index is what is tested)."""
    staged = store.new_run_dir(brand, Path(root))
    with duckdb.connect(str(staged / store.DB_FILE)) as con:
        con.execute(f"create table t as select '{as_of}' as as_of")
    return store.publish_run(staged, brand, date.fromisoformat(as_of), root=Path(root)).run_id


def _publish_many(root: str, brand: str, as_ofs: list[str]) -> list[str]:
    return [_publish_tiny(root, brand, a) for a in as_ofs]


def test_concurrent_publishes_all_land_and_the_index_always_parses(tmp_path: Path) -> None:
    root = tmp_path / "published"
    months = [f"{y}-{m:02d}-15" for y in (2024, 2025) for m in range(1, 13)]  # 24 months
    index = root / "acme" / store.INDEX
    stop = threading.Event()
    reads: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                if index.exists():
                    json.loads(index.read_text())
                    reads.append(len(store.list_runs("acme", root)))
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)
            time.sleep(0.001)

    watcher = threading.Thread(target=reader)
    watcher.start()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        # two processes publish 8 months each while 8 threads here publish one each
        pending = [pool.apply_async(_publish_many, (str(root), "acme", months[i:i + 8]))
                   for i in (0, 8)]
        threads = [threading.Thread(target=_publish_tiny, args=(str(root), "acme", m))
                   for m in months[16:]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        published = [run_id for p in pending for run_id in p.get(timeout=300)]
    stop.set()
    watcher.join()
    assert errors == [] and reads, errors
    runs = store.list_runs("acme", root)
    assert len(runs) == 24 and len(published) == 16  # every month kept: one run each
    assert [r.as_of.isoformat() for r in runs] == sorted(months, reverse=True)
    assert set(published) <= {r.run_id for r in runs}
    assert sorted(p.name for p in (root / "acme" / "runs").iterdir()) == sorted(r.run_id for r in runs)
    assert _staged_leftovers(root, "acme") == []

    # one month published by many at once: the retention rule keeps the two latest
    threads = [threading.Thread(target=_publish_tiny, args=(str(root), "solo", "2026-01-03"))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    solo = store.list_runs("solo", root)
    assert len(solo) == 2 and all(r.db_path.exists() for r in solo)
    assert sorted(p.name for p in (root / "solo" / "runs").iterdir()) == sorted(r.run_id for r in solo)


# --- serving while a build runs, and after one fails ----------------------------------


class Reader:
    """What the app does: resolve the latest run, open it read-only, read the briefing."""

    def __init__(self, root: Path, brand: str):
        self.root, self.brand = root, brand
        self.reads: list[tuple[str, str]] = []  # (run id, briefing brand)
        self.opened: set[Path] = set()
        self.staging_seen = False

    def read_once(self) -> None:
        run = store.latest_run(self.brand, root=self.root)
        assert run is not None
        self.opened.add(run.db_path)
        with run.connect() as con:
            (brand,) = con.execute("select brand from mart_briefing").fetchone()  # type: ignore[misc]
        self.reads.append((run.run_id, brand))
        self.staging_seen |= any((self.root / self.brand / "staging").glob("run-*/aura.duckdb"))

    def read_while(self, worker: threading.Thread) -> None:
        worker.start()
        while worker.is_alive():
            self.read_once()
            time.sleep(0.1)
        worker.join()
        for _ in range(3):
            self.read_once()


def _run_in_thread(fn: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    return threading.Thread(target=target), outcome


def test_the_app_keeps_serving_while_a_build_runs_and_after_one_fails(  # type: ignore[no-untyped-def]
    first_publish, tmp_path: Path,
) -> None:
    root, first, _ = first_publish
    old = first.run
    assert old is not None
    # The next build's inputs carry an action log the app appended to: the build must
    # accept what append_launch writes (quotes, commas, a line break in the note).
    inputs = tmp_path / "inputs"
    shutil.copytree(SMALL, inputs)
    append_launch(action_log_path(inputs), Launch(
        "2025-12-20__winback_email_15", "winback_21_45", "winback_email_15", "email",
        datetime(2025, 12, 20, 9, 30), 0.1, "ann@acme.example", 'Sent "winback", 15% off,\nby Ann'))
    append_launch(action_log_path(inputs), Launch(
        "2025-12-22__bestseller", "bestseller_amplify", "bestseller_email", "email",
        datetime(2025, 12, 22, 9, 30), None, "bob"))

    reader = Reader(root, "acme")
    reader.read_once()
    worker, outcome = _run_in_thread(
        lambda: build_and_publish("acme", inputs, publish_root=root, quiet=True))
    reader.read_while(worker)
    assert "error" not in outcome, outcome.get("error")
    built: pipeline.BuildResult = outcome["result"]  # type: ignore[assignment]
    new = built.run
    assert new is not None
    # every read answered, from the old run until the index switched, then from the new
    # one; the content matches the run (the old file was built as brand 'demo')
    switch = reader.reads.index((new.run_id, "acme"))
    assert switch > 10  # many reads of the old run while the build ran
    assert reader.reads[:switch] == [(old.run_id, "demo")] * switch
    assert reader.reads[switch:] == [(new.run_id, "acme")] * (len(reader.reads) - switch)
    assert reader.staging_seen  # dbt was writing its file while the reader read...
    assert all("staging" not in p.parts for p in reader.opened)  # ...which it never opened

    # what the real build recorded
    meta = new.meta
    assert meta["input_dir"] == str(inputs.resolve()) and meta["input_format"] == "shopify"
    assert meta["timezone"] == "America/New_York" and meta["decision_state"] == built.decision[0]  # type: ignore[index]
    nodes = meta["dbt"]["nodes"]  # type: ignore[index]
    assert set(nodes["model"]) == {"success"} and set(nodes["test"]) == {"pass"}
    assert nodes["test"]["pass"] > 250 and "unit_test" not in nodes  # unit tests: the suite's
    checkpoint = meta["checkpoint"]
    assert checkpoint["success"] is True and checkpoint["evaluated"] == checkpoint["passed"] > 50  # type: ignore[index]
    assert set(meta["versions"]) >= {"aura", "dbt-core", "duckdb", "great_expectations"}  # type: ignore[arg-type]
    assert sorted(p.name for p in new.directory.iterdir()) == [store.DB_FILE, store.HTML_FILE, store.RUN_FILE]
    assert [r.run_id for r in store.list_runs("acme", root)] == [new.run_id, old.run_id]
    with new.connect() as con:
        logged = con.execute(
            "select action_id, status from mart_action_outcomes order by action_id").fetchall()
    assert logged == [("2025-12-20__winback_email_15", "pending"), ("2025-12-22__bestseller", "pending")]

    # a build that fails (bad input): the reader keeps getting the last good run
    before = _snapshot(root, "acme")
    bad = tmp_path / "bad"
    shutil.copytree(BAD / "non_numeric_amount", bad)
    reader.reads.clear()
    worker, outcome = _run_in_thread(
        lambda: build_and_publish("acme", bad, publish_root=root, quiet=True))
    reader.read_while(worker)
    error = outcome.get("error")
    assert isinstance(error, BuildFailed), outcome
    assert "orders_export_1.csv, row 4, column 'Subtotal': 'fifty' is not a number" in str(error)
    assert {run_id for run_id, _ in reader.reads} == {new.run_id}
    assert _snapshot(root, "acme") == before
    assert _staged_leftovers(root, "acme") == []
    assert all("staging" not in p.parts for p in reader.opened)


def test_the_report_ends_with_the_command_that_opens_the_app(  # type: ignore[no-untyped-def]
    first_publish, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from dataclasses import replace

    from aura.__main__ import _report

    root, result, _ = first_publish
    _report(result, SMALL)
    out = capsys.readouterr().out
    assert f"This month: {result.decision[0]}" in out
    assert f"duckdb -readonly {root / 'acme' / store.DB_FILE}" in out
    app = out.split("Open the app:\n", 1)[1].strip()
    assert app.startswith(f"AURA_PUBLISHED_DIR={root} ")
    assert app.endswith("/bin/streamlit run app/streamlit_app.py")
    # every publish renders the month's briefing into its run folder
    assert result.run is not None and result.run.html_path is not None
    assert f"The briefing to share: {result.run.html_path}" in out

    run_dir = tmp_path / "published" / "acme" / "runs" / "r1"  # a run without its briefing
    run_dir.mkdir(parents=True)
    _report(replace(result, run=replace(result.run, directory=run_dir)), SMALL)
    assert "briefing to share" not in capsys.readouterr().out
