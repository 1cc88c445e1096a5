"""build_plan on hand-made frames: every play lands in one lane, with its reason."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from aura.plan.build import PlanSettings, build_plan
from aura.plan.selection import Settings

AS_OF = "2026-10-31"
PLAYS = {
    # play_id: (tier, reason_code, score, category, channels, effort, audience range)
    "winback_21_45": ("action", "all_gates_passed", 0.8, "retention", "email|sms", 1, (0, 1000)),
    "dormant_multibuyers": ("action", "all_gates_passed", 0.6, "retention", "email", 2, (1000, 1600)),
    "bestseller_amplify": ("action", "all_gates_passed", 0.5, "aov", "email", 1, (1500, 2100)),
    "first_to_second_purchase": ("watchlist", "not_significant", 0.4, "retention", "email", 1, (3000, 3500)),
    "discount_hygiene": ("considered", "no_evidence", None, "margin", "email", 2, (4000, 4300)),
    "empty_bottle": ("considered", "empty_audience", None, "replenishment", "email", 1, (0, 0)),
}
VALUES = {"winback_21_45": 3000.0, "dormant_multibuyers": 1500.0, "bestseller_amplify": 900.0}


def frames(values: dict[str, float] | None = None) -> dict[str, pd.DataFrame]:
    values = VALUES if values is None else values
    cand, var, mem, books = [], [], [], []
    for play_id, (tier, code, score, category, channels, effort, (lo, hi)) in PLAYS.items():
        cand.append({"as_of_date": AS_OF, "play_id": play_id, "tier": tier, "reason_code": code,
                     "reason": f"Reason for {play_id}.", "evidence_class":
                     "targeting" if code == "no_evidence" else "directional",
                     "would_fire_if": None if tier == "action" else "Would fire if it moved.",
                     "score": score, "audience_size": hi - lo, "category": category})
        books.append({"play_id": play_id, "title": play_id.replace("_", " ").capitalize(),
                      "family": play_id, "channels": channels, "effort": effort,
                      "mechanism": "Why it works.", "how_to_launch": "1. Do it."})
        mem += [{"play_id": play_id, "customer_key": f"c{i}"} for i in range(lo, hi)]
        value = values.get(play_id)
        for suffix, no_disc, cost in (("plain", True, 0.0), ("offer", False, 900.0)):
            var.append({
                "variant_id": f"{play_id}__{suffix}", "play_id": play_id, "is_no_discount": no_disc,
                "is_best_variant": suffix == "plain" and hi > lo, "is_eligible": hi > lo,
                "ineligible_reason": None if hi > lo else "empty_audience",
                "variant_note": None, "eligible_audience_size": hi - lo,
                "incentive_cost_monthly": cost,
                "expected_monthly_net_sales_p10": None if value is None else value / 2,
                "expected_monthly_net_sales_p50": value,
                "expected_monthly_net_sales_p90": None if value is None else value * 2,
                "value_null_reason": None if value is not None else "targeting_no_lift_evidence",
            })
    return {"candidates": pd.DataFrame(cand), "variants": pd.DataFrame(var),
            "members": pd.DataFrame(mem), "playbooks": pd.DataFrame(books),
            "conflicts": pd.DataFrame(columns=["play_a", "play_b", "reason"])}


SETTINGS = PlanSettings(selection=Settings(min_unique_audience=400, channel_caps={"email": 2, "sms": 1}))


def run(decision: str = "publish", settings: PlanSettings = SETTINGS, **kw: object) -> pd.DataFrame:
    f = frames(**kw)  # type: ignore[arg-type]
    plan = build_plan(f["candidates"], f["variants"], f["members"], f["playbooks"], f["conflicts"],
                      decision, "The recent weeks follow a promotion.", settings)
    return plan.set_index("play_id")


def test_lanes_on_a_publish_month() -> None:
    plan = run()
    assert len(plan) == len(PLAYS) and plan["lane"].notna().all()
    # winback (score 0.8) first, then dormant: disjoint audiences, efforts 1 + 2 = 3 <= 4.
    # bestseller would take effort 4 and a third email send (cap 2): channel_cap
    rec = plan[plan.lane == "recommended"].sort_values("lane_rank")
    assert list(rec.index) == ["winback_21_45", "dormant_multibuyers"]
    assert rec.loc["winback_21_45", "send_channels"] == "email|sms"
    assert rec.loc["dormant_multibuyers", "overlap_share"] == 0.0
    assert plan.loc["bestseller_amplify", "lane"] == "backlog"
    assert plan.loc["bestseller_amplify", "plan_reason_code"] == "channel_cap"
    assert plan.loc["first_to_second_purchase", "lane"] == "watchlist"
    assert plan.loc["discount_hygiene", "lane"] == "considered"
    assert plan.loc["empty_bottle", "plan_reason_code"] == "empty_audience"
    assert (plan.lane == "pilot").sum() == 0
    assert rec.loc["winback_21_45", "action_id"] == f"{AS_OF}__winback_21_45__plain"
    others = plan[plan.lane != "recommended"]
    assert others.plan_reason.notna().all() and others.would_fire_if.str.startswith("Would fire").all()
    for text in others.plan_reason:
        assert not re.search(r"\w_\w", text) or text.startswith("Reason for"), text


def test_overlap_is_recorded_on_the_later_card() -> None:
    # bestseller (600 customers 1500-2099) overlaps dormant (1000-1599) by 100
    settings = PlanSettings(selection=Settings(min_unique_audience=400, effort_budget=5,
                                               channel_caps={"email": 3, "sms": 1}))
    plan = run(settings=settings)
    card = plan.loc["bestseller_amplify"]
    assert card.lane == "recommended" and card.lane_rank == 3
    assert card.overlapping_customers == 100
    assert card.overlap_share == pytest.approx(100 / 600)
    assert card.effective_audience_size == 500
    assert card.expected_monthly_net_sales_p50 == pytest.approx(900 * 500 / 600)
    assert card.base_monthly_net_sales_p50 == 900


def test_nothing_passes_gives_a_pilot() -> None:
    plan = run(values={})
    # no action has money -> backlog (no_expected_value); the pilot is the best usable play
    assert (plan.lane == "recommended").sum() == 0
    pilot = plan[plan.lane == "pilot"]
    assert list(pilot.index) == ["winback_21_45"]
    row = pilot.iloc[0]
    assert row.variant_id == "winback_21_45__plain" and row.pilot_audience_size == 300
    assert row.pilot_incentive_budget == 0 and row.value_null_reason == "pilot_measures_the_effect"
    assert "1,000" not in row.pilot_decision_rule and "300" in row.pilot_decision_rule


def test_pilot_budget_cap_picks_a_cheaper_variant() -> None:
    # the best variant costs 900 a month: x 0.3 = 270 > 150, so the no-discount one is used
    f = frames(values={})
    variant = f["variants"].variant_id
    f["variants"].loc[variant == "first_to_second_purchase__offer", "is_best_variant"] = True
    f["variants"].loc[variant == "first_to_second_purchase__plain", "is_best_variant"] = False
    f["candidates"].loc[:, "tier"] = "considered"
    f["candidates"].loc[f["candidates"].play_id == "first_to_second_purchase", "tier"] = "watchlist"
    plan = build_plan(f["candidates"], f["variants"], f["members"], f["playbooks"], f["conflicts"],
                      "publish", "", SETTINGS).set_index("play_id")
    assert plan.loc["first_to_second_purchase", "lane"] == "pilot"
    assert plan.loc["first_to_second_purchase", "variant_id"] == "first_to_second_purchase__plain"


def test_soft_abstain_moves_actions_to_backlog_and_offers_a_pilot() -> None:
    plan = run("abstain_soft")
    assert (plan.lane == "recommended").sum() == 0
    assert plan.loc["dormant_multibuyers", "plan_reason_code"] == "month_soft_abstains"
    assert "promotion" in plan.loc["dormant_multibuyers", "plan_reason"]
    assert plan.loc["winback_21_45", "lane"] == "pilot"
    assert plan.loc["winback_21_45", "plan_reason_code"] == "pilot_month_soft_abstains"


def test_hard_abstain_recommends_nothing() -> None:
    f = frames()
    f["candidates"]["tier"] = "considered"
    f["candidates"]["reason_code"] = "month_abstains"
    f["candidates"]["would_fire_if"] = "Would fire once the data problems are fixed."
    plan = build_plan(f["candidates"], f["variants"], f["members"], f["playbooks"], f["conflicts"],
                      "abstain_hard", "", SETTINGS)
    assert set(plan.lane) == {"considered"}
    assert set(plan.plan_reason_code) == {"month_abstains"}


def test_cooldown_keeps_an_action_out() -> None:
    f = frames()
    rows = f["variants"].play_id == "winback_21_45"
    f["variants"].loc[rows, ["is_eligible", "is_best_variant"]] = False
    f["variants"].loc[rows, "ineligible_reason"] = "cooldown"
    f["variants"].loc[rows, "variant_note"] = "On hold: a winback play was launched 2 weeks ago."
    plan = build_plan(f["candidates"], f["variants"], f["members"], f["playbooks"], f["conflicts"],
                      "publish", "", SETTINGS).set_index("play_id")
    assert plan.loc["winback_21_45", "lane"] == "considered"
    assert plan.loc["winback_21_45", "plan_reason_code"] == "cooldown"
    assert plan.loc["winback_21_45", "plan_reason"].startswith("On hold")
    assert plan.loc["bestseller_amplify", "lane"] == "recommended"
