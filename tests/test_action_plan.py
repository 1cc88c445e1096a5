"""mart_action_plan and mart_briefing on every demo scenario: the plan's invariants hold
(at most three recommended, no play twice, effort, channel caps and conflicts respected),
overlap and interaction adjustments are recomputed here from mart_audience_members and the
seeds, every play that does not fire says why, and the briefing's decision follows from
the data checks and the plan. Hand-computed mechanisms: tests/test_plan_selection.py and
tests/test_plan_lanes.py."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import pytest

from aura.demo import SCENARIOS

Query = Callable[[str], list[tuple]]
JARGON = re.compile(r"\b(p-value|q-value|confidence interval|NaN|nan|inf|Infinity|n/a)\b|\w_\w")


def frame(query: Query, sql: str, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(query(sql), columns=columns)


PLAN_COLUMNS = [
    "play_id", "lane", "lane_rank", "tier", "effort", "send_channels", "variant_id",
    "action_id", "as_of_date", "audience_size", "overlapping_customers", "overlap_share",
    "effective_audience_size", "interaction_factor", "base_monthly_net_sales_p50",
    "expected_monthly_net_sales_p10", "expected_monthly_net_sales_p50",
    "expected_monthly_net_sales_p90", "plan_reason_code", "plan_reason", "would_fire_if",
    "pilot_audience_size", "pilot_incentive_budget", "pilot_decision_rule", "title",
]


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest, scenario_store):  # type: ignore[no-untyped-def]
    _, query = scenario_store(request.param)
    plan = frame(query, f"select {', '.join(PLAN_COLUMNS)} from mart_action_plan", PLAN_COLUMNS)
    return request.param, query, plan


def test_every_play_once_in_one_lane(scenario) -> None:  # type: ignore[no-untyped-def]
    name, query, plan = scenario
    plays = {r[0] for r in query("select play_id from playbooks")}
    assert set(plan.play_id) == plays and plan.play_id.is_unique, name
    assert set(plan.lane) <= {"recommended", "pilot", "backlog", "watchlist", "considered"}
    candidates = dict(query("select play_id, tier from mart_action_candidates"))
    # a candidate that is not an action never jumps to Recommended or Backlog
    for row in plan.itertuples():
        if candidates[row.play_id] != "action":
            assert row.lane in ("pilot", "watchlist", "considered"), (name, row.play_id)


def test_recommended_respects_every_guardrail(scenario) -> None:  # type: ignore[no-untyped-def]
    name, query, plan = scenario
    rec = plan[plan.lane == "recommended"].sort_values("lane_rank")
    assert len(rec) <= 3 and (rec.lane_rank == range(1, len(rec) + 1)).all()
    assert rec.effort.sum() <= 4
    caps = dict(query("select channel, max_actions_per_month from channel_caps"))
    sends = pd.Series([c for chans in rec.send_channels for c in chans.split("|")])
    for channel, n in sends.value_counts().items():
        assert n <= caps[channel], (name, channel)
    conflicts = {frozenset(r) for r in query("select play_a, play_b from play_conflicts")}
    chosen = list(rec.play_id)
    assert not any(frozenset((a, b)) in conflicts for a in chosen for b in chosen if a != b)
    assert (rec.action_id == rec.as_of_date.astype(str) + "__" + rec.variant_id).all()
    assert ((plan.lane == "pilot").sum() == 0) or rec.empty


def test_overlap_and_interactions_recomputed(scenario) -> None:  # type: ignore[no-untyped-def]
    name, query, plan = scenario
    rec = plan[plan.lane == "recommended"].sort_values("lane_rank")
    members = frame(query, "select play_id, customer_key from mart_audience_members",
                    ["play_id", "customer_key"])
    excluded = dict(query(
        "select play_id, excluded_audience_play_id from mart_action_variants "
        "where is_best_variant and excluded_audience_play_id is not null"))
    factors = {(a, b): f for a, b, f in query("select from_play, to_play, factor from play_interactions")}
    reached: set[str] = set()
    earlier: list[str] = []
    for row in rec.itertuples():
        audience = set(members.customer_key[members.play_id == row.play_id])
        if row.play_id in excluded:
            audience -= set(members.customer_key[members.play_id == excluded[row.play_id]])
        overlap = len(audience & reached)
        assert row.overlapping_customers == overlap, (name, row.play_id)
        assert row.effective_audience_size == len(audience) - overlap
        factor = 1.0
        for play in earlier:
            factor *= factors.get((play, row.play_id), 1.0)
        assert row.interaction_factor == pytest.approx(factor)
        share = overlap / len(audience)
        assert row.expected_monthly_net_sales_p50 == pytest.approx(
            row.base_monthly_net_sales_p50 * (1 - share) * factor)
        assert (row.expected_monthly_net_sales_p10 <= row.expected_monthly_net_sales_p50
                <= row.expected_monthly_net_sales_p90)
        if earlier:
            assert share <= 0.6 and len(audience) - overlap >= 400
        reached |= audience
        earlier.append(row.play_id)


def test_every_other_play_says_why_in_plain_english(scenario) -> None:  # type: ignore[no-untyped-def]
    name, _, plan = scenario
    rest = plan[plan.lane != "recommended"]
    assert rest.plan_reason_code.notna().all() and rest.plan_reason.notna().all(), name
    assert rest.would_fire_if.str.startswith("Would fire").all(), name
    texts = [*rest.would_fire_if, *plan.pilot_decision_rule.dropna()]
    for text in texts:
        assert not JARGON.search(text), (name, text)


def test_briefing_decision_follows_data_and_plan(scenario) -> None:  # type: ignore[no-untyped-def]
    name, query, plan = scenario
    (state, basis, data_state, reason, recommended, pilot), = query(
        "select decision_state, decision_basis, data_decision_state, decision_reason, "
        "recommended_actions, pilot_actions from mart_briefing")
    n_rec = int((plan.lane == "recommended").sum())
    assert recommended == n_rec and pilot == int((plan.lane == "pilot").sum())
    if data_state == "abstain_hard":
        assert state == "abstain_hard" and n_rec == 0 and pilot == 0
    elif data_state == "abstain_soft" or n_rec == 0:
        assert state == "abstain_soft" and n_rec == 0
    else:
        assert state == "publish" and basis == "actions_recommended"
    assert not JARGON.search(reason), (name, reason)
    if name == "cold_start":
        assert state == "abstain_hard"
