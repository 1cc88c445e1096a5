"""mart_variant_posteriors: one row per (play, variant) - Beta posteriors of the variants'
conversion rates from measured outcomes, P(best) by Thompson sampling (MABWiser, cross-checked
against the thompson_p_best UDF's code), the recommended variant and the traffic share
Thompson sampling would give each variant with aura_min_exploration_share reserved.

The logic is plain Python in aura/tracking/posteriors.py (unit-tested on hand frames); this
model only reads the refs and the vars. Definitions: DECISIONLOG "Variant posteriors".
"""

import pandas as pd

from aura.tracking.posteriors import PosteriorSettings, variant_posteriors

TEXT = ["play_id", "variant_id", "prior_source", "measurement_null_reason", "posterior_basis",
        "play_basis", "recommended_variant_id", "recommendation_basis", "recommendation_null_reason"]
NUMBERS = ["prior_alpha", "prior_beta", "prior_effective_n", "observed_conversion_rate",
           "posterior_alpha", "posterior_beta", "posterior_mean", "posterior_ci_lower",
           "posterior_ci_upper", "p_best_mabwiser", "p_best_udf", "p_best_mc_se", "p_best",
           "exploration_floor", "traffic_share"]
COUNTS = ["arms_in_play", "actions_launched", "actions_awaiting", "actions_measured",
          "measured_customers", "conversions", "thompson_draws", "thompson_seed"]
FLAGS = ["is_catalogue_variant", "is_prior_recorded", "is_recommended"]


def frame(relation) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """A ref as pandas (DuckDB relation here; a Spark DataFrame would use toPandas)."""
    return relation.toPandas() if hasattr(relation, "toPandas") else relation.df()


def model(dbt, session):  # type: ignore[no-untyped-def]
    dbt.config(materialized="table")
    settings = PosteriorSettings.from_inputs(
        # literal keys: dbt passes a model only the meta keys it finds in its code
        {
            "min_exploration_share": dbt.config.meta_get("min_exploration_share"),
            "thompson_draws": dbt.config.meta_get("thompson_draws"),
            "thompson_seed": dbt.config.meta_get("thompson_seed"),
        }
    )
    variants = frame(dbt.ref("play_variants"))
    outcomes = frame(dbt.ref("mart_action_outcomes"))
    posteriors = variant_posteriors(
        variants[["play_id", "variant_id", "is_no_discount", "incentive_cost_value",
                  "prior_alpha", "prior_beta", "prior_source"]],
        outcomes[["play_id", "variant_id", "status", "treated_n", "treated_conversions"]],
        settings,
    )
    for column in TEXT:
        posteriors[column] = posteriors[column].astype("string")
    for column in NUMBERS:
        posteriors[column] = pd.to_numeric(posteriors[column], errors="raise").astype("float64")
    for column in COUNTS:
        posteriors[column] = pd.to_numeric(posteriors[column], errors="raise").astype("Int64")
    for column in FLAGS:
        posteriors[column] = posteriors[column].astype("boolean")
    return posteriors
