"""The plan's selection on hand-made options, every figure computed by hand in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from aura.plan.selection import Option, Settings, choose, place, why_not

N = 3000  # customers in the index


def audience(start: int, stop: int) -> np.ndarray:
    mask = np.zeros(N, dtype=bool)
    mask[start:stop] = True
    return mask


def option(play_id: str, value: float, *, score: float = 0.5, effort: float = 1,
           category: str = "retention", channels: tuple[str, ...] = ("email",),
           members: np.ndarray | None = None) -> Option:
    return Option(play_id=play_id, category=category, score=score, effort=effort,
                  channels=channels, value_p10=value / 2, value_p50=value, value_p90=value * 2,
                  audience=audience(0, 500) if members is None else members)


OPEN = Settings(overlap_max_ratio=1.0, min_unique_audience=0, jaccard_demote=1.0,
                channel_caps={"email": 3, "sms": 3})


def test_overlap_dedupes_the_later_action() -> None:
    # a: customers 0-999, b: 600-1399 -> 400 shared, share 400/800 = 0.5, 400 new,
    # Jaccard 400/1400; b's value 1000 -> 500 (p10 250, p90 1000)
    a = option("a", 2000, score=0.9, members=audience(0, 1000))
    b = option("b", 1000, score=0.5, members=audience(600, 1400))
    plan, reason = place([a, b], Settings(channel_caps={"email": 2}))
    assert reason is None and plan is not None
    first, second = plan.placements
    assert (first.overlap_share, first.effective_audience_size, first.value_p50) == (0.0, 1000, 2000)
    assert second.overlapping_customers == 400 and second.overlap_share == pytest.approx(0.5)
    assert second.effective_audience_size == 400
    assert second.max_jaccard == pytest.approx(400 / 1400) and second.jaccard_with_play == "a"
    assert (second.value_p10, second.value_p50, second.value_p90) == pytest.approx((250, 500, 1000))


def test_overlap_against_the_union_of_earlier_actions() -> None:
    # c (0-999) overlaps a (0-299) and b (200-599): the union 0-599 covers 600 of 1000
    a = option("a", 100, score=0.9, members=audience(0, 300))
    b = option("b", 100, score=0.8, members=audience(200, 600))
    c = option("c", 1000, score=0.1, members=audience(0, 1000))
    plan, _ = place([a, b, c], OPEN)
    assert plan is not None
    assert plan.placements[2].overlapping_customers == 600
    assert plan.placements[2].value_p50 == pytest.approx(400)


def test_interaction_factors_multiply() -> None:
    # disjoint audiences; c is dampened by a (0.9) and by b (0.8): 1000 x 0.72 = 720
    a = option("a", 100, score=0.9, members=audience(0, 500))
    b = option("b", 100, score=0.8, members=audience(500, 1000))
    c = option("c", 1000, score=0.7, members=audience(1000, 1500))
    settings = Settings(min_unique_audience=0, channel_caps={"email": 3},
                        interactions={("a", "c"): 0.9, ("b", "c"): 0.8, ("c", "a"): 0.5})
    plan, _ = place([a, b, c], settings)
    assert plan is not None
    third = plan.placements[2]
    assert third.interaction_factor == pytest.approx(0.72)
    assert third.interactions_applied == (("a", 0.9), ("b", 0.8))
    assert third.value_p50 == pytest.approx(720)
    # only earlier plays dampen later ones: c -> a does not apply to a
    assert plan.placements[0].interaction_factor == 1.0


def test_effort_budget_is_a_knapsack_not_greedy() -> None:
    # budget 4: greedy by value takes x (3 effort, 1000) and nothing fits after it;
    # y + z (2 + 2 effort) are worth 700 + 600 = 1300
    x = option("x", 1000, effort=3, score=0.9, members=audience(0, 500))
    y = option("y", 700, effort=2, score=0.5, members=audience(500, 1000))
    z = option("z", 600, effort=2, score=0.4, members=audience(1000, 1500))
    settings = Settings(effort_budget=4, min_unique_audience=0, channel_caps={"email": 3})
    plan = choose([x, y, z], settings)
    assert [p.play_id for p in plan.placements] == ["y", "z"]
    assert plan.total_p50 == pytest.approx(1300)
    assert why_not(x, plan, [x, y, z], settings) == "effort_budget"


def test_at_most_three_and_one_per_play() -> None:
    options = [option(f"p{i}", 100 * (i + 1), score=i / 10, members=audience(500 * i, 500 * i + 500))
               for i in range(5)]
    plan = choose(options, Settings(effort_budget=10, min_unique_audience=0, channel_caps={"email": 5}))
    ids = [p.play_id for p in plan.placements]
    assert ids == ["p4", "p3", "p2"] and len(set(ids)) == 3
    settings = Settings(effort_budget=10, channel_caps={"email": 5})
    assert why_not(options[0], plan, options, settings) == "plan_full"


def test_channel_caps_count_every_channel_a_play_uses() -> None:
    # email|sms plays each use one SMS send: with sms cap 1 only one of them fits
    a = option("a", 1000, channels=("email", "sms"), members=audience(0, 500))
    b = option("b", 900, channels=("email", "sms"), members=audience(500, 1000))
    c = option("c", 100, channels=("email",), members=audience(1000, 1500))
    settings = Settings(min_unique_audience=0, channel_caps={"email": 2, "sms": 1})
    plan = choose([a, b, c], settings)
    assert [p.play_id for p in plan.placements] == ["a", "c"]
    assert plan.placements[0].channels == ("email", "sms")
    assert why_not(b, plan, [a, b, c], settings) == "channel_cap"
    # a disabled channel is not used, so it does not count
    no_sms = Settings(min_unique_audience=0, channel_caps={"email": 2, "sms": 1},
                      disabled_channels=frozenset({"sms"}))
    plan = choose([a, b, c], no_sms)
    assert [p.play_id for p in plan.placements] == ["a", "b"]
    assert plan.placements[1].channels == ("email",)


def test_conflicting_plays_never_together() -> None:
    a = option("winback_21_45", 1000, score=0.6, members=audience(0, 500))
    b = option("discount_hygiene", 900, score=0.7, category="margin", members=audience(500, 1000))
    pair = frozenset(("winback_21_45", "discount_hygiene"))
    settings = Settings(min_unique_audience=0, conflicts=frozenset({pair}))
    plan = choose([a, b], settings)
    assert [p.play_id for p in plan.placements] == ["winback_21_45"]
    assert why_not(b, plan, [a, b], settings) == "conflict"


def test_seed_combined_plan_example() -> None:
    # seed "Examples": winback + discount_hygiene -> winback dampened by 0.90 and by its
    # overlap. discount_hygiene (score 0.8) comes first; winback's audience 0-999 shares
    # 200 customers (800-999) with discount_hygiene's 800-1799: 1000 x 0.8 x 0.9 = 720
    hygiene = option("discount_hygiene", 500, score=0.8, category="margin", members=audience(800, 1800))
    winback = option("winback_21_45", 1000, score=0.6, members=audience(0, 1000))
    settings = Settings(min_unique_audience=400, channel_caps={"email": 2},
                        interactions={("discount_hygiene", "winback_21_45"): 0.9})
    plan = choose([hygiene, winback], settings)
    assert [p.play_id for p in plan.placements] == ["discount_hygiene", "winback_21_45"]
    placed = plan.placements[1]
    assert placed.overlap_share == pytest.approx(0.2) and placed.interaction_factor == pytest.approx(0.9)
    assert placed.value_p50 == pytest.approx(720)
    assert plan.total_p50 == pytest.approx(1220)


def test_overlap_guardrails() -> None:
    a = option("a", 1000, score=0.9, members=audience(0, 1000))
    # 700 of b's 1000 are in a: 0.7 > 0.6
    b = option("b", 800, score=0.5, members=audience(300, 1300))
    assert place([a, b], Settings(min_unique_audience=0))[1] == "overlap_too_high"
    # 500 of c's 800 are in a (0.625 > 0.6) -> too high; with the ratio at 0.7, c adds 300 < 400
    c = option("c", 800, score=0.5, members=audience(500, 1300))
    assert place([a, c], Settings(overlap_max_ratio=0.7))[1] == "too_few_new_customers"
    assert place([a, c], Settings(overlap_max_ratio=0.7, min_unique_audience=300))[0] is not None
    # Jaccard: d shares 550 of 1050 customers with a (0.524 > 0.5) while its overlap ratio
    # is 550/600 - allowed by the ratio and unique settings below, demoted by Jaccard
    d = option("d", 800, score=0.5, members=audience(450, 1050))
    loose = Settings(overlap_max_ratio=1.0, min_unique_audience=0)
    assert place([a, d], loose)[1] == "audience_overlaps_higher"
    looser = Settings(overlap_max_ratio=1.0, min_unique_audience=0, jaccard_demote=0.6)
    assert place([a, d], looser)[0] is not None
    # the first action is never held to the unique-audience floor
    small = option("small", 10, members=audience(0, 50))
    assert place([small], Settings(min_unique_audience=400))[0] is not None


def test_soft_category_diversity() -> None:
    # max 2: {r1, r2} = 1900 (one category); {r1, a1} = 1850 >= 0.9 x 1900 -> diverse wins
    r1 = option("r1", 1000, score=0.9, members=audience(0, 500))
    r2 = option("r2", 900, score=0.8, members=audience(500, 1000))
    a1 = option("a1", 850, score=0.7, category="aov", members=audience(1000, 1500))
    settings = Settings(max_recommended=2, min_unique_audience=0, channel_caps={"email": 2})
    assert [p.play_id for p in choose([r1, r2, a1], settings).placements] == ["r1", "a1"]
    # strict (tolerance 0): the most valuable plan, one category
    strict = Settings(max_recommended=2, min_unique_audience=0, channel_caps={"email": 2},
                      diversity_tolerance=0.0)
    assert [p.play_id for p in choose([r1, r2, a1], strict).placements] == ["r1", "r2"]
    # too costly to diversify: a1 at 500 -> 1500 < 1710
    cheap = option("a1", 500, score=0.7, category="aov", members=audience(1000, 1500))
    assert [p.play_id for p in choose([r1, r2, cheap], settings).placements] == ["r1", "r2"]


def test_empty_pool_is_an_empty_plan() -> None:
    assert choose([], Settings()).placements == ()
    # an option that cannot be placed even alone (effort over budget) leaves the plan empty
    big = option("big", 1000, effort=9)
    plan = choose([big], Settings(effort_budget=4))
    assert plan.placements == ()
    assert why_not(big, plan, [big], Settings(effort_budget=4)) == "effort_budget"
