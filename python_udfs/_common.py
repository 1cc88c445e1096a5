"""Shared array helpers: inputs become broadcast float64 arrays, NaN marks NULL/undefined."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# z for a two-sided 95% interval, norm.ppf(0.975); "1.959964" is this value rounded.
Z_95: float = float(special.ndtri(0.975))


def floats(*values: npt.ArrayLike) -> tuple[FloatArray, ...]:
    """Broadcast the inputs to one shape as float64 arrays (None becomes NaN)."""
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    return tuple(np.array(a, dtype=np.float64) for a in np.broadcast_arrays(*arrays))


def finite(*arrays: FloatArray) -> BoolArray:
    """True where every array is finite (NaN is how a NULL input arrives)."""
    ok = np.ones(np.broadcast_shapes(*(a.shape for a in arrays)), dtype=bool)
    for a in arrays:
        ok &= np.isfinite(a)
    return ok


def counts_ok(x: FloatArray, n: FloatArray) -> BoolArray:
    """Valid binomial counts: finite, 0 <= x <= n."""
    with np.errstate(invalid="ignore"):
        return finite(x, n) & (x >= 0) & (x <= n)


def whole(*arrays: FloatArray) -> BoolArray:
    """True where every array holds whole numbers."""
    ok = finite(*arrays)
    for a in arrays:
        with np.errstate(invalid="ignore"):
            ok &= np.floor(a) == a
    return ok


def undefined_where(values: FloatArray, valid: BoolArray) -> FloatArray:
    """`values` with NaN wherever the statistic is undefined."""
    return np.where(valid, values, np.nan)


def segmented_scan(
    values: FloatArray, segment: npt.NDArray[np.int64], op: np.ufunc, *, reverse: bool = False
) -> FloatArray:
    """Inclusive scan of `op` (np.add, np.minimum, ...) within contiguous segments.

    Log-step (Hillis-Steele) scan: log2(longest segment) vectorized passes, no Python loop
    over elements; `reverse` scans from the end of each segment.
    """
    out = values.copy()
    if reverse:
        return segmented_scan(out[::-1], segment[::-1], op)[::-1].copy()
    step = 1
    while step < len(out):
        same = segment[step:] == segment[:-step]
        if not same.any():
            break
        out[step:] = np.where(same, op(out[:-step], out[step:]), out[step:])
        step *= 2
    return out
