"""What the store's own launches have taught: how close complete actions came to their
predictions (mart_action_accuracy) and which variant of each launched play is leading
(mart_variant_posteriors), in plain English for the Past actions page. Builds made before
these marts existed give empty sections.
"""

from __future__ import annotations

import duckdb

from aura.briefing import format as fmt
from aura.briefing import queries as q
from aura.briefing.model import AccuracyLine, VariantLine, to_int


def _accuracy_text(r: q.Row, currency: str | None) -> str:
    complete, scored = to_int(r.get("complete_actions")) or 0, to_int(r.get("scored_actions")) or 0
    launched = to_int(r.get("launched_actions")) or 0
    if complete == 0:
        return (f"{fmt.count(launched, 'action')} launched, none with a finished measurement yet.")
    if scored == 0:
        return (f"{fmt.count(complete, 'complete action')}, none with a prediction to compare "
                "against.")
    within = to_int(r.get("within_p10_p90_actions")) or 0
    ratio = fmt.number(r.get("aggregate_actual_to_predicted_ratio"))
    text = (f"{fmt.count(complete, 'complete action')}: {within} of {scored} brought extra net "
            "sales inside the range the plan expected")
    actual = fmt.number(r.get("actual_incremental_net_sales_total"))
    if ratio is not None and actual is not None:
        text += (f"; together they brought {fmt.money(actual, currency)}, "
                 f"{fmt.share(ratio, 0)} of what was predicted")
    return text + "."


def _label(variant_id: str, play_id: str) -> str:
    short = variant_id.removeprefix(f"{play_id}__")
    return short.replace("_", " ").capitalize()


def _variant_text(r: q.Row, label: str) -> str:
    n = to_int(r.get("measured_customers"))
    traffic = fmt.number(r.get("traffic_share"))
    send = f" Suggested share of sends: {fmt.share(traffic, 0)}." if traffic is not None else ""
    if not n:
        why = {"measurement_pending": "launched, still being measured",
               "no_treated_customers": "launched, but nobody was sent it"}.get(
            fmt.text(r.get("measurement_null_reason")), "not tried yet")
        return f"{label}: {why}.{send}"
    low, high = fmt.number(r.get("posterior_ci_lower")), fmt.number(r.get("posterior_ci_upper"))
    p_best = fmt.number(r.get("p_best"))
    text = (f"{label}: of {fmt.count(n, 'customer')} sent it, about {fmt.share(r.get('posterior_mean'))} "
            f"order (likely between {fmt.share(low)} and {fmt.share(high)}).")
    if p_best is not None:
        text += f" Chance it is the best variant: {fmt.share(p_best, 0)}."
    return text + send


def load_learning(con: duckdb.DuckDBPyConnection, as_of: object, currency: str | None,
                  ) -> tuple[tuple[AccuracyLine, ...], tuple[VariantLine, ...]]:
    """(accuracy lines: every play first, then each play; variant lines of launched plays)."""
    tables = q.tables(con)
    accuracy: list[AccuracyLine] = []
    if "mart_action_accuracy" in tables:
        rows = q.rows(con, q.ACCURACY, [as_of])
        if not any(to_int(r.get("launched_actions")) for r in rows):
            rows = []  # nothing launched yet: no section
        for r in rows:
            play = str(r["play_id"])
            accuracy.append(AccuracyLine(
                play_id=play,
                title="All plays" if r.get("summary_level") == "all_plays"
                else fmt.text(r.get("title"), play.replace("_", " ")),
                complete=to_int(r.get("complete_actions")) or 0,
                scored=to_int(r.get("scored_actions")) or 0,
                within=to_int(r.get("within_p10_p90_actions")),
                text=_accuracy_text(r, currency),
            ))
    variants: list[VariantLine] = []
    if "mart_variant_posteriors" in tables:
        for r in q.rows(con, q.POSTERIORS):
            play, variant = str(r["play_id"]), str(r["variant_id"])
            label = _label(variant, play)
            measured = to_int(r.get("measured_customers"))
            variants.append(VariantLine(
                play_id=play, play_title=fmt.text(r.get("title"), play.replace("_", " ")),
                variant_id=variant, label=label, measured_customers=measured,
                conversion_rate=fmt.number(r.get("posterior_mean")) if measured else None,
                rate_low=fmt.number(r.get("posterior_ci_lower")) if measured else None,
                rate_high=fmt.number(r.get("posterior_ci_upper")) if measured else None,
                p_best=fmt.number(r.get("p_best")), traffic_share=fmt.number(r.get("traffic_share")),
                is_recommended=bool(r.get("is_recommended")),
                text=_variant_text(r, label),
            ))
    return tuple(accuracy), tuple(variants)
