"""Beta posteriors: quantiles, quantiles of the difference of two, and Thompson-sampling
probabilities that each arm is best."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special, stats
from scipy.optimize import elementwise

from python_udfs._common import FloatArray, finite, floats, undefined_where

DrawOrder = Literal["decision", "arm"]
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 123_456  # MABWiser's default seed
_BLOCK = 65_536  # decisions drawn at a time (bounds memory; the stream is the same)


def beta_quantile(a: npt.ArrayLike, b: npt.ArrayLike, q: npt.ArrayLike) -> FloatArray:
    """Quantile q of Beta(a, b); NaN unless a > 0, b > 0 and 0 <= q <= 1."""
    aa, bb, qq = floats(a, b, q)
    valid = finite(aa, bb, qq) & (aa > 0) & (bb > 0) & (qq >= 0) & (qq <= 1)
    with np.errstate(invalid="ignore"):
        return undefined_where(special.betaincinv(aa, bb, qq), valid)


def beta_diff_quantile(
    a1: npt.ArrayLike, b1: npt.ArrayLike, a2: npt.ArrayLike, b2: npt.ArrayLike, q: npt.ArrayLike
) -> FloatArray:
    """Quantile q of X - Y for independent X ~ Beta(a1, b1), Y ~ Beta(a2, b2).

    Deterministic: the CDF of the difference by quadrature (a tanh-sinh rule over the
    quantiles of the narrower of the two, split where the other's CDF reaches 0 and 1),
    and its root by Chandrupatla's bracketing method on [-1, 1] (scipy.optimize.elementwise
    .find_root), vectorized over rows. q = 0 gives -1 and q = 1 gives 1 (the ends of the
    support). NaN unless every parameter is > 0 and 0 <= q <= 1.
    """
    aa1, bb1, aa2, bb2, qq = floats(a1, b1, a2, b2, q)
    with np.errstate(invalid="ignore"):
        valid = (finite(aa1, bb1, aa2, bb2, qq) & (aa1 > 0) & (bb1 > 0) & (aa2 > 0) & (bb2 > 0)
                 & (qq >= 0) & (qq <= 1))
    out = np.where(qq == 0, -1.0, np.where(qq == 1, 1.0, np.nan))
    inner = valid & (qq > 0) & (qq < 1)
    if inner.any():
        out[inner] = _diff_quantile(aa1[inner], bb1[inner], aa2[inner], bb2[inner], qq[inner])
    return undefined_where(out, valid)


def _tanh_sinh(step: float, reach: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Nodes of the tanh-sinh (double exponential) rule on [-1, 1] as (side, distance from
    that side's end, weight): endpoint singularities (Beta densities below 1) cost nothing."""
    t = np.arange(-reach, reach + step / 2, step)
    z = np.pi / 2 * np.sinh(t)
    gap = 2 / (np.exp(2 * np.abs(z)) + 1)  # 1 - |tanh z| without cancellation
    weight = step * np.pi / 2 * np.cosh(t) / np.cosh(z) ** 2
    keep = (gap > 0) & (weight > 0)
    return np.sign(t)[keep], gap[keep], weight[keep]


_SIDE, _GAP, _WEIGHT = _tanh_sinh(1 / 8, 3.2)  # 52 nodes; accuracy: tests/test_udfs_beta_diff.py
_NEWTON_STEPS = 3


def _beta_ppf(a: FloatArray, b: FloatArray, u: FloatArray) -> FloatArray:
    """Beta quantiles: betaincinv, then Newton steps on betainc kept only where they bring
    the CDF closer to u (betaincinv alone is off by 1e-10 in u at a + b ~ 1e7, and worse
    beyond)."""
    x = special.betaincinv(a, b, u)
    miss = special.betainc(a, b, x) - u
    for _ in range(_NEWTON_STEPS):
        with np.errstate(all="ignore"):
            candidate = np.clip(x - miss / stats.beta.pdf(x, a, b), 0.0, 1.0)
            candidate_miss = special.betainc(a, b, candidate) - u
            better = np.isfinite(candidate_miss) & (np.abs(candidate_miss) < np.abs(miss))
        x, miss = np.where(better, candidate, x), np.where(better, candidate_miss, miss)
    return x


def _narrow_minus_wide_cdf(
    e: FloatArray, a_n: FloatArray, b_n: FloatArray, a_w: FloatArray, b_w: FloatArray
) -> FloatArray:
    """P(N - W <= e), N ~ Beta(a_n, b_n), W ~ Beta(a_w, b_w):

        F(e) = F_N(e) + integral over u from F_N(e) to F_N(1 + e) of 1 - F_W(Q_N(u) - e) du

    (below F_N(e) the integrand is 1, above F_N(1 + e) it is 0; splitting there keeps the
    kinks of F_W at 0 and 1 out of the rule). Integrating over N's quantiles, N the narrower,
    keeps the integrand smooth where the mass is."""
    lo = special.betainc(a_n, b_n, np.clip(e, 0.0, 1.0))
    hi = special.betainc(a_n, b_n, np.clip(1.0 + e, 0.0, 1.0))
    half = (hi - lo) / 2
    u = np.where(_SIDE < 0, lo[..., None] + half[..., None] * _GAP, hi[..., None] - half[..., None] * _GAP)
    x = _beta_ppf(a_n[..., None], b_n[..., None], u)
    above = special.betaincc(a_w[..., None], b_w[..., None], np.clip(x - e[..., None], 0.0, 1.0))
    return lo + half * (above * _WEIGHT).sum(axis=-1)


def _diff_quantile(
    a1: FloatArray, b1: FloatArray, a2: FloatArray, b2: FloatArray, q: FloatArray
) -> FloatArray:
    """beta_diff_quantile for valid rows with 0 < q < 1."""
    var1 = a1 * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1))
    var2 = a2 * b2 / ((a2 + b2) ** 2 * (a2 + b2 + 1))
    # X - Y = N - W when X is the narrower; else X - Y = -(N - W) with N = Y, and its
    # q-quantile is minus the (1 - q)-quantile of N - W.
    flip = var2 < var1
    a_n, b_n = np.where(flip, a2, a1), np.where(flip, b2, b1)
    a_w, b_w = np.where(flip, a1, a2), np.where(flip, b1, b2)
    target = np.where(flip, 1 - q, q)

    def excess(e: FloatArray, a_n: FloatArray, b_n: FloatArray, a_w: FloatArray, b_w: FloatArray,
               target: FloatArray) -> FloatArray:
        return _narrow_minus_wide_cdf(e, a_n, b_n, a_w, b_w) - target

    bracket = (np.full(q.shape, -1.0), np.full(q.shape, 1.0))
    found = elementwise.find_root(excess, bracket, args=(a_n, b_n, a_w, b_w, target))
    root = np.where(found.success, found.x, np.nan)
    return np.where(flip, -root, root)


def thompson_p_best(
    alphas: Sequence[float] | npt.ArrayLike,
    betas: Sequence[float] | npt.ArrayLike,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    order: DrawOrder = "decision",
) -> FloatArray | None:
    """Monte Carlo P(arm k has the highest Beta(alpha_k, beta_k) draw), one value per arm.

    Draws come from numpy.random.default_rng(seed).beta exactly as MABWiser's
    ThompsonSampling (seed=seed) draws them, ties going to the first arm:
    order="decision" matches `draws` successive `mab.predict()` calls (one draw per arm
    per decision, arms in list order); order="arm" matches one batched
    `mab.predict(contexts)` with `draws` rows (all draws of arm 1, then arm 2, ...).
    None when the input is invalid (lengths differ, a parameter is missing or <= 0,
    draws < 1, seed < 0).
    """
    a = np.asarray(alphas, dtype=np.float64).reshape(-1)
    b = np.asarray(betas, dtype=np.float64).reshape(-1)
    if len(a) != len(b) or draws < 1 or seed < 0:
        return None
    if not (finite(a, b).all() and (a > 0).all() and (b > 0).all()):
        return None
    return np.array(_p_best(tuple(a.tolist()), tuple(b.tolist()), int(draws), int(seed), order))


@lru_cache(maxsize=4096)
def _p_best(
    a: tuple[float, ...], b: tuple[float, ...], draws: int, seed: int, order: DrawOrder
) -> tuple[float, ...]:
    k = len(a)
    if k == 0:
        return ()
    rng = np.random.default_rng(seed)
    alpha, beta = np.array(a), np.array(b)
    wins = np.zeros(k, dtype=np.int64)
    if order == "decision":
        for start in range(0, draws, _BLOCK):
            sample = rng.beta(alpha, beta, size=(min(_BLOCK, draws - start), k))
            wins += np.bincount(sample.argmax(axis=1), minlength=k)
    elif order == "arm":
        sample = rng.beta(alpha[:, None], beta[:, None], size=(k, draws))
        wins += np.bincount(sample.argmax(axis=0), minlength=k)
    else:
        raise ValueError(f"order must be 'decision' or 'arm', got {order!r}")
    return tuple((wins / draws).tolist())
