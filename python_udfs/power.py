"""Sample size for a two-sided two-proportion test."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from python_udfs._common import FloatArray, finite, floats, undefined_where


def required_n_two_prop(
    p_base: npt.ArrayLike,
    delta: npt.ArrayLike,
    alpha: npt.ArrayLike = 0.05,
    power: npt.ArrayLike = 0.8,
) -> FloatArray:
    """Per-arm n to detect p_base -> p_base + delta (equal arms), rounded up.

        p1 = p_base, p2 = p_base + delta, pbar = (p1 + p2) / 2
        n = ( z(1 - alpha/2) * sqrt(2 pbar (1 - pbar)) + z(power) * sqrt(p1 q1 + p2 q2) )^2 / delta^2

    (pooled variance under H0, unpooled under H1; Fleiss without continuity correction;
    statsmodels' samplesize_proportions_2indep_onetail). NaN when delta = 0, p2 is outside
    [0, 1], or alpha / power are not in (0, 1).
    """
    p1, d, a, pw = floats(p_base, delta, alpha, power)
    p2 = p1 + d
    valid = finite(p1, d, a, pw) & (p1 >= 0) & (p1 <= 1) & (p2 >= 0) & (p2 <= 1) & (d != 0)
    valid &= (a > 0) & (a < 1) & (pw > 0) & (pw < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pbar = (p1 + p2) / 2
        std_null = np.sqrt(2 * pbar * (1 - pbar))
        std_alt = np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
        crit = -special.ndtri(a / 2) * std_null + special.ndtri(pw) * std_alt
        n = (np.maximum(crit, 0) / d) ** 2
    return undefined_where(np.ceil(n), valid & np.isfinite(n))
