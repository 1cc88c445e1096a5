"""Demo scenarios: what each generated store looks like."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

DEFAULT_END = date(2026, 10, 31)


@dataclass(frozen=True)
class Scenario:
    """Parameters of one demo store."""

    name: str
    vertical: str  # "beauty" or "supplements"
    orders: int  # default number of orders in the export
    history_days: int  # days covered by the export, ending on end_date
    end_date: date = DEFAULT_END
    burn_in_days: int = 0  # store history before the export window (not exported)
    weekly: bool = True  # weekday/weekend pattern in acquisitions
    seasonal: bool = True  # yearly seasonality in acquisitions
    trend_per_year: float = 0.5  # growth of acquisitions per year
    spend_response: bool = True  # acquisitions respond to marketing spend
    bfcm_multiplier: float = 1.6  # acquisition multiplier on BFCM days (earlier years)
    bfcm_extra: float = 0.03  # share of recently active customers buying on BFCM (earlier years)
    bfcm_last_multiplier: float = 1.6  # the same for the most recent BFCM in the window
    bfcm_last_extra: float = 0.03
    seasonal_codes: bool = True  # SPRING15 / SUMMER20 campaigns
    low_inventory: bool = False  # top sellers nearly out of stock at the end
    winback: bool = False  # two launched winback actions with planted lifts
    null: bool = False  # no planted effect anywhere
    description: str = ""


_HEALTHY = Scenario(
    name="healthy_beauty",
    vertical="beauty",
    orders=12_000,
    history_days=730,
    description="A growing skincare brand, two years of history.",
)

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        _HEALTHY,
        Scenario(
            name="supplements",
            vertical="supplements",
            orders=10_000,
            history_days=730,
            bfcm_multiplier=1.4,
            bfcm_last_multiplier=1.4,
            bfcm_extra=0.02,
            bfcm_last_extra=0.02,
            description="A supplements brand with many subscribers on a monthly cadence.",
        ),
        Scenario(
            name="small_store",
            vertical="beauty",
            orders=600,
            history_days=365,
            trend_per_year=0.3,
            description="A small beauty store, one year of history.",
        ),
        Scenario(
            name="cold_start",
            vertical="beauty",
            orders=300,
            history_days=45,
            trend_per_year=0.0,
            description="A store that opened 45 days ago.",
        ),
        Scenario(
            name="promo_anomaly",
            vertical="beauty",
            orders=8_000,
            history_days=545,
            end_date=date(2026, 12, 3),
            bfcm_multiplier=1.4,
            bfcm_extra=0.02,
            bfcm_last_multiplier=4.5,
            bfcm_last_extra=0.12,
            description="A beauty store whose latest Black Friday week (BFCM25) is a large spike.",
        ),
        replace(
            _HEALTHY,
            name="low_inventory",
            low_inventory=True,
            description="Like healthy_beauty; the top three sellers have under a week of stock.",
        ),
        replace(
            _HEALTHY,
            name="winback_activation",
            # five times healthy_beauty's orders: audiences of about 1,900 customers per
            # launch, enough to tell a 10% from a 14% conversion rate (DECISIONLOG)
            orders=60_000,
            winback=True,
            description=(
                "Like healthy_beauty at five times the orders, plus two launched winback "
                "emails with a 20% holdout: a reminder without a discount (planted lift +2 "
                "points), then 15% off (+6 points)."
            ),
        ),
        Scenario(
            name="null",
            vertical="beauty",
            orders=10_000,
            history_days=730,
            burn_in_days=730,
            weekly=False,
            seasonal=False,
            trend_per_year=0.0,
            spend_response=False,
            bfcm_multiplier=1.0,
            bfcm_extra=0.0,
            bfcm_last_multiplier=1.0,
            bfcm_last_extra=0.0,
            seasonal_codes=False,
            null=True,
            description="Stationary store: no seasonality, no spend response, no planted lift.",
        ),
    )
}


def get_scenario(name: str) -> Scenario:
    """The scenario called `name` (KeyError listing the known names otherwise)."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
