"""mart_action_outcomes: the measured result of launched actions.

Each of the two planted winback actions of the winback_activation demo (a reminder without a
discount, then 15% off) is measured as the generator's ground truth says (its audience, hash
holdout and conversions are rebuilt here from fct_orders with the demo's own rules), its
planted lift lies inside the measured 95% interval, the statistics equal statsmodels'
computed from the counts, the revenue lift's Welch interval and p-value equal scipy's and
statsmodels' on the per-member net sales rebuilt in pandas, the logged prediction is scaled
and compared with the actual as computed by hand, a store without launches gives no rows,
the SQL holdout hash is aura.tracking.holdout's, and an action whose window is still open
has no statistics but keeps its prediction (while the earlier one, closed, is measured).
The edge cases (empty arms, repeated log rows, window ends, overdue, incomplete predictions)
are a dbt unit test in models/marts/tracking/mart_action_outcomes.yml."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from aura.tracking.holdout import holdout_hash

from conftest import REPO

Query = Callable[[str], list[tuple]]

COLUMNS = [
    "action_id", "play_id", "variant_id", "channel", "launch_date", "holdout_fraction",
    "measurement_days", "measurement_end_date", "status", "audience_size", "treated_n",
    "holdout_n", "treated_conversions", "holdout_conversions", "treated_rate", "holdout_rate",
    "lift_abs", "lift_ci_lower", "lift_ci_upper", "p_value", "test_method",
    "stats_null_reason", "treated_net_sales_per_customer", "holdout_net_sales_per_customer",
    "data_through_date", "as_of_date", "treated_net_sales_sd", "holdout_net_sales_sd",
    "revenue_lift_per_customer", "revenue_lift_ci_lower", "revenue_lift_ci_upper",
    "revenue_lift_p_value", "revenue_stats_null_reason", "actual_incremental_net_sales",
    "actual_incremental_net_sales_ci_lower", "actual_incremental_net_sales_ci_upper",
    "predicted_net_sales_p10", "predicted_net_sales_p50", "predicted_net_sales_p90",
    "launch_audience_size", "prediction_audience_basis", "prediction_window_factor",
    "predicted_incremental_net_sales_p10", "predicted_incremental_net_sales_p50",
    "predicted_incremental_net_sales_p90", "prediction_null_reason", "is_actual_within_p10_p90",
    "revenue_accuracy_pct", "actual_to_predicted_ratio", "accuracy_null_reason",
]
# what a pending or overdue action must not show (outcomes are never partial)
OUTCOME_COLUMNS = [
    "treated_conversions", "holdout_conversions", "treated_rate", "holdout_rate", "lift_abs",
    "lift_ci_lower", "lift_ci_upper", "p_value", "test_method", "treated_net_sales_per_customer",
    "holdout_net_sales_per_customer", "treated_net_sales_sd", "holdout_net_sales_sd",
    "revenue_lift_per_customer", "revenue_lift_ci_lower", "revenue_lift_ci_upper",
    "revenue_lift_p_value", "actual_incremental_net_sales", "actual_incremental_net_sales_ci_lower",
    "actual_incremental_net_sales_ci_upper", "is_actual_within_p10_p90", "revenue_accuracy_pct",
    "actual_to_predicted_ratio",
]


# the ground-truth keys of the demo's planted launches: the reminder, then 15% off
LAUNCHES = ["winback_reminder", "winback"]


def outcomes(query: Query) -> list[dict]:
    rows = query(f"select {', '.join(COLUMNS)} from mart_action_outcomes order by action_id")
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def outcome_of(query: Query, action_id: str) -> dict:
    """The one outcome row of `action_id`."""
    (row,) = [row for row in outcomes(query) if row["action_id"] == action_id]
    return row


@pytest.fixture(scope="module")
def winback(scenario_store) -> tuple[dict, Query]:  # type: ignore[no-untyped-def]
    """The same store fully built (shared with the other modules that build it); the
    15%-off action's ground truth."""
    truth, query = scenario_store("winback_activation")
    return truth["effects"]["winback"], query


@pytest.fixture(scope="module", params=LAUNCHES)
def launch(request: pytest.FixtureRequest, scenario_store) -> tuple[dict, Query]:  # type: ignore[no-untyped-def]
    """Each planted launch's ground truth, with the same store."""
    truth, query = scenario_store("winback_activation")
    return truth["effects"][request.param], query


def test_the_store_logs_both_launches(scenario_store) -> None:  # type: ignore[no-untyped-def]
    """Two launches of one play, the reminder's window closed before the 15%-off launch."""
    truth, query = scenario_store("winback_activation")
    reminder, pct15 = (truth["effects"][key] for key in LAUNCHES)
    rows = outcomes(query)
    assert sorted(row["action_id"] for row in rows) == sorted(
        [reminder["action_id"], pct15["action_id"]])
    assert {row["play_id"] for row in rows} == {"winback_21_45"}
    assert [row["variant_id"] for row in sorted(rows, key=lambda r: r["launch_date"])] == [
        "winback_21_45__reminder", "pct15"]
    assert {row["status"] for row in rows} == {"complete"}
    first = outcome_of(query, reminder["action_id"])
    assert first["measurement_end_date"] < date.fromisoformat(pct15["launch_date"])


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
        cross join (
            select launched_at as ts from mart_action_outcomes where action_id = '{truth["action_id"]}'
        ) as launch
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


def test_winback_outcome_equals_the_ground_truth(launch: tuple[dict, Query]) -> None:
    truth, query = launch
    row = outcome_of(query, truth["action_id"])
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


def test_winback_statistics_equal_statsmodels(launch: tuple[dict, Query]) -> None:
    truth, query = launch
    row = outcome_of(query, truth["action_id"])
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
    # the planted lift lies inside the interval; the measured lift is the one the generator
    # realised (its treated and holdout rates)
    assert row["lift_ci_lower"] <= truth["planted_lift_absolute"] <= row["lift_ci_upper"]
    assert row["lift_abs"] == pytest.approx(truth["treated_rate"] - truth["holdout_rate"], abs=1e-4)
    assert row["lift_abs"] == pytest.approx(truth["realised_lift_absolute"], abs=1e-4)


def per_member_net_sales(query: Query, truth: dict) -> pd.DataFrame:
    """The members' window net sales (0 for members who did not buy) and arm, rebuilt in
    pandas from the independent audience rebuild."""
    members = pd.DataFrame(rebuild_demo_audience(query, truth))
    assert len(members) == truth["audience_size"]
    return members[["customer_key", "holdout", "net_sales"]]


def test_winback_revenue_lift_equals_scipy_and_statsmodels(launch: tuple[dict, Query]) -> None:
    """Welch's interval and p-value of treated minus held-out net sales per member, from the
    per-member values (not the mart's summaries): scipy's ttest_ind(equal_var=False) and
    statsmodels' CompareMeans with unequal variances."""
    truth, query = launch
    row = outcome_of(query, truth["action_id"])
    members = per_member_net_sales(query, truth)
    treated = members.loc[~members["holdout"], "net_sales"].to_numpy()
    held = members.loc[members["holdout"], "net_sales"].to_numpy()
    assert (len(treated), len(held)) == (row["treated_n"], row["holdout_n"])
    assert (held == 0).sum() > 0 and (treated > 0).sum() == row["treated_conversions"]

    assert row["status"] == "complete" and row["revenue_stats_null_reason"] is None
    assert row["treated_net_sales_per_customer"] == pytest.approx(treated.mean(), abs=1e-9)
    assert row["holdout_net_sales_per_customer"] == pytest.approx(held.mean(), abs=1e-9)
    assert row["treated_net_sales_sd"] == pytest.approx(treated.std(ddof=1), rel=1e-9)
    assert row["holdout_net_sales_sd"] == pytest.approx(held.std(ddof=1), rel=1e-9)
    lift = treated.mean() - held.mean()
    assert row["revenue_lift_per_customer"] == pytest.approx(lift, abs=1e-9)

    test = stats.ttest_ind(treated, held, equal_var=False)
    ci = test.confidence_interval(0.95)
    assert row["revenue_lift_p_value"] == pytest.approx(test.pvalue, rel=1e-9)
    assert (row["revenue_lift_ci_lower"], row["revenue_lift_ci_upper"]) == pytest.approx(
        (ci.low, ci.high), rel=1e-9)
    compare = CompareMeans(DescrStatsW(treated), DescrStatsW(held))
    sm_low, sm_high = compare.tconfint_diff(alpha=0.05, usevar="unequal")
    _, sm_p, _ = compare.ttest_ind(usevar="unequal")
    assert (row["revenue_lift_ci_lower"], row["revenue_lift_ci_upper"]) == pytest.approx(
        (sm_low, sm_high), rel=1e-9)
    assert row["revenue_lift_p_value"] == pytest.approx(sm_p, rel=1e-9)

    # the actual incremental net sales and its interval: per member x treated members
    n = len(treated)
    assert row["actual_incremental_net_sales"] == pytest.approx(lift * n, abs=1e-6)
    assert (row["actual_incremental_net_sales_ci_lower"],
            row["actual_incremental_net_sales_ci_upper"]) == pytest.approx(
        (ci.low * n, ci.high * n), rel=1e-9)


def test_winback_prediction_against_actual_by_hand(launch: tuple[dict, Query]) -> None:
    """The prediction the demo logged at launch (its ground truth), scaled by hand to the
    treated members (window factor 1 at 28 days), against the actual rebuilt in pandas."""
    truth, query = launch
    row = outcome_of(query, truth["action_id"])
    predicted = truth["predicted_net_sales"]
    assert truth["prediction_audience_size"] == truth["audience_size"]
    assert (row["predicted_net_sales_p10"], row["predicted_net_sales_p50"],
            row["predicted_net_sales_p90"]) == pytest.approx(
        (predicted["p10"], predicted["p50"], predicted["p90"]), abs=1e-9)
    assert row["launch_audience_size"] == truth["prediction_audience_size"]
    assert row["prediction_audience_basis"] == "launch_audience_size"
    assert row["prediction_window_factor"] == 1.0
    assert row["prediction_null_reason"] is None and row["accuracy_null_reason"] is None

    members = per_member_net_sales(query, truth)
    treated = members.loc[~members["holdout"], "net_sales"]
    held = members.loc[members["holdout"], "net_sales"]
    actual = (treated.mean() - held.mean()) * len(treated)
    share = len(treated) / truth["prediction_audience_size"]  # e.g. 1,477 / 1,880
    p10, p50, p90 = (predicted[k] * share for k in ("p10", "p50", "p90"))
    assert (row["predicted_incremental_net_sales_p10"], row["predicted_incremental_net_sales_p50"],
            row["predicted_incremental_net_sales_p90"]) == pytest.approx((p10, p50, p90), rel=1e-12)
    assert row["is_actual_within_p10_p90"] == (p10 <= actual <= p90)
    assert row["revenue_accuracy_pct"] == pytest.approx(100 * (1 - abs(actual - p50) / p50),
                                                        rel=1e-9)
    assert row["actual_to_predicted_ratio"] == pytest.approx(actual / p50, rel=1e-9)


def test_pending_action_has_no_statistics(winback_pending: Query, scenario_store) -> None:  # type: ignore[no-untyped-def]
    truth, complete_query = scenario_store("winback_activation")
    pct15, reminder = truth["effects"]["winback"], truth["effects"]["winback_reminder"]
    assert len(outcomes(winback_pending)) == 2
    row = outcome_of(winback_pending, pct15["action_id"])
    complete = outcome_of(complete_query, pct15["action_id"])
    assert row["status"] == "pending"
    # a replayed month: the orders reach past the window's end, the as-of date does not
    assert row["as_of_date"] < row["measurement_end_date"] <= row["data_through_date"]
    assert row["stats_null_reason"] == "measurement_window_open"
    assert row["revenue_stats_null_reason"] == "measurement_window_open"
    assert row["accuracy_null_reason"] == "measurement_window_open"
    # the audience is fixed at launch: the same customers, the same split
    for key in ("audience_size", "treated_n", "holdout_n", "measurement_end_date"):
        assert row[key] == complete[key], key
    for key in OUTCOME_COLUMNS:
        assert row[key] is None, key
    # the prediction is known at launch: shown while pending, the same as once complete
    assert row["prediction_null_reason"] is None
    for key in ("predicted_incremental_net_sales_p10", "predicted_incremental_net_sales_p50",
                "predicted_incremental_net_sales_p90"):
        assert row[key] == pytest.approx(complete[key], rel=1e-12), key
    # the reminder's window closed before the as-of date: it is measured, exactly as in the
    # full build (the same customers, orders and statistics)
    earlier = outcome_of(winback_pending, reminder["action_id"])
    assert earlier["status"] == "complete"
    assert earlier["measurement_end_date"] <= earlier["as_of_date"]
    closed = outcome_of(complete_query, reminder["action_id"])
    for key in set(COLUMNS) - {"as_of_date", "data_through_date"}:
        if isinstance(closed[key], float):  # sums over many members: equal to rounding
            assert earlier[key] == pytest.approx(closed[key], rel=1e-12, abs=1e-12), key
        else:
            assert earlier[key] == closed[key], key
    # a pending action is not evidence for the plan: the play's measured evidence is the
    # latest complete action, the reminder
    (evidence, measured_action), = winback_pending(
        "select evidence_class, measured_action_id from mart_action_candidates "
        "where play_id = 'winback_21_45'")
    assert (evidence, measured_action) == ("measured", reminder["action_id"])


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


HASH_SELECT = (
    "select action_id, customer_key, {{ aura_holdout_key('customer_key') }} as holdout_key, "
    "{{ aura_holdout_hash('action_id', aura_holdout_key('customer_key')) }} as dispatched, "
    "{{ default__aura_holdout_hash('action_id', aura_holdout_key('customer_key')) }} "
    "as portable from cases"
)

WINDOW_FACTOR_CASES = {
    # (days, schedule): fatigue-weighted weeks the window covers / those of the plan's month
    (28, None): 1.0,  # the defaults: the plan's month is the measurement window
    (14, None): (1.00 + 0.85) / 3.15,
    (10, None): (1.00 + 0.85 * 3 / 7) / 3.15,
    (30, None): (3.15 + 0.60 * 2 / 7) / 3.15,  # weeks after the schedule at its last factor
    (42, None): (3.15 + 0.60 * 2) / 3.15,
    (7, (1.0, 0.5)): 1.0 / 1.5,
    (1, (1.0,)): 1.0 / 7,
}


def _window_factor_select() -> str:
    parts = []
    for i, (days, schedule) in enumerate(WINDOW_FACTOR_CASES):
        args = f"{days}" if schedule is None else f"{days}, {list(schedule)}"
        parts.append(f"{{{{ tracking_prediction_window_factor({args}) }}}} as f{i}")
    parts.append("{{ tracking_prediction_window_factor() }} as from_vars")
    return "select " + ", ".join(parts)


SPLIT = "-- next query --"


@pytest.fixture(scope="module")
def compiled_macros(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The macro checks below rendered by one `dbt compile --inline` (a compile parses the
    whole project: one is enough)."""
    tmp = tmp_path_factory.mktemp("macros")
    target = tmp / "dbt_target"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--quiet", "--profiles-dir",
         str(REPO), "--project-dir", str(REPO), "--target-path", str(target), "--log-path",
         str(target / "logs"), "--inline", f"{HASH_SELECT}\n{SPLIT}\n{_window_factor_select()}"],
        cwd=REPO, capture_output=True, text=True, check=False,
        env={**os.environ, "AURA_DB": str(tmp / "compile_check.duckdb"),
             "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    hash_sql, factor_sql = proc.stdout.strip().split(SPLIT)
    return {"hash": hash_sql.strip(), "window_factor": factor_sql.strip()}


def test_prediction_window_factor_by_hand(compiled_macros: dict[str, str]) -> None:
    """tracking_prediction_window_factor: the plan's monthly value's share in the window."""
    row = duckdb.connect().execute(compiled_macros["window_factor"]).fetchone()
    assert row is not None
    *factors, from_vars = row
    for (case, expected), got in zip(WINDOW_FACTOR_CASES.items(), factors, strict=True):
        assert float(got) == pytest.approx(expected, abs=1e-11), case
    assert float(from_vars) == 1.0  # aura_measurement_days 28, the seed's schedule


def test_sql_holdout_hash_equals_python(compiled_macros: dict[str, str]) -> None:
    """Both bodies of aura_holdout_hash (DuckDB's and the portable default) and
    aura_holdout_key, rendered by dbt, against aura.tracking.holdout.holdout_hash."""
    compiled = compiled_macros["hash"]
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
