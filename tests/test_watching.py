"""mart_watching on demo scenarios: the list is recomputed here with pandas from the marts it
reads (KPI deltas of the primary window, watchlist candidates, hard and soft data checks) and
the thresholds in dbt_project.yml, and every headline is checked for its numbers and for
plain English. The hand-computed copy is in the dbt unit tests of mart_watching.yml."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pandas as pd
import pytest
import yaml
from scipy import stats

from conftest import REPO

Query = Callable[[str], list[tuple]]

SCENARIOS = ["healthy_beauty", "cold_start", "promo_anomaly", "small_store"]
VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
# metric -> (kind of change, threshold var); new_customer_rate is derived and never watched
KPIS = {
    "net_sales": ("relative", "aura_watch_volume_change"),
    "orders": ("relative", "aura_watch_volume_change"),
    "identified_customers": ("relative", "aura_watch_volume_change"),
    "aov": ("relative", "aura_aov_effect_floor"),
    "units_per_order": ("relative", "aura_aov_effect_floor"),
    "discount_rate": ("points", "aura_discount_pts_floor"),
    "repeat_rate_within_window": ("points", "aura_rate_effect_floor"),
    "returning_customer_share": ("points", "aura_rate_effect_floor"),
}
CHECKS_FIRING_BELOW = {"history_days", "counted_orders"}
JARGON = re.compile(
    r"\b(p-values?|q-values?|confidence intervals?|CI|NaN|nan|inf|Infinity|n/a|None|null)\b|_"
)


def frame(query: Query, sql: str) -> pd.DataFrame:
    """The result of `sql` with its column names (DuckDB's DESCRIBE of the query)."""
    columns = [c[0] for c in query(f"select column_name from (describe {sql})")]
    return pd.DataFrame(query(sql), columns=columns)


def required_n(p_base: float, delta: float, alpha: float, power: float) -> int:
    """Per-group n of a two-sided two-proportion test (pooled under H0, unpooled under H1)."""
    p1, p2 = p_base, p_base + delta
    pbar = (p1 + p2) / 2
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2
    return math.ceil(n / delta**2)


def expected_kpis(query: Query) -> pd.DataFrame:
    deltas = frame(
        query,
        "select d.* from mart_kpi_deltas d join mart_kpi_baselines b "
        "on d.window_days = b.primary_window_days and d.as_of_date = b.as_of_date",
    )
    rows = []
    for r in deltas.itertuples():
        if r.metric not in KPIS or not r.is_prior_complete:
            continue
        kind, var = KPIS[r.metric]
        change = r.delta_rel if kind == "relative" else r.delta_abs
        if change is None or pd.isna(change) or change == 0 or abs(change) < VARS[var]:
            continue
        rows.append({"watch_item_id": f"kpi:{r.metric}", "change": change, "threshold": VARS[var],
                     "kind": kind, "window_days": r.window_days,
                     "key": -abs(change) / VARS[var]})
    return pd.DataFrame(rows, columns=["watch_item_id", "change", "threshold", "kind", "window_days", "key"])


def expected_candidates(query: Query) -> pd.DataFrame:
    cands = frame(query, "select * from mart_action_candidates where tier = 'watchlist'")
    rows = []
    for r in cands.itertuples():
        if r.reason_code == "below_min_n":
            measured, threshold = r.audience_size, r.min_n_required
        elif r.reason_code == "not_significant" and r.test_kind == "two_proportion":
            threshold = required_n(r.group_b_value, r.group_a_value - r.group_b_value,
                                   VARS["aura_power_alpha"], VARS["aura_power_target"])
            measured = min(r.group_a_n, r.group_b_n)
        elif r.reason_code == "not_significant":
            measured, threshold = r.q_value, r.fdr_alpha
        elif r.reason_code == "below_effect_floor":
            measured, threshold = r.effect, float(r.effect_floor)
        else:
            assert r.reason_code == "below_financial_floor"
            measured, threshold = r.expected_weekly_gross_profit_p50, r.financial_floor
        rows.append({"watch_item_id": f"candidate:{r.play_id}", "measured": float(measured),
                     "threshold": float(threshold), "would_fire_if": r.would_fire_if,
                     "key": -r.score})
    return pd.DataFrame(rows, columns=["watch_item_id", "measured", "threshold", "would_fire_if", "key"])


def expected_checks(query: Query) -> pd.DataFrame:
    flags = frame(query, "select * from mart_data_quality_flags where severity in ('hard', 'soft')")
    rows = []
    for r in flags.itertuples():
        share = None
        if r.metric_value is not None and not pd.isna(r.metric_value) and r.threshold is not None \
                and not pd.isna(r.threshold):
            if r.metric_name in CHECKS_FIRING_BELOW:
                share = r.threshold / r.metric_value if r.metric_value > 0 else None
            elif r.threshold > 0:
                share = r.metric_value / r.threshold
        fired = None if r.fired is None or pd.isna(r.fired) else bool(r.fired)
        holding = fired is None or fired
        if holding or (share is not None and share >= VARS["aura_watch_near_share"]):
            rows.append({"watch_item_id": f"data_check:{r.flag_code}", "fired": fired,
                         "severity": r.severity, "rank": 1 if holding else 4,
                         "key": r.flag_order if holding else -share})
    return pd.DataFrame(rows, columns=["watch_item_id", "fired", "severity", "rank", "key"])


@pytest.fixture(scope="module", params=SCENARIOS)
def scenario(request: pytest.FixtureRequest, scenario_store):  # type: ignore[no-untyped-def]
    _, query = scenario_store(request.param)
    return request.param, query, frame(query, "select * from mart_watching order by sort_order")


def test_items_are_the_recomputed_ones(scenario) -> None:  # type: ignore[no-untyped-def]
    name, query, watching = scenario
    kpis, cands, checks = expected_kpis(query), expected_candidates(query), expected_checks(query)
    expected = set(kpis.watch_item_id) | set(cands.watch_item_id) | set(checks.watch_item_id)
    assert set(watching.watch_item_id) == expected, name
    assert len(watching) == len(expected)
    got = watching.set_index("watch_item_id")
    for r in kpis.itertuples():
        assert got.at[r.watch_item_id, "change"] == pytest.approx(r.change, abs=1e-12)
        assert got.at[r.watch_item_id, "threshold"] == pytest.approx(r.threshold)
        assert got.at[r.watch_item_id, "change_unit"] == (
            "relative change" if r.kind == "relative" else "points")
    for r in cands.itertuples():
        assert got.at[r.watch_item_id, "measured_value"] == pytest.approx(r.measured, rel=1e-9)
        assert got.at[r.watch_item_id, "threshold"] == pytest.approx(r.threshold, rel=1e-9)
    for r in checks.itertuples():
        fired = got.at[r.watch_item_id, "has_crossed_threshold"]
        assert (None if pd.isna(fired) else bool(fired)) == r.fired


def test_sort_order_puts_plan_holding_checks_first(scenario) -> None:  # type: ignore[no-untyped-def]
    name, query, watching = scenario
    kpis, cands, checks = expected_kpis(query), expected_candidates(query), expected_checks(query)
    parts = [checks, kpis.assign(rank=2), cands.assign(rank=3)]
    keyed = pd.concat([p[["watch_item_id", "rank", "key"]] for p in parts if len(p)])
    keyed = keyed.sort_values(["rank", "key", "watch_item_id"])
    assert list(watching.watch_item_id) == list(keyed.watch_item_id), name
    assert list(watching.sort_order) == list(range(1, len(watching) + 1))


def test_headlines_state_size_and_threshold_in_plain_english(scenario) -> None:  # type: ignore[no-untyped-def]
    name, _, watching = scenario
    for r in watching.itertuples():
        assert not JARGON.search(r.headline), (name, r.headline)
        assert r.headline.endswith("."), r.headline
        if r.item_kind == "kpi":
            if r.change_unit == "points":
                size, limit = f"{abs(r.change) * 100:.1f} points", f"{r.threshold * 100:.1f} points"
            else:
                size, limit = f"{abs(r.change) * 100:.1f}%", f"{r.threshold * 100:.1f}%"
            verb = "rose" if r.change > 0 else "fell"
            assert f"{verb} {size} over the last" in r.headline, r.headline
            assert f"moves of {limit} or more are watched" in r.headline, r.headline
        elif r.item_kind == "candidate":
            size = (f"{abs(r.change) * 100:.1f} points" if r.change_unit == "points"
                    else f"{abs(r.change) * 100:.1f}%")
            assert size in r.headline, r.headline
            assert "Would fire" in r.headline, r.headline
        elif pd.isna(r.has_crossed_threshold):
            assert r.headline.endswith("Until this can be checked, the plan is on hold."), r.headline
        elif r.has_crossed_threshold:
            assert "plan back" in r.headline or "precaution" in r.headline, r.headline
        else:
            assert r.headline.endswith("Close to that limit, but not holding the plan back."), r.headline


def test_candidate_headlines_end_with_would_fire_if(scenario_store) -> None:  # type: ignore[no-untyped-def]
    for name in SCENARIOS:
        _, query = scenario_store(name)
        pairs = query(
            "select w.headline, c.would_fire_if from mart_watching w "
            "join mart_action_candidates c on w.play_id = c.play_id where w.item_kind = 'candidate'"
        )
        for headline, would_fire_if in pairs:
            assert headline.endswith(" " + would_fire_if), (name, headline)


def test_scenarios_show_what_they_plant(scenario_store) -> None:  # type: ignore[no-untyped-def]
    """cold_start: too little history holds the plan back; promo_anomaly: the BFCM weeks and
    the promotion hold it back and its sales jump is watched."""
    _, cold = scenario_store("cold_start")
    (headline,) = cold("select headline from mart_watching where watch_item_id = "
                       "'data_check:insufficient_history'")[0]
    assert "holding this month's plan back" in headline
    _, promo = scenario_store("promo_anomaly")
    ids = {r[0] for r in promo("select watch_item_id from mart_watching")}
    assert {"data_check:bfcm_overlap", "data_check:post_promo_window", "kpi:net_sales"} <= ids
