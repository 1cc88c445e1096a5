"""Marking a recommended action as launched: one row appended to the brand's action log
(`action_log.csv` in its input folder), which the next build reads (input `action_log`,
aura/inputs/contract.py) to measure the action against its holdout.

An append is validated first (ids present, holdout fraction in [0, 0.9], a prediction
with p10 <= p50 <= p90, a launch time
not in the future, an action id not already logged) and then written safely: under an
exclusive lock on a sibling lock file, the current log is read, the log plus the new row is
written to a temporary file in the same folder, flushed to disk and renamed over the log.
A build reading the log sees it before or after the append, never half a row; two people
clicking at once both land, one after the other.
"""

from __future__ import annotations

import csv
import fcntl
import io
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aura.inputs.contract import ACTION_LOG
from aura.serving.action_audience import FrozenAudience, snapshot_path

FILE_NAME = "action_log.csv"
COLUMNS = tuple(c.name for c in ACTION_LOG.columns)
MAX_HOLDOUT_FRACTION = 0.9  # a pilot holds most of its audience out; someone must be treated
FUTURE_TOLERANCE = timedelta(days=1)  # clocks and timezones differ; a day is plainly wrong


class InvalidLaunch(ValueError):
    """A launch that cannot be logged; `field` names the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Launch:
    """One launched action, as the action log records it. A naive `launched_at` is the
    shop's local time (aura_timezone); an aware one is written with its UTC offset."""

    action_id: str
    play_id: str
    variant_id: str
    channel: str
    launched_at: datetime
    holdout_fraction: float | None
    launched_by: str
    note: str = ""
    # the plan's expected net sales and audience when launched, frozen for the accuracy
    # marts (a past month's plan is not rebuilt); None when not known
    predicted_net_sales_p10: float | None = None
    predicted_net_sales_p50: float | None = None
    predicted_net_sales_p90: float | None = None
    audience_size: int | None = None


def action_log_path(input_dir: Path) -> Path:
    """The action log the app appends to: `<input_dir>/action_log.csv`."""
    return Path(input_dir) / FILE_NAME


def _format_timestamp(value: datetime) -> str:
    """The contract's timestamp text: `2026-01-03 10:37:33 -0500`, or without an offset
    for a naive (shop-local) time."""
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text} {value.strftime('%z')}" if value.utcoffset() is not None else text


def validate(launch: Launch, now: datetime | None = None) -> dict[str, str]:
    """The launch as the log's text values, or `InvalidLaunch` naming the bad field."""
    values: dict[str, str] = {}
    for name in ("action_id", "play_id", "variant_id"):
        value = getattr(launch, name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidLaunch(name, "must not be empty")
        values[name] = value.strip()
    for name in ("channel", "launched_by", "note"):
        value = getattr(launch, name)
        if value is not None and not isinstance(value, str):
            raise InvalidLaunch(name, f"must be text, not {type(value).__name__}")
        values[name] = (value or "").strip()

    launched_at = launch.launched_at
    if not isinstance(launched_at, datetime):
        raise InvalidLaunch("launched_at", "must be a date and time (datetime)")
    if launched_at.utcoffset() is None:
        reference = (now or datetime.now(UTC)).astimezone().replace(tzinfo=None)
    else:
        reference = now or datetime.now(UTC)
    if launched_at - reference > FUTURE_TOLERANCE:
        raise InvalidLaunch("launched_at", f"{launched_at.isoformat()} is in the future")
    values["launched_at"] = _format_timestamp(launched_at)

    fraction = launch.holdout_fraction
    if fraction is None:
        values["holdout_fraction"] = ""
    else:
        if isinstance(fraction, bool) or not isinstance(fraction, int | float) \
                or not math.isfinite(fraction) or not 0 <= fraction <= MAX_HOLDOUT_FRACTION:
            raise InvalidLaunch(
                "holdout_fraction",
                f"{fraction!r} must be a share between 0 and {MAX_HOLDOUT_FRACTION} (or empty "
                "for the default)")
        values["holdout_fraction"] = repr(float(fraction))

    predicted = {}
    for name in ("predicted_net_sales_p10", "predicted_net_sales_p50", "predicted_net_sales_p90"):
        value = getattr(launch, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not math.isfinite(value)):
            raise InvalidLaunch(name, f"{value!r} must be a finite amount or empty")
        predicted[name] = value
        values[name] = "" if value is None else repr(float(value))
    known = [v for v in predicted.values() if v is not None]
    if known and (len(known) < 3 or not known[0] <= known[1] <= known[2]):
        raise InvalidLaunch("predicted_net_sales_p50",
                            "the prediction needs p10 <= p50 <= p90, all three or none")
    size = launch.audience_size
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise InvalidLaunch("audience_size", f"{size!r} must be a whole number of customers, 0 or more")
    values["audience_size"] = "" if size is None else str(size)
    return values


def _read_log(path: Path) -> tuple[str, list[str], list[list[str]]]:
    """The log's text, header and data rows ('' and empties when it does not exist)."""
    if not path.exists():
        return "", [], []
    text = path.read_bytes().decode("utf-8")  # newlines as they are: kept byte for byte
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return text, [], []
    return text, rows[0], rows[1:]


def _csv_line(values: list[str], newline: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerow(values)
    return buffer.getvalue()


def _new_text(text: str, header: list[str], rows: list[list[str]], row: dict[str, str]) -> str:
    """The log with the row appended: the existing text kept byte for byte when its header
    names every column this row has a value for (in any order or case); else rewritten with
    those columns added at the end (existing rows get empty cells)."""
    keys = [h.strip().lower() for h in header]
    # a column the log lacks is added only when this row has a value for it
    missing = [c for c in COLUMNS if c.lower() not in keys and (not header or row[c] != "")]
    if not header:
        return _csv_line(list(COLUMNS)) + _csv_line([row[c] for c in COLUMNS])
    by_key = {c.lower(): row[c] for c in COLUMNS}
    if not missing:
        newline = "\r\n" if "\r\n" in text else "\n"  # the file's own line ends
        prefix = text if text.endswith("\n") else text + newline
        return prefix + _csv_line([by_key.get(k, "") for k in keys], newline)
    full = [*header, *missing]
    out = [_csv_line(full)]
    out += [_csv_line(r + [""] * (len(full) - len(r))) for r in rows]
    out.append(_csv_line([by_key.get(h.strip().lower(), "") for h in full]))
    return "".join(out)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)


def _ids(header: list[str], rows: list[list[str]]) -> set[str]:
    keys = [h.strip().lower() for h in header]
    if "action_id" not in keys:
        return set()
    i = keys.index("action_id")
    return {r[i].strip() for r in rows if len(r) > i and r[i].strip()}


def logged_action_ids(input_dir: Path) -> set[str]:
    """The action ids in every action log CSV of the folder (`action_log*.csv`)."""
    ids: set[str] = set()
    for path in sorted(Path(input_dir).glob(ACTION_LOG.pattern)):
        if path.is_file() and path.suffix.lower() == ".csv":
            _, header, rows = _read_log(path)
            ids |= _ids(header, rows)
    return ids


def append_launch(action_log: Path, launch: Launch, audience: FrozenAudience | None = None) -> None:
    """Validate the launch and append it to `action_log` (created with the contract's
    header when absent); `InvalidLaunch` names the field at fault, nothing is written.
    With `audience` (aura.serving.action_audience.freeze), the action's frozen audience is
    written beside the log first, under the same lock, and removed again if the log cannot
    be written: a logged launch never points at a half-written audience."""
    action_log = Path(action_log)
    row = validate(launch)
    if audience is not None and audience.action_id != row["action_id"]:
        raise InvalidLaunch("action_id", f"the frozen audience is for {audience.action_id!r}, "
                                         f"not {row['action_id']!r}")
    if not action_log.parent.is_dir():
        raise FileNotFoundError(f"{action_log.parent}: the brand's input folder does not exist")
    lock_path = action_log.parent / f".{action_log.name}.lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text, header, rows = _read_log(action_log)
        if row["action_id"] in _ids(header, rows) | logged_action_ids(action_log.parent):
            raise InvalidLaunch(
                "action_id", f"{row['action_id']!r} is already in the action log ({action_log})")
        snapshot = None
        if audience is not None:
            snapshot = snapshot_path(action_log.parent, audience.action_id)
            _write_atomic(snapshot, audience.text())
        try:
            _write_atomic(action_log, _new_text(text, header, rows, row))
        except BaseException:
            if snapshot is not None:
                snapshot.unlink(missing_ok=True)
            raise
