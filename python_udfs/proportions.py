"""Binomial proportions: Wilson score intervals and intervals for a difference p1 - p2.

All functions are vectorized (inputs broadcast) and return float64 arrays; NaN means the
statistic is undefined for that row (it becomes NULL in SQL).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from python_udfs._common import Z_95, FloatArray, counts_ok, floats, undefined_where

DiffMethod = Literal["newcombe", "conservative"]
DIFF_METHODS: tuple[str, ...] = ("newcombe", "conservative")


def _wilson(
    x: FloatArray, n: FloatArray, z: FloatArray, *, lower: bool = True, upper: bool = True
) -> tuple[FloatArray, FloatArray]:
    """(lower, upper); a side not asked for is returned as NaN (saves work in SQL)."""
    valid = counts_ok(x, n) & np.isfinite(z) & (z > 0)
    empty = valid & (n == 0)
    lo = hi = np.full(x.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = z * z
        denom = n + z2
        center = (x + z2 / 2) / denom
        half = z * np.sqrt(x * (n - x) / n + z2 / 4) / denom
        if lower:
            # center - half, rewritten without the cancellation (exactly 0 when x = 0).
            lo = undefined_where(np.where(empty, 0.0, x * x / (n * denom * (center + half))), valid)
        if upper:
            hi = np.where((x == n) | empty, 1.0, np.minimum(center + half, 1.0))
            hi = undefined_where(hi, valid)
    return lo, hi


def wilson_interval(
    x: npt.ArrayLike, n: npt.ArrayLike, z: npt.ArrayLike = Z_95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for x successes in n trials; n = 0 gives [0, 1]."""
    return _wilson(*floats(x, n, z))


def wilson_lower(x: npt.ArrayLike, n: npt.ArrayLike, z: npt.ArrayLike = Z_95) -> FloatArray:
    """Lower Wilson bound (exactly 0 when x = 0)."""
    return _wilson(*floats(x, n, z), upper=False)[0]


def wilson_upper(x: npt.ArrayLike, n: npt.ArrayLike, z: npt.ArrayLike = Z_95) -> FloatArray:
    """Upper Wilson bound (exactly 1 when x = n)."""
    return _wilson(*floats(x, n, z), lower=False)[1]


def diff_ci(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x2: npt.ArrayLike,
    n2: npt.ArrayLike,
    method: DiffMethod | npt.ArrayLike = "newcombe",
    z: float = Z_95,
) -> tuple[FloatArray, FloatArray]:
    """Interval for p1 - p2 from two Wilson intervals; undefined when an arm is empty.

    `newcombe`: Newcombe's (1998) hybrid score interval, method 10.
    `conservative`: [lo1 - hi2, hi1 - lo2].
    `method` may be one string or an array of strings (NULL/None gives NaN).
    """
    x1a, n1a, x2a, n2a = floats(x1, n1, x2, n2)
    is_newcombe, has_method = _methods(method)
    l1, u1 = _wilson(x1a, n1a, np.float64(z))
    l2, u2 = _wilson(x2a, n2a, np.float64(z))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1a / n1a, x2a / n2a
    d = p1 - p2
    lower = np.where(is_newcombe, d - np.hypot(p1 - l1, u2 - p2), l1 - u2)
    upper = np.where(is_newcombe, d + np.hypot(u1 - p1, p2 - l2), u1 - l2)
    valid = (n1a > 0) & (n2a > 0) & np.isfinite(d) & has_method
    return undefined_where(lower, valid), undefined_where(upper, valid)


def _methods(method: DiffMethod | npt.ArrayLike) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(is newcombe, is given) per row, or as scalars when one method applies to all rows."""
    methods = np.asarray(method, dtype=object)
    names = {methods.item()} if methods.ndim == 0 else set(methods.tolist())
    unknown = names - {None, *DIFF_METHODS}
    if unknown:
        raise ValueError(f"diff_ci method must be one of {DIFF_METHODS}, got {sorted(map(str, unknown))}")
    if methods.ndim == 0:
        return np.bool_(methods.item() == "newcombe"), np.bool_(methods.item() is not None)
    return methods == "newcombe", methods != None  # noqa: E711


def diff_ci_lower(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike,
    method: DiffMethod | npt.ArrayLike = "newcombe",
) -> FloatArray:
    """Lower bound of the interval for p1 - p2 (see `diff_ci`)."""
    return diff_ci(x1, n1, x2, n2, method)[0]


def diff_ci_upper(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike,
    method: DiffMethod | npt.ArrayLike = "newcombe",
) -> FloatArray:
    """Upper bound of the interval for p1 - p2 (see `diff_ci`)."""
    return diff_ci(x1, n1, x2, n2, method)[1]
