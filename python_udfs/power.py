"""Sample size and power for a two-sided two-proportion test."""

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


def power_two_prop(
    p_base: npt.ArrayLike,
    delta: npt.ArrayLike,
    n1: npt.ArrayLike,
    n2: npt.ArrayLike,
    alpha: npt.ArrayLike = 0.05,
) -> FloatArray:
    """Power of the two-sided pooled two-proportion z-test (two_prop_pvalue's large-cell test)
    with n1 observations at p1 = p_base and n2 at p2 = p_base + delta:

        pbar = (n1 p1 + n2 p2) / (n1 + n2)
        sd0 = sqrt(pbar (1 - pbar) (1/n1 + 1/n2))      (the test's standard error under H0)
        sd1 = sqrt(p1 q1 / n1 + p2 q2 / n2)            (the true one, under H1)
        power = Phi((|delta| - z sd0) / sd1) + Phi((-|delta| - z sd0) / sd1),  z = z(1 - alpha/2)

    The same normal approximation as required_n_two_prop (which keeps only the first term,
    with equal arms); statsmodels' power_proportions_2indep. NaN when delta = 0, p1 or p2 is
    outside [0, 1], n1 or n2 < 1, alpha is not in (0, 1), or sd1 = 0 (p1 and p2 both 0 or 1).
    """
    p1, d, m1, m2, a = floats(p_base, delta, n1, n2, alpha)
    p2 = p1 + d
    valid = finite(p1, d, m1, m2, a) & (p1 >= 0) & (p1 <= 1) & (p2 >= 0) & (p2 <= 1) & (d != 0)
    valid &= (m1 >= 1) & (m2 >= 1) & (a > 0) & (a < 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pbar = (m1 * p1 + m2 * p2) / (m1 + m2)
        sd_null = np.sqrt(pbar * (1 - pbar) * (1 / m1 + 1 / m2))
        sd_alt = np.sqrt(p1 * (1 - p1) / m1 + p2 * (1 - p2) / m2)
        valid &= sd_alt > 0
        crit = -special.ndtri(a / 2) * sd_null
        size = np.abs(d)
        power = special.ndtr((size - crit) / sd_alt) + special.ndtr((-size - crit) / sd_alt)
    return undefined_where(np.minimum(power, 1.0), valid & np.isfinite(power))
