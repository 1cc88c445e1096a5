"""mart_action_accuracy: how the predictions frozen at launch held up, per play and overall.

On the winback_activation build the mart equals a pandas computation of the same summaries
over mart_action_outcomes, and the one scored action's numbers equal a hand computation from
the demo's ground truth (its logged prediction) and the per-member net sales rebuilt in
pandas; a replayed month inside the window has nothing complete to summarise; a store without
launches has one row saying so. The summaries' edge cases (medians of even counts, a p50 of
0, plays without predictions) are dbt unit tests in
models/marts/tracking/mart_action_accuracy.yml."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from test_action_outcomes import per_member_net_sales

Query = Callable[[str], list[tuple]]

OUTCOME_COLUMNS = ["action_id", "play_id", "status", "actual_incremental_net_sales",
                   "predicted_incremental_net_sales_p10", "predicted_incremental_net_sales_p50",
                   "predicted_incremental_net_sales_p90", "revenue_accuracy_pct"]


def frame(query: Query, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    cols = columns or [c for (c,) in query(
        f"select column_name from information_schema.columns where table_name = '{table}' "
        "order by ordinal_position")]
    return pd.DataFrame(query(f"select {', '.join(cols)} from {table}"), columns=cols)


SUMMARY_COLUMNS = [
    "actual_incremental_net_sales_total", "predicted_net_sales_p50_total",
    "aggregate_revenue_accuracy_pct", "aggregate_actual_to_predicted_ratio",
    "within_p10_p90_actions", "within_p10_p90_share", "mean_actual_incremental_net_sales",
    "median_actual_incremental_net_sales", "mean_predicted_net_sales_p50",
    "median_predicted_net_sales_p50", "mean_revenue_accuracy_pct", "median_revenue_accuracy_pct",
]


def expected_summary(actions: pd.DataFrame) -> dict:
    """The mart's columns for one scope, computed in pandas from the per-action rows."""
    actual = actions["actual_incremental_net_sales"].astype(float)
    p10, p50, p90 = (actions[f"predicted_incremental_net_sales_{q}"].astype(float)
                     for q in ("p10", "p50", "p90"))
    scored = actual.notna() & p50.notna()
    accuracy = 100 * (1 - (actual - p50).abs() / p50)
    has_accuracy = scored & (p50 > 0)
    out: dict = {
        "launched_actions": len(actions),
        "pending_actions": int((actions["status"] == "pending").sum()),
        "overdue_actions": int((actions["status"] == "overdue").sum()),
        "complete_actions": int((actions["status"] == "complete").sum()),
        "measured_actions": int(actual.notna().sum()),
        "scored_actions": int(scored.sum()),
        "accuracy_actions": int(has_accuracy.sum()),
    }
    if not scored.any():
        return out
    within = (actual[scored] >= p10[scored]) & (actual[scored] <= p90[scored])
    total_a, total_p = actual[scored].sum(), p50[scored].sum()
    out.update({
        "actual_incremental_net_sales_total": total_a,
        "predicted_net_sales_p50_total": total_p,
        "within_p10_p90_actions": int(within.sum()),
        "within_p10_p90_share": within.mean(),
        "mean_actual_incremental_net_sales": actual[scored].mean(),
        "median_actual_incremental_net_sales": float(np.median(actual[scored])),
        "mean_predicted_net_sales_p50": p50[scored].mean(),
        "median_predicted_net_sales_p50": float(np.median(p50[scored])),
    })
    if has_accuracy.any() and total_p > 0:
        out.update({
            "aggregate_revenue_accuracy_pct": 100 * (1 - abs(total_a - total_p) / total_p),
            "aggregate_actual_to_predicted_ratio": total_a / total_p,
            "mean_revenue_accuracy_pct": accuracy[has_accuracy].mean(),
            "median_revenue_accuracy_pct": float(np.median(accuracy[has_accuracy])),
        })
    return out


@pytest.fixture(scope="module")
def winback(scenario_store) -> tuple[dict, Query]:  # type: ignore[no-untyped-def]
    truth, query = scenario_store("winback_activation")
    return truth["effects"]["winback"], query


def test_accuracy_equals_pandas_over_the_outcomes(winback: tuple[dict, Query]) -> None:
    _, query = winback
    outcomes = frame(query, "mart_action_outcomes", OUTCOME_COLUMNS)
    accuracy = frame(query, "mart_action_accuracy").set_index("play_id")
    plays = sorted(outcomes["play_id"].unique())
    assert sorted(accuracy.index) == sorted([*plays, "all_plays"])
    scopes = {"all_plays": outcomes, **{p: outcomes[outcomes["play_id"] == p] for p in plays}}
    for scope, actions in scopes.items():
        row = accuracy.loc[scope]
        assert row["summary_level"] == ("all_plays" if scope == "all_plays" else "play")
        expected = expected_summary(actions)
        for column, value in expected.items():
            assert row[column] == pytest.approx(value, rel=1e-9, abs=1e-9), (scope, column)
        # what pandas could not compute is NULL in the mart, never 0
        for column in set(SUMMARY_COLUMNS) - set(expected):
            assert pd.isna(row[column]), (scope, column)


def test_winback_accuracy_by_hand(winback: tuple[dict, Query]) -> None:
    """One scored action: every summary is that action's numbers, computed here from the
    ground truth's logged prediction and the per-member net sales rebuilt in pandas."""
    truth, query = winback
    members = per_member_net_sales(query, truth)
    treated = members.loc[~members["holdout"], "net_sales"]
    held = members.loc[members["holdout"], "net_sales"]
    actual = (treated.mean() - held.mean()) * len(treated)
    share = len(treated) / truth["prediction_audience_size"]
    p10, p50, p90 = (truth["predicted_net_sales"][q] * share for q in ("p10", "p50", "p90"))
    accuracy_pct = 100 * (1 - abs(actual - p50) / p50)

    rows = frame(query, "mart_action_accuracy")
    assert list(rows["play_id"].sort_values()) == ["all_plays", "winback_21_45"]
    for _, row in rows.iterrows():
        assert (row["launched_actions"], row["complete_actions"], row["measured_actions"],
                row["scored_actions"], row["accuracy_actions"]) == (1, 1, 1, 1, 1)
        assert (row["pending_actions"], row["overdue_actions"]) == (0, 0)
        assert row["summary_null_reason"] is None and row["accuracy_null_reason"] is None
        for column in ("actual_incremental_net_sales_total", "mean_actual_incremental_net_sales",
                       "median_actual_incremental_net_sales"):
            assert row[column] == pytest.approx(actual, rel=1e-9), column
        for column in ("predicted_net_sales_p50_total", "mean_predicted_net_sales_p50",
                       "median_predicted_net_sales_p50"):
            assert row[column] == pytest.approx(p50, rel=1e-12), column
        for column in ("aggregate_revenue_accuracy_pct", "mean_revenue_accuracy_pct",
                       "median_revenue_accuracy_pct"):
            assert row[column] == pytest.approx(accuracy_pct, rel=1e-9), column
        assert row["aggregate_actual_to_predicted_ratio"] == pytest.approx(actual / p50, rel=1e-9)
        inside = p10 <= actual <= p90
        assert row["within_p10_p90_actions"] == int(inside)
        assert row["within_p10_p90_share"] == float(inside)


def test_replayed_month_inside_the_window_has_nothing_complete(winback_pending: Query) -> None:
    rows = frame(winback_pending, "mart_action_accuracy").set_index("play_id")
    assert sorted(rows.index) == ["all_plays", "winback_21_45"]
    for _, row in rows.iterrows():
        assert (row["launched_actions"], row["pending_actions"], row["complete_actions"]) == (1, 1, 0)
        assert row["summary_null_reason"] == row["accuracy_null_reason"] == "no_complete_actions"
        for column in ("actual_incremental_net_sales_total", "within_p10_p90_share",
                       "median_actual_incremental_net_sales", "mean_revenue_accuracy_pct",
                       "aggregate_revenue_accuracy_pct"):
            assert pd.isna(row[column]), column


def test_store_without_launches_says_so(scenario_store) -> None:  # type: ignore[no-untyped-def]
    _, query = scenario_store("healthy_beauty")
    rows = frame(query, "mart_action_accuracy")
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["play_id"], row["summary_level"], row["launched_actions"]) == (
        "all_plays", "all_plays", 0)
    assert row["summary_null_reason"] == row["accuracy_null_reason"] == "no_launched_actions"
    money = [c for c in rows.columns if c.startswith(("mean_", "median_", "aggregate_"))
             or c.endswith(("_total", "_share"))]
    assert len(money) == 11
    assert rows[money].isna().all(axis=None)
