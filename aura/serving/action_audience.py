"""Freezing a launched action's audience, and the send list that leaves the holdout out.

When an action is marked as launched, the app freezes who it is for: the play's audience in
the published build the card came from, restricted to those the channel can reach the way
the audience CSV is ('email': an email address and not declined email marketing; 'sms': a
phone number; any other channel: everyone), each member held out or not by the
deterministic holdout rule of `aura.tracking.holdout` (hash of action id and customer
against the holdout fraction). It is written as `action_audience__<action_id>.csv` beside
the action log, an input the next build reads (input `action_audience`,
aura/inputs/contract.py): the action is then measured on exactly these customers
(mart_action_audience_members), however the data changes later. The send list - the file
the marketer imports into the email or SMS tool - is the frozen audience without the
held-out customers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from aura.audiences import play_members, send_list_columns, send_list_row
from aura.tracking.holdout import holdout_key, holdout_mask

FILE_PREFIX = "action_audience__"
KEY_COLUMNS = ["action_id", "customer_key", "is_holdout"]


@dataclass(frozen=True)
class FrozenAudience:
    """A launched action's audience as written at launch: the CSV's columns and rows."""

    action_id: str
    play_id: str
    as_of: date
    columns: list[str]  # KEY_COLUMNS, then the play's send-list columns
    rows: list[list[str]]

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def held_out(self) -> int:
        return sum(r[2] == "true" for r in self.rows)

    def text(self) -> str:
        """The snapshot file's content."""
        return _csv_text(self.columns, self.rows)


def snapshot_path(input_dir: Path | str, action_id: str) -> Path:
    """Where an action's frozen audience lives: `<input_dir>/action_audience__<id>.csv`."""
    if not action_id or any(ch in action_id for ch in "/\\\0") or action_id.startswith("."):
        raise ValueError(f"{action_id!r} cannot name a file")
    return Path(input_dir) / f"{FILE_PREFIX}{action_id}.csv"


def _reaches(channel: str, member: dict[str, object]) -> bool:
    kind = (channel or "").strip().lower()
    if kind == "email":
        return bool(member.get("email")) and member.get("accepts_marketing") is not False
    if kind == "sms":
        return bool(member.get("phone"))
    return True


def freeze(db_path: Path | str, action_id: str, play_id: str, channel: str,
           holdout_fraction: float) -> FrozenAudience:
    """The audience of `play_id` in the build at `db_path`, reachable by `channel`, with
    each member's holdout assignment for `action_id` at `holdout_fraction`."""
    if not 0 <= holdout_fraction <= 1:
        raise ValueError(f"holdout fraction {holdout_fraction!r} must be in [0, 1]")
    as_of, members = play_members(db_path, play_id)
    reached = [m for m in members if _reaches(channel, m)]
    keys = [holdout_key(str(m["customer_key"])) for m in reached]
    held = holdout_mask(action_id, keys, holdout_fraction) if reached else np.zeros(0, dtype=bool)
    columns = send_list_columns(play_id)
    rows = [
        [action_id, str(m["customer_key"]), "true" if h else "false", *send_list_row(m, columns)]
        for m, h in zip(reached, held, strict=True)
    ]
    return FrozenAudience(action_id, play_id, as_of, KEY_COLUMNS + columns, rows)


def _csv_text(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        table = [r for r in csv.reader(handle) if any(c.strip() for c in r)]
    return (table[0], table[1:]) if table else ([], [])


def send_list(input_dir: Path | str, action_id: str) -> tuple[str, str, int] | None:
    """(file name, CSV text, customers) of the action's send list - its frozen audience
    without the held-out customers, in the audience CSV's columns - or None when the
    action has no frozen audience in `input_dir`."""
    path = snapshot_path(input_dir, action_id)
    if not path.is_file():
        return None
    header, rows = _read(path)
    keys = [h.strip().lower() for h in header]
    if "is_holdout" not in keys:
        raise ValueError(f"{path}, row 1 (header): no is_holdout column")
    flag = keys.index("is_holdout")
    keep = [i for i, k in enumerate(keys) if k not in KEY_COLUMNS]
    treated = [r for r in rows if r[flag].strip().lower() not in ("true", "yes", "1")]
    text = _csv_text([header[i] for i in keep], [[r[i] for i in keep] for r in treated])
    return f"send_list_{action_id}.csv", text, len(treated)


def rebuilt_send_list(db_path: Path | str, action_id: str) -> tuple[str, str, int] | None:
    """The send list of a launched action without a frozen audience, from the build's
    mart_action_audience_members (treated members: email and phone); None when the build
    has no such action."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
        if "mart_action_audience_members" not in tables:
            return None
        rows = con.execute(
            "select email, phone from mart_action_audience_members "
            "where action_id = ? and not is_holdout order by email nulls last, customer_key",
            [action_id]).fetchall()
    if not rows:
        return None
    text = _csv_text(["email", "phone"], [["" if v is None else str(v) for v in r] for r in rows])
    return f"send_list_{action_id}.csv", text, len(rows)
