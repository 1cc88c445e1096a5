"""The briefing's content, read from a published build.

`load_briefing(con)` reads the marts (mart_briefing, mart_kpi_deltas and fct_daily_kpis for
the store's state, mart_action_plan with mart_audiences for the cards, mart_forecast,
mart_watching, mart_data_quality_flags, mart_action_outcomes, mart_backtest_calibration when
the build has it) into a `Briefing`
(`aura.briefing.model`) whose text is ready for brand teams: the marts' own plain-English
columns (decision_reason, plan_reason, would_fire_if, headline, subtitle, how_to_launch,
brand_message) plus sentences built here. `brand_copy` lists every string the briefing
shows, for the copy test. The Streamlit app and the HTML briefing render the same object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import duckdb

from aura.briefing import format as fmt
from aura.briefing import queries as q
from aura.briefing.learning import load_learning
from aura.briefing.model import (
    FLAG_TITLES,
    NO_BACKTEST,
    STATE_WINDOW_DAYS,
    Backtest,
    BacktestLine,
    Briefing,
    DataQuality,
    Decision,
    Forecast,
    ForecastStep,
    Header,
    KpiCard,
    PlanCard,
    QualityCheck,
    WatchItem,
    as_date,
    to_int,
)
from aura.briefing.outcomes import load_outcomes

# --- reading ---------------------------------------------------------------------------

class BriefingUnavailable(RuntimeError):
    """The build has no briefing to show (mart_briefing is missing or empty)."""


def load_briefing(con: duckdb.DuckDBPyConnection, brand: str | None = None,
                  today: date | None = None) -> Briefing:
    """The month's briefing from a published build (`brand` defaults to the mart's own)."""
    if "mart_briefing" not in q.tables(con):
        raise BriefingUnavailable("this build has no mart_briefing: it was built before the briefing existed")
    row = q.one(con, q.BRIEFING)
    if row is None:
        raise BriefingUnavailable("mart_briefing is empty: the build produced no briefing")
    as_of = as_date(row["as_of_date"])
    currency_row = q.one(con, q.CURRENCY)
    currency = currency_row["currency"] if currency_row else None
    profile = q.one(con, q.STORE_PROFILE, [as_of]) or {}
    baselines = q.one(con, q.BASELINES, [as_of]) or {}
    header = Header(
        brand=brand or str(row.get("brand") or "your store"), as_of=as_of, currency=currency,
        vertical=fmt.text(profile.get("vertical")) or None,
        history_days=to_int(profile.get("history_days")),
        primary_window_days=to_int(baselines.get("primary_window_days")),
    )
    decision = Decision(
        state=str(row["decision_state"]), reason=fmt.text(row["decision_reason"]),
        recommended=to_int(row["recommended_actions"]) or 0, pilots=to_int(row["pilot_actions"]) or 0,
        backlog=to_int(row["backlog_actions"]) or 0, watchlist=to_int(row["watchlist_actions"]) or 0,
        considered=to_int(row["considered_actions"]) or 0, watching=to_int(row["watching_items"]) or 0,
    )
    kpis, state_sentence = _kpi_cards(con, as_of, currency)
    plan_rows = q.rows(con, q.PLAN, [as_of])
    titles = {str(r["play_id"]): fmt.text(r.get("title"), str(r["play_id"])) for r in plan_rows}
    plan = [_plan_card(r, currency, titles) for r in plan_rows]
    accuracy, variants = load_learning(con, as_of, currency)
    return Briefing(
        header=header, decision=decision, kpis=kpis, state_sentence=state_sentence,
        recommended=tuple(c for c in plan if c.lane == "recommended"),
        pilot=next((c for c in plan if c.lane == "pilot"), None),
        considered=tuple(c for c in plan if c.lane in ("backlog", "watchlist", "considered")),
        watching=tuple(_watch_item(r, currency) for r in q.rows(con, q.WATCHING, [as_of])),
        forecast=_forecast(con, as_of, currency, titles),
        quality=DataQuality(tuple(_quality_check(r) for r in q.rows(con, q.QUALITY_FLAGS, [as_of]))),
        outcomes=load_outcomes(con, as_of, currency, today or date.today()),
        accuracy=accuracy, variants=variants,
        backtest=load_backtest(con, as_of),
    )




# --- the store's state (L28 KPI cards) -------------------------------------------------

# key, label, kind (money / count / share / decimal), change shown as (relative / points),
# whether a rise is good, the daily column (or ratio of two) for the sparkline
KPI_SPECS: tuple[tuple[str, str, str, str, bool, tuple[str, ...]], ...] = (
    ("net_sales", "Net sales", "money", "relative", True, ("net_sales",)),
    ("orders", "Orders", "count", "relative", True, ("orders",)),
    ("aov", "Average order value", "money_cents", "relative", True, ("net_sales", "orders")),
    ("identified_customers", "Customers", "count", "relative", True, ("identified_customers",)),
    ("returning_customer_share", "Returning customers", "share", "points", True,
     ("returning_customer_orders", "orders")),
    ("discount_rate", "Discount rate", "share", "points", False, ("discounts", "gross_sales")),
)
KPI_NOUNS = {
    "net_sales": "net sales", "orders": "orders", "aov": "the average order value",
    "identified_customers": "customers who ordered",
    "returning_customer_share": "the share of customers who had ordered before",
    "discount_rate": "discounts as a share of gross sales",
}


def _kpi_value(value: object, kind: str, currency: str | None) -> str:
    if kind == "money":
        return fmt.money(value, currency)
    if kind == "money_cents":
        return fmt.money(value, currency, cents=True)
    if kind == "share":
        return fmt.share(value)
    return fmt.count(value)


def _kpi_cards(con: duckdb.DuckDBPyConnection, as_of: date,
               currency: str | None) -> tuple[tuple[KpiCard, ...], str]:
    deltas = {r["metric"]: r for r in q.rows(con, q.KPI_DELTAS, [as_of, STATE_WINDOW_DAYS])}
    start = as_of - timedelta(days=STATE_WINDOW_DAYS - 1)
    daily = q.rows(con, q.DAILY_KPIS, [start, as_of])
    cards = []
    for key, label, kind, change_kind, up_is_good, spark_cols in KPI_SPECS:
        d = deltas.get(key, {})
        recent, prior = fmt.number(d.get("recent_value")), fmt.number(d.get("prior_value"))
        comparable = bool(d.get("is_prior_complete")) and prior is not None and recent is not None
        change = None
        if comparable:
            change = fmt.number(d.get("delta_abs" if change_kind == "points" else "delta_rel"))
        delta_text = None
        if change is not None:
            delta_text = fmt.points(change) if change_kind == "points" else fmt.relative(change)
        value_text = _kpi_value(recent, kind, currency)
        noun = KPI_NOUNS[key]
        if recent is None:
            sentence = f"{fmt.sentence_case(noun)}: not enough data in the last {STATE_WINDOW_DAYS} days."
        elif change is None:
            why = ("the store's history does not cover the 28 days before" if not d.get("is_prior_complete")
                   else "there is nothing to compare with in the 28 days before")
            sentence = (f"{fmt.sentence_case(noun)}: {value_text} in the last {STATE_WINDOW_DAYS} days; "
                        f"no comparison, because {why}.")
        else:
            direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
            size = "" if direction == "unchanged" else " " + (
                fmt.points(abs(change), signed=False) if change_kind == "points"
                else fmt.relative(abs(change), signed=False))
            sentence = (f"{fmt.sentence_case(noun)}: {value_text} in the last {STATE_WINDOW_DAYS} days, "
                        f"{direction}{size} on the 28 days before "
                        f"({_kpi_value(prior, kind, currency)}).")
        cards.append(KpiCard(
            key=key, label=label, value=recent, value_text=value_text, delta=change, delta_text=delta_text,
            delta_color="normal" if up_is_good else "inverse", sentence=sentence,
            spark=_spark(daily, spark_cols),
        ))
    net = next(c for c in cards if c.key == "net_sales")
    orders = next(c for c in cards if c.key == "orders")
    state = (f"In the last {STATE_WINDOW_DAYS} days ({fmt.day(start)} to {fmt.day(as_of)}) the store "
             f"took {net.value_text} in net sales from {fmt.count(orders.value, 'order')}.")
    if net.delta is not None:
        state += (f" That is {fmt.relative(abs(net.delta), signed=False)} "
                  f"{'more' if net.delta > 0 else 'less'} than the 28 days before."
                  if net.delta else " That is the same as the 28 days before.")
    elif net.value is None:
        state = f"There were no counted orders in the last {STATE_WINDOW_DAYS} days."
    return tuple(cards), state


def _spark(daily: list[q.Row], cols: tuple[str, ...]) -> tuple[float, ...]:
    """Daily values (a ratio of two daily sums when two columns), days without a value left out."""
    out = []
    for r in daily:
        top = fmt.number(r.get(cols[0]))
        if len(cols) == 1:
            value = top
        else:
            bottom = fmt.number(r.get(cols[1]))
            value = top / bottom if top is not None and bottom else None
        if value is not None:
            out.append(round(value, 4))
    return tuple(out)


# --- plan cards ------------------------------------------------------------------------

def _steps(how_to_launch: object) -> tuple[str, ...]:
    """'1. Download ... 2. Import ...' -> ('Download ...', 'Import ...')."""
    text = fmt.text(how_to_launch)
    if not text:
        return ()
    parts = [p.strip() for p in re.split(r"(?:^|\s)\d+\.\s+", text) if p.strip()]
    return tuple(parts) or (text,)


def _interaction_note(row: q.Row, titles: dict[str, str]) -> str:
    factor = fmt.number(row.get("interaction_factor"))
    applied = fmt.text(row.get("interactions_applied"))
    if factor is None or factor >= 0.9999 or not applied:
        return ""
    names = []
    for part in applied.split(";"):
        play = part.strip().rsplit(" x", 1)[0].strip()
        names.append(f'"{titles.get(play, play.replace("_", " "))}"')
    return (f"Counted at {fmt.share(factor, 0)} of its value because "
            f"{' and '.join(names)} also run{'s' if len(names) == 1 else ''} this month and the "
            "campaigns compete for the same customers' attention.")


def _overlap_note(row: q.Row) -> str:
    if row.get("lane") != "recommended":
        return ""
    overlapping = to_int(row.get("overlapping_customers"))
    effective = to_int(row.get("effective_audience_size"))
    if not overlapping:
        if to_int(row.get("lane_rank")) == 1:
            return "First action of the month: no overlap to account for."
        return "No overlap: none of its customers is in an earlier action's audience."
    return (f"{fmt.count(overlapping, 'customer')} ({fmt.share(row.get('overlap_share'), 0)}) are already in "
            f"an earlier action's audience; its value counts only the {fmt.count(effective)} it adds.")


def _plan_card(row: q.Row, currency: str | None, titles: dict[str, str]) -> PlanCard:
    lane = str(row["lane"])
    p10, p50, p90 = (fmt.number(row.get(f"expected_monthly_net_sales_p{p}")) for p in (10, 50, 90))
    if lane == "recommended":
        expected = (fmt.money_range(p10, p50, p90, currency) + " more net sales this month"
                    if p50 is not None else "No expected value could be computed for this action.")
    elif lane == "pilot":
        expected = "Not forecast: the pilot is a test, and its result is what it measures."
    else:
        expected = ""
    notes = [fmt.text(row.get(k)) for k in ("blocked_detail", "audience_note", "audience_empty_reason")]
    channel_list = fmt.text(row.get("send_channels")) or fmt.text(row.get("channels"))
    channels = tuple(c for c in channel_list.split("|") if c)
    budget = fmt.number(row.get("pilot_incentive_budget"))
    return PlanCard(
        play_id=str(row["play_id"]), lane=lane, rank=to_int(row.get("lane_rank")) or 0,
        title=fmt.text(row.get("title"), str(row["play_id"]).replace("_", " ")),
        action_id=fmt.text(row.get("action_id")) or None, variant_id=fmt.text(row.get("variant_id")) or None,
        channel=fmt.text(row.get("channel")) or None, send_channels=channels,
        effort=fmt.number(row.get("effort")), evidence_class=fmt.text(row.get("evidence_class")) or None,
        audience_size=to_int(row.get("audience_size")),
        effective_audience_size=to_int(row.get("effective_audience_size")),
        overlapping_customers=to_int(row.get("overlapping_customers")),
        overlap_share=fmt.number(row.get("overlap_share")),
        reachable_by_email=to_int(row.get("members_reachable_by_email")),
        who=fmt.text(row.get("audience_definition"), "The play's audience."),
        why=fmt.text(row.get("plan_reason")), mechanism=fmt.text(row.get("mechanism")),
        steps=_steps(row.get("how_to_launch")), would_fire_if=fmt.text(row.get("would_fire_if")),
        expected_p10=p10, expected_p50=p50, expected_p90=p90, expected_text=expected,
        overlap_note=_overlap_note(row), interaction_note=_interaction_note(row, titles),
        audience_note=" ".join(n for n in notes if n),
        pilot_audience_size=to_int(row.get("pilot_audience_size")),
        pilot_budget_text=("" if lane != "pilot" else "No incentive cost." if not budget
                           else f"Incentive cost of the test: at most {fmt.money(budget, currency)}."),
        pilot_rule=fmt.text(row.get("pilot_decision_rule")),
    )


# --- watching ---------------------------------------------------------------------------

def _measure(value: object, unit: str | None, currency: str | None) -> str:
    unit = unit or ""
    if unit == "share":
        return fmt.share(value)
    if unit in ("days", "orders", "customers", "customers per group", "units per order"):
        noun = {"days": "day", "orders": "order", "customers": "customer",
                "customers per group": "customer"}.get(unit)
        return (fmt.count(value, noun) + (" per group" if unit == "customers per group" else "")
                if noun else fmt.decimal(value))
    if unit == "store currency" or "currency" in unit:
        return fmt.money(value, currency)
    if unit == "points":
        return fmt.points(value, signed=False)
    if unit == "relative change":
        return fmt.relative(value, signed=False)
    return fmt.decimal(value)


def _watch_item(row: q.Row, currency: str | None) -> WatchItem:
    change = fmt.number(row.get("change"))
    if change is not None:
        magnitude = fmt.points(change) if row.get("change_unit") == "points" else fmt.relative(change)
    elif fmt.number(row.get("measured_value")) is not None:
        magnitude = _measure(row.get("measured_value"), fmt.text(row.get("threshold_unit"))
                             or fmt.text(row.get("value_unit")), currency)
    else:
        magnitude = "could not be measured"
    return WatchItem(
        kind=str(row.get("item_kind")),
        label=fmt.sentence_case(fmt.text(row.get("metric_label"), "this item")),
        headline=fmt.text(row.get("headline")), magnitude=magnitude,
        threshold=fmt.sentence_case(fmt.text(row.get("threshold_label"), "no threshold recorded")),
        crossed=row.get("has_crossed_threshold"),
    )


# --- data quality -----------------------------------------------------------------------

def _quality_check(row: q.Row) -> QualityCheck:
    fired = row.get("fired")
    status = "not run" if fired is None else "fired" if fired else "passed"
    evidence = fmt.text(row.get("evidence"))
    message = fmt.text(row.get("brand_message")) if status == "fired" else ""
    code = str(row.get("flag_code"))
    return QualityCheck(
        code=code, title=FLAG_TITLES.get(code, fmt.text(row.get("check_description"), "A data check")),
        severity=str(row.get("severity")), status=status, message=message or evidence,
        description=fmt.text(row.get("check_description")), evidence=evidence,
    )


# --- forecast ---------------------------------------------------------------------------

def _forecast(con: duckdb.DuckDBPyConnection, as_of: date, currency: str | None,
              titles: dict[str, str]) -> Forecast:
    found = q.rows(con, q.FORECAST, [as_of])
    steps = []
    for r in found:
        kind = str(r.get("step_kind"))
        play = fmt.text(r.get("play_id")) or None
        label = "Baseline" if kind == "baseline" else f"+ {titles.get(play or '', play or 'action')}"
        note = ""
        if kind == "action":
            if fmt.number(r.get("step_lift_p50")) is None:
                note = "No lift counted: its value could not be computed."
            else:
                pos, chan = fmt.number(r.get("position_factor")), fmt.number(r.get("channel_factor"))
                note = f"Counted at {fmt.share(pos, 0)} for its position"
                if chan is not None and chan < 0.9999:
                    note += f" and {fmt.share(chan, 0)} because an earlier action uses the same channel"
                note += "."
        steps.append(ForecastStep(
            order=to_int(r.get("step_order")) or 0, kind=kind, label=label, play_id=play,
            lift_p10=fmt.number(r.get("step_lift_p10")), lift_p50=fmt.number(r.get("step_lift_p50")),
            lift_p90=fmt.number(r.get("step_lift_p90")),
            cumulative_p10=fmt.number(r.get("cumulative_p10")),
            cumulative_p50=fmt.number(r.get("cumulative_p50")),
            cumulative_p90=fmt.number(r.get("cumulative_p90")),
            position_factor=fmt.number(r.get("position_factor")),
            channel_factor=fmt.number(r.get("channel_factor")), note=note,
        ))
    first = found[0] if found else {}
    return Forecast(
        steps=tuple(steps),
        subtitle=fmt.text(first.get("subtitle"), "No forecast was built for this month."),
        baseline=fmt.number(first.get("baseline_net_sales")),
        baseline_source=fmt.text(first.get("baseline_source")),
        baseline_label=fmt.text(first.get("baseline_label")),
        total_lift_p10=fmt.number(first.get("total_lift_p10")),
        total_lift_p50=fmt.number(first.get("total_lift_p50")),
        total_lift_p90=fmt.number(first.get("total_lift_p90")),
        is_capped=bool(first.get("is_portfolio_capped")), currency=currency,
    )


# --- backtest ----------------------------------------------------------------------------

def load_backtest(con: duckdb.DuckDBPyConnection, as_of: date) -> Backtest:
    """How the engine's predictions at past month-ends held up (mart_backtest_calibration);
    not available when the build has no such mart (older runs, builds without
    aura_backtest)."""
    if "mart_backtest_calibration" not in q.tables(con):
        return NO_BACKTEST
    found = q.rows(con, q.BACKTEST_CALIBRATION, [as_of])
    lines = [BacktestLine(
        check_name=str(r["check_name"]), subject=str(r["subject"]),
        label=fmt.text(r.get("subject_label"), str(r["subject"])), text=fmt.text(r.get("summary")),
        evaluated=to_int(r.get("evaluated_rows")) or 0, within_range=to_int(r.get("within_range_rows")) or 0,
        with_range=to_int(r.get("rows_with_range")) or 0, coverage=fmt.number(r.get("coverage_p10_p90")),
        no_change_coverage=fmt.number(r.get("no_change_coverage")),
        mean_abs_error=fmt.number(r.get("mean_abs_error")), mape=fmt.number(r.get("mean_abs_pct_error")),
        bias=fmt.number(r.get("mean_pct_error")),
    ) for r in found]
    audience_lines = [x for x in lines if x.check_name != "baseline_net_sales"]
    first = found[0] if found else {}
    return Backtest(
        available=True, month_ends=to_int(first.get("month_ends")) or 0,
        first_month_end=as_date(first["first_month_end_date"]) if first.get("first_month_end_date") else None,
        last_month_end=as_date(first["last_month_end_date"]) if first.get("last_month_end_date") else None,
        baselines=tuple(x for x in lines if x.check_name == "baseline_net_sales"),
        audiences=tuple(x for x in audience_lines if x.subject == "all_plays"),
        plays=tuple(x for x in audience_lines if x.subject != "all_plays"),
    )


# --- the text brand teams read ----------------------------------------------------------

def brand_copy(b: Briefing) -> Iterator[str]:
    """Every headline, banner and card string the app's briefing and the HTML show (the
    Evidence page excepted); the copy test checks them for statistics and codes."""
    yield b.header.title
    yield b.header.subtitle
    yield b.decision.headline
    yield b.decision.reason
    yield b.state_sentence
    for k in b.kpis:
        yield from (k.label, k.value_text, k.delta_text or "", k.sentence)
    for c in b.cards:
        yield from (c.title, c.lane_label, c.who, c.why, c.mechanism, *c.steps, c.would_fire_if,
                    c.expected_text, c.overlap_note, c.interaction_note, c.audience_note, c.pilot_budget_text,
                    c.pilot_rule, c.channel_text, c.effort_text, c.evidence_text, c.audience_text)
    for w in b.watching:
        yield from (w.label, w.headline, w.magnitude, w.threshold)
    yield from (b.forecast.headline, b.forecast.subtitle)
    for s in b.forecast.steps:
        yield from (s.label, s.note)
    yield b.quality.summary
    for check in b.quality.fired + b.quality.not_run:
        yield from (check.title, check.message)
    for o in b.outcomes:
        yield from (o.title, o.status_text, o.result)
    yield from (b.backtest.headline, b.backtest.note)
    for line in b.backtest.lines:
        yield from (line.label, line.text)
