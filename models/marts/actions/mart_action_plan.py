"""mart_action_plan: one row per (as-of date, play) - the month's plan in lanes.

The selection (knapsack over at most three actions with overlap, interaction, channel,
conflict and effort safeguards) is sequential set logic over a dozen rows, so it runs in
Python (aura/plan/, unit-tested on hand fixtures); everything it reads is prepared in SQL.
Definitions: DECISIONLOG "Monthly plan: selection and safeguards".
"""

import pandas as pd

from aura.plan.build import PlanSettings, build_plan

TEXT = ["play_id", "title", "family", "category", "tier", "evidence_class", "candidate_reason_code",
        "channels", "mechanism", "how_to_launch", "variant_id", "action_id", "channel", "send_channels",
        "jaccard_with_play_id", "interactions_applied", "value_null_reason", "lane",
        "plan_reason_code", "plan_reason", "would_fire_if", "pilot_decision_rule"]
NUMBERS = ["score", "effort", "overlap_share", "max_jaccard", "interaction_factor",
           "base_monthly_net_sales_p10", "base_monthly_net_sales_p50", "base_monthly_net_sales_p90",
           "expected_monthly_net_sales_p10", "expected_monthly_net_sales_p50",
           "expected_monthly_net_sales_p90", "pilot_incentive_budget"]
COUNTS = ["audience_size", "overlapping_customers", "effective_audience_size",
          "pilot_audience_size", "lane_rank", "lane_order"]


def frame(relation) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """A ref as pandas (DuckDB relation here; a Spark DataFrame would use toPandas)."""
    return relation.toPandas() if hasattr(relation, "toPandas") else relation.df()


def model(dbt, session):  # type: ignore[no-untyped-def]
    dbt.config(materialized="table")
    conflicts = frame(dbt.ref("play_conflicts"))
    settings = PlanSettings.from_inputs(
        # literal keys: dbt passes a model only the meta keys it finds in its code
        {
            "max_recommended": dbt.config.meta_get("max_recommended"),
            "effort_budget": dbt.config.meta_get("effort_budget"),
            "overlap_max_ratio": dbt.config.meta_get("overlap_max_ratio"),
            "min_unique_audience": dbt.config.meta_get("min_unique_audience"),
            "jaccard_demote": dbt.config.meta_get("jaccard_demote"),
            "diversity_tolerance": dbt.config.meta_get("diversity_tolerance"),
            "disabled_channels": dbt.config.meta_get("disabled_channels"),
            "pilot_audience_fraction": dbt.config.meta_get("pilot_audience_fraction"),
            "pilot_budget_cap": dbt.config.meta_get("pilot_budget_cap"),
            "measurement_days": dbt.config.meta_get("measurement_days"),
        },
        channel_caps=frame(dbt.ref("channel_caps")),
        interactions=frame(dbt.ref("play_interactions")),
        conflicts=conflicts,
    )
    candidates = frame(dbt.ref("mart_action_candidates"))
    decision = frame(dbt.ref("mart_decision_state"))
    members = frame(dbt.ref("mart_audience_members"))
    plan = build_plan(
        candidates=candidates,
        variants=frame(dbt.ref("mart_action_variants")),
        members=members[["play_id", "customer_key"]],
        playbooks=frame(dbt.ref("playbooks")),
        conflicts=conflicts,
        decision_state=str(decision["decision_state"].iloc[0]),
        decision_reason=str(decision["decision_reason"].iloc[0]),
        settings=settings,
    )
    for column in TEXT:
        plan[column] = plan[column].astype("string")
    for column in NUMBERS:
        plan[column] = pd.to_numeric(plan[column], errors="raise").astype("float64")
    for column in COUNTS:
        plan[column] = pd.to_numeric(plan[column], errors="raise").astype("Int64")
    return plan
