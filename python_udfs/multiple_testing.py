"""Benjamini-Hochberg q-values, for one list of p-values or for many lists at once."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from python_udfs._common import BoolArray, FloatArray, segmented_scan

IntArray = npt.NDArray[np.int64]


def bh_segments(values: FloatArray, missing: BoolArray, lengths: IntArray) -> tuple[FloatArray, BoolArray]:
    """BH q-values for consecutive lists laid end to end (`lengths` elements each).

    Missing entries stay missing (NaN) and do not count in m. A list holding a value
    outside [0, 1] (NaN included) has no q-values: its entries are NaN and its flag in
    the returned `invalid` array (one per list) is True.
    """
    segment = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    present = ~missing
    with np.errstate(invalid="ignore"):
        bad = present & ~((values >= 0) & (values <= 1))
    invalid = np.bincount(segment[bad], minlength=len(lengths)) > 0
    use = present & ~invalid[segment]

    idx = np.flatnonzero(use)
    p, seg = values[idx], segment[idx]
    order = np.lexsort((p, seg))  # by list, then p ascending (stable: ties keep input order)
    p, seg, idx = p[order], seg[order], idx[order]
    m = np.bincount(seg, minlength=len(lengths))
    first = np.concatenate([[0], np.cumsum(m)[:-1]])
    rank = np.arange(1, len(p) + 1) - first[seg]
    # p / (rank / m), as statsmodels computes it: never below p after rounding (p * m / rank can be).
    q = np.minimum(segmented_scan(p / (rank / m[seg]), seg, np.minimum, reverse=True), 1.0)

    out = np.full(len(values), np.nan)
    out[idx] = q
    return out, invalid


def bh_qvalues(p: npt.ArrayLike) -> FloatArray:
    """BH q-values in input order; NaN/None entries stay NaN and do not count in m.

    All NaN when any p-value lies outside [0, 1].
    """
    values = np.asarray(p, dtype=np.float64).reshape(-1)
    missing = np.isnan(values)
    q, invalid = bh_segments(values, missing, np.array([len(values)], dtype=np.int64))
    return np.full(len(values), np.nan) if invalid[0] else q
