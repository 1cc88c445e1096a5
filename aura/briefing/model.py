"""The briefing's content as plain, frozen dataclasses with brand-team text.

A `Briefing` is one month of one brand: the header, the decision (mart_briefing), the
store's state (KPI cards), the plan's cards by lane (mart_action_plan with mart_audiences),
the forecast (mart_forecast), Watching (mart_watching), the data checks
(mart_data_quality_flags), past actions (mart_action_outcomes) and how past forecasts did
(mart_backtest_calibration). Text fields are ready to
show: the marts' own plain-English columns plus sentences built with `aura.briefing.format`;
statistics and internal codes are not in them (they are in `aura.briefing.evidence`).
`aura.briefing.content` builds it; the app and the HTML file render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aura.briefing import format as fmt

STATE_WINDOW_DAYS = 28  # the store's state is shown over the last 28 days (L28)

DECISION_HEADLINES = {
    "publish": "Recommended this month",
    "abstain_soft": "Nothing is strong enough to recommend this month",
    "abstain_hard": "This month's plan is on hold",
}
LANE_LABELS = {
    "recommended": "Recommended now",
    "pilot": "Pilot",
    "backlog": "Passed every check, not chosen this month",
    "watchlist": "Promising, not there yet",
    "considered": "Not this month",
}
EVIDENCE_LABELS = {
    "measured": "Measured: an earlier launch of this play in your store, against customers held out",
    "directional": "Directional: how this audience behaved recently against the group before "
                   "(a trend, not a controlled test)",
    "targeting": "Targeting only: we know who to reach, but there is no evidence yet of how much it adds",
}
CHANNEL_NAMES = {"email": "email", "sms": "SMS", "site": "your site", "ads": "paid ads", "social": "social"}
EFFORT_WORDS = {1: "light", 2: "moderate", 3: "heavy"}
FLAG_TITLES = {
    "insufficient_history": "Order history",
    "test_order_anomaly": "Test or one-off orders",
    "refund_storm": "Refunds",
    "bfcm_overlap": "Black Friday - Cyber Monday",
    "post_promo_window": "Recent promotion",
    "repeat_metric_incoherent": "What the repeat rate can see",
    "aov_consistency": "Orders x order value = net sales",
    "new_returning_consistency": "New + returning customers = all customers",
    "net_sales_method_disagreement": "Net sales by other methods",
    "inventory_absent": "Inventory file",
    "inventory_stale": "Inventory freshness",
    "low_cover_skus": "Products low on stock",
    "reorder_alerts": "Products at their reorder point",
    "peak_season_stockout_risk": "Peak-season stock",
}


# --- the dataclasses -------------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    brand: str
    as_of: date
    currency: str | None
    vertical: str | None
    history_days: int | None
    primary_window_days: int | None

    @property
    def month(self) -> str:
        return fmt.month_label(self.as_of)

    @property
    def title(self) -> str:
        return f"{self.brand}: {self.month} briefing"

    @property
    def subtitle(self) -> str:
        parts = [f"Data up to {fmt.day(self.as_of)}"]
        if self.vertical:
            parts.append(f"a {self.vertical} store")
        if self.history_days is not None:
            parts.append(f"{fmt.count(self.history_days, 'day')} of order history")
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class Decision:
    state: str
    reason: str
    recommended: int
    pilots: int
    backlog: int
    watchlist: int
    considered: int
    watching: int

    @property
    def headline(self) -> str:
        return DECISION_HEADLINES.get(self.state, "This month's decision")

    @property
    def abstains(self) -> bool:
        return self.state != "publish"


@dataclass(frozen=True)
class KpiCard:
    key: str
    label: str
    value: float | None
    value_text: str
    delta: float | None  # the change shown (relative, or points for shares)
    delta_text: str | None  # e.g. '-2.1%' or '+4.1 points'; None without a comparison
    delta_color: str  # 'normal' (up is good), 'inverse' (up is bad) for st.metric
    sentence: str
    spark: tuple[float, ...]  # daily values over the window, oldest first


@dataclass(frozen=True)
class PlanCard:
    play_id: str
    lane: str
    rank: int
    title: str
    action_id: str | None
    variant_id: str | None
    channel: str | None
    send_channels: tuple[str, ...]
    effort: float | None
    evidence_class: str | None
    audience_size: int | None
    effective_audience_size: int | None
    overlapping_customers: int | None
    overlap_share: float | None
    reachable_by_email: int | None
    who: str
    why: str
    mechanism: str
    steps: tuple[str, ...]
    would_fire_if: str
    expected_p10: float | None
    expected_p50: float | None
    expected_p90: float | None
    expected_text: str
    overlap_note: str
    interaction_note: str
    audience_note: str
    pilot_audience_size: int | None
    pilot_budget_text: str
    pilot_rule: str

    @property
    def lane_label(self) -> str:
        return LANE_LABELS.get(self.lane, self.lane)

    @property
    def channel_text(self) -> str:
        channels = self.send_channels or ((self.channel,) if self.channel else ())
        return " and ".join(CHANNEL_NAMES.get(c, c) for c in channels) or "not set"

    @property
    def effort_text(self) -> str:
        e = fmt.number(self.effort)
        if e is None:
            return "not rated"
        word = EFFORT_WORDS.get(round(e), "heavy" if e > 3 else "light")
        return f"{word} ({fmt.count(e, 'point')})"

    @property
    def evidence_text(self) -> str:
        return EVIDENCE_LABELS.get(self.evidence_class or "", "No evidence class recorded")

    @property
    def audience_text(self) -> str:
        size = fmt.count(self.audience_size, "customer", missing="an unknown number of customers")
        if self.reachable_by_email is None:
            return size
        return f"{size} ({fmt.count(self.reachable_by_email)} reachable by email)"


@dataclass(frozen=True)
class WatchItem:
    kind: str  # kpi, candidate or data_check
    label: str
    headline: str
    magnitude: str
    threshold: str
    crossed: bool | None


@dataclass(frozen=True)
class QualityCheck:
    code: str
    title: str
    severity: str
    status: str  # passed, fired or not run
    message: str  # what the brand team reads: the brand message, else the evidence
    description: str
    evidence: str


@dataclass(frozen=True)
class DataQuality:
    checks: tuple[QualityCheck, ...]

    @property
    def fired(self) -> tuple[QualityCheck, ...]:
        return tuple(c for c in self.checks if c.status == "fired")

    @property
    def not_run(self) -> tuple[QualityCheck, ...]:
        return tuple(c for c in self.checks if c.status == "not run")

    @property
    def summary(self) -> str:
        passed = sum(c.status == "passed" for c in self.checks)
        parts = [f"{passed} of {len(self.checks)} data checks passed"]
        if self.fired:
            parts.append(f"{len(self.fired)} found something")
        if self.not_run:
            parts.append(f"{len(self.not_run)} could not be run")
        return "; ".join(parts) + "."


@dataclass(frozen=True)
class ForecastStep:
    order: int
    kind: str  # baseline or action
    label: str
    play_id: str | None
    lift_p10: float | None
    lift_p50: float | None
    lift_p90: float | None
    cumulative_p10: float | None
    cumulative_p50: float | None
    cumulative_p90: float | None
    position_factor: float | None
    channel_factor: float | None
    note: str


@dataclass(frozen=True)
class Forecast:
    steps: tuple[ForecastStep, ...]
    subtitle: str
    baseline: float | None
    baseline_source: str
    baseline_label: str
    total_lift_p10: float | None
    total_lift_p50: float | None
    total_lift_p90: float | None
    is_capped: bool
    currency: str | None

    @property
    def headline(self) -> str:
        base = fmt.money(self.baseline, self.currency)
        if self.baseline is None or self.baseline <= 0:
            return "No forecast this month: there is no positive baseline to build on."
        if len(self.steps) <= 1 or not self.total_lift_p50:
            return f"Expected net sales this month: {base} (the baseline); no lift is forecast."
        lift = fmt.money_range(self.total_lift_p10, self.total_lift_p50, self.total_lift_p90, self.currency)
        return f"Baseline {base} a month; the recommended actions add {lift}."


@dataclass(frozen=True)
class BacktestLine:
    """One row of mart_backtest_calibration: a baseline source, or a play's audience (or all
    audiences together) on one check, with the mart's plain-English summary."""

    check_name: str  # baseline_net_sales, audience_conversion_rate or audience_aov
    subject: str  # a baseline source, 'engine choice', a play_id or 'all_plays'
    label: str
    text: str
    evaluated: int
    within_range: int
    with_range: int
    coverage: float | None
    no_change_coverage: float | None
    mean_abs_error: float | None
    mape: float | None
    bias: float | None


BACKTEST_UNAVAILABLE = ("The backtest is not available for this build: it was published before "
                        "backtests existed, or built without them.")
BACKTEST_NOTE = (
    "Each past forecast uses only the orders up to its month-end and is compared with the 28 days "
    "after it. An audience's expected range comes from the audience 28 days earlier; the new "
    "audience has its own ups and downs, so even if nothing had changed it would land inside the "
    "range less often than 8 times in 10. Landing inside much less often than that means the "
    "audiences' behaviour shifts from month to month.")


@dataclass(frozen=True)
class Backtest:
    """How well the engine's predictions at past month-ends did (mart_backtest_calibration);
    `available` is False for a build without the mart."""

    available: bool
    month_ends: int
    first_month_end: date | None
    last_month_end: date | None
    baselines: tuple[BacktestLine, ...]  # the engine's pick first, then each source
    audiences: tuple[BacktestLine, ...]  # all audiences together: conversion rate, order value
    plays: tuple[BacktestLine, ...]  # each play's audience, both checks

    @property
    def headline(self) -> str:
        if not self.available:
            return BACKTEST_UNAVAILABLE
        if not self.month_ends:
            return ("Not enough history yet to check past forecasts: that needs a month-end with 56 "
                    "days of orders before it and 28 days after it.")
        span = (f"{fmt.month_label(self.first_month_end)} to {fmt.month_label(self.last_month_end)}"
                if self.first_month_end and self.last_month_end else "past months")
        return (f"The forecast was replayed at each of {fmt.count(self.month_ends, 'month-end')} "
                f"({span}) and compared with what happened in the 28 days after.")

    @property
    def note(self) -> str:
        return BACKTEST_NOTE if self.available and self.month_ends else ""

    @property
    def lines(self) -> tuple[BacktestLine, ...]:
        return self.baselines + self.audiences + self.plays


NO_BACKTEST = Backtest(available=False, month_ends=0, first_month_end=None, last_month_end=None,
                       baselines=(), audiences=(), plays=())


@dataclass(frozen=True)
class Outcome:
    action_id: str
    play_id: str
    title: str
    variant_id: str | None
    channel: str | None
    launched_at: datetime | None
    measurement_end: date | None
    status: str  # pending, overdue or complete
    audience_size: int | None
    treated_n: int | None
    holdout_n: int | None
    treated_rate: float | None
    holdout_rate: float | None
    lift: float | None
    lift_ci_lower: float | None
    lift_ci_upper: float | None
    p_value: float | None
    test_method: str | None
    result: str

    @property
    def status_text(self) -> str:
        return {"pending": "Measuring", "overdue": "Result due", "complete": "Complete"}.get(
            self.status, self.status)


@dataclass(frozen=True)
class AccuracyLine:
    """How close one play's (or every play's) complete actions came to their predictions."""

    play_id: str  # or 'all_plays'
    title: str
    complete: int
    scored: int
    within: int | None
    text: str


@dataclass(frozen=True)
class VariantLine:
    """One variant of a launched play: what its customers did and how sure we are it is best."""

    play_id: str
    play_title: str
    variant_id: str
    label: str
    measured_customers: int | None
    conversion_rate: float | None  # posterior mean
    rate_low: float | None  # 90% credible interval
    rate_high: float | None
    p_best: float | None
    traffic_share: float | None
    is_recommended: bool
    text: str


@dataclass(frozen=True)
class Briefing:
    header: Header
    decision: Decision
    kpis: tuple[KpiCard, ...]
    state_sentence: str
    recommended: tuple[PlanCard, ...]
    pilot: PlanCard | None
    considered: tuple[PlanCard, ...]
    watching: tuple[WatchItem, ...]
    forecast: Forecast
    quality: DataQuality
    outcomes: tuple[Outcome, ...]
    accuracy: tuple[AccuracyLine, ...] = ()
    variants: tuple[VariantLine, ...] = ()
    backtest: Backtest = NO_BACKTEST  # how past forecasts did; not available without the mart

    @property
    def cards(self) -> tuple[PlanCard, ...]:
        return self.recommended + ((self.pilot,) if self.pilot else ()) + self.considered

    def card(self, play_id: str) -> PlanCard | None:
        return next((c for c in self.cards if c.play_id == play_id), None)

def as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def to_int(value: object) -> int | None:
    x = fmt.number(value)
    return None if x is None else round(x)
