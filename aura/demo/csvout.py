"""Fast, deterministic CSV writing and value formatting (pyarrow compute, no Python loops)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TZ = "America/New_York"
_CHUNK = 100_000
_NEEDS_QUOTES = r'[",\r\n]|^\s|\s$'


def text(values: Sequence[object] | np.ndarray) -> pa.Array:
    """A string array; None stays empty."""
    return pa.array(values, type=pa.string())


def integers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def money(cents: np.ndarray) -> pa.Array:
    """Integer cents as '1234.50' (two decimals, '.', no thousands separator)."""
    cents = np.asarray(cents, dtype=np.int64)
    a = np.abs(cents)
    out = pc.binary_join_element_wise(
        integers(a // 100), pc.utf8_lpad(integers(a % 100), 2, "0"), "."
    )
    neg = cents < 0
    if neg.any():
        out = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", out, ""), out)
    return out


def decimals(values: np.ndarray, places: int) -> pa.Array:
    """Floats rounded to `places` decimals, written without exponent."""
    scaled = np.rint(np.asarray(values, dtype=float) * 10**places).astype(np.int64)
    if places == 0:
        return integers(scaled)
    a = np.abs(scaled)
    out = pc.binary_join_element_wise(
        integers(a // 10**places), pc.utf8_lpad(integers(a % 10**places), places, "0"), "."
    )
    neg = scaled < 0
    return pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", out, ""), out)


def with_nulls(values: pa.Array, valid: np.ndarray) -> pa.Array:
    """`values` where `valid`, empty elsewhere."""
    return pc.if_else(pa.array(valid), values, pa.scalar(None, pa.string()))


def localize(local_ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """New York wall-clock times -> (UTC ns, wall-clock ns); times skipped by DST move forward,
    repeated ones are read as standard time."""
    idx = pd.DatetimeIndex(local_ns.astype("datetime64[ns]")).tz_localize(
        TZ, ambiguous=np.zeros(len(local_ns), dtype=bool), nonexistent="shift_forward"
    )
    return idx.asi8.copy(), idx.tz_localize(None).asi8.copy()


def to_local(utc_ns: np.ndarray) -> np.ndarray:
    """UTC ns -> New York wall-clock ns."""
    idx = pd.DatetimeIndex(utc_ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(TZ)
    return idx.tz_localize(None).asi8.copy()


def timestamps(utc_ns: np.ndarray) -> pa.Array:
    """UTC ns as New York time with its offset: '2026-03-08 01:59:59 -0500'."""
    utc_ns = np.asarray(utc_ns, dtype=np.int64)
    local = to_local(utc_ns)
    minutes = (local - utc_ns) // 60_000_000_000
    uniq, inv = np.unique(minutes, return_inverse=True)
    labels = np.array([f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}{abs(m) % 60:02d}" for m in uniq])
    seconds = pa.array(local.astype("datetime64[ns]").astype("datetime64[s]"))
    wall = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    return pc.binary_join_element_wise(wall, pa.array(labels[inv.ravel()]), " ")


def _quoted(col: pa.Array) -> pa.Array:
    if col.null_count == len(col):
        return col
    needs = pc.match_substring_regex(col, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return col
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, col)


def _rows_bytes(columns: list[pa.Array]) -> memoryview:
    row = pc.binary_join_element_wise(
        *[_quoted(c) for c in columns], ",", null_handling="replace", null_replacement=""
    )
    row = pc.binary_join_element_wise(row, "", "\n")
    offsets = np.frombuffer(row.buffers()[1], dtype=np.int32)
    offsets = offsets[row.offset : row.offset + len(row) + 1]
    return memoryview(row.buffers()[2])[offsets[0] : offsets[-1]]


def write_csv(path: Path, header: Sequence[str], columns: Sequence[pa.Array]) -> int:
    """Write a CSV (header + rows, '\\n' line ends, quotes only where needed); returns rows."""
    n = len(columns[0]) if columns else 0
    with open(path, "wb") as f:
        f.write((",".join(header) + "\n").encode())
        for a in range(0, n, _CHUNK):
            f.write(_rows_bytes([c.slice(a, _CHUNK) for c in columns]))
    return n


def write_frame(path: Path, frame: pd.DataFrame) -> int:
    """Write a frame whose columns are already strings (None for empty)."""
    cols = [text(frame[c].to_numpy(dtype=object)) for c in frame.columns]
    return write_csv(path, list(frame.columns), cols)
