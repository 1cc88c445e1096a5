"""Daily seasonal weather for a handful of US geos."""

from __future__ import annotations

import numpy as np
import pandas as pd

# geo: mean temperature C, seasonal amplitude, rain probability, max UV, mean humidity %
GEOS = {
    "US-NY": (12.5, 12.0, 0.33, 8.5, 63.0),
    "US-CA": (17.5, 5.0, 0.10, 10.5, 62.0),
    "US-TX": (20.5, 9.5, 0.22, 11.0, 66.0),
    "US-FL": (25.0, 4.5, 0.35, 12.0, 74.0),
}


def _smooth(x: np.ndarray, width: int = 5) -> np.ndarray:
    kernel = np.ones(width) / width
    return np.convolve(np.pad(x, width, mode="edge"), kernel, mode="same")[width:-width]


def weather_frame(dates: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """weather.csv rows: one per (date, geo), seasonal with day-to-day noise."""
    doy = dates.dayofyear.to_numpy()
    season = -np.cos(2 * np.pi * (doy - 20) / 365.25)  # -1 mid January, +1 mid July
    parts = []
    n = len(dates)
    for geo, (t0, amp, rain_p, uv_max, hum) in GEOS.items():
        temp = t0 + amp * season + _smooth(rng.normal(0, 3.0, n)) * 1.6
        wet = rng.random(n) < rain_p * (1 + 0.3 * rng.normal(size=n)).clip(0.2)
        precip = np.where(wet, rng.gamma(0.8, 9.0, n), 0.0)
        uv = (uv_max * (0.55 + 0.45 * season) * np.where(wet, 0.6, 1.0)).clip(0.5)
        humidity = (hum + 4 * season + np.where(wet, 12, 0) + rng.normal(0, 6, n)).clip(15, 100)
        parts.append(
            pd.DataFrame(
                {"date": dates, "geo": geo, "temperature_c": temp.round(1),
                 "precipitation_mm": precip.round(1), "uv_index": uv.round(1),
                 "humidity_pct": humidity.round(0)}
            )
        )
    return pd.concat(parts).sort_values(["date", "geo"], kind="stable")
