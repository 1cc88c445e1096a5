"""mart_action_outcomes: the measured result of launched actions.

The planted winback action of the winback_activation demo is measured as the generator's
ground truth says (its audience, hash holdout and conversions are rebuilt here from
fct_orders with the demo's own rules), the statistics equal statsmodels' computed from the
counts, a store without launches gives no rows, the SQL holdout hash is
aura.tracking.holdout's, and an action whose window is still open has no statistics. The
edge cases (empty arms, repeated log rows, window ends) are a dbt unit test in
models/marts/tracking/mart_action_outcomes.yml."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from aura.tracking.holdout import holdout_hash

from conftest import REPO

Query = Callable[[str], list[tuple]]

COLUMNS = [
    "action_id", "play_id", "variant_id", "channel", "launch_date", "holdout_fraction",
    "measurement_days", "measurement_end_date", "status", "audience_size", "treated_n",
    "holdout_n", "treated_conversions", "holdout_conversions", "treated_rate", "holdout_rate",
    "lift_abs", "lift_ci_lower", "lift_ci_upper", "p_value", "test_method",
    "stats_null_reason", "treated_net_sales_per_customer", "holdout_net_sales_per_customer",
]


def outcomes(query: Query) -> list[dict]:
    rows = query(f"select {', '.join(COLUMNS)} from mart_action_outcomes order by action_id")
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def winback(scenario_store) -> tuple[dict, Query]:  # type: ignore[no-untyped-def]
    """The same store fully built (shared with the other modules that build it)."""
    truth, query = scenario_store("winback_activation")
    return truth["effects"]["winback"], query


def rebuild_demo_audience(query: Query, truth: dict) -> list[dict]:
    """The demo's audience rule, independently of the models: email customers whose last
    counted order before the launch date is 21-45 days before it; holdout by the Python hash;
    conversions and net sales from fct_orders in (launched_at, launched_at + 28 x 24 h].
    Also flags members with a counted order on the launch date after launched_at."""
    launch = date.fromisoformat(truth["launch_date"])
    rows = query(f"""
        with prior as (
            select customer_key, max(order_date) as last_order_date
            from fct_orders
            where is_counted_order and customer_key like 'email:%'
                and order_date < date '{launch}'
            group by customer_key
        ),
        members as (
            select customer_key from prior
            where date '{launch}' - last_order_date between 21 and 45
        )
        select
            members.customer_key,
            count(orders.order_id) filter (
                where orders.ordered_at_utc > ts and orders.ordered_at_utc <= ts + interval 672 hour
            ) as window_orders,
            coalesce(sum(orders.net_sales) filter (
                where orders.ordered_at_utc > ts and orders.ordered_at_utc <= ts + interval 672 hour
            ), 0) as window_net_sales,
            count(orders.order_id) filter (
                where orders.order_date = date '{launch}' and orders.ordered_at_utc > ts
            ) as launch_day_orders_after_launch
        from members
        cross join (select launched_at as ts from mart_action_outcomes) as launch
        left join fct_orders as orders
            on orders.customer_key = members.customer_key and orders.is_counted_order
        group by members.customer_key
    """)
    action = truth["action_id"]
    return [
        {
            "customer_key": key,
            "holdout": holdout_hash(action, key.removeprefix("email:")) < truth["holdout_fraction"],
            "converted": n > 0,
            "net_sales": float(sales),
            "ordered_later_on_launch_day": late > 0,
        }
        for key, n, sales, late in rows
    ]


def arm_counts(members: list[dict]) -> dict:
    treated = [m for m in members if not m["holdout"]]
    held = [m for m in members if m["holdout"]]
    return {
        "audience_size": len(members),
        "treated": len(treated),
        "holdout": len(held),
        "treated_conversions": sum(m["converted"] for m in treated),
        "holdout_conversions": sum(m["converted"] for m in held),
        "treated_net_sales": sum(m["net_sales"] for m in treated),
        "holdout_net_sales": sum(m["net_sales"] for m in held),
    }


def test_winback_outcome_equals_the_ground_truth(winback: tuple[dict, Query]) -> None:
    truth, query = winback
    (row,) = outcomes(query)
    rebuilt = rebuild_demo_audience(query, truth)
    demo = arm_counts(rebuilt)
    # the independent rebuild is the generator's ground truth
    for key in ("audience_size", "treated", "holdout", "treated_conversions",
                "holdout_conversions"):
        assert demo[key] == truth[key], key
    # a member who converted later on the launch day itself stays in the audience
    assert any(m["ordered_later_on_launch_day"] for m in rebuilt)
    ours = demo

    assert (row["action_id"], row["play_id"], row["variant_id"], row["channel"]) == (
        truth["action_id"], truth["play_id"], truth["variant_id"], truth["channel"])
    assert row["launch_date"].isoformat() == truth["launch_date"]
    assert row["holdout_fraction"] == truth["holdout_fraction"]
    assert row["status"] == "complete" and row["stats_null_reason"] is None
    assert row["measurement_days"] == 28
    assert row["measurement_end_date"] == date.fromisoformat(truth["launch_date"]) + timedelta(28)
    assert (row["audience_size"], row["treated_n"], row["holdout_n"],
            row["treated_conversions"], row["holdout_conversions"]) == (
        ours["audience_size"], ours["treated"], ours["holdout"],
        ours["treated_conversions"], ours["holdout_conversions"])
    assert row["treated_rate"] == pytest.approx(ours["treated_conversions"] / ours["treated"], abs=1e-12)
    assert row["holdout_rate"] == pytest.approx(ours["holdout_conversions"] / ours["holdout"], abs=1e-12)
    assert row["treated_rate"] == pytest.approx(truth["treated_rate"], abs=5e-5)
    assert row["holdout_rate"] == pytest.approx(truth["holdout_rate"], abs=5e-5)
    assert row["treated_net_sales_per_customer"] == pytest.approx(
        ours["treated_net_sales"] / ours["treated"], abs=1e-9)
    assert row["holdout_net_sales_per_customer"] == pytest.approx(
        ours["holdout_net_sales"] / ours["holdout"], abs=1e-9)


def test_winback_statistics_equal_statsmodels(winback: tuple[dict, Query]) -> None:
    truth, query = winback
    (row,) = outcomes(query)
    x1, n1 = row["treated_conversions"], row["treated_n"]
    x2, n2 = row["holdout_conversions"], row["holdout_n"]
    assert row["lift_abs"] == pytest.approx(x1 / n1 - x2 / n2, abs=1e-12)
    low, upp = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff",
                                          alpha=0.05)
    assert (row["lift_ci_lower"], row["lift_ci_upper"]) == pytest.approx((low, upp), abs=1e-9)
    # every expected cell is at least 5, so the pooled z-test
    assert min(n1, n2) * min(x1 + x2, n1 + n2 - x1 - x2) / (n1 + n2) >= 5
    assert row["test_method"] == "z"
    assert row["p_value"] == pytest.approx(proportions_ztest([x1, x2], [n1, n2])[1], rel=1e-9)
    # the planted lift lies inside the interval
    assert row["lift_ci_lower"] <= truth["planted_lift_absolute"] <= row["lift_ci_upper"]


def test_pending_action_has_no_statistics(winback_pending: Query,
                                          winback: tuple[dict, Query]) -> None:
    _, complete_query = winback
    (row,) = outcomes(winback_pending)
    (complete,) = outcomes(complete_query)
    assert row["status"] == "pending"
    assert row["stats_null_reason"] == "measurement_window_open"
    # the audience is fixed at launch: the same customers, the same split
    for key in ("audience_size", "treated_n", "holdout_n", "measurement_end_date"):
        assert row[key] == complete[key], key
    for key in ("treated_conversions", "holdout_conversions", "treated_rate", "holdout_rate",
                "lift_abs", "lift_ci_lower", "lift_ci_upper", "p_value", "test_method",
                "treated_net_sales_per_customer", "holdout_net_sales_per_customer"):
        assert row[key] is None, key
    # a pending action is not evidence for the plan
    (evidence,), = winback_pending(
        "select evidence_class from mart_action_candidates where play_id = 'winback_21_45'")
    assert evidence != "measured"


def test_store_without_launches_has_no_outcomes(scenario_store) -> None:  # type: ignore[no-untyped-def]
    _, query = scenario_store("healthy_beauty")
    assert query("select count(*) from stg_inputs__action_log") == [(0,)]
    assert query("select count(*) from mart_action_outcomes") == [(0,)]
    columns = {c for (c,) in query(
        "select column_name from information_schema.columns "
        "where table_name = 'mart_action_outcomes'")}
    assert set(COLUMNS) <= columns
    assert query("select count(*) from mart_action_candidates "
                 "where evidence_class = 'measured'") == [(0,)]


def _holdout_cases() -> list[tuple[str, str]]:
    keys = [f"email:customer{i}@example.com" for i in range(150)]
    keys += [f"phone:{5550000000 + 7919 * i}" for i in range(100)]
    keys += ["email:zoë.müller@exämple.de", "email:a+b@x.co", "email:", "phone:1", "odd key",
             "email:o'brien@x.com"]
    keys += [f"email:{hashlib.sha1(str(i).encode()).hexdigest()[:12]}@shop.com" for i in range(50)]
    actions = ["2026-09-16__winback_21_45__pct15", "2026-10-01__dormant_multibuyers__free_ship",
               "a"]
    return [(actions[i % len(actions)], key) for i, key in enumerate(keys)]


def test_sql_holdout_hash_equals_python(tmp_path: Path) -> None:
    """Both bodies of aura_holdout_hash (DuckDB's and the portable default) and
    aura_holdout_key, rendered by dbt, against aura.tracking.holdout.holdout_hash."""
    select = (
        "select action_id, customer_key, {{ aura_holdout_key('customer_key') }} as holdout_key, "
        "{{ aura_holdout_hash('action_id', aura_holdout_key('customer_key')) }} as dispatched, "
        "{{ default__aura_holdout_hash('action_id', aura_holdout_key('customer_key')) }} "
        "as portable from cases"
    )
    target = tmp_path / "dbt_target"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--quiet", "--profiles-dir",
         str(REPO), "--project-dir", str(REPO), "--target-path", str(target), "--log-path",
         str(target / "logs"), "--inline", select],
        cwd=REPO, capture_output=True, text=True, check=False,
        env={**os.environ, "AURA_DB": str(tmp_path / "hash_check.duckdb"),
             "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    compiled = proc.stdout.strip()
    assert "ubigint" in compiled and "position(" in compiled

    cases = _holdout_cases()
    assert len(cases) > 300
    con = duckdb.connect()
    con.execute("create table cases (action_id varchar, customer_key varchar)")
    con.executemany("insert into cases values (?, ?)", cases)
    rows = con.execute(compiled).fetchall()
    assert len(rows) == len(cases)
    held = 0
    for action_id, customer_key, key, dispatched, portable in rows:
        expected_key = customer_key.removeprefix("email:")
        expected = holdout_hash(action_id, expected_key)
        assert key == expected_key
        assert dispatched == expected, (action_id, customer_key)
        assert portable == expected, (action_id, customer_key)
        held += expected < 0.2
    assert 0.1 < held / len(rows) < 0.3  # a roughly uniform hash
    # NULL in, NULL out (never a made-up assignment)
    nulls = con.execute(compiled.replace(
        " from cases", " from (select 'a' as action_id, cast(null as varchar) as customer_key)"
    )).fetchall()
    assert nulls == [("a", None, None, None, None)]
