"""The briefing's data layer: plain-English formatting of missing values, SQL that only
ever takes values as parameters, and the audience CSV the app offers (aura.audiences')."""

from __future__ import annotations

import ast
import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from aura.audiences import export_audiences
from aura.briefing import format as fmt
from aura.briefing import kpis
from aura.briefing.audience_csv import audience_csv

from conftest import REPO

MISSING = [None, float("nan"), float("inf"), float("-inf"), pd.NA, "abc"]


@pytest.mark.parametrize("value", MISSING)
def test_missing_values_read_as_a_reason(value: object) -> None:
    for text in (fmt.money(value, "USD"), fmt.count(value), fmt.share(value), fmt.points(value),
                 fmt.relative(value), fmt.decimal(value), fmt.money_range(value, value, value)):
        assert text == fmt.NOT_ENOUGH_DATA
    assert fmt.text(None if isinstance(value, str) else value) == ""


def test_formats() -> None:
    assert fmt.money(41128.58, "USD") == "$41,129"
    assert fmt.money(Decimal("63.4700"), "USD", cents=True) == "$63.47"
    assert fmt.money(-5.4, "EUR") == "-€5" and fmt.money(-0.4, "USD") == "$0"
    assert fmt.money(1234, "SEK") == "1,234 SEK" and fmt.money(1234, None) == "1,234"
    assert fmt.money_range(327, 1219, 2099, "USD") == "about $1,219 (likely between $327 and $2,099)"
    assert fmt.count(1, "customer") == "1 customer" and fmt.count(1234, "customer") == "1,234 customers"
    assert fmt.share(0.4426) == "44.3%" and fmt.points(0.0407) == "+4.1 points"
    assert fmt.relative(-0.0207) == "-2.1%" and fmt.relative(0.5, signed=False) == "50.0%"
    assert fmt.day(pd.Timestamp("2026-10-31")) == "31 Oct 2026" and fmt.day(None) == "unknown date"
    assert fmt.text("nan") == "" and fmt.text(" Why ") == "Why" and fmt.text(math.nan, "-") == "-"


SQL_CALLS = {"execute", "rows", "one", "frame", "sql"}


def _sources() -> list[Path]:
    return sorted([*(REPO / "aura" / "briefing").rglob("*.py"), *(REPO / "app").rglob("*.py")])


def test_sql_takes_values_only_as_parameters() -> None:
    """No statement in the briefing or the app is built from text at run time: every SQL
    call's statement is a constant (or a name bound to one), never an f-string, a
    concatenation or .format(); the app's pages run no SQL of their own."""
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name not in SQL_CALLS:
                continue
            args = node.args[1:] if name in {"rows", "one", "frame"} else node.args[:1]
            for arg in args[:1]:
                assert isinstance(arg, ast.Name | ast.Attribute | ast.Constant), (
                    f"{path}:{node.lineno}: SQL built at run time")
        if path.is_relative_to(REPO / "app"):
            assert ".execute(" not in path.read_text(encoding="utf-8"), path
    queries = ast.parse((REPO / "aura" / "briefing" / "queries.py").read_text(encoding="utf-8"))
    for node in queries.body:
        if isinstance(node, ast.Assign) and node.targets[0].id.isupper():  # type: ignore[attr-defined]
            assert isinstance(node.value, ast.Constant), node.targets[0].id  # type: ignore[attr-defined]


def test_rolling_series_matches_the_window_value(briefing_brands) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    b = briefing_brands[1]["healthy_beauty"]
    (as_of, net_28, aov_28), = b.query("select as_of_date, net_sales, aov from mart_kpi_snapshot "
                                       "where window_days = 28 and period = 'recent'")
    with duckdb.connect(str(b.db_path), read_only=True) as con:
        daily = kpis.daily_frame(con, as_of)
    assert kpis.rolling(daily, "net_sales", 28)["value"].iloc[-1] == pytest.approx(float(net_28))
    assert kpis.rolling(daily, "aov", 28)["value"].iloc[-1] == pytest.approx(float(aov_28))
    assert kpis.rolling(daily, "identified_customers", 28).empty


@pytest.mark.parametrize("brand", ["healthy_beauty", "publish_month"])
def test_audience_csv_is_the_export(brand: str, briefing_brands, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    b = briefing_brands[1][brand]
    for play, reachable in b.query("select play_id, members_reachable_by_email from mart_audiences "
                                   "where audience_size > 0"):
        name, text = audience_csv(b.db_path, play)
        [exported] = export_audiences(b.db_path, tmp_path, plays=[play])
        assert name == exported.name and text == exported.read_text(encoding="utf-8")
        assert len(text.splitlines()) - 1 == reachable


def test_launches_logged_since_the_build(tmp_path: Path) -> None:
    from aura.briefing import launches

    assert launches.logged_launches(None) == [] and launches.logged_launches(tmp_path / "missing") == []
    (tmp_path / "action_log.csv").write_text(
        "action_id,play_id,launched_at\n"
        "a1,winback_21_45,2026-09-16 10:00:00\n"
        "a2,empty_bottle,2026-11-02 09:00:00\n"
        "a2,empty_bottle,2026-11-03 09:00:00\n", encoding="utf-8")
    (tmp_path / "orders_export.csv").write_text("Name\n#1\n", encoding="utf-8")
    logged = launches.logged_launches(tmp_path)
    assert [r["action_id"] for r in logged] == ["a1", "a2", "a2"]
    assert [r["action_id"] for r in launches.not_yet_measured(logged, {"a1"})] == ["a2"]


def test_a_later_card_explains_its_overlap_and_interactions() -> None:
    from aura.briefing.content import _plan_card

    row = {
        "play_id": "winback_21_45", "lane": "recommended", "lane_rank": 2, "title": "Win back",
        "action_id": "2026-10-31__winback_21_45__reminder", "variant_id": "winback_21_45__reminder",
        "channel": "email", "send_channels": "email|sms", "effort": 1, "evidence_class": "measured",
        "audience_size": 900, "effective_audience_size": 600, "overlapping_customers": 300,
        "overlap_share": 1 / 3, "interaction_factor": 0.9, "interactions_applied": "discount_hygiene x0.90",
        "expected_monthly_net_sales_p10": 100.0, "expected_monthly_net_sales_p50": 200.0,
        "expected_monthly_net_sales_p90": float("nan"), "how_to_launch": "1. Download it. 2. Send it.",
        "members_reachable_by_email": 700, "plan_reason": "It worked.",
    }
    card = _plan_card(row, "USD", {"discount_hygiene": "Stop training customers to wait for discounts"})
    assert card.overlap_note == ("300 customers (33%) are already in an earlier action's audience; "
                                 "its value counts only the 600 it adds.")
    assert card.interaction_note.startswith(
        'Counted at 90% of its value because "Stop training customers to wait for discounts" also runs')
    assert card.expected_text == "about $200 more net sales this month"  # no p90: no range, no 'nan'
    assert card.steps == ("Download it.", "Send it.")
    assert card.channel_text == "email and SMS" and card.effort_text == "light (1 point)"
    assert card.audience_text == "900 customers (700 reachable by email)"


def test_outcome_status_and_result_in_plain_english() -> None:
    import duckdb

    from aura.briefing.outcomes import load_outcomes

    con = duckdb.connect()
    con.execute("create table playbooks (play_id varchar, title varchar)")
    con.execute("insert into playbooks values ('winback_21_45', 'Win back recently lapsed customers')")
    con.execute("""
        create table mart_action_outcomes as select * from (values
            ('a_due', 'winback_21_45', 'pending', date '2026-11-10', null::double, null::double, null::double,
             null::double, null::double, 100, 25, 'measurement_window_open'),
            ('b_open', 'winback_21_45', 'pending', date '2026-12-01', null, null, null, null, null, 100, 25,
             'measurement_window_open'),
            ('c_done', 'winback_21_45', 'complete', date '2026-10-01', 0.2, 0.1, 0.1, 0.02, 0.18, 400, 100,
             null),
            ('d_none', 'winback_21_45', 'complete', date '2026-10-01', 0.2, null, null, null, null, 400, 0,
             'empty_holdout')
        ) as t (action_id, play_id, status, measurement_end_date, treated_rate, holdout_rate, lift_abs,
                lift_ci_lower, lift_ci_upper, treated_n, holdout_n, stats_null_reason)""")
    con.execute("""alter table mart_action_outcomes add column as_of_date date default date '2026-10-31'""")
    for column, kind in [("variant_id", "varchar"), ("channel", "varchar"), ("launched_at", "timestamp"),
                         ("audience_size", "integer"), ("p_value", "double"), ("test_method", "varchar"),
                         ("measurement_days", "integer")]:
        con.execute(f"alter table mart_action_outcomes add column {column} {kind}")
    con.execute("update mart_action_outcomes set measurement_days = 28")
    found = {o.action_id: o for o in load_outcomes(con, date(2026, 10, 31), "USD", date(2026, 11, 25))}
    assert found["a_due"].status == "overdue" and "appears once the data is rebuilt" in found["a_due"].result
    assert found["b_open"].status == "pending" and found["b_open"].result == (
        "Measuring: the 28 days end on 1 Dec 2026.")
    assert found["c_done"].result == ("20.0% of the 400 customers sent it ordered within 28 days, against "
                                      "10.0% of the 100 held out (+10.0 points): clearly more than the "
                                      "customers held out.")
    assert found["d_none"].result.startswith("Nobody was held out")


def test_learning_lines_carry_the_marts_numbers(briefing_brands) -> None:  # type: ignore[no-untyped-def]
    """winback_activation launched one winback variant: its line states the mart's measured
    customers, posterior mean and interval, P(best) and traffic share; the accuracy lines
    state the complete and in-range counts."""
    import duckdb

    from aura.briefing.learning import load_learning

    b = briefing_brands[1]["winback_activation"]
    with duckdb.connect(str(b.db_path), read_only=True) as con:
        (as_of,), = con.execute("select max(as_of_date) from mart_briefing").fetchall()
        accuracy, variants = load_learning(con, as_of, "USD")
        posteriors = con.execute(
            "select variant_id, measured_customers, posterior_mean, posterior_ci_lower, posterior_ci_upper, "
            "p_best, traffic_share, is_recommended from mart_variant_posteriors "
            "where play_id = 'winback_21_45' order by variant_id").fetchall()
        summary = con.execute(
            "select complete_actions, scored_actions, within_p10_p90_actions from mart_action_accuracy "
            "where summary_level = 'all_plays'").fetchone()
    by_id = {v.variant_id: v for v in variants}
    assert set(by_id) == {p[0] for p in posteriors}
    measured = [p for p in posteriors if p[1]]
    assert measured, "the scenario measures one variant"
    for variant_id, n, mean, low, high, p_best, share, recommended in posteriors:
        line = by_id[variant_id]
        assert line.is_recommended == bool(recommended)
        assert f"Suggested share of sends: {fmt.share(share, 0)}." in line.text
        if n:
            assert f"of {fmt.count(n, 'customer')} sent it, about {fmt.share(mean)} order" in line.text
            assert f"between {fmt.share(low)} and {fmt.share(high)}" in line.text
            assert f"Chance it is the best variant: {fmt.share(p_best, 0)}." in line.text
        else:
            assert "not tried yet" in line.text or "launched, " in line.text
    everything = accuracy[0]
    assert everything.title == "All plays"
    assert (everything.complete, everything.scored, everything.within) == summary
