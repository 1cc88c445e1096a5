"""Welch's two-sample t-test from summary statistics (n, mean, variance per arm): the
p-value and the confidence interval for mean1 - mean2."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from python_udfs._common import BoolArray, FloatArray, finite, floats, undefined_where

DEFAULT_LEVEL = 0.95


def _welch(
    n1: FloatArray, m1: FloatArray, v1: FloatArray, n2: FloatArray, m2: FloatArray, v2: FloatArray
) -> tuple[BoolArray, FloatArray, FloatArray, FloatArray]:
    """(valid, mean1 - mean2, standard error, Welch-Satterthwaite df).

    Not valid when an arm has n < 2, a variance is negative, both variances are 0 (no
    standard error), or an input is missing.
    """
    valid = finite(n1, m1, v1, n2, m2, v2) & (n1 >= 2) & (n2 >= 2) & (v1 >= 0) & (v2 >= 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        vn1, vn2 = v1 / n1, v2 / n2
        se2 = vn1 + vn2
        valid &= se2 > 0
        df = se2**2 / (vn1**2 / (n1 - 1) + vn2**2 / (n2 - 1))
        return valid, m1 - m2, np.sqrt(se2), df


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
    valid, diff, se, df = _welch(*floats(n1, mean1, var1, n2, mean2, var2))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
        p = 2 * special.stdtr(df, -np.abs(t))
    return undefined_where(np.minimum(p, 1.0), valid & np.isfinite(p))


def welch_ci(
    n1: npt.ArrayLike,
    mean1: npt.ArrayLike,
    var1: npt.ArrayLike,
    n2: npt.ArrayLike,
    mean2: npt.ArrayLike,
    var2: npt.ArrayLike,
    level: npt.ArrayLike = DEFAULT_LEVEL,
) -> tuple[FloatArray, FloatArray]:
    """Welch confidence interval for mean1 - mean2; `var` is the sample variance (ddof = 1).

        d = mean1 - mean2, se = sqrt(var1/n1 + var2/n2), df Welch-Satterthwaite
        [d - t * se, d + t * se], t = the (1 + level)/2 quantile of Student's t with df

    (scipy's ttest_ind(equal_var=False).confidence_interval). Undefined (NaN) where
    welch_pvalue is, and when level is not in (0, 1).
    """
    n1a, m1, v1, n2a, m2, v2, lv = floats(n1, mean1, var1, n2, mean2, var2, level)
    valid, diff, se, df = _welch(n1a, m1, v1, n2a, m2, v2)
    valid &= np.isfinite(lv) & (lv > 0) & (lv < 1)
    with np.errstate(invalid="ignore", over="ignore"):
        # The lower tail quantile, negated: accurate for a level close to 1.
        half = -special.stdtrit(df, (1 - lv) / 2) * se
        lower, upper = diff - half, diff + half
    valid &= np.isfinite(lower) & np.isfinite(upper)
    return undefined_where(lower, valid), undefined_where(upper, valid)


def welch_ci_lower(
    n1: npt.ArrayLike, mean1: npt.ArrayLike, var1: npt.ArrayLike,
    n2: npt.ArrayLike, mean2: npt.ArrayLike, var2: npt.ArrayLike,
    level: npt.ArrayLike = DEFAULT_LEVEL,
) -> FloatArray:
    """Lower bound of the Welch interval for mean1 - mean2 (see `welch_ci`)."""
    return welch_ci(n1, mean1, var1, n2, mean2, var2, level)[0]


def welch_ci_upper(
    n1: npt.ArrayLike, mean1: npt.ArrayLike, var1: npt.ArrayLike,
    n2: npt.ArrayLike, mean2: npt.ArrayLike, var2: npt.ArrayLike,
    level: npt.ArrayLike = DEFAULT_LEVEL,
) -> FloatArray:
    """Upper bound of the Welch interval for mean1 - mean2 (see `welch_ci`)."""
    return welch_ci(n1, mean1, var1, n2, mean2, var2, level)[1]
