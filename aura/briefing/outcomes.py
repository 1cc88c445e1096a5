"""Past actions: each launched action (mart_action_outcomes) with its status and result in
plain English. Status is the mart's pending / complete / overdue (the orders do not reach
the window's end), and overdue too for a pending action whose window ended before today:
its result waits on a build with newer data.
"""

from __future__ import annotations

from datetime import date

import duckdb

from aura.briefing import format as fmt
from aura.briefing import queries as q
from aura.briefing.model import Outcome, as_date, to_int

OUTCOME_NULL_TEXT = {
    "empty_audience": "Nobody in the audience could be reached on its channel: nothing to measure.",
    "empty_treated": "Nobody was sent it (everyone was held out), so there is nothing to measure.",
    "empty_holdout": "Nobody was held out, so there is no group to compare with.",
    "stats_not_computed": "The two groups could not be compared.",
}


def _outcome_result(r: q.Row, status: str, end: date | None, currency: str | None) -> str:
    if status == "pending":
        return f"Measuring: the {fmt.count(r.get('measurement_days'), 'day')} end on {fmt.day(end)}."
    if status == "overdue":
        return (f"The measurement ended on {fmt.day(end)}; the result appears once the data is "
                "rebuilt with orders past that date.")
    treated_n, holdout_n = to_int(r.get("treated_n")), to_int(r.get("holdout_n"))
    lift = fmt.number(r.get("lift_abs"))
    if lift is None:
        reason = OUTCOME_NULL_TEXT.get(fmt.text(r.get("stats_null_reason")),
                                       "The result could not be measured.")
        if fmt.number(r.get("treated_rate")) is not None:
            reason += (f" Of the {fmt.count(treated_n, 'customer')} sent it, "
                       f"{fmt.share(r.get('treated_rate'))} ordered.")
        return reason
    low, high = fmt.number(r.get("lift_ci_lower")), fmt.number(r.get("lift_ci_upper"))
    verdict = ("clearly more than" if low is not None and low > 0
               else "clearly fewer than" if high is not None and high < 0
               else "not clearly different from")
    days = fmt.count(r.get("measurement_days"), "day")
    return (f"{fmt.share(r.get('treated_rate'))} of the {fmt.count(treated_n, 'customer')} sent it ordered "
            f"within {days}, against {fmt.share(r.get('holdout_rate'))} of the {fmt.count(holdout_n)} "
            f"held out ({fmt.points(lift)}): {verdict} the customers held out."
            + _revenue_result(r, currency))


def _revenue_result(r: q.Row, currency: str | None) -> str:
    """The extra net sales it brought and how that compares with what the plan expected."""
    actual = fmt.number(r.get("actual_incremental_net_sales"))
    if actual is None:
        return ""
    text = f" It brought about {fmt.money(actual, currency)} in extra net sales"
    p10, p90 = (fmt.number(r.get("predicted_incremental_net_sales_p10")),
                fmt.number(r.get("predicted_incremental_net_sales_p90")))
    inside = r.get("is_actual_within_p10_p90")
    if p10 is None or p90 is None or inside is None:
        return text + "."
    where = "inside" if inside else "outside"
    return (text + f", {where} the range the plan expected ({fmt.money(p10, currency)} to "
            f"{fmt.money(p90, currency)}).")


def load_outcomes(con: duckdb.DuckDBPyConnection, as_of: date, currency: str | None,
                  today: date) -> tuple[Outcome, ...]:
    """Launched actions and how they did; a pending action whose measurement window ended
    before `today` is overdue (its result waits on a build with newer data)."""
    if "mart_action_outcomes" not in q.tables(con):
        return ()
    out = []
    for r in q.rows(con, q.OUTCOMES, [as_of]):
        end = as_date(r["measurement_end_date"]) if r.get("measurement_end_date") else None
        status = str(r.get("status"))
        if status == "pending" and end is not None and end < today:
            status = "overdue"
        out.append(Outcome(
            action_id=str(r["action_id"]), play_id=str(r["play_id"]),
            title=fmt.text(r.get("title"), str(r["play_id"]).replace("_", " ")),
            variant_id=fmt.text(r.get("variant_id")) or None, channel=fmt.text(r.get("channel")) or None,
            launched_at=r.get("launched_at"), measurement_end=end, status=status,
            audience_size=to_int(r.get("audience_size")), treated_n=to_int(r.get("treated_n")),
            holdout_n=to_int(r.get("holdout_n")), treated_rate=fmt.number(r.get("treated_rate")),
            holdout_rate=fmt.number(r.get("holdout_rate")), lift=fmt.number(r.get("lift_abs")),
            lift_ci_lower=fmt.number(r.get("lift_ci_lower")),
            lift_ci_upper=fmt.number(r.get("lift_ci_upper")),
            p_value=fmt.number(r.get("p_value")), test_method=fmt.text(r.get("test_method")) or None,
            result=_outcome_result(r, status, end, currency),
        ))
    return tuple(out)
