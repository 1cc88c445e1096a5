"""mart_action_variants on the demo scenarios: the monthly scaling, the variant values and
incentive costs, the LTV share, cooldowns, novelty, policy and the best variant are
recomputed here with pandas from the marts they are built on (mart_action_candidates,
mart_kpi_baselines, mart_audience_members, fct_orders, the action log) and the project's
vars, and the mart's invariants are checked. The hand-computed edge cases (cap binding,
seasonality clamps, cooldown at 27/28 days, novelty at 20/21 days, the discount cap, the LTV
nudge flipping the best variant) are dbt unit tests in
models/marts/actions/mart_action_variants.yml."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import pytest
import yaml

from aura.demo import SCENARIOS

from conftest import REPO

Query = Callable[[str], list[tuple]]
TIMEZONE = "America/New_York"  # the scenario builds' aura_timezone (conftest.dbt_build)
MONEY = 0.011  # the mart rounds money to the cent; a recomputation may round the other way
# brand-facing sentences: no statistics jargon, no undefined numbers, no internal codes
JARGON = re.compile(r"\b(p-value|q-value|confidence interval|CI|NaN|nan|inf|Infinity|n/a)\b|\w_\w")
VARIANT_COLUMNS = [
    "variant_id", "play_id", "family", "category", "channels", "effort", "cooldown_weeks",
    "offer_type", "lift_multiplier", "incentive_cost_type", "incentive_cost_value",
    "is_no_discount", "eligibility_rule", "excluded_audience_play_id", "tier", "reason_code",
    "evidence_class", "score", "audience_size", "eligible_audience_size",
    "eligible_audience_share", "fatigue_factor", "seasonality_ratio", "seasonality_factor",
    "seasonality_source", "monthly_cap", "is_capped", "monthly_base_net_sales_p10",
    "monthly_base_net_sales_p50", "monthly_base_net_sales_p90", "incentive_response_rate",
    "incentive_orders_monthly", "cost_per_order", "incentive_cost_monthly",
    "expected_monthly_net_sales_p10", "expected_monthly_net_sales_p50",
    "expected_monthly_net_sales_p90", "expected_monthly_gross_profit_p50", "value_basis",
    "value_null_reason", "ltv_top_decile_share", "is_top_ltv_audience", "ltv_nudge_factor",
    "family_last_launch_date", "family_last_launch_play_id", "weeks_since_family_launch",
    "is_in_cooldown", "variant_last_launch_date", "weeks_since_variant_launch",
    "novelty_factor", "policy_disabled_reason", "is_eligible", "ineligible_reason",
    "ranking_value", "variant_rank", "is_best_variant", "variant_note",
]


def settings() -> dict[str, Any]:
    """The monthly-plan vars as dbt_project.yml sets them (the scenario builds use them)."""
    return dict(yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"])


def frame(query: Query, sql: str, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(query(sql), columns=columns)


def variants(query: Query) -> pd.DataFrame:
    return frame(query, f"select {', '.join(VARIANT_COLUMNS)} from mart_action_variants "
                        "order by variant_id", VARIANT_COLUMNS).set_index("variant_id")


def _num(value: object) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def launched_actions(query: Query, as_of: date) -> pd.DataFrame:
    """The action log as the tracking marts read it: one row per action_id (its earliest
    launch), with the shop-local launch date, up to the as-of date."""
    log = frame(query, "select action_id, play_id, variant_id, launched_at, source_file, source_row "
                       "from stg_inputs__action_log where action_id is not null",
                ["action_id", "play_id", "variant_id", "launched_at", "source_file", "source_row"])
    if log.empty:
        return log.assign(launch_date=pd.Series(dtype=object))
    log["launched_at"] = pd.to_datetime(log["launched_at"], utc=True)
    log = log.sort_values(["action_id", "launched_at", "source_file", "source_row"])
    log = log.drop_duplicates("action_id", keep="first")
    log["launch_date"] = log["launched_at"].dt.tz_convert(TIMEZONE).dt.date
    return log[log["launch_date"] <= as_of]


def expected_variants(query: Query) -> pd.DataFrame:
    """Everything mart_action_variants computes, recomputed with pandas from its inputs."""
    v = settings()
    (as_of, l7, l28, l28_orders), = query(
        "select as_of_date, l7_net_sales, l28_net_sales, l28_orders from mart_kpi_baselines")
    complete = [bool(c) for (c,) in query(
        "select is_complete_window from mart_kpi_snapshot where period = 'recent' and window_days = 28")]
    l7, l28 = _num(l7), _num(l28)
    store_aov = l28 / l28_orders if l28_orders else math.nan

    # seasonality and the cap (seed "Monthly Cadence & Scaling")
    if math.isnan(l7) or math.isnan(l28):
        source, ratio = "neutral_sales_missing", math.nan
    elif not any(complete):
        source, ratio = "neutral_l28_incomplete", math.nan
    elif l28 <= 0:
        source, ratio = "neutral_l28_not_positive", math.nan
    else:
        source, ratio = "l7_vs_l28_weekly", l7 / (l28 / 4)
    low, high = v["aura_seasonality_min"], v["aura_seasonality_max"]
    season = 1.0 if math.isnan(ratio) else min(max(ratio, low), high)
    fatigue = sum(v["aura_fatigue_schedule"])
    cap = round(v["aura_action_cap_share"] * l28, 2)

    cand = frame(query, """
        select play_id, evidence_class, test_kind, audience_size, evidence_window_days, group_a_n,
            group_a_successes, value_units, value_per_unit, expected_weekly_net_sales_p10,
            expected_weekly_net_sales_p50, expected_weekly_net_sales_p90, expected_value_null_reason
        from mart_action_candidates""",
        ["play_id", "evidence_class", "test_kind", "audience_size", "window", "a_n", "a_x",
         "value_units", "value_per_unit", "w10", "w50", "w90", "null_reason"]).set_index("play_id")
    seeds = frame(query, """
        select v.variant_id, v.play_id, p.family, p.channels, p.cooldown_weeks, v.lift_multiplier,
            v.incentive_cost_type, v.incentive_cost_value, v.is_no_discount,
            v.excluded_audience_play_id, t.outcome
        from play_variants as v
        join playbooks as p on v.play_id = p.play_id
        join play_tests as t on v.play_id = t.play_id""",
        ["variant_id", "play_id", "family", "channels", "cooldown_weeks", "lift", "cost_type",
         "cost_value", "is_no_discount", "excluded", "outcome"])
    members = frame(query, "select play_id, customer_key from mart_audience_members",
                    ["play_id", "customer_key"])
    audience = members.groupby("play_id")["customer_key"].apply(set).to_dict()

    # the store's top decile of lifetime net sales up to the as-of date (rank ties included)
    orders = frame(query, "select customer_key, net_sales from fct_orders where is_counted_order "
                          f"and customer_key is not null and order_date <= date '{as_of}'",
                   ["customer_key", "net_sales"])
    lifetime = orders.assign(net_sales=orders.net_sales.astype(float)).groupby("customer_key").net_sales.sum()
    rank = lifetime.rank(method="min", ascending=False)
    top = set(rank.index[rank * 10 <= len(lifetime) + 9])

    launched = launched_actions(query, as_of)
    family_of = dict(query("select play_id, family from playbooks"))
    launched["family"] = launched["play_id"].map(family_of)
    last_family = (launched.dropna(subset=["family"])
                   .sort_values(["launch_date", "launched_at", "action_id"], ascending=False)
                   .drop_duplicates("family").set_index("family"))
    last_variant = launched.dropna(subset=["variant_id"]).groupby("variant_id").launch_date.max()

    rows = []
    for s in seeds.itertuples(index=False):
        c = cand.loc[s.play_id]
        members_of = audience.get(s.play_id, set())
        eligible = members_of - (audience.get(s.excluded, set()) if s.excluded else set())
        size = int(c.audience_size)
        share = 1.0 if not s.excluded else (len(eligible) / size if size else 0.0)
        customer_units = c.evidence_class == "measured" or (
            c.test_kind == "two_proportion" and s.outcome != "discounted_order")
        if customer_units:
            response = _num(c.a_x) / c.a_n if _num(c.a_n) > 0 else math.nan
        else:
            response = _num(c.value_units) / size if size else math.nan
        discount_value = c.evidence_class != "measured" and s.outcome == "discounted_order"
        order_value = store_aov if discount_value else _num(c.value_per_unit)
        per_order = {"none": 0.0, "flat_per_order": s.cost_value}.get(s.cost_type, s.cost_value * order_value)
        uses = 0.0 if s.cost_type == "none" else (
            len(eligible) * response * s.lift * 7 / c.window * fatigue * season)
        cost = uses * per_order
        reason = c.null_reason
        if reason is None:
            if math.isnan(cap):
                reason = "monthly_cap_unknown"
            elif s.cost_type != "none" and math.isnan(response):
                reason = "incentive_orders_unknown"
            elif s.cost_type == "percent_of_aov" and math.isnan(order_value):
                reason = "cost_per_order_unknown"
        row: dict[str, Any] = {
            "variant_id": s.variant_id, "play_id": s.play_id, "eligible_audience_size": len(eligible),
            "eligible_audience_share": share, "seasonality_ratio": ratio, "seasonality_factor": season,
            "seasonality_source": source, "fatigue_factor": fatigue, "monthly_cap": cap,
            "value_null_reason": reason, "is_no_discount": bool(s.is_no_discount),
        }
        if reason is None:
            raw = [_num(w) * fatigue * season for w in (c.w10, c.w50, c.w90)]
            base = [min(x, cap) for x in raw]
            sales = [min(b * s.lift * share, cap) for b in base]
            row.update({
                "monthly_base_net_sales_p10": base[0], "monthly_base_net_sales_p50": base[1],
                "monthly_base_net_sales_p90": base[2],
                "is_capped": raw[2] > cap or base[2] * s.lift * share > cap,
                "incentive_orders_monthly": uses, "cost_per_order": per_order,
                "incentive_cost_monthly": cost,
                "expected_monthly_net_sales_p10": max(0.0, sales[0] - cost),
                "expected_monthly_net_sales_p50": max(0.0, sales[1] - cost),
                "expected_monthly_net_sales_p90": max(0.0, sales[2] - cost),
                "expected_monthly_gross_profit_p50": sales[1] * v["aura_gross_margin"] - cost,
                "value_basis": "evidence" if s.lift == 1 and s.cost_type == "none"
                else "evidence x planning assumption",
            })
        ltv = len(members_of & top) / len(members_of) if members_of else math.nan
        is_top = not math.isnan(ltv) and ltv >= v["aura_ltv_top_decile_share"]
        weeks_family = weeks_variant = None
        if s.family in last_family.index:
            weeks_family = (as_of - last_family.loc[s.family, "launch_date"]).days // 7
        if s.variant_id in last_variant.index:
            weeks_variant = (as_of - last_variant.loc[s.variant_id]).days // 7
        in_cooldown = weeks_family is not None and weeks_family < s.cooldown_weeks
        disabled = set(v["aura_policy_disabled_channels"])
        if s.cost_type == "percent_of_aov" and s.cost_value > v["aura_policy_max_discount"]:
            policy = "discount_above_cap"
        elif disabled and set(s.channels.split("|")) <= disabled:
            policy = "channels_disabled"
        else:
            policy = None
        ineligible = ("cooldown" if in_cooldown else policy if policy
                      else "empty_audience" if not eligible else None)
        row.update({
            "ltv_top_decile_share": ltv, "is_top_ltv_audience": is_top,
            "ltv_nudge_factor": 1 + v["aura_ltv_nudge"] if s.is_no_discount and is_top else 1.0,
            "family_last_launch_play_id": last_family.loc[s.family, "play_id"]
            if s.family in last_family.index else None,
            "weeks_since_family_launch": weeks_family, "is_in_cooldown": in_cooldown,
            "weeks_since_variant_launch": weeks_variant,
            "novelty_factor": v["aura_novelty_penalty"]
            if weeks_variant is not None and weeks_variant <= v["aura_novelty_weeks"] else 1.0,
            "policy_disabled_reason": policy, "ineligible_reason": ineligible,
            "is_eligible": ineligible is None,
        })
        rows.append(row)
    return pd.DataFrame(rows).set_index("variant_id")


def check_against_recomputation(mart: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert sorted(mart.index) == sorted(expected.index), "one row per seed variant"
    for vid, exp in expected.iterrows():
        got = mart.loc[vid]
        for col, value in exp.items():
            if col in ("play_id",):
                continue
            actual = got[col]
            if isinstance(value, float) and math.isnan(value):
                assert actual is None or pd.isna(actual), (vid, col, actual)
            elif isinstance(value, bool) or value is None or isinstance(value, str):
                assert (None if pd.isna(actual) else actual) == value, (vid, col, actual, value)
            elif col.startswith(("monthly_base", "expected_monthly", "incentive_cost", "cost_per")):
                assert actual == pytest.approx(value, abs=MONEY), (vid, col)
            elif col == "monthly_cap":
                assert actual == pytest.approx(value, abs=MONEY), (vid, col)
            else:
                assert actual == pytest.approx(value, rel=1e-9, abs=1e-12), (vid, col, actual, value)


def check_best_variants(mart: pd.DataFrame) -> None:
    """The ranking rule applied to the mart's own values: exactly one best usable variant per
    play with one, none otherwise; ranking = p50 x LTV nudge x novelty, then no discount
    first, then the lowest incentive cost, then variant_id."""
    m = mart.reset_index()
    p50 = pd.to_numeric(m.expected_monthly_net_sales_p50, errors="coerce")
    m["_r"] = p50 * m.ltv_nudge_factor.astype(float) * m.novelty_factor.astype(float)
    ranking = pd.to_numeric(m.ranking_value, errors="coerce")
    assert m["_r"].fillna(-1).to_numpy() == pytest.approx(ranking.fillna(-1).to_numpy())
    m["_r"] = m["_r"].fillna(-math.inf)
    m["_nd"] = ~m.is_no_discount.astype(bool)
    m["_cost"] = pd.to_numeric(m.incentive_cost_monthly, errors="coerce").fillna(math.inf)
    for play, group in m.groupby("play_id"):
        usable = group[group.is_eligible.astype(bool)]
        best = group[group.is_best_variant.astype(bool)]
        if usable.empty:
            assert best.empty, play
            continue
        order = usable.sort_values(["_r", "_nd", "_cost", "variant_id"],
                                   ascending=[False, True, True, True])
        assert list(best.variant_id) == [order.variant_id.iloc[0]], play
        assert list(order.variant_id) == list(usable.sort_values("variant_rank").variant_id), play


def check_invariants(mart: pd.DataFrame) -> None:
    money = mart[mart.value_null_reason.isna()]
    assert (money.expected_monthly_net_sales_p10 >= 0).all()
    assert (money.expected_monthly_net_sales_p10 <= money.expected_monthly_net_sales_p50).all()
    assert (money.expected_monthly_net_sales_p50 <= money.expected_monthly_net_sales_p90).all()
    assert (money.monthly_base_net_sales_p10 <= money.monthly_base_net_sales_p50).all()
    assert (money.monthly_base_net_sales_p50 <= money.monthly_base_net_sales_p90).all()
    for col in ("monthly_base_net_sales_p90", "expected_monthly_net_sales_p90",
                "expected_monthly_gross_profit_p50"):
        assert (money[col] <= money.monthly_cap).all(), col
    # targeting candidates (and any row without money) carry no money at all
    none = mart[mart.value_null_reason.notna()]
    assert set(mart.index[mart.evidence_class == "targeting"]) <= set(none.index)
    for col in ("monthly_base_net_sales_p50", "expected_monthly_net_sales_p10",
                "expected_monthly_net_sales_p50", "expected_monthly_net_sales_p90",
                "expected_monthly_gross_profit_p50", "incentive_cost_monthly", "ranking_value",
                "value_basis", "is_capped"):
        assert none[col].isna().all(), col
    # every unusable row has its reason; the note says it in plain English
    assert (mart.is_eligible == mart.ineligible_reason.isna()).all()
    starts = {"cooldown": "On hold:", "discount_above_cap": "Off by policy:",
              "channels_disabled": "Off by policy:", "empty_audience": "No one to send it to:"}
    for row in mart.itertuples():
        assert not JARGON.search(row.variant_note), row.variant_note
        if row.ineligible_reason is not None:
            assert row.variant_note.startswith(starts[row.ineligible_reason]), row.variant_note
        elif row.is_best_variant:
            assert row.variant_note.startswith("Best way to run this play"), row.variant_note
        else:
            assert row.variant_note.startswith("Usable, but"), row.variant_note
    # no-discount variants are never cut by an exclusion or the discount cap
    nodisc = mart[mart.is_no_discount.astype(bool)]
    assert (nodisc.eligible_audience_size == nodisc.audience_size).all()
    assert nodisc.policy_disabled_reason.isna().all()


# --- every scenario -----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_variants_equal_a_pandas_recomputation(scenario_store, name: str) -> None:  # type: ignore[no-untyped-def]
    _, query = scenario_store(name)
    mart = variants(query)
    (n_seed,), = query("select count(*) from play_variants")
    assert len(mart) == n_seed and mart.index.is_unique
    check_against_recomputation(mart, expected_variants(query))
    check_best_variants(mart)
    check_invariants(mart)


def test_money_flows_through_on_a_store_with_evidence(scenario_store) -> None:  # type: ignore[no-untyped-def]
    """The recomputation must not pass vacuously: the healthy store has variants with money,
    incentive costs and both value bases, and exclusions that actually bite."""
    _, query = scenario_store("healthy_beauty")
    mart = variants(query)
    money = mart[mart.value_null_reason.isna()]
    assert len(money) >= 10
    assert (money.incentive_cost_monthly > 0).any() and (money.expected_monthly_net_sales_p50 > 0).any()
    assert set(money.value_basis) == {"evidence", "evidence x planning assumption"}
    assert mart.is_best_variant.sum() == mart[mart.is_eligible].play_id.nunique() > 0
    excluded = mart[mart.excluded_audience_play_id.notna()]
    assert set(excluded.index) == {"winback_21_45__ten_percent_off",
                                   "dormant_multibuyers__fifteen_percent_off",
                                   "subscription_nudge__first_box_ten_off"}


# --- the store with a launched winback action -------------------------------------------------

def test_winback_activation_reads_the_launch_for_the_family(scenario_store) -> None:  # type: ignore[no-untyped-def]
    """The demo's latest winback email was launched 2026-09-16; at the default as-of date
    (2026-10-31) that is 45 days = 6 whole weeks back: winback_21_45 (4-week rest) is free
    again, and so is dormant_multibuyers, whose 6-week rest ends exactly now (6 < 6 is
    false). No other family has launched anything. That launch logs its variant as 'pct15',
    which is not a seed variant; the earlier reminder (2026-08-02, 90 days = 12 weeks back)
    is the seed's winback_21_45__reminder, long past the 2-week novelty window, so no
    variant carries a novelty penalty."""
    truth, query = scenario_store("winback_activation")
    launch = date.fromisoformat(truth["effects"]["winback"]["launch_date"])
    reminder = truth["effects"]["winback_reminder"]
    mart = variants(query)
    (as_of,), = query("select as_of_date from mart_kpi_baselines")
    weeks = (as_of - launch).days // 7
    assert weeks == 6
    winback = mart[mart.family == "winback"]
    assert set(winback.play_id) == {"winback_21_45", "dormant_multibuyers"}
    assert (winback.family_last_launch_date == launch).all()
    assert (winback.family_last_launch_play_id == "winback_21_45").all()
    assert (winback.weeks_since_family_launch == weeks).all()
    assert not winback.is_in_cooldown.any()
    assert (winback.cooldown_weeks[winback.play_id == "dormant_multibuyers"] == weeks).all()
    others = mart[mart.family != "winback"]
    assert others.family_last_launch_date.isna().all() and not others.is_in_cooldown.any()
    reminder_weeks = (as_of - date.fromisoformat(reminder["launch_date"])).days // 7
    assert reminder_weeks == 12
    launched = mart.weeks_since_variant_launch.notna()
    assert list(mart.index[launched]) == [reminder["variant_id"]]
    assert (mart.weeks_since_variant_launch[launched] == reminder_weeks).all()
    assert (mart.novelty_factor == 1).all()


def test_winback_family_rests_inside_its_cooldown(winback_pending: Query) -> None:
    """The same store as of 2026-10-01, 15 days (2 weeks) after the winback launch: both
    winback-family plays are on hold with their reason and note, none of their variants is
    best, and the other families are untouched."""
    mart = variants(winback_pending)
    check_against_recomputation(mart, expected_variants(winback_pending))
    check_best_variants(mart)
    check_invariants(mart)
    winback = mart[mart.family == "winback"]
    assert (winback.weeks_since_family_launch == 2).all()
    assert winback.is_in_cooldown.all() and (winback.ineligible_reason == "cooldown").all()
    assert not winback.is_best_variant.any()
    notes = dict(zip(winback.play_id, winback.variant_note, strict=False))
    assert notes["winback_21_45"] == (
        "On hold: this play was launched 2 weeks ago; this family rests 4 weeks.")
    assert notes["dormant_multibuyers"] == (
        "On hold: a winback play was launched 2 weeks ago; this family rests 6 weeks.")
    assert not mart[mart.family != "winback"].is_in_cooldown.any()
