"""The evidence behind each card, one click deeper than the briefing.

`load_evidence(con, as_of)` returns, per play, the statistics of its test (method, groups,
n, effect, 95% interval, p-value, BH q-value, power, evidence class), its gates, and the
inputs of its expected range: the weekly proxy with where its effect range comes from (the
posterior of the holdout lift for a measured play, with both posteriors, or the normal
approximation of a directional play's interval; mart_action_candidates), the monthly scaling
of the plan's variant (mart_action_variants) and the plan's overlap and interaction
adjustments (mart_action_plan). This is the analyst's view: statistics and the marts'
reason codes are shown here and only here, formatted, with NULL as "not computed".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from aura.briefing import format as fmt
from aura.briefing import queries as q

TEST_NAMES = {
    "z": "two-proportion z-test",
    "fisher": "Fisher's exact test (small groups)",
    "welch": "Welch's t-test on order values",
}
Section = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Evidence:
    play_id: str
    title: str
    lane: str
    evidence_class: str
    tier: str
    reason_code: str
    reason: str
    sections: tuple[Section, ...]
    expected_value_inputs: str

    def section(self, title: str) -> dict[str, str]:
        return dict(next((rows for name, rows in self.sections if name == title), ()))


def _effect(value: object, unit: object) -> str:
    if fmt.number(value) is None:
        return "not computed"
    return fmt.points(value, 2) if unit == "points" else fmt.relative(value, 2)


def _group_value(value: object, kind: object, currency: str | None) -> str:
    if kind == "welch":
        return fmt.money(value, currency, cents=True, missing="not computed")
    return fmt.share(value, 2, missing="not computed")


def _gate(passes: object) -> str:
    return "passes" if passes is True else "fails" if passes is False else "not tested"


def _n(value: object) -> str:
    return fmt.count(value, missing="not computed")


def _test_section(c: q.Row, currency: str | None) -> Section:
    unit, kind = c.get("effect_unit"), c.get("test_kind")
    ci = ("not computed" if fmt.number(c.get("ci_lower")) is None else
          f"{_effect(c.get('ci_lower'), unit)} to {_effect(c.get('ci_upper'), unit)}")
    rows = [
        ("Evidence class", fmt.text(c.get("evidence_class"), "not recorded")),
        ("Measured on the launched action", fmt.text(c.get("measured_action_id"), "-")),
        ("Metric", fmt.sentence_case(fmt.text(c.get("metric_label"), fmt.text(c.get("metric"))))),
        ("Method", TEST_NAMES.get(fmt.text(c.get("test_method")), "no test (no evidence to test)")),
        ("Why no test", fmt.text(c.get("stats_null_reason"), "-")),
        ("Days each group was followed", _n(c.get("evidence_window_days"))),
        ("Group a", fmt.text(c.get("group_a_label"), "-")),
        ("Group a: n", _n(c.get("group_a_n"))),
        ("Group a: successes", _n(c.get("group_a_successes"))),
        ("Group a: value", _group_value(c.get("group_a_value"), kind, currency)),
        ("Group b", fmt.text(c.get("group_b_label"), "-")),
        ("Group b: n", _n(c.get("group_b_n"))),
        ("Group b: successes", _n(c.get("group_b_successes"))),
        ("Group b: value", _group_value(c.get("group_b_value"), kind, currency)),
        ("n (both groups)", _n(c.get("n"))),
        ("Effect (positive is good)", _effect(c.get("effect"), unit)),
        ("95% CI of the effect", ci),
        ("p-value", fmt.decimal(c.get("p_value"), 4, missing="not computed")),
        ("q-value (Benjamini-Hochberg, this month's tests)",
         fmt.decimal(c.get("q_value"), 4, missing="not computed")),
        ("Significant below q", fmt.decimal(c.get("fdr_alpha"), 2, missing="not set")),
        ("Achieved power", fmt.share(c.get("achieved_power"), 0, missing="not computed")),
        ("Customers per group needed", _n(c.get("required_n_per_group"))),
        ("Power baseline rate", f"{fmt.share(c.get('power_baseline_rate'), 1, missing='not computed')} "
                                f"({fmt.text(c.get('power_baseline_source'), 'no source')})"),
    ]
    return "Test", tuple(rows)


def _gates_section(c: q.Row, currency: str | None) -> Section:
    unit = c.get("effect_unit")
    profit = fmt.money(c.get("expected_weekly_gross_profit_p50"), currency, missing="not computed")
    floor = fmt.money(c.get("financial_floor"), currency, missing="-")
    rows = [
        ("Audience", f"{_n(c.get('audience_size'))} (needs {_n(c.get('min_n_required'))}): "
                     f"{_gate(c.get('passes_min_n'))}"),
        ("Significance", f"q {fmt.decimal(c.get('q_value'), 4, missing='not computed')} "
                         f"(below {fmt.decimal(c.get('fdr_alpha'), 2, missing='-')}): "
                         f"{_gate(c.get('passes_significance'))}"),
        ("Effect floor", f"{_effect(c.get('effect'), unit)} "
                         f"(at least {_effect(c.get('effect_floor'), unit)}): "
                         f"{_gate(c.get('passes_effect_floor'))}"),
        ("Financial floor", f"weekly gross profit {profit} (at least {floor}, "
                            f"{fmt.text(c.get('financial_floor_source'), 'no source')}): "
                            f"{_gate(c.get('passes_financial_floor'))}"),
        ("Confidence mode", fmt.text(c.get("confidence_mode"), "-")),
        ("Tier", fmt.text(c.get("tier"), "-")),
        ("Reason code", fmt.text(c.get("reason_code"), "-")),
        ("Score", fmt.decimal(c.get("score"), 3, missing="not computed")),
        ("Score parts (financial, significance, effect, CI tightness, audience)", ", ".join(
            fmt.decimal(c.get(f"score_{k}"), 2, missing="-")
            for k in ("financial", "significance", "effect", "ci_tightness", "audience"))),
    ]
    return "Gates", tuple(rows)


def _beta(alpha: object, beta: object) -> str:
    return f"Beta({fmt.decimal(alpha, 1, missing='-')}, {fmt.decimal(beta, 1, missing='-')})"


def _posterior_rows(c: q.Row) -> list[tuple[str, str]]:
    """A measured range's two posteriors (the lift is treated minus held-out rate)."""
    if fmt.number(c.get("posterior_treated_alpha")) is None:
        return []
    single = fmt.number(c.get("posterior_outcomes")) == 1
    if "this action only" in fmt.text(c.get("expected_range_source")):
        launches = "the measured launch (logged without a variant)"
    else:
        launches = fmt.count(c.get("posterior_outcomes"), "complete launch", "complete launches", missing="-")
        launches = f"{launches} of this variant"
    return [
        ("Treated conversion rate",
         f"{_beta(c.get('posterior_treated_alpha'), c.get('posterior_treated_beta'))}: prior "
         f"{fmt.text(c.get('posterior_treated_prior_source'), 'not recorded')}, plus the treated customers "
         f"of {launches}"),
        ("Held-out conversion rate",
         f"{_beta(c.get('posterior_holdout_alpha'), c.get('posterior_holdout_beta'))}: uniform prior, plus "
         f"the held-out customers of the same {'launch' if single else 'launches'}"),
    ]


def _weekly_section(c: q.Row, currency: str | None) -> Section:
    unit = c.get("effect_unit")
    rows = [
        ("Weekly net sales p10 / p50 / p90", " / ".join(
            fmt.money(c.get(f"expected_weekly_net_sales_p{p}"), currency, cents=True, missing="not computed")
            for p in (10, 50, 90))),
        ("Why no expected value", fmt.text(c.get("expected_value_null_reason"), "-")),
        ("Effect p10 / p50 / p90", " / ".join(_effect(c.get(f"effect_p{p}"), unit) for p in (10, 50, 90))),
        ("Effect range from", fmt.text(c.get("expected_range_source"), "-")),
        *_posterior_rows(c),
        ("Value units", f"{fmt.decimal(c.get('value_units'), 1, missing='not computed')} "
                        f"({fmt.text(c.get('value_units_label'), '-')})"),
        ("Value per unit", f"{fmt.money(c.get('value_per_unit'), currency, cents=True, missing='-')} "
                           f"({fmt.text(c.get('value_per_unit_source'), '-')})"),
        ("Gross margin (planning assumption)", fmt.share(c.get("gross_margin"), 0, missing="not set")),
    ]
    return "Expected range: weekly proxy", tuple(rows)


def _monthly_section(v: q.Row | None, currency: str | None) -> Section:
    if v is None:
        return "Expected range: this month", (("Variant", "no usable variant this month"),)

    def m(col: str) -> str:
        return fmt.money(v.get(col), currency, cents=True, missing="not computed")

    rows = [
        ("Variant", fmt.text(v.get("variant_id"), "-")),
        ("Offer", fmt.text(v.get("offer_type"), "-")),
        ("Customers it may reach", f"{_n(v.get('eligible_audience_size'))} of {_n(v.get('audience_size'))}"),
        ("Weeks of response in the month (fatigue)", fmt.decimal(v.get("fatigue_factor"), 2, missing="-")),
        ("Seasonality factor", f"{fmt.decimal(v.get('seasonality_factor'), 3, missing='-')} "
                               f"({fmt.text(v.get('seasonality_source'), '-')})"),
        ("Cap for one action (35% of L28)", m("monthly_cap")),
        ("Capped", "yes" if v.get("is_capped") else "no" if v.get("is_capped") is False else "-"),
        ("Monthly base p10 / p50 / p90", " / ".join(m(f"monthly_base_net_sales_p{p}") for p in (10, 50, 90))),
        ("Lift multiplier (planning assumption)", fmt.decimal(v.get("lift_multiplier"), 2, missing="-")),
        ("Incentive cost in the month", m("incentive_cost_monthly")),
        ("Monthly net sales p10 / p50 / p90", " / ".join(m(f"expected_monthly_net_sales_p{p}")
                                                       for p in (10, 50, 90))),
        ("Value rests on", fmt.text(v.get("value_basis"), "-")),
        ("Why no monthly value", fmt.text(v.get("value_null_reason"), "-")),
        ("Usable", fmt.text(v.get("variant_note"), "-")),
    ]
    return "Expected range: this month", tuple(rows)


def _plan_section(p: q.Row, currency: str | None) -> Section:
    def m(col: str) -> str:
        return fmt.money(p.get(col), currency, cents=True, missing="-")

    rows = [
        ("Lane", fmt.text(p.get("lane"), "-")),
        ("Plan reason code", fmt.text(p.get("plan_reason_code"), "-")),
        ("Customers already reached by an earlier action",
         f"{_n(p.get('overlapping_customers'))} ({fmt.share(p.get('overlap_share'), 1, missing='-')})"),
        ("New customers it adds", _n(p.get("effective_audience_size"))),
        ("Largest audience similarity with an earlier action",
         f"{fmt.decimal(p.get('max_jaccard'), 2, missing='-')} "
         f"{fmt.text(p.get('jaccard_with_play_id'))}".strip()),
        ("Interaction factor", f"{fmt.decimal(p.get('interaction_factor'), 2, missing='-')} "
                               f"{fmt.text(p.get('interactions_applied'))}".strip()),
        ("Monthly value before the plan p10 / p50 / p90",
         " / ".join(m(f"base_monthly_net_sales_p{x}") for x in (10, 50, 90))),
        ("Monthly value in the plan p10 / p50 / p90",
         " / ".join(m(f"expected_monthly_net_sales_p{x}") for x in (10, 50, 90))),
        ("Why no value in the plan", fmt.text(p.get("value_null_reason"), "-")),
    ]
    if p.get("lane") == "pilot":
        rows += [("Pilot audience", _n(p.get("pilot_audience_size"))),
                 ("Pilot incentive budget", m("pilot_incentive_budget"))]
    return "Plan adjustments", tuple(rows)


def load_evidence(con: duckdb.DuckDBPyConnection, as_of: date,
                  currency: str | None = None) -> dict[str, Evidence]:
    """Evidence per play_id, in the plan's order."""
    candidates = {r["play_id"]: r for r in q.rows(con, q.CANDIDATES, [as_of])}
    variants = {r["variant_id"]: r for r in q.rows(con, q.VARIANTS, [as_of])}
    out: dict[str, Evidence] = {}
    for p in q.rows(con, q.PLAN, [as_of]):
        play = str(p["play_id"])
        c = candidates.get(play, {})
        variant = variants.get(p.get("variant_id")) if p.get("variant_id") else None
        out[play] = Evidence(
            play_id=play, title=fmt.text(p.get("title"), play), lane=str(p.get("lane")),
            evidence_class=fmt.text(c.get("evidence_class"), "not recorded"),
            tier=fmt.text(c.get("tier"), "-"), reason_code=fmt.text(c.get("reason_code"), "-"),
            reason=fmt.text(c.get("reason")),
            sections=(_test_section(c, currency), _gates_section(c, currency), _weekly_section(c, currency),
                      _monthly_section(variant, currency), _plan_section(p, currency)),
            expected_value_inputs=fmt.text(c.get("expected_value_inputs"), "No expected value was computed."),
        )
    return out
