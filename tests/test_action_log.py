"""Marking an action as launched: validated appends to the action log, safe when two
people click at once, readable by the build's loader (the input contract). The dbt build
reading an appended log is tested in tests/test_publish.py (the serving test's build)."""

from __future__ import annotations

import csv
import multiprocessing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from aura.inputs import loader
from aura.inputs.contract import ACTION_LOG
from aura.serving.action_log import InvalidLaunch, Launch, action_log_path, append_launch

NOTE = 'Sent "winback", 15% off,\nthen a reminder; by Ann, o\'Neil & co'


def launch(action_id: str = "2026-01-03__winback_email_15", **changes: object) -> Launch:
    values: dict[str, object] = {
        "action_id": action_id, "play_id": "winback_21_45", "variant_id": "winback_email_15",
        "channel": "email", "launched_at": datetime(2026, 1, 5, 9, 30), "holdout_fraction": 0.1,
        "launched_by": "ann@acme.example", "note": "",
    }
    values.update(changes)
    return Launch(**values)  # type: ignore[arg-type]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_append_creates_the_log_with_the_contract_header(tmp_path: Path) -> None:
    log = action_log_path(tmp_path)
    assert log == tmp_path / "action_log.csv"
    append_launch(log, launch(note=NOTE, holdout_fraction=0.1, predicted_net_sales_p10=120.0,
                              predicted_net_sales_p50=240.5, predicted_net_sales_p90=360.0,
                              audience_size=141))
    new_york = timezone(timedelta(hours=-5))
    append_launch(log, launch("b", launched_at=datetime(2026, 1, 6, 8, 0, tzinfo=new_york),
                              holdout_fraction=0.7, channel="sms"))  # a pilot holds 70% out
    assert log.read_text().splitlines()[0] == ",".join(c.name for c in ACTION_LOG.columns)
    got = rows(log)
    assert [r["action_id"] for r in got] == ["2026-01-03__winback_email_15", "b"]
    assert got[0]["note"] == NOTE and got[0]["launched_at"] == "2026-01-05 09:30:00"
    assert got[1]["launched_at"] == "2026-01-06 08:00:00 -0500" and got[1]["holdout_fraction"] == "0.7"
    assert (got[0]["predicted_net_sales_p50"], got[0]["audience_size"]) == ("240.5", "141")
    assert got[1]["predicted_net_sales_p50"] == "" and got[1]["audience_size"] == ""

    table = loader.load("action_log", tmp_path, "America/New_York").table().to_pylist()
    assert [r["action_id"] for r in table] == ["2026-01-03__winback_email_15", "b"]
    assert table[0]["note"] == NOTE and float(table[0]["holdout_fraction"]) == 0.1
    # a time without an offset is shop-local (New York, UTC-5 in January)
    assert table[0]["launched_at"] == datetime(2026, 1, 5, 14, 30, tzinfo=UTC)
    assert table[1]["launched_at"] == datetime(2026, 1, 6, 13, 0, tzinfo=UTC)
    assert float(table[1]["holdout_fraction"]) == 0.7 and table[1]["channel"] == "sms"
    assert float(table[0]["predicted_net_sales_p90"]) == 360.0 and table[1]["audience_size"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".action_log.csv.lock", "action_log.csv"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"action_id": " "}, "action_id"),
        ({"play_id": ""}, "play_id"),
        ({"variant_id": ""}, "variant_id"),
        ({"holdout_fraction": 0.95}, "holdout_fraction"),
        ({"predicted_net_sales_p10": 500.0, "predicted_net_sales_p50": 400.0,
          "predicted_net_sales_p90": 900.0}, "predicted_net_sales_p50"),
        ({"predicted_net_sales_p50": 400.0}, "predicted_net_sales_p50"),
        ({"predicted_net_sales_p10": float("inf")}, "predicted_net_sales_p10"),
        ({"audience_size": -1}, "audience_size"),
        ({"holdout_fraction": -0.1}, "holdout_fraction"),
        ({"holdout_fraction": float("nan")}, "holdout_fraction"),
        ({"launched_at": datetime.now() + timedelta(days=3)}, "launched_at"),
        ({"launched_at": datetime.now(UTC) + timedelta(days=2)}, "launched_at"),
        ({"launched_at": "2026-01-05"}, "launched_at"),
    ],
)
def test_invalid_launches_name_the_field_and_write_nothing(
    tmp_path: Path, changes: dict[str, object], field: str,
) -> None:
    log = action_log_path(tmp_path)
    append_launch(log, launch("first"))
    before = log.read_bytes()
    with pytest.raises(InvalidLaunch) as info:
        append_launch(log, launch(**{"action_id": "second", **changes}))
    assert info.value.field == field and str(info.value).startswith(f"{field}: ")
    assert log.read_bytes() == before


def test_an_action_is_logged_once(tmp_path: Path) -> None:
    log = action_log_path(tmp_path)
    append_launch(log, launch("a1"))
    with pytest.raises(InvalidLaunch, match="action_id: 'a1' is already in the action log"):
        append_launch(log, launch(" a1 "))
    # another action log file of the folder counts too (the build reads action_log*)
    (tmp_path / "action_log_2025.csv").write_text("action_id,play_id,launched_at\nold,p,2025-01-01\n")
    with pytest.raises(InvalidLaunch, match="'old' is already"):
        append_launch(log, launch("old"))
    assert [r["action_id"] for r in rows(log)] == ["a1"]


def test_an_existing_log_is_kept_byte_for_byte(tmp_path: Path) -> None:
    """A log in another column order and case (as the loader accepts) gets the row in its
    own order; one missing optional columns gets them added."""
    log = action_log_path(tmp_path)
    head = ("Note,Action_ID,play_id,variant_id,channel,launched_at,holdout_fraction,launched_by\r\n"
            '"a, b",x1,p,v,email,2025-12-01 10:00:00,0.1,ann')  # CRLF, no final newline
    log.write_text(head, newline="")
    append_launch(log, launch("x2", note="n2"))
    text = log.read_bytes().decode()
    assert text.startswith(head + "\r\n") and text.endswith("\r\n")
    assert rows(log)[1]["Action_ID"] == "x2" and rows(log)[1]["Note"] == "n2"
    assert len(loader.load("action_log", tmp_path, "UTC").table()) == 2

    short = tmp_path / "short"
    short.mkdir()
    (short / "action_log.csv").write_text("action_id,play_id,launched_at\ny1,p,2025-12-01\n")
    append_launch(short / "action_log.csv", launch("y2", note="n"))
    got = rows(short / "action_log.csv")
    assert list(got[0]) == ["action_id", "play_id", "launched_at", "variant_id", "channel",
                            "holdout_fraction", "launched_by", "note"]
    assert got[0]["action_id"] == "y1" and got[0]["note"] == ""
    assert got[1]["note"] == "n" and got[1]["variant_id"] == "winback_email_15"


def _append_many(path: str, who: str, n: int) -> None:
    for i in range(n):
        append_launch(Path(path), launch(f"{who}-{i:02d}", launched_by=who, note=f'{who} "{i}",\n{NOTE}'))


def test_two_people_clicking_at_once_lose_nothing(tmp_path: Path) -> None:
    log = action_log_path(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(str(log), who, 25)) for who in ("ann", "bob")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    got = rows(log)
    assert len(got) == 50
    assert sorted(r["action_id"] for r in got) == sorted(
        f"{who}-{i:02d}" for who in ("ann", "bob") for i in range(25))
    for who in ("ann", "bob"):  # each person's rows in the order they clicked
        mine = [r["action_id"] for r in got if r["launched_by"] == who]
        assert mine == [f"{who}-{i:02d}" for i in range(25)]
    assert all(r["note"].endswith(NOTE) for r in got)
    table = loader.load("action_log", tmp_path, "UTC").table()
    assert table.num_rows == 50 and sorted(table.column("action_id").to_pylist()) == sorted(
        r["action_id"] for r in got)
    assert not list(tmp_path.glob(".action_log.csv.*.tmp"))
