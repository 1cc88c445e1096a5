"""Beta posteriors: quantiles and Thompson-sampling probabilities that each arm is best."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

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
