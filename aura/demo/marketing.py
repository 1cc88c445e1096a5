"""Daily marketing spend per channel and the acquisition response planted on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CHANNELS = ("meta", "google_search", "tiktok", "email")
# share of spend, adstock decay, response beta (max lift of acquisitions), CPM $, CTR
_SHARE = {"meta": 0.45, "google_search": 0.30, "tiktok": 0.20, "email": 0.05}
_DECAY = {"meta": 0.5, "google_search": 0.3, "tiktok": 0.6, "email": 0.2}
_BETA = {"meta": 0.30, "google_search": 0.22, "tiktok": 0.15, "email": 0.05}
_CPM = {"meta": 11.0, "google_search": 32.0, "tiktok": 7.0, "email": 1.0}
_CTR = {"meta": 0.011, "google_search": 0.045, "tiktok": 0.008, "email": 0.021}
_CAC = {"beauty": 38.0, "supplements": 45.0}
ADSTOCK_LAGS = 30


@dataclass(frozen=True)
class Spend:
    """Daily spend in normalized units (scaled to dollars once the store size is known)."""

    norm: dict[str, np.ndarray]  # channel -> spend per simulated day, mean share of 1
    half_sat: dict[str, float]  # channel -> saturation scale k (normalized units)


def adstock(x: np.ndarray, decay: float) -> np.ndarray:
    """Geometric adstock: a[t] = sum_l decay**l * x[t - l] (truncated at ADSTOCK_LAGS)."""
    kernel = decay ** np.arange(ADSTOCK_LAGS)
    return np.convolve(x, kernel)[: len(x)]


def _steps(n: int, every: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Piecewise-constant budget levels changing every `every` days."""
    levels = rng.lognormal(0.0, sigma, n // every + 1)
    return np.repeat(levels, every)[:n]


def _flighting(n: int, rng: np.random.Generator) -> np.ndarray:
    """On/off bursts: on 2-4 weeks, off 1-4 weeks."""
    lengths = np.column_stack([rng.integers(14, 29, n // 7 + 2), rng.integers(7, 29, n // 7 + 2)])
    on = np.tile([1.0, 0.0], len(lengths))
    out = np.repeat(on, lengths.ravel())[:n]
    return out


def draw_spend(dates: pd.DatetimeIndex, q4: np.ndarray, rng: np.random.Generator) -> Spend:
    """Normalized daily spend for every channel over `dates` (q4: 0-1 Q4 intensity)."""
    n = len(dates)
    noise = {c: rng.lognormal(0.0, 0.12, n) for c in CHANNELS}
    raw = {
        "meta": _steps(n, 14, 0.3, rng) * (1 + 0.5 * q4) * noise["meta"],
        "google_search": _steps(n, 28, 0.15, rng) * (1 + 0.3 * q4) * noise["google_search"],
        "tiktok": _flighting(n, rng) * _steps(n, 7, 0.25, rng) * noise["tiktok"],
        "email": (0.6 + 1.6 * (rng.random(n) < 0.25)) * noise["email"],
    }
    norm = {c: _SHARE[c] * raw[c] / max(raw[c].mean(), 1e-9) for c in CHANNELS}
    half = {c: float(adstock(norm[c], _DECAY[c]).mean()) or 1.0 for c in CHANNELS}
    return Spend(norm, half)


def response(spend: Spend) -> dict[str, np.ndarray]:
    """Per channel: the additive lift of the acquisition rate, beta * (1 - exp(-adstock / k))."""
    return {
        c: _BETA[c] * (1.0 - np.exp(-adstock(spend.norm[c], _DECAY[c]) / spend.half_sat[c]))
        for c in CHANNELS
    }


def dollars_per_unit(vertical: str, new_customers_per_day: float) -> float:
    """Dollars per normalized spend unit for a store acquiring this many customers a day."""
    return _CAC[vertical] * new_customers_per_day


def spend_frame(
    spend: Spend, dates: pd.DatetimeIndex, window: slice, scale: float, rng: np.random.Generator
) -> pd.DataFrame:
    """marketing_spend.csv rows (date, channel) over `window` of the simulated days."""
    parts = []
    for c in CHANNELS:
        cents = np.rint(spend.norm[c][window] * scale * 100).astype(np.int64)
        usd = cents / 100
        imps = np.rint(usd / _CPM[c] * 1000 * rng.lognormal(0, 0.1, len(usd))).astype(np.int64)
        clicks = rng.binomial(imps, _CTR[c])
        parts.append(
            pd.DataFrame(
                {"date": dates[window], "channel": c, "spend_cents": cents,
                 "impressions": imps, "clicks": clicks}
            )
        )
    return pd.concat(parts).sort_values(["date", "channel"], kind="stable")


def planted_response(spend: Spend, scale: float, lift: dict[str, np.ndarray],
                     base: np.ndarray, window: slice) -> dict[str, object]:
    """Ground truth of the spend response, in dollars."""
    total = base * (1 + sum(lift.values()))
    return {
        "model": (
            "new-customer rate = base(t) * (1 + sum_c beta_c * (1 - exp(-adstock_c(t) / k_c))),"
            " adstock_c(t) = sum_{l<30} decay_c**l * spend_c(t - l)"
        ),
        "channels": {
            c: {
                "beta": _BETA[c],
                "adstock_decay": _DECAY[c],
                "k_dollars": round(spend.half_sat[c] * scale, 2),
                "incremental_share_of_new_customers": round(
                    float((base * lift[c])[window].sum() / total[window].sum()), 4
                ),
            }
            for c in CHANNELS
        },
    }
