"""Two-sided two-proportion test: pooled z-test, Fisher's exact test when the z-test is unfit.

The z-test is used when every expected cell count of the 2x2 table is at least 5; otherwise
(including when the pooled proportion is 0 or 1, so z is undefined) Fisher's exact test.
No test is possible when an arm is empty (n = 0) or the counts are not valid whole
numbers (0 <= x <= n): the p-value is NaN and the method None.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from python_udfs._common import FloatArray, counts_ok, floats, segmented_scan, whole

MIN_EXPECTED = 5.0
_EPS = float(np.finfo(np.float64).eps)
_BATCH_ELEMENTS = 1 << 21  # support points handled per vectorized pass (bounds memory)


def fisher_two_sided(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> FloatArray:
    """Fisher's exact test, two-sided, for many 2x2 tables at once (whole-number counts).

    p = P(tables no more likely than the observed one | both margins). X = successes in
    arm 1 is hypergeometric on [lo, hi]; log w(k) is a running sum of log(w(j+1) / w(j)),
    so the work is the size of the support (small whenever an expected count is below 5),
    even for counts of 1e9.
    """
    a, n_a, b, n_b = (np.atleast_1d(np.asarray(v, dtype=np.int64)) for v in (x1, n1, x2, n2))
    k_total = a + b
    lo, hi = np.maximum(0, k_total - n_b), np.minimum(k_total, n_a)
    length = hi - lo + 1
    out = np.empty(len(a))
    ends = np.cumsum(length)
    first = 0
    while first < len(a):
        # Tables [first, last) hold at most _BATCH_ELEMENTS support points (at least one table).
        budget = ends[first] - length[first] + _BATCH_ELEMENTS
        last = max(first + 1, int(np.searchsorted(ends, budget, "right")))
        rows = slice(first, last)
        out[rows] = _fisher_batch(a[rows], n_a[rows], n_b[rows], k_total[rows], lo[rows], length[rows])
        first = last
    return out


def _fisher_batch(
    x1: npt.NDArray[np.int64], n1: npt.NDArray[np.int64], n2: npt.NDArray[np.int64],
    k_total: npt.NDArray[np.int64], lo: npt.NDArray[np.int64], length: npt.NDArray[np.int64],
) -> FloatArray:
    start = np.concatenate([[0], np.cumsum(length)[:-1]])
    table = np.repeat(np.arange(len(length)), length)
    offset = np.arange(int(length.sum())) - start[table]
    j = (lo[table] + offset - 1).astype(np.float64)  # step from k = j to k = j + 1
    kk, aa, bb = (v[table].astype(np.float64) for v in (k_total, n1, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(offset > 0, np.log((kk - j) * (aa - j) / ((j + 1) * (bb - kk + j + 1))), 0.0)
    cumulative = segmented_scan(step, table, np.add)
    log_w = cumulative - np.maximum.reduceat(cumulative, start)[table]
    weights = np.exp(log_w)
    log_w_observed = log_w[start + (x1 - lo)]
    # Tables as likely as the observed one are "as extreme". The tolerance covers the rounding
    # of the summed logs (so exact ties stay ties) and is far below the gap between distinct
    # tables for counts up to ~1e9 (R uses 1e-7, scipy 1e-14 on probabilities).
    scale = np.maximum.reduceat(np.abs(cumulative), start) + length
    tol = 1e-12 + 8 * _EPS * np.log2(length + 1) * scale
    extreme = log_w <= (log_w_observed + tol)[table]
    p = np.add.reduceat(np.where(extreme, weights, 0.0), start) / np.add.reduceat(weights, start)
    return np.minimum(p, 1.0)


def _expected_ok(x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray) -> npt.NDArray[np.bool_]:
    # Smallest expected cell = min(n1, n2) * min(K, N - K) / N; compared without dividing
    # (exact for counts below ~1e15).
    k_total, n_total = x1 + x2, n1 + n2
    return np.minimum(n1, n2) * np.minimum(k_total, n_total - k_total) >= MIN_EXPECTED * n_total


def two_prop_test(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> tuple[FloatArray, npt.NDArray[np.object_]]:
    """(p-value, method) per row; method is 'z', 'fisher' or None (no test possible)."""
    x1a, n1a, x2a, n2a = floats(x1, n1, x2, n2)
    valid = counts_ok(x1a, n1a) & counts_ok(x2a, n2a) & whole(x1a, n1a, x2a, n2a) & (n1a > 0) & (n2a > 0)
    with np.errstate(invalid="ignore"):
        use_z = valid & _expected_ok(x1a, n1a, x2a, n2a)
    use_fisher = valid & ~use_z

    pvalue = np.full(x1a.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Same arithmetic as statsmodels' proportions_ztest (pooled variance).
        pooled = (x1a + x2a) / (n1a + n2a)
        std = np.sqrt(pooled * (1 - pooled) * (1.0 / n1a + 1.0 / n2a))
        zstat = (x1a / n1a - x2a / n2a) / std
        pvalue[use_z] = 2 * special.ndtr(-np.abs(zstat[use_z]))

    if use_fisher.any():
        tables = np.stack([a[use_fisher] for a in (x1a, n1a, x2a, n2a)], axis=1).astype(np.int64)
        distinct, inverse = np.unique(tables, axis=0, return_inverse=True)
        pvalue[use_fisher] = fisher_two_sided(*distinct.T)[inverse.reshape(-1)]

    method = np.full(x1a.shape, None, dtype=object)
    method[use_z] = "z"
    method[use_fisher] = "fisher"
    return pvalue, method


def two_prop_pvalue(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> FloatArray:
    """Two-sided p-value of p1 = p2 (z-test, Fisher fallback); NaN when no test is possible."""
    return two_prop_test(x1, n1, x2, n2)[0]


def two_prop_method(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> npt.NDArray[np.object_]:
    """Which test `two_prop_pvalue` used: 'z', 'fisher', or None when no test is possible."""
    return two_prop_test(x1, n1, x2, n2)[1]
