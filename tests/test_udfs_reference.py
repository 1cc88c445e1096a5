"""Each statistics function against an independent reference (statsmodels, scipy, MABWiser,
exact rational arithmetic, textbook values) on thousands of random inputs plus the edges."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from mabwiser.mab import MAB, LearningPolicy
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

import python_udfs as pu

RNG = np.random.default_rng(20240601)
N_RANDOM = 3000


def random_counts(size: int, max_log10: float = 9.0) -> tuple[np.ndarray, np.ndarray]:
    """n log-uniform in [1, 10^max_log10] with x uniform in [0, n], plus the edge rows."""
    n = np.floor(10 ** RNG.uniform(0, max_log10, size))
    x = np.floor(RNG.uniform(0, 1, size) * (n + 1))
    edges_n = np.array([1, 1, 2, 10, 10, 10, 1e9, 1e9, 1e9, 1e9, 7, 1e6])
    edges_x = np.array([0, 1, 1, 0, 10, 5, 0, 1e9, 1, 1e9 - 1, 3, 500_000])
    return np.concatenate([x, edges_x]), np.concatenate([n, edges_n])


def assert_close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-10, atol: float = 1e-13) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# ---- Wilson ---------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.01])
def test_wilson_matches_statsmodels(alpha: float) -> None:
    x, n = random_counts(N_RANDOM)
    z = stats.norm.isf(alpha / 2)
    lo_ref, hi_ref = proportion_confint(x, n, alpha=alpha, method="wilson")
    assert_close(pu.wilson_lower(x, n, z), lo_ref)
    assert_close(pu.wilson_upper(x, n, z), hi_ref)


def test_wilson_edges_are_exact() -> None:
    n = np.array([1, 10, 1e9, 3])
    assert (pu.wilson_lower(0, n) == 0.0).all()
    assert (pu.wilson_upper(n, n) == 1.0).all()
    assert pu.wilson_lower(0, 0) == 0.0 and pu.wilson_upper(0, 0) == 1.0
    assert pu.Z_95 == stats.norm.ppf(0.975) and round(pu.Z_95, 6) == 1.959964


# ---- Difference of two proportions ------------------------------------------------------------


def test_newcombe_textbook_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, example (a), method 10.
    lo, hi = pu.diff_ci(56, 70, 48, 80)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.0524, 0.3339)


def test_newcombe_matches_statsmodels() -> None:
    x1, n1 = random_counts(N_RANDOM)
    x2, n2 = random_counts(N_RANDOM)
    lo_ref, hi_ref = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    lo, hi = pu.diff_ci(x1, n1, x2, n2, "newcombe")
    assert_close(lo, lo_ref)
    assert_close(hi, hi_ref)


def test_newcombe_matches_formula_from_statsmodels_wilson() -> None:
    x1, n1 = random_counts(N_RANDOM)
    x2, n2 = random_counts(N_RANDOM)
    l1, u1 = proportion_confint(x1, n1, method="wilson")
    l2, u2 = proportion_confint(x2, n2, method="wilson")
    p1, p2 = x1 / n1, x2 / n2
    lo, hi = pu.diff_ci(x1, n1, x2, n2)
    assert_close(lo, p1 - p2 - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    assert_close(hi, p1 - p2 + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def test_conservative_is_difference_of_statsmodels_wilson_bounds() -> None:
    x1, n1 = random_counts(N_RANDOM)
    x2, n2 = random_counts(N_RANDOM)
    l1, u1 = proportion_confint(x1, n1, method="wilson")
    l2, u2 = proportion_confint(x2, n2, method="wilson")
    lo, hi = pu.diff_ci(x1, n1, x2, n2, "conservative")
    assert_close(lo, l1 - u2)
    assert_close(hi, u1 - l2)


def test_diff_ci_rejects_unknown_method() -> None:
    with pytest.raises(ValueError, match="newcombe"):
        pu.diff_ci(1, 10, 2, 10, "wald")


# ---- Two-proportion test ----------------------------------------------------------------------


def fisher_exact_rational(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided Fisher p-value in exact integer arithmetic (small support only)."""
    k = x1 + x2
    weights = {j: math.comb(n1, j) * math.comb(n2, k - j) for j in range(max(0, k - n2), min(k, n1) + 1)}
    observed = weights[x1]
    return float(Fraction(sum(w for w in weights.values() if w <= observed), sum(weights.values())))


def min_expected(x1: float, n1: float, x2: float, n2: float) -> float:
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    return float((np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()).min())


def reference_two_prop(x1: float, n1: float, x2: float, n2: float) -> tuple[float, str]:
    if min_expected(x1, n1, x2, n2) < 5:
        table = [[int(x1), int(n1 - x1)], [int(x2), int(n2 - x2)]]
        return float(stats.fisher_exact(table).pvalue), "fisher"
    return float(proportions_ztest([x1, x2], [n1, n2])[1]), "z"


def test_two_prop_matches_statsmodels_and_scipy() -> None:
    # Random tables of all sizes plus many small ones, so both branches are exercised.
    x1, n1 = random_counts(1500, max_log10=4.5)
    x2, n2 = random_counts(1500, max_log10=4.5)
    small_n1, small_n2 = RNG.integers(1, 40, 500), RNG.integers(1, 40, 500)
    x1 = np.concatenate([x1, np.floor(RNG.uniform(0, 1, 500) * (small_n1 + 1))])
    x2 = np.concatenate([x2, np.floor(RNG.uniform(0, 1, 500) * (small_n2 + 1))])
    n1, n2 = np.concatenate([n1, small_n1]), np.concatenate([n2, small_n2])
    p, method = pu.two_prop_test(x1, n1, x2, n2)
    ref = [reference_two_prop(*row) for row in zip(x1, n1, x2, n2, strict=True)]
    assert list(method) == [m for _, m in ref]
    assert {"z", "fisher"} <= set(method)
    assert_close(p, [v for v, _ in ref], rtol=1e-9, atol=1e-14)


def test_fisher_matches_exact_rational_arithmetic_including_huge_counts() -> None:
    cases = [(0, 10**9, 3, 10**9), (1, 10**9, 9, 10**9), (2, 10**9, 0, 5 * 10**8), (0, 7, 4, 9),
             (3, 3, 0, 3), (10**9 - 2, 10**9, 10**9, 10**9), (5, 20, 0, 20), (1, 2, 1, 2)]
    for _ in range(300):
        n1, n2 = (int(v) for v in RNG.integers(1, 60, 2))
        cases.append((int(RNG.integers(0, n1 + 1)), n1, int(RNG.integers(0, n2 + 1)), n2))
    got = pu.proportion_tests.fisher_two_sided(*np.array(cases).T)
    want = [fisher_exact_rational(*case) for case in cases]
    assert_close(got, want, rtol=1e-10, atol=1e-15)
    p, method = pu.two_prop_test(0, 10**9, 3, 10**9)
    assert method == "fisher" and p == pytest.approx(0.25, rel=1e-6)


def test_two_prop_z_branch_with_huge_counts_matches_statsmodels() -> None:
    x1, n1, x2, n2 = 123_456_789, 1e9, 123_470_000, 1e9
    p, method = pu.two_prop_test(x1, n1, x2, n2)
    assert method == "z"
    assert p == pytest.approx(proportions_ztest([x1, x2], [n1, n2])[1], rel=1e-10)
    p, method = pu.two_prop_test(50, 100, 50, 100)
    assert method == "z" and p == 1.0


# ---- Welch ------------------------------------------------------------------------------------


def test_welch_matches_scipy() -> None:
    size = N_RANDOM
    n1 = np.floor(10 ** RNG.uniform(np.log10(2), 9, size))
    n2 = np.floor(10 ** RNG.uniform(np.log10(2), 9, size))
    m1, m2 = RNG.normal(50, 10, size), RNG.normal(50, 10, size)
    v1, v2 = RNG.exponential(100, size), RNG.exponential(100, size)
    v1[:50] = 0  # one arm without spread
    m2[50:100] = m1[50:100]  # equal means
    n1[100:150] = 2
    ref = stats.ttest_ind_from_stats(m1, np.sqrt(v1), n1, m2, np.sqrt(v2), n2, equal_var=False).pvalue
    assert_close(pu.welch_pvalue(n1, m1, v1, n2, m2, v2), ref, rtol=1e-9, atol=1e-300)


# ---- Benjamini-Hochberg -----------------------------------------------------------------------


def test_bh_matches_statsmodels() -> None:
    for _ in range(400):
        m = int(RNG.integers(1, 60))
        p = RNG.uniform(0, 1, m) ** RNG.uniform(0.2, 3)
        if RNG.uniform() < 0.5:
            p = np.round(p, 2)  # ties
        missing = RNG.uniform(0, 1, m) < 0.2
        p_in = np.where(missing, np.nan, p)
        want = np.full(m, np.nan)
        if (~missing).any():
            want[~missing] = multipletests(p[~missing], method="fdr_bh")[1]
        assert_close(pu.bh_qvalues(p_in), want, rtol=1e-12, atol=0)


def test_bh_edges() -> None:
    assert pu.bh_qvalues([]).shape == (0,)
    assert np.isnan(pu.bh_qvalues([np.nan, np.nan])).all()
    assert np.isnan(pu.bh_qvalues([0.01, 1.2])).all()  # invalid input: no q-values
    assert list(pu.bh_qvalues([0.0, 1.0])) == [0.0, 1.0]


# ---- Sample size ------------------------------------------------------------------------------


def test_required_n_matches_statsmodels() -> None:
    size = N_RANDOM
    p_base = RNG.uniform(0.01, 0.9, size)
    delta = RNG.uniform(-0.3, 0.3, size)
    delta = np.clip(delta, -p_base + 1e-3, 1 - p_base - 1e-3)
    alpha = RNG.choice([0.01, 0.05, 0.1], size)
    power = RNG.choice([0.7, 0.8, 0.9, 0.95], size)
    raw = samplesize_proportions_2indep_onetail(delta, p_base, power, alpha=alpha)
    clear = np.abs(raw - np.round(raw)) > 1e-6  # rows not on an integer boundary
    got = pu.required_n_two_prop(p_base, delta, alpha, power)
    assert clear.mean() > 0.99
    np.testing.assert_array_equal(got[clear], np.ceil(raw[clear]))


def test_required_n_hand_calculation_906_and_246() -> None:
    z_a, z_b = 1.959963984540054, 0.8416212335729143
    p1, p2 = 0.15, 0.20
    pbar = (p1 + p2) / 2
    std_null, std_alt = math.sqrt(2 * pbar * (1 - pbar)), math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    hand = ((z_a * std_null + z_b * std_alt) / 0.05) ** 2
    assert math.ceil(hand) == 906 == pu.required_n_two_prop(0.15, 0.05)
    assert pu.required_n_two_prop(0.15, 0.10) == 250
    # The seed's "about 246" is the unpooled shortcut with rounded z at +10 points.
    shortcut = (1.96 + 0.84) ** 2 * (0.15 * 0.85 + 0.25 * 0.75) / 0.10**2
    assert math.floor(shortcut) == 246


# ---- Beta -------------------------------------------------------------------------------------


def test_beta_quantile_matches_scipy_and_inverts_the_cdf() -> None:
    size = N_RANDOM
    a = 10 ** RNG.uniform(-1, 6, size)
    b = 10 ** RNG.uniform(-1, 6, size)
    q = RNG.uniform(0, 1, size)
    got = pu.beta_quantile(a, b, q)
    assert_close(got, stats.beta.ppf(q, a, b), rtol=1e-9, atol=1e-300)
    # The round trip is only well conditioned away from 0 and 1.
    inner = (got > 1e-12) & (got < 1 - 1e-9)
    assert inner.mean() > 0.9
    assert_close(stats.beta.cdf(got[inner], a[inner], b[inner]), q[inner], rtol=1e-8, atol=1e-12)
    assert_close(pu.beta_quantile(1, 1, q), q)
    assert_close(pu.beta_quantile(3, 1, q), q ** (1 / 3))
    assert pu.beta_quantile(2, 5, 0) == 0 and pu.beta_quantile(2, 5, 1) == 1


# ---- Thompson sampling ------------------------------------------------------------------------


def mabwiser_p_best(alphas: list[int], betas: list[int], draws: int, seed: int, batched: bool) -> np.ndarray:
    arms = [f"arm{k}" for k in range(len(alphas))]
    decisions, rewards = [], []
    for arm, a, b in zip(arms, alphas, betas, strict=True):  # Beta(1 + successes, 1 + failures)
        decisions += [arm] * (a - 1 + b - 1)
        rewards += [1] * (a - 1) + [0] * (b - 1)
    mab = MAB(arms, LearningPolicy.ThompsonSampling(), seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mab.fit(decisions, rewards)
        picks = mab.predict(np.zeros((draws, 1))) if batched else [mab.predict() for _ in range(draws)]
    return np.array([picks.count(arm) / draws for arm in arms])


@pytest.mark.parametrize("batched", [False, True], ids=["successive-predict", "batched-predict"])
def test_thompson_equals_mabwiser_draw_for_draw(batched: bool) -> None:
    for case in range(8):
        k = int(RNG.integers(1, 6))
        alphas = [int(v) for v in RNG.integers(1, 80, k)]
        betas = [int(v) for v in RNG.integers(1, 80, k)]
        if case == 0:
            alphas, betas = [1, 1, 1], [1, 1, 1]
        draws, seed = int(RNG.integers(200, 800)), int(RNG.integers(0, 10**6))
        want = mabwiser_p_best(alphas, betas, draws, seed, batched)
        got = pu.thompson_p_best(alphas, betas, draws, seed, order="arm" if batched else "decision")
        np.testing.assert_array_equal(got, want)


def test_thompson_ties_go_to_the_first_arm() -> None:
    # Beta(1e12, 1e-12) draws are exactly 1.0, so every decision is a tie.
    got = pu.thompson_p_best([1e12, 1e12, 1e12], [1e-12, 1e-12, 1e-12], draws=100, seed=1)
    assert list(got) == [1.0, 0.0, 0.0]
