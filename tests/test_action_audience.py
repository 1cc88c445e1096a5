"""Frozen audiences of launched actions (aura.serving.action_audience, input action_audience,
mart_action_audience_members).

Freezing takes the play's members from a published build, keeps those the channel reaches
and assigns the holdout by the hash rule (recomputed here with hashlib); the launch writes
the audience beside the action log under the same lock, and not at all when the launch is
refused; the send list is the frozen audience without the held-out customers; the loader
reads the file under the input contract. A build measures a launched action on exactly its
frozen customers (a subset of the rebuilt audience here, so the difference shows), with the
conversions recomputed in pandas from fct_orders. Rebuilding the tracking marts from
scratch (`--full-refresh`, tables dropped first) gives the same rows: nothing in them lives
outside the inputs and the action log, and no model of the project is incremental.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aura.audiences import send_list_columns
from aura.inputs import loader
from aura.serving import action_audience, action_log

from conftest import REPO, dbt_build

Query = Callable[[str], list[tuple]]


def hashed_holdout(action_id: str, customer_key: str, fraction: float) -> bool:
    address = customer_key.removeprefix("email:")
    return int(hashlib.md5(f"{action_id}|{address}".encode()).hexdigest()[:8], 16) / 16**8 < fraction


@pytest.fixture(scope="module")
def healthy(scenario_store) -> Query:  # type: ignore[no-untyped-def]
    return scenario_store("healthy_beauty")[1]


def test_freeze_takes_the_reachable_members_and_hashes_the_holdout(healthy: Query) -> None:
    db = healthy.db_path  # type: ignore[attr-defined]
    (play,), = healthy("select play_id from mart_audiences order by audience_size desc, play_id limit 1")
    email = action_audience.freeze(db, "2026-10-31__x__v1", play, "Email ", 0.3)
    reached = {k for (k,) in healthy(
        f"select customer_key from mart_audience_members where play_id = '{play}' "
        "and email is not null and accepts_marketing is distinct from false")}
    assert {r[1] for r in email.rows} == reached and email.size == len(reached) > 50
    for row in email.rows:
        assert (row[2] == "true") == hashed_holdout("2026-10-31__x__v1", row[1], 0.3)
    assert 0.15 < email.held_out / email.size < 0.45
    assert email.columns == action_audience.KEY_COLUMNS + send_list_columns(play)

    sms = action_audience.freeze(db, "2026-10-31__x__v1", play, "sms", 0.3)
    assert {r[1] for r in sms.rows} == {k for (k,) in healthy(
        f"select customer_key from mart_audience_members where play_id = '{play}' and phone is not null")}
    everyone = action_audience.freeze(db, "2026-10-31__x__v1", play, "onsite", 0.0)
    assert everyone.size == healthy(
        f"select count(*) from mart_audience_members where play_id = '{play}'")[0][0]
    assert everyone.held_out == 0


def _launch(action_id: str, play_id: str) -> action_log.Launch:
    return action_log.Launch(
        action_id=action_id, play_id=play_id, variant_id="v1", channel="email",
        launched_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC), holdout_fraction=0.3,
        launched_by="Ana")


def test_launch_writes_the_audience_and_the_send_list_leaves_the_holdout_out(
    healthy: Query, tmp_path: Path,
) -> None:
    db = healthy.db_path  # type: ignore[attr-defined]
    (play,), = healthy("select play_id from mart_audiences order by audience_size desc, play_id limit 1")
    action_id = f"2026-10-31__{play}__v1"
    frozen = action_audience.freeze(db, action_id, play, "email", 0.3)
    action_log.append_launch(tmp_path / "action_log.csv", _launch(action_id, play), frozen)

    path = tmp_path / f"action_audience__{action_id}.csv"
    assert path.read_text(encoding="utf-8") == frozen.text()
    assert action_log.logged_action_ids(tmp_path) == {action_id}

    name, text, customers = action_audience.send_list(tmp_path, action_id)  # type: ignore[misc]
    rows = list(csv.DictReader(io.StringIO(text)))
    treated = [r for r in frozen.rows if r[2] == "false"]
    assert customers == len(rows) == len(treated) == frozen.size - frozen.held_out
    assert list(rows[0]) == send_list_columns(play)
    assert {r["email"] for r in rows} == {r[3] for r in treated}  # email is the first send-list column
    assert name == f"send_list_{action_id}.csv"

    loaded = loader.load(key="action_audience", input_dir=tmp_path, timezone="UTC").table().to_pandas()
    assert len(loaded) == frozen.size
    assert set(loaded["customer_key"]) == {r[1] for r in frozen.rows}
    assert loaded["is_holdout"].sum() == frozen.held_out


def test_a_refused_launch_leaves_no_audience(healthy: Query, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db = healthy.db_path  # type: ignore[attr-defined]
    (play,), = healthy("select play_id from mart_audiences order by audience_size desc, play_id limit 1")
    first = action_audience.freeze(db, "a1", play, "email", 0.2)
    action_log.append_launch(tmp_path / "action_log.csv", _launch("a1", play), first)
    before = (tmp_path / "action_audience__a1.csv").read_bytes()
    with pytest.raises(action_log.InvalidLaunch, match="already in the action log"):
        action_log.append_launch(tmp_path / "action_log.csv", _launch("a1", play),
                                 action_audience.freeze(db, "a1", play, "email", 0.5))
    assert (tmp_path / "action_audience__a1.csv").read_bytes() == before
    with pytest.raises(action_log.InvalidLaunch, match="frozen audience is for"):
        action_log.append_launch(tmp_path / "action_log.csv", _launch("a2", play), first)

    # the log cannot be written: the audience written just before it is taken back
    real = action_log._write_atomic

    def failing(path: Path, text: str) -> None:
        if path.name == "action_log.csv":
            raise OSError("disk full")
        real(path, text)

    monkeypatch.setattr(action_log, "_write_atomic", failing)
    with pytest.raises(OSError, match="disk full"):
        action_log.append_launch(tmp_path / "action_log.csv", _launch("a3", play),
                                 action_audience.freeze(db, "a3", play, "email", 0.2))
    assert not (tmp_path / "action_audience__a3.csv").exists()
    assert action_log.logged_action_ids(tmp_path) == {"a1"}


def test_action_ids_that_cannot_name_a_file_are_refused(tmp_path: Path) -> None:
    for bad in ("", "../x", "a/b", ".hidden"):
        with pytest.raises(ValueError):
            action_audience.snapshot_path(tmp_path, bad)


# --- builds -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def frozen_build(scenario_store, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """winback_activation with its logged action's audience frozen as every other member of
    the rebuilt audience (hash holdout kept), the tracking subtree rebuilt into a copy of
    the scenario's database. Returns (original query, new query, the frozen rows)."""
    _, original = scenario_store("winback_activation")
    work = tmp_path_factory.mktemp("frozen_build")
    data = work / "data"
    shutil.copytree(original.db_path.parent / "data", data)  # type: ignore[attr-defined]
    members = original(
        "select action_id, customer_key, is_holdout, email, phone from mart_action_audience_members "
        "order by action_id, customer_key")
    assert members, "the scenario logs a launched action"
    kept = members[::2]
    with (data / "action_audience__demo.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["action_id", "customer_key", "is_holdout", "email", "phone", "note"])
        for action_id, key, held, email, phone in kept:
            writer.writerow([action_id, key, "true" if held else "false", email or "", phone or "",
                             "ignored extra column"])
    db = work / "store.duckdb"
    shutil.copy2(original.db_path, db)  # type: ignore[attr-defined]
    proc = dbt_build(db, data, select="stg_inputs__action_audience+")
    assert proc.returncode == 0, proc.stdout[-4000:]

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()

    query.db_path = db  # type: ignore[attr-defined]
    query.data = data  # type: ignore[attr-defined]
    return original, query, kept


def test_a_frozen_audience_is_measured_as_frozen(frozen_build) -> None:  # type: ignore[no-untyped-def]
    original, query, kept = frozen_build
    got = query("select action_id, customer_key, is_holdout, audience_source "
                "from mart_action_audience_members order by action_id, customer_key")
    assert [g[:3] for g in got] == [k[:3] for k in kept]
    assert {g[3] for g in got} == {"frozen_at_launch"}
    assert original("select distinct audience_source from mart_action_audience_members") == [
        ("rebuilt_at_launch_date",)]

    # conversions recomputed in pandas: counted orders inside each action's window
    with duckdb.connect(str(query.db_path), read_only=True) as con:
        members = con.execute("select * from mart_action_audience_members").df()
        orders = con.execute(
            "select customer_key, ordered_at_utc from fct_orders where is_counted_order").df()
        outcomes = con.execute("select * from mart_action_outcomes").df()
    joined = members.merge(orders, on="customer_key", how="left")
    inside = (joined["ordered_at_utc"] > joined["launched_at"]) & (
        joined["ordered_at_utc"] <= joined["measurement_end_at"])
    converted = joined[inside].groupby(["action_id", "customer_key"]).size().rename("orders")
    members = members.merge(converted, on=["action_id", "customer_key"], how="left")
    for row in outcomes.itertuples():
        mine = members[members["action_id"] == row.action_id]
        assert row.audience_source == "frozen_at_launch"
        assert row.treated_n == int((~mine["is_holdout"]).sum())
        assert row.holdout_n == int(mine["is_holdout"].sum())
        if row.status == "complete":
            assert row.treated_conversions == int((~mine["is_holdout"] & mine["orders"].notna()).sum())
            assert row.holdout_conversions == int((mine["is_holdout"] & mine["orders"].notna()).sum())


def test_rebuilding_the_tracking_marts_from_scratch_loses_nothing(frozen_build) -> None:  # type: ignore[no-untyped-def]
    _, query, _ = frozen_build
    tracking = ["mart_action_audience_members", "mart_action_outcomes", "mart_action_accuracy",
                "mart_variant_posteriors", "mart_action_candidates", "mart_action_plan"]
    with duckdb.connect(str(query.db_path), read_only=True) as con:
        before = {t: con.execute(f"select * from {t}").df() for t in tracking}
    copy = query.db_path.parent / "scratch" / query.db_path.name  # views name the file's catalog
    copy.parent.mkdir()
    shutil.copy2(query.db_path, copy)
    with duckdb.connect(str(copy)) as con:
        for t in tracking:
            con.execute(f"drop table {t}")
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = dbt_build(copy, query.data, select="stg_inputs__action_log+ stg_inputs__action_audience+",
                     full_refresh=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    proc = subprocess.run(
        [dbt, "ls", "--profiles-dir", str(REPO), "--project-dir", str(REPO), "--resource-type", "model",
         "--output", "json", "--output-keys", "name config", "--target-path", str(copy.parent / "ls")],
        cwd=REPO, capture_output=True, text=True, check=True)
    materialized = {json.loads(line)["config"]["materialized"]
                    for line in proc.stdout.splitlines() if line.startswith("{")}
    assert "incremental" not in materialized and "snapshot" not in materialized
    with duckdb.connect(str(copy), read_only=True) as con:
        for t in tracking:
            after = con.execute(f"select * from {t}").df()
            pd.testing.assert_frame_equal(in_row_order(after), in_row_order(before[t]), obj=t)


def in_row_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in one total order (every column, as text), whatever order the database
    returned them in: two launched actions' members share their leading columns."""
    order = frame.astype(str).sort_values(list(frame.columns), kind="mergesort").index
    return frame.loc[order].reset_index(drop=True)
