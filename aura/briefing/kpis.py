"""The KPI explorer's data: any metric over the windows of mart_kpi_snapshot and over time.

`window_table` gives a metric's recent and prior values for each window (7, 28, 56, 90
days, mart_kpi_snapshot, the engine's own numbers). `daily_frame` reads fct_daily_kpis up
to the as-of date and `rolling` turns it into a trailing W-day series: sums for amounts and
counts, the ratio of two sums for averages and rates (so a 28-day point equals the L28
value). Customer-based metrics (distinct customers, repeat and returning shares) cannot be
summed from days, so they have windows but no time series. The metric a user picks is
looked up in `METRICS`; it never reaches SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from aura.briefing import format as fmt
from aura.briefing import queries as q

WINDOWS = (7, 28, 56, 90)


@dataclass(frozen=True)
class Metric:
    key: str  # the mart_kpi_snapshot column
    label: str
    kind: str  # money, count, share, decimal
    daily: tuple[str, ...] = ()  # fct_daily_kpis column, or numerator and denominator; () = no series
    up_is_good: bool = True

    @property
    def has_series(self) -> bool:
        return bool(self.daily)

    def show(self, value: object, currency: str | None = None) -> str:
        if self.kind == "money":
            return fmt.money(value, currency, cents=True)
        if self.kind == "share":
            return fmt.share(value)
        if self.kind == "decimal":
            return fmt.decimal(value)
        return fmt.count(value)


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("net_sales", "Net sales", "money", ("net_sales",)),
    Metric("orders", "Orders", "count", ("orders",)),
    Metric("aov", "Average order value", "money", ("net_sales", "orders")),
    Metric("gross_sales", "Gross sales", "money", ("gross_sales",)),
    Metric("discounts", "Discounts", "money", ("discounts",), up_is_good=False),
    Metric("returns", "Returns", "money", ("returns",), up_is_good=False),
    Metric("discount_rate", "Discount rate", "share", ("discounts", "gross_sales"), up_is_good=False),
    Metric("units", "Units sold", "count", ("units",)),
    Metric("units_per_order", "Units per order", "decimal", ("units", "orders")),
    Metric("identified_customers", "Customers who ordered", "count"),
    Metric("repeat_rate_within_window", "Customers who ordered twice or more in the window", "share"),
    Metric("returning_customer_share", "Customers who had ordered before", "share"),
    Metric("new_customer_rate", "New customers", "share"),
)}


def window_table(con: duckdb.DuckDBPyConnection, as_of: date, metric: str,
                 currency: str | None = None) -> pd.DataFrame:
    """One row per window: dates, recent and prior values (raw and as text), the change."""
    m = METRICS[metric]
    snap = q.rows(con, q.KPI_SNAPSHOT, [as_of])
    out = []
    for w in WINDOWS:
        recent = next((r for r in snap if r["window_days"] == w and r["period"] == "recent"), None)
        prior = next((r for r in snap if r["window_days"] == w and r["period"] == "prior"), None)
        if recent is None:
            continue
        rv = fmt.number(recent.get(m.key))
        pv = fmt.number(prior.get(m.key)) if prior else None
        comparable = bool(prior and prior.get("is_complete_window")) and rv is not None and pv is not None
        if not comparable:
            change = "no comparison: the history does not cover the window before"
        elif m.kind == "share":
            change = fmt.points(rv - pv)  # type: ignore[operator]
        else:
            change = fmt.relative((rv - pv) / abs(pv)) if pv else "no comparison: nothing the window before"  # type: ignore[operator]
        out.append({
            "window": f"Last {w} days", "window_days": w,
            "recent_dates": f"{fmt.day(recent.get('window_start'))} to {fmt.day(recent.get('window_end'))}",
            "recent": rv, "prior": pv, "recent_text": m.show(rv, currency),
            "prior_text": m.show(pv, currency) if prior else "not enough data", "change": change,
        })
    return pd.DataFrame(out)


def daily_frame(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """fct_daily_kpis up to the as-of date."""
    frame = q.frame(con, q.DAILY_KPIS_UP_TO, [as_of])
    frame["kpi_date"] = pd.to_datetime(frame["kpi_date"])
    return frame


def rolling(daily: pd.DataFrame, metric: str, window_days: int) -> pd.DataFrame:
    """The trailing `window_days` series of the metric: columns kpi_date, value (a point
    only once the window is full)."""
    m = METRICS[metric]
    if not m.has_series or daily.empty:
        return pd.DataFrame({"kpi_date": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float)})
    frame = daily.set_index("kpi_date").sort_index()
    top = frame[m.daily[0]].astype(float).rolling(window_days, min_periods=window_days).sum()
    if len(m.daily) == 2:
        bottom = frame[m.daily[1]].astype(float).rolling(window_days, min_periods=window_days).sum()
        value = top / bottom.where(bottom != 0)
    else:
        value = top
    out = value.rename("value").reset_index().dropna()
    return out.reset_index(drop=True)
