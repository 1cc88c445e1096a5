"""Welch's two-sample t-test from summary statistics (n, mean, variance per arm)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from python_udfs._common import FloatArray, finite, floats, undefined_where


def welch_pvalue(
    n1: npt.ArrayLike,
    mean1: npt.ArrayLike,
    var1: npt.ArrayLike,
    n2: npt.ArrayLike,
    mean2: npt.ArrayLike,
    var2: npt.ArrayLike,
) -> FloatArray:
    """Two-sided Welch t-test p-value; `var` is the sample variance (ddof = 1).

    Undefined (NaN) when an arm has n < 2, a variance is negative, both variances are 0
    (no standard error), or an input is missing.
    """
    n1a, m1, v1, n2a, m2, v2 = floats(n1, mean1, var1, n2, mean2, var2)
    valid = finite(n1a, m1, v1, n2a, m2, v2) & (n1a >= 2) & (n2a >= 2) & (v1 >= 0) & (v2 >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        vn1, vn2 = v1 / n1a, v2 / n2a
        se2 = vn1 + vn2
        valid &= se2 > 0
        df = se2**2 / (vn1**2 / (n1a - 1) + vn2**2 / (n2a - 1))
        t = (m1 - m2) / np.sqrt(se2)
        p = 2 * special.stdtr(df, -np.abs(t))
    return undefined_where(np.minimum(p, 1.0), valid & np.isfinite(p))
