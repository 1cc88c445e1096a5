"""mart_variant_posteriors: Beta posteriors per (play, variant) and P(best) by Thompson sampling.

On the winback_activation store (two launched variants of winback_21_45: the catalogue's
reminder, planted treated rate 0.10, then 'pct15', 0.14) each launched variant's posterior
counts exactly the treated customers and conversions of mart_action_outcomes and of the
generator's ground truth, and covers its planted rate; the posterior concentrates on the
better variant (higher mean, P(pct15 rate > reminder rate) > 0.95 by numerical integration
and by Monte Carlo, pct15 ahead of the reminder in P(best)); every mean and 90% interval
equals scipy's; both P(best) columns agree with the exact P(best) of this play (a
one-dimensional integral), with an independent numpy Monte Carlo on every play, with each
other, and the UDF column with the SQL UDF itself. On hand frames (aura/tracking/posteriors.py
called directly) the posterior concentrates on the clearly better of two variants, the
exploration floor holds, a recorded prior enters both estimates, a prior without a source is
refused, and plays or variants without a measured outcome say so instead of recommending on
noise."""

from __future__ import annotations

import csv
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import python_udfs
from aura.tracking.posteriors import (
    UNIFORM_PRIOR_SOURCE,
    PosteriorSettings,
    arm_evidence,
    variant_posteriors,
)
from python_udfs.bayes import thompson_p_best

from conftest import REPO

Query = Callable[[str], list[tuple]]

COLUMNS = [
    "play_id", "variant_id", "is_catalogue_variant", "arms_in_play", "prior_alpha", "prior_beta",
    "prior_source", "actions_measured", "measured_customers", "conversions", "posterior_basis",
    "posterior_alpha", "posterior_beta", "posterior_mean", "posterior_ci_lower", "posterior_ci_upper",
    "thompson_draws", "thompson_seed", "p_best_mabwiser", "p_best_udf", "p_best", "exploration_floor",
    "traffic_share", "play_basis", "is_recommended", "recommended_variant_id", "recommendation_basis",
    "recommendation_null_reason", "measurement_null_reason",
]


def mc_tolerance(p: np.ndarray, draws: float, draws_other: float = np.inf) -> np.ndarray:
    """4 standard errors of the difference of two Monte Carlo estimates of p (+ one draw)."""
    p = np.asarray(p, dtype=float)
    return 4 * np.sqrt(p * (1 - p) * (1 / draws + 1 / draws_other)) + 1 / draws


# ---- the winback_activation store -----------------------------------------------------------


@pytest.fixture(scope="module")
def winback(scenario_store) -> tuple[dict, pd.DataFrame, Query]:  # type: ignore[no-untyped-def]
    """(the 15%-off launch's ground truth, the mart, query)."""
    truth, query = scenario_store("winback_activation")
    rows = query(f"select {', '.join(COLUMNS)} from mart_variant_posteriors order by play_id, variant_id")
    return truth["effects"]["winback"], pd.DataFrame(rows, columns=COLUMNS), query


@pytest.fixture(scope="module")
def reminder(scenario_store) -> dict:  # type: ignore[no-untyped-def]
    """The earlier reminder launch's ground truth."""
    truth, _ = scenario_store("winback_activation")
    return truth["effects"]["winback_reminder"]


def p_greater(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X > Y) for independent X ~ Beta(a1, b1), Y ~ Beta(a2, b2): the integral of
    pdf_X(x) P(Y < x) over [0, 1], told where the mass lies (the posteriors are narrow)."""
    points = sorted({a1 / (a1 + b1), a2 / (a2 + b2)})
    value, error = integrate.quad(lambda x: stats.beta.pdf(x, a1, b1) * stats.beta.cdf(x, a2, b2),
                                  0, 1, points=points, limit=500, epsabs=1e-12, epsrel=1e-10)
    assert error < 1e-9
    return value


def exact_p_best(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """P(arm i has the highest rate) = integral of pdf_i(x) prod_{j != i} cdf_j(x) dx, for
    independent Beta arms (uniform ones included), by numerical integration."""
    points = sorted({a / (a + b) for a, b in zip(alpha, beta, strict=True)})
    out = []
    for i in range(len(alpha)):
        others = [j for j in range(len(alpha)) if j != i]

        def integrand(x: float, i: int = i, others: list[int] = others) -> float:
            return float(stats.beta.pdf(x, alpha[i], beta[i])
                         * np.prod([stats.beta.cdf(x, alpha[j], beta[j]) for j in others]))

        value, error = integrate.quad(integrand, 0, 1, points=points, limit=500, epsabs=1e-12)
        assert error < 1e-9
        out.append(value)
    return np.array(out)


def test_launched_variants_count_their_measured_outcomes(
    winback: tuple[dict, pd.DataFrame, Query], reminder: dict,
) -> None:
    truth, posteriors, query = winback
    launched = {t["variant_id"]: t for t in (reminder, truth)}
    assert set(launched) == {"winback_21_45__reminder", "pct15"}
    # hand counts: the complete outcomes of each logged variant, treated arm
    hand = query("""
        select play_id, variant_id, count(*), sum(treated_n), sum(treated_conversions)
        from mart_action_outcomes where status = 'complete' and treated_n > 0
        group by play_id, variant_id order by variant_id
    """)
    assert sorted((p, v) for p, v, *_ in hand) == sorted((t["play_id"], v) for v, t in launched.items())
    by_variant = posteriors.set_index("variant_id")
    for _, variant_id, actions, n, conversions in hand:
        planted = launched[variant_id]
        assert (actions, n, conversions) == (1, planted["treated"], planted["treated_conversions"])
        row = by_variant.loc[variant_id]
        # the catalogue has the reminder; the demo's 'pct15' is not a catalogue variant
        assert row["is_catalogue_variant"] == (variant_id == "winback_21_45__reminder")
        evidence = (row["actions_measured"], row["measured_customers"], row["conversions"])
        assert evidence == (actions, n, conversions)
        assert row["posterior_basis"] == "measured" and row["prior_source"] == UNIFORM_PRIOR_SOURCE
        assert row["posterior_alpha"] == 1 + conversions
        assert row["posterior_beta"] == 1 + n - conversions
        # the planted treated conversion rate lies inside the 90% credible interval
        assert row["posterior_ci_lower"] < planted["planted_treated_rate"] < row["posterior_ci_upper"]

    # every other variant of every play is its uniform prior, with the reason
    others = posteriors[~posteriors["variant_id"].isin(launched)]
    assert (others["posterior_basis"] == "prior_only").all()
    assert (others["measurement_null_reason"] == "not_launched").all()
    assert others["measured_customers"].isna().all() and others["conversions"].isna().all()
    assert (others[["posterior_alpha", "posterior_beta"]] == 1.0).all().all()
    # every catalogue variant has a row
    with open(REPO / "seeds" / "play_variants.csv", newline="") as f:
        catalogue = {(r["play_id"], r["variant_id"]) for r in csv.DictReader(f)}
    mart = set(zip(posteriors["play_id"], posteriors["variant_id"], strict=True))
    assert mart == catalogue | {(truth["play_id"], truth["variant_id"])}


def test_mean_and_interval_equal_scipy(winback: tuple[dict, pd.DataFrame, Query]) -> None:
    _, posteriors, _ = winback
    a, b = posteriors["posterior_alpha"].to_numpy(), posteriors["posterior_beta"].to_numpy()
    np.testing.assert_allclose(posteriors["posterior_mean"], stats.beta.mean(a, b), rtol=1e-12)
    np.testing.assert_allclose(posteriors["posterior_ci_lower"], stats.beta.ppf(0.05, a, b), rtol=1e-9)
    np.testing.assert_allclose(posteriors["posterior_ci_upper"], stats.beta.ppf(0.95, a, b), rtol=1e-9)
    # and they are the 5% and 95% points of the posterior's CDF
    np.testing.assert_allclose(stats.beta.cdf(posteriors["posterior_ci_lower"], a, b), 0.05, atol=1e-9)
    np.testing.assert_allclose(stats.beta.cdf(posteriors["posterior_ci_upper"], a, b), 0.95, atol=1e-9)


def test_p_best_of_the_launched_play_equals_its_exact_value(
    winback: tuple[dict, pd.DataFrame, Query], reminder: dict,
) -> None:
    # Two measured arms and two uniform ones: P(arm i is best) = integral of
    # pdf_i(x) prod_{j != i} cdf_j(x) dx, computed by numerical integration.
    truth, posteriors, _ = winback
    play = posteriors[posteriors["play_id"] == truth["play_id"]].set_index("variant_id")
    measured = [reminder["variant_id"], truth["variant_id"]]
    exact = pd.Series(exact_p_best(play["posterior_alpha"].to_numpy(), play["posterior_beta"].to_numpy()),
                      index=play.index)
    assert exact.sum() == pytest.approx(1.0, abs=1e-8)
    # the two uniform arms are equally likely to be best
    untried = [v for v in play.index if v not in measured]
    assert len(untried) == 2 and exact[untried[0]] == pytest.approx(exact[untried[1]], abs=1e-10)
    draws = int(play["thompson_draws"].iloc[0])
    for column in ("p_best_mabwiser", "p_best_udf"):
        assert (np.abs(play[column] - exact) <= mc_tolerance(exact, draws)).all(), column
    # the two untried catalogue variants lead: Thompson sampling explores them
    assert play.loc[measured, "p_best"].max() < 0.05
    assert play["recommendation_basis"].eq("exploration").all()
    assert play["play_basis"].eq("partly_measured").all()
    # identical posteriors share one P(best) exactly; neither untried variant is the
    # no-discount one (that is the measured reminder), so the tie goes to the lower
    # incentive cost: free shipping (0.08 of the order value) before 10% off
    assert play.loc[untried, "p_best"].nunique() == 1
    assert play["recommended_variant_id"].eq("winback_21_45__free_shipping").all()


def test_posterior_concentrates_on_the_better_launched_variant(
    winback: tuple[dict, pd.DataFrame, Query], reminder: dict,
) -> None:
    """Issue #8: the store's own launches tell which variant converts better. The planted
    treated rates are 0.14 (pct15) and 0.10 (the reminder); the mart's posteriors put pct15
    ahead with high probability, computed here independently of the mart's sampling."""
    truth, posteriors, _ = winback
    assert truth["planted_treated_rate"] > reminder["planted_treated_rate"]
    play = posteriors[posteriors["play_id"] == truth["play_id"]].set_index("variant_id")
    better, worse = play.loc[truth["variant_id"]], play.loc[reminder["variant_id"]]
    assert better["posterior_mean"] > worse["posterior_mean"]
    assert better["posterior_ci_lower"] > worse["posterior_mean"]
    a1, b1 = better["posterior_alpha"], better["posterior_beta"]
    a2, b2 = worse["posterior_alpha"], worse["posterior_beta"]
    exact = p_greater(a1, b1, a2, b2)
    assert exact > 0.95
    # the complement computed the other way round adds up
    assert exact + p_greater(a2, b2, a1, b1) == pytest.approx(1.0, abs=1e-8)
    # an independent Monte Carlo of the same probability
    rng = np.random.default_rng(8)
    n = 2_000_000
    mc = float(np.mean(rng.beta(a1, b1, n) > rng.beta(a2, b2, n)))
    assert abs(mc - exact) <= mc_tolerance(exact, n)
    # Thompson sampling over the two launched arms alone (the SQL UDF's code) agrees
    draws, seed = int(better["thompson_draws"]), int(better["thompson_seed"])
    pair = thompson_p_best(np.array([a1, a2]), np.array([b1, b2]), draws, seed)
    assert abs(pair[0] - exact) <= mc_tolerance(exact, draws)
    # among the measured arms of the play, P(best) ranks pct15 above the reminder
    for column in ("p_best_mabwiser", "p_best_udf", "p_best", "traffic_share"):
        assert better[column] > worse[column], column


def test_p_best_columns_agree_with_each_other_the_udf_and_numpy(
    winback: tuple[dict, pd.DataFrame, Query],
) -> None:
    _, posteriors, _ = winback
    con = duckdb.connect()
    python_udfs.register(con)
    rng = np.random.default_rng(20261125)
    reference_draws = 400_000
    for play_id, play in posteriors.groupby("play_id"):
        a, b = play["posterior_alpha"].to_numpy(), play["posterior_beta"].to_numpy()
        draws, seed = int(play["thompson_draws"].iloc[0]), int(play["thompson_seed"].iloc[0])
        # the UDF column is the SQL UDF's answer
        (sql,), = con.execute("select thompson_p_best(?, ?, ?, ?)",
                              [a.tolist(), b.tolist(), draws, seed]).fetchall()
        np.testing.assert_array_equal(play["p_best_udf"], sql, err_msg=str(play_id))
        # an independent numpy Monte Carlo of the same probability
        sample = rng.beta(a, b, size=(reference_draws, len(a)))
        numpy_p = np.bincount(sample.argmax(axis=1), minlength=len(a)) / reference_draws
        for column in ("p_best_mabwiser", "p_best_udf"):
            gap = np.abs(play[column].to_numpy() - numpy_p)
            within = gap <= mc_tolerance(numpy_p, draws, reference_draws)
            assert within.all(), (play_id, column, play[column].tolist(), numpy_p.tolist())
        mean = (play["p_best_mabwiser"] + play["p_best_udf"]) / 2
        gap = np.abs(play["p_best_mabwiser"] - play["p_best_udf"])
        assert (gap <= mc_tolerance(mean, draws, draws)).all()
        for column in ("p_best_mabwiser", "p_best_udf", "p_best", "traffic_share"):
            assert play[column].sum() == pytest.approx(1.0, abs=1e-9), (play_id, column)
        assert (play["traffic_share"] >= play["exploration_floor"] - 1e-12).all()
        if play["play_basis"].iloc[0] == "prior_only":  # no measured outcome: no recommendation
            assert play["recommended_variant_id"].isna().all() and not play["is_recommended"].any()
            assert play["recommendation_null_reason"].eq("no_measured_outcome").all()
            assert play["p_best"].to_numpy() == pytest.approx(1 / len(play), abs=1e-12)


# ---- hand-made frames -----------------------------------------------------------------------


def catalogue(
    play_id: str, names: list[str], priors: dict[str, tuple] | None = None
) -> pd.DataFrame:
    priors = priors or {}
    return pd.DataFrame([
        {"play_id": play_id, "variant_id": f"{play_id}__{name}", "is_no_discount": i == 0,
         "incentive_cost_value": 0.0 if i == 0 else 0.1,
         "prior_alpha": priors.get(name, (np.nan,))[0],
         "prior_beta": priors.get(name, (np.nan, np.nan))[1],
         "prior_source": priors.get(name, (None, None, None))[2]}
        for i, name in enumerate(names)
    ])


def outcome(
    play_id: str, variant: str, treated_n: int, conversions: int | None, status: str = "complete"
) -> dict:
    return {"play_id": play_id, "variant_id": f"{play_id}__{variant}", "status": status,
            "treated_n": treated_n, "treated_conversions": conversions}


OUTCOME_COLUMNS = ["play_id", "variant_id", "status", "treated_n", "treated_conversions"]


def test_posterior_concentrates_on_the_better_variant() -> None:
    variants = catalogue("p", ["plain", "offer"])
    outcomes = pd.DataFrame([outcome("p", "plain", 200, 20), outcome("p", "offer", 120, 36),
                             outcome("p", "offer", 80, 24)])  # 60 / 200 over two launches
    settings = PosteriorSettings(draws=20_000, seed=7, exploration_share=0.10)
    result = variant_posteriors(variants, outcomes, settings).set_index("variant_id")
    better, worse = result.loc["p__offer"], result.loc["p__plain"]
    assert (better["posterior_alpha"], better["posterior_beta"]) == (61, 141)
    assert (worse["posterior_alpha"], worse["posterior_beta"]) == (21, 181)
    assert better["actions_measured"] == 2 and better["measured_customers"] == 200
    assert better["p_best_mabwiser"] > 0.99 and better["p_best_udf"] > 0.99
    # exact: P(X > Y) for independent betas, by numerical integration
    exact = stats.beta(61, 141).expect(lambda x: stats.beta.cdf(x, 21, 181))
    assert abs(better["p_best_mabwiser"] - exact) <= mc_tolerance(exact, 20_000)
    assert better["is_recommended"] and not worse["is_recommended"]
    assert result["recommended_variant_id"].eq("p__offer").all()
    assert result["recommendation_basis"].eq("measured").all() and result["play_basis"].eq("measured").all()
    # the worse variant keeps the exploration floor: 10% of traffic split between two
    assert worse["exploration_floor"] == pytest.approx(0.05)
    assert worse["traffic_share"] >= 0.05
    assert worse["traffic_share"] == pytest.approx(0.05 + 0.9 * worse["p_best"])
    assert better["traffic_share"] == pytest.approx(0.05 + 0.9 * better["p_best"])
    assert better["traffic_share"] <= 0.95 + 1e-12


def test_a_recorded_prior_enters_both_estimates_exactly() -> None:
    variants = catalogue("p", ["plain", "offer", "gift"], priors={"gift": (3.5, 20.0, "test 2026-03, n=22")})
    outcomes = pd.DataFrame([outcome("p", "plain", 50, 6), outcome("p", "gift", 40, 5)])
    settings = PosteriorSettings(draws=3_000, seed=11)
    result = variant_posteriors(variants, outcomes, settings).set_index("variant_id")
    gift = result.loc["p__gift"]
    assert gift["is_prior_recorded"] and gift["prior_source"] == "test 2026-03, n=22"
    assert (gift["posterior_alpha"], gift["posterior_beta"]) == (3.5 + 5, 20.0 + 35)
    assert gift["prior_effective_n"] == 23.5
    assert result.loc["p__offer", "prior_source"] == UNIFORM_PRIOR_SOURCE
    # MABWiser (fitted on per-customer rewards, prior added) draws exactly what
    # thompson_p_best draws in MABWiser's batched order from the same posteriors
    a, b = result["posterior_alpha"].to_numpy(), result["posterior_beta"].to_numpy()
    np.testing.assert_array_equal(result["p_best_mabwiser"], thompson_p_best(a, b, 3_000, 11, order="arm"))
    np.testing.assert_array_equal(result["p_best_udf"], thompson_p_best(a, b, 3_000, 11))


@pytest.mark.parametrize("prior", [(2.0, 5.0, None), (2.0, 5.0, "  "), (0.0, 5.0, "x"), (2.0, np.nan, "x")])
def test_a_prior_needs_positive_parameters_and_a_source(prior: tuple) -> None:
    variants = catalogue("p", ["plain", "offer"], priors={"offer": prior})
    with pytest.raises(ValueError, match="prior"):
        arm_evidence(variants, pd.DataFrame(columns=OUTCOME_COLUMNS))


def test_the_seed_records_priors_only_with_a_source() -> None:
    with open(REPO / "seeds" / "play_variants.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        recorded = [row["prior_alpha"], row["prior_beta"], row["prior_source"].strip()]
        assert all(recorded) or not any(recorded), row["variant_id"]
        if all(recorded):
            assert float(row["prior_alpha"]) > 0 and float(row["prior_beta"]) > 0, row["variant_id"]


def test_unmeasured_variants_and_plays_say_why() -> None:
    variants = pd.concat([catalogue("p", ["plain", "offer"]), catalogue("q", ["plain", "offer", "gift"])])
    outcomes = pd.DataFrame([
        outcome("p", "plain", 30, None, status="pending"),
        outcome("p", "offer", 0, 0),  # complete, nobody treated
        outcome("q", "plain", 100, 9),
        outcome("q", "offer", 80, None, status="overdue"),
        {"play_id": "q", "variant_id": None, "status": "complete", "treated_n": 50, "treated_conversions": 5},
    ])
    result = variant_posteriors(variants, outcomes, PosteriorSettings(draws=2_000)).set_index("variant_id")
    assert result.loc["p__plain", "measurement_null_reason"] == "measurement_pending"
    assert result.loc["p__offer", "measurement_null_reason"] == "no_treated_customers"
    assert result.loc["q__offer", "measurement_null_reason"] == "measurement_pending"
    assert result.loc["q__gift", "measurement_null_reason"] == "not_launched"
    assert pd.isna(result.loc["q__plain", "measurement_null_reason"])
    # an outcome without a variant id belongs to no arm
    assert len(result) == 5 and result.loc["q__plain", "measured_customers"] == 100
    p = result[result["play_id"] == "p"]
    assert p["play_basis"].eq("prior_only").all() and p["recommended_variant_id"].isna().all()
    assert p["recommendation_null_reason"].eq("no_measured_outcome").all()
    assert p["p_best"].tolist() == [0.5, 0.5] and p["traffic_share"].tolist() == [0.5, 0.5]
    q = result[result["play_id"] == "q"]
    assert q["play_basis"].eq("partly_measured").all()
    # a measured 9% against two untried uniform priors: an untried one leads (exploration);
    # 'offer' and 'gift' tie (same posterior, neither no-discount, same cost): the lower id
    assert q["recommendation_basis"].eq("exploration").all()
    assert q["recommended_variant_id"].iloc[0] == "q__gift"


def test_no_launches_at_all() -> None:
    result = variant_posteriors(catalogue("p", ["plain", "offer"]), pd.DataFrame(columns=OUTCOME_COLUMNS))
    assert result["posterior_basis"].eq("prior_only").all()
    assert result["measurement_null_reason"].eq("not_launched").all()
    assert result["recommended_variant_id"].isna().all()


@pytest.mark.parametrize("kwargs", [{"draws": 0}, {"seed": -1}, {"exploration_share": 1.5}])
def test_settings_are_checked(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        PosteriorSettings(**kwargs)


def test_settings_from_the_models_meta() -> None:
    settings = PosteriorSettings.from_inputs(
        {"min_exploration_share": "0.2", "thompson_draws": "500", "thompson_seed": "3"})
    assert settings == PosteriorSettings(draws=500, seed=3, exploration_share=0.2)
    assert PosteriorSettings.from_inputs({}) == PosteriorSettings()
