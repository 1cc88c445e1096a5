"""mart_action_accuracy: how the predictions frozen at launch held up, per play and overall.

On the winback_activation build the mart equals a pandas computation of the same summaries
over mart_action_outcomes, and its per-play and all-plays rows equal a hand computation over
the two scored actions (the reminder, then 15% off) from the demo's ground truth (their logged
predictions) and the per-member net sales rebuilt in pandas; a replayed month inside the
15%-off action's window summarises the closed reminder alone; a store without launches has
one row saying so. The summaries' edge cases (medians of even counts, a p50 of
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
    """The ground truth of the store's planted launches (the reminder, then 15% off)."""
    truth, query = scenario_store("winback_activation")
    return [truth["effects"]["winback_reminder"], truth["effects"]["winback"]], query


def scored_by_hand(query: Query, truth: dict) -> dict:
    """One complete action's actual and scaled prediction, computed here from the ground
    truth's logged prediction and the per-member net sales rebuilt in pandas."""
    members = per_member_net_sales(query, truth)
    treated = members.loc[~members["holdout"], "net_sales"]
    held = members.loc[members["holdout"], "net_sales"]
    actual = (treated.mean() - held.mean()) * len(treated)
    share = len(treated) / truth["prediction_audience_size"]
    p10, p50, p90 = (truth["predicted_net_sales"][q] * share for q in ("p10", "p50", "p90"))
    return {"actual": actual, "p10": p10, "p50": p50, "p90": p90,
            "accuracy_pct": 100 * (1 - abs(actual - p50) / p50)}


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


def test_winback_accuracy_by_hand(winback: tuple[list[dict], Query]) -> None:
    """Two scored actions of one play: the play's row and the all-plays row both summarise
    them; every summary is computed here from the two actions' hand-computed numbers."""
    truths, query = winback
    actions = [scored_by_hand(query, truth) for truth in truths]
    # the mart's per-action numbers are the hand computation
    outcomes = frame(query, "mart_action_outcomes", OUTCOME_COLUMNS).set_index("action_id")
    for truth, action in zip(truths, actions, strict=True):
        row = outcomes.loc[truth["action_id"]]
        assert row["actual_incremental_net_sales"] == pytest.approx(action["actual"], rel=1e-9)
        assert row["predicted_incremental_net_sales_p50"] == pytest.approx(action["p50"], rel=1e-12)
        assert row["revenue_accuracy_pct"] == pytest.approx(action["accuracy_pct"], rel=1e-9)

    actual = np.array([a["actual"] for a in actions])
    p50 = np.array([a["p50"] for a in actions])
    accuracy = np.array([a["accuracy_pct"] for a in actions])
    inside = [a["p10"] <= a["actual"] <= a["p90"] for a in actions]
    total_a, total_p = actual.sum(), p50.sum()
    rows = frame(query, "mart_action_accuracy")
    assert list(rows["play_id"].sort_values()) == ["all_plays", "winback_21_45"]
    for _, row in rows.iterrows():
        assert (row["launched_actions"], row["complete_actions"], row["measured_actions"],
                row["scored_actions"], row["accuracy_actions"]) == (2, 2, 2, 2, 2)
        assert (row["pending_actions"], row["overdue_actions"]) == (0, 0)
        assert row["summary_null_reason"] is None and row["accuracy_null_reason"] is None
        assert row["actual_incremental_net_sales_total"] == pytest.approx(total_a, rel=1e-9)
        assert row["predicted_net_sales_p50_total"] == pytest.approx(total_p, rel=1e-12)
        # two actions: the median is the mean of the two
        for column in ("mean_actual_incremental_net_sales", "median_actual_incremental_net_sales"):
            assert row[column] == pytest.approx(total_a / 2, rel=1e-9), column
        for column in ("mean_predicted_net_sales_p50", "median_predicted_net_sales_p50"):
            assert row[column] == pytest.approx(total_p / 2, rel=1e-12), column
        for column in ("mean_revenue_accuracy_pct", "median_revenue_accuracy_pct"):
            assert row[column] == pytest.approx(accuracy.mean(), rel=1e-9), column
        # the aggregate compares the totals, not the mean of the per-action accuracies
        assert row["aggregate_revenue_accuracy_pct"] == pytest.approx(
            100 * (1 - abs(total_a - total_p) / total_p), rel=1e-9)
        assert row["aggregate_actual_to_predicted_ratio"] == pytest.approx(total_a / total_p, rel=1e-9)
        assert row["within_p10_p90_actions"] == sum(inside)
        assert row["within_p10_p90_share"] == pytest.approx(sum(inside) / 2, abs=1e-12)


def test_replayed_month_inside_the_window_scores_only_the_closed_action(
    winback_pending: Query, winback: tuple[list[dict], Query],
) -> None:
    """As of a date inside the 15%-off action's window, that action counts only as launched
    and pending; the summaries are the closed reminder's alone."""
    (reminder, pct15), _ = winback
    outcomes = frame(winback_pending, "mart_action_outcomes", OUTCOME_COLUMNS).set_index("action_id")
    assert outcomes.loc[pct15["action_id"], "status"] == "pending"
    assert outcomes.loc[reminder["action_id"], "status"] == "complete"
    closed = outcomes.loc[reminder["action_id"]]
    actual, p50 = closed["actual_incremental_net_sales"], closed["predicted_incremental_net_sales_p50"]
    rows = frame(winback_pending, "mart_action_accuracy").set_index("play_id")
    assert sorted(rows.index) == ["all_plays", "winback_21_45"]
    for _, row in rows.iterrows():
        assert (row["launched_actions"], row["pending_actions"], row["complete_actions"]) == (2, 1, 1)
        assert (row["scored_actions"], row["accuracy_actions"]) == (1, 1)
        assert row["summary_null_reason"] is None and row["accuracy_null_reason"] is None
        for column in ("actual_incremental_net_sales_total", "mean_actual_incremental_net_sales",
                       "median_actual_incremental_net_sales"):
            assert row[column] == pytest.approx(actual, rel=1e-12), column
        for column in ("predicted_net_sales_p50_total", "median_predicted_net_sales_p50"):
            assert row[column] == pytest.approx(p50, rel=1e-12), column
        assert row["median_revenue_accuracy_pct"] == pytest.approx(closed["revenue_accuracy_pct"], rel=1e-12)
        assert row["aggregate_revenue_accuracy_pct"] == pytest.approx(
            closed["revenue_accuracy_pct"], rel=1e-9)


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
