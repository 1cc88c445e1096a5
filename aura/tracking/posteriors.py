"""Beta posteriors per (play, variant) from measured outcomes, P(best) by Thompson sampling.

Each variant is an arm with a Beta posterior on its conversion rate (the share of treated
customers who ordered inside the measurement window):

    alpha = prior_alpha + conversions,  beta = prior_beta + (treated customers - conversions)

summed over the variant's complete outcomes (mart_action_outcomes). The prior is the one
recorded in seeds/play_variants (with its source) or the uniform Beta(1, 1). P(best) - the
probability that the arm has the highest conversion rate among its play's arms - is
estimated twice from the same posteriors: by MABWiser's Thompson sampling fitted on the
per-customer binary rewards (`draws` batched predictions), and by
python_udfs.bayes.thompson_p_best (the SQL UDF's code, successive-decision order); the two
are independent Monte Carlo runs of one quantity. The traffic share Thompson sampling would
give each arm reserves `exploration_share` of the play's traffic, split equally, and gives
the rest in proportion to P(best). Definitions: DECISIONLOG "Variant posteriors".

Plain pandas / numpy / scipy / MABWiser; nothing here imports dbt.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from mabwiser.mab import MAB, LearningPolicy
from scipy import stats

from python_udfs.bayes import thompson_p_best

UNIFORM_PRIOR_SOURCE = "uniform (no prior recorded)"
CREDIBLE_LEVEL = 0.90

# outcome statuses of mart_action_outcomes that are still waiting for their result
AWAITING = ("pending", "overdue")


@dataclass(frozen=True)
class PosteriorSettings:
    """The aura_ vars the model reads (dbt_project.yml, "Tracking")."""

    draws: int = 10_000
    seed: int = 123_456
    exploration_share: float = 0.10

    def __post_init__(self) -> None:
        if self.draws < 1:
            raise ValueError(f"aura_thompson_draws must be at least 1, got {self.draws}")
        if self.seed < 0:
            raise ValueError(f"aura_thompson_seed must be >= 0, got {self.seed}")
        if not 0 <= self.exploration_share <= 1:
            raise ValueError(
                f"aura_min_exploration_share must be in [0, 1], got {self.exploration_share}"
            )

    @classmethod
    def from_inputs(cls, meta: Mapping[str, object]) -> PosteriorSettings:
        """From the model's rendered meta (strings); a missing key keeps its default."""
        defaults = cls()

        def value(key: str, default: object) -> str:
            given = meta.get(key)
            return str(default if given is None or str(given).strip() == "" else given)

        return cls(
            draws=int(value("thompson_draws", defaults.draws)),
            seed=int(value("thompson_seed", defaults.seed)),
            exploration_share=float(value("min_exploration_share", defaults.exploration_share)),
        )


def arm_evidence(variants: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per arm: every (play_id, variant_id) of the catalogue, plus any variant id a
    launched action logged that the catalogue does not have (the demo's 'pct15'), with its
    prior and its measured evidence. An outcome without a variant_id belongs to no arm.

    variants: play_id, variant_id, prior_alpha, prior_beta, prior_source (+ optional
    is_no_discount, incentive_cost_value for tie-breaks). outcomes: play_id, variant_id,
    status, treated_n, treated_conversions.
    """
    catalogue = variants.assign(is_catalogue_variant=True)
    logged = outcomes.loc[outcomes["variant_id"].notna(), ["play_id", "variant_id"]].drop_duplicates()
    extra = logged.merge(catalogue[["play_id", "variant_id"]], how="left", indicator=True)
    extra = extra.loc[extra["_merge"] == "left_only", ["play_id", "variant_id"]]
    arms = pd.concat([catalogue, extra.assign(is_catalogue_variant=False)], ignore_index=True)
    for column, default in (("is_no_discount", False), ("incentive_cost_value", np.nan),
                            ("prior_alpha", np.nan), ("prior_beta", np.nan), ("prior_source", None)):
        if column not in arms:
            arms[column] = default
    arms["is_no_discount"] = arms["is_no_discount"].eq(True)

    recorded = arms["prior_alpha"].notna() & arms["prior_beta"].notna()
    bad = (recorded & ((arms["prior_alpha"] <= 0) | (arms["prior_beta"] <= 0)
                       | arms["prior_source"].fillna("").str.strip().eq("")))
    bad |= arms["prior_alpha"].notna() != arms["prior_beta"].notna()
    if bad.any():
        raise ValueError(
            "a recorded prior needs prior_alpha > 0, prior_beta > 0 and a prior_source: "
            f"{sorted(arms.loc[bad, 'variant_id'])}"
        )
    arms["is_prior_recorded"] = recorded
    arms["prior_alpha"] = arms["prior_alpha"].where(recorded, 1.0).astype("float64")
    arms["prior_beta"] = arms["prior_beta"].where(recorded, 1.0).astype("float64")
    arms["prior_source"] = arms["prior_source"].where(recorded, UNIFORM_PRIOR_SOURCE)

    out = outcomes.loc[outcomes["variant_id"].notna()].copy()
    out["treated_n"] = pd.to_numeric(out["treated_n"]).fillna(0).astype("int64")
    complete = out["status"].eq("complete") & out["treated_n"].gt(0)
    out["is_launched"] = 1
    out["is_measured"] = complete.astype("int64")
    out["is_awaiting"] = out["status"].isin(AWAITING).astype("int64")
    out["measured_n"] = out["treated_n"].where(complete, 0)
    out["measured_conversions"] = pd.to_numeric(out["treated_conversions"]).where(complete, 0).fillna(0)
    per_arm = out.groupby(["play_id", "variant_id"], as_index=False)[
        ["is_launched", "is_measured", "is_awaiting", "measured_n", "measured_conversions"]
    ].sum()
    arms = arms.merge(per_arm, on=["play_id", "variant_id"], how="left")
    counts = {"is_launched": "actions_launched", "is_measured": "actions_measured",
              "is_awaiting": "actions_awaiting"}
    for column, name in counts.items():
        arms[name] = arms[column].fillna(0).astype("int64")
    measured = arms["actions_measured"] > 0
    arms["measured_customers"] = arms["measured_n"].where(measured).astype("Int64")
    arms["conversions"] = arms["measured_conversions"].where(measured).astype("Int64")
    reason = np.select(
        [measured, arms["actions_awaiting"] > 0, arms["actions_launched"] > 0],
        ["", "measurement_pending", "no_treated_customers"],
        default="not_launched",
    )
    arms["measurement_null_reason"] = pd.Series(reason, index=arms.index, dtype="object").replace("", None)
    return arms.drop(columns=[*counts, "measured_n", "measured_conversions"])


def mabwiser_p_best(
    arms: Sequence[str],
    successes: Sequence[int],
    trials: Sequence[int],
    prior_alpha: Sequence[float],
    prior_beta: Sequence[float],
    draws: int,
    seed: int,
) -> np.ndarray:
    """P(each arm is best) from MABWiser's Thompson sampling: fitted on one binary reward per
    measured customer (1 = converted), the recorded prior added as pseudo-counts over
    MABWiser's own Beta(1, 1) start, then `draws` batched predictions with `seed`; the share
    of predictions each arm wins. Equals thompson_p_best(..., order="arm") draw for draw."""
    names = list(arms)
    wins = np.asarray(successes, dtype=np.int64)
    n = np.asarray(trials, dtype=np.int64)
    decisions = np.repeat(np.array(names, dtype=object), n)
    rewards = np.concatenate([np.r_[np.ones(s), np.zeros(t - s)] for s, t in zip(wins, n, strict=True)])
    mab = MAB(names, LearningPolicy.ThompsonSampling(), seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MABWiser warns about arms without data
        mab.fit(decisions, rewards)
        policy = mab._imp  # MABWiser 2.7's _ThompsonSampling: Beta(success, fail) counts from 1
        for arm, a, b, s, t in zip(names, prior_alpha, prior_beta, wins, n, strict=True):
            if policy.arm_to_success_count[arm] != 1 + s or policy.arm_to_fail_count[arm] != 1 + t - s:
                raise RuntimeError(f"MABWiser's fit of arm {arm} is not Beta(1 + {s}, 1 + {t - s})")
            policy.arm_to_success_count[arm] += a - 1.0
            policy.arm_to_fail_count[arm] += b - 1.0
        picks = mab.predict(np.zeros((draws, 1))) if len(names) > 1 else [names[0]] * draws
    picked = pd.Series(picks).value_counts()
    return np.array([picked.get(arm, 0) / draws for arm in names], dtype=np.float64)


def _tie_order(arms: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order among equal P(best): catalogue first, no-discount first, lowest
    incentive cost, then variant_id (as mart_action_variants breaks its ties)."""
    return arms.sort_values(
        ["p_best", "is_catalogue_variant", "is_no_discount", "incentive_cost_value", "variant_id"],
        ascending=[False, False, False, True, True], na_position="last", kind="mergesort",
    )


def play_posteriors(arms: pd.DataFrame, settings: PosteriorSettings) -> pd.DataFrame:
    """The posterior columns for one play's arms (rows of arm_evidence)."""
    arms = arms.sort_values("variant_id", kind="mergesort").reset_index(drop=True)
    k = len(arms)
    measured = arms["actions_measured"] > 0
    successes = arms["conversions"].where(measured, 0).astype("int64").to_numpy()
    trials = arms["measured_customers"].where(measured, 0).astype("int64").to_numpy()
    alpha = arms["prior_alpha"].to_numpy() + successes
    beta = arms["prior_beta"].to_numpy() + (trials - successes)
    tail = (1 - CREDIBLE_LEVEL) / 2
    arms["posterior_basis"] = np.where(measured, "measured", "prior_only")
    arms["observed_conversion_rate"] = np.where(measured, successes / np.maximum(trials, 1), np.nan)
    arms["posterior_alpha"] = alpha
    arms["posterior_beta"] = beta
    arms["posterior_mean"] = alpha / (alpha + beta)
    arms["posterior_ci_lower"] = stats.beta.ppf(tail, alpha, beta)
    arms["posterior_ci_upper"] = stats.beta.ppf(1 - tail, alpha, beta)

    names = arms["variant_id"].tolist()
    p_mab = mabwiser_p_best(names, successes.tolist(), trials.tolist(), arms["prior_alpha"].tolist(),
                            arms["prior_beta"].tolist(), settings.draws, settings.seed)
    p_udf = thompson_p_best(alpha, beta, settings.draws, settings.seed)
    if p_udf is None:
        raise ValueError(f"thompson_p_best rejected the posteriors of {names}")
    arms["p_best_mabwiser"] = p_mab
    arms["p_best_udf"] = p_udf
    arms["p_best_mc_se"] = np.sqrt(p_mab * (1 - p_mab) / settings.draws)
    # Arms with the same posterior have the same P(best) exactly; their average removes the
    # Monte Carlo noise that would otherwise rank one of them above the others.
    arms["p_best"] = arms.groupby(["posterior_alpha", "posterior_beta"])["p_best_mabwiser"].transform("mean")
    arms["exploration_floor"] = settings.exploration_share / k
    arms["traffic_share"] = arms["exploration_floor"] + (1 - settings.exploration_share) * arms["p_best"]

    arms["arms_in_play"] = k
    arms["play_basis"] = ("prior_only" if not measured.any()
                          else "measured" if measured.all() else "partly_measured")
    if measured.any():
        best = _tie_order(arms).index[0]
        arms["recommended_variant_id"] = arms.at[best, "variant_id"]
        arms["recommendation_basis"] = "measured" if measured[best] else "exploration"
        arms["recommendation_null_reason"] = None
        arms["is_recommended"] = arms.index == best
    else:
        arms["recommended_variant_id"] = None
        arms["recommendation_basis"] = None
        arms["recommendation_null_reason"] = "no_measured_outcome"
        arms["is_recommended"] = False
    return arms


COLUMNS = [
    "play_id", "variant_id", "is_catalogue_variant", "arms_in_play",
    "prior_alpha", "prior_beta", "prior_source", "is_prior_recorded", "prior_effective_n",
    "actions_launched", "actions_awaiting", "actions_measured", "measured_customers",
    "conversions", "observed_conversion_rate", "measurement_null_reason", "posterior_basis",
    "posterior_alpha", "posterior_beta", "posterior_mean", "posterior_ci_lower", "posterior_ci_upper",
    "thompson_draws", "thompson_seed", "p_best_mabwiser", "p_best_udf", "p_best_mc_se", "p_best",
    "exploration_floor", "traffic_share", "play_basis", "is_recommended", "recommended_variant_id",
    "recommendation_basis", "recommendation_null_reason",
]


def variant_posteriors(
    variants: pd.DataFrame, outcomes: pd.DataFrame, settings: PosteriorSettings | None = None
) -> pd.DataFrame:
    """mart_variant_posteriors from seeds/play_variants and mart_action_outcomes frames."""
    settings = settings or PosteriorSettings()
    arms = arm_evidence(variants, outcomes)
    plays = [play_posteriors(group, settings) for _, group in arms.groupby("play_id", sort=True)]
    if plays:
        result = pd.concat(plays, ignore_index=True)
    else:
        result = pd.DataFrame(columns=[c for c in COLUMNS if c not in ("thompson_draws", "thompson_seed",
                                                                         "prior_effective_n")])
    result["prior_effective_n"] = result["prior_alpha"] + result["prior_beta"]
    result["thompson_draws"] = settings.draws
    result["thompson_seed"] = settings.seed
    return result[COLUMNS].sort_values(["play_id", "variant_id"], kind="mergesort").reset_index(drop=True)
