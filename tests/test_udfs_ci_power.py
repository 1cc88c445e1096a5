"""welch_ci_lower / welch_ci_upper and power_two_prop: against scipy and statsmodels, a hand
calculation, properties (hypothesis, derandomized) and through SQL (`register(con)`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import power_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

import python_udfs as pu

RNG = np.random.default_rng(20240917)
LEVELS = (0.95, 0.9, 0.99, 0.5)
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


def assert_close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-10, atol: float = 1e-300) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def phi(x: float) -> float:
    """Standard normal cdf, written out (no scipy) for the hand calculations."""
    return 0.5 * math.erfc(-x / math.sqrt(2))


# ---- Welch interval: references ---------------------------------------------------------------


def random_samples(count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs of samples of 2..300 values at scales 1e-3..1e3, some with a constant arm."""
    pairs = []
    for i in range(count):
        n1, n2 = (int(v) for v in RNG.integers(2, 300, 2))
        a = RNG.normal(RNG.normal(0, 10), 10 ** RNG.uniform(-3, 3), n1)
        b = RNG.normal(RNG.normal(0, 10), 10 ** RNG.uniform(-3, 3), n2)
        if i % 25 == 0:
            a = np.full(n1, 3.25)  # no spread in one arm: df = n2 - 1
        pairs.append((a, b))
    return pairs


def summaries(pairs: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """(n1, mean1, var1, n2, mean2, var2) columns, var with ddof 1 (what var_samp gives)."""
    rows = [(len(a), a.mean(), a.var(ddof=1), len(b), b.mean(), b.var(ddof=1)) for a, b in pairs]
    return [np.array(column, dtype=float) for column in zip(*rows, strict=True)]


def assert_interval_close(lo: np.ndarray, hi: np.ndarray, want_lo: np.ndarray, want_hi: np.ndarray) -> None:
    # 1e-10 relative to the interval's own scale (a bound that happens to be ~0 has no
    # relative precision of its own; the largest error seen is ~3e-14 of the bound).
    scale = np.maximum(np.abs(want_lo), np.abs(want_hi))
    np.testing.assert_array_less(np.abs(lo - want_lo), 1e-10 * scale)
    np.testing.assert_array_less(np.abs(hi - want_hi), 1e-10 * scale)


@pytest.mark.parametrize("level", LEVELS)
def test_welch_ci_matches_scipy_ttest_ind_on_random_samples(level: float) -> None:
    pairs = random_samples(400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy on the constant arms
        ref = [stats.ttest_ind(a, b, equal_var=False).confidence_interval(level) for a, b in pairs]
    lo, hi = pu.welch_ci(*summaries(pairs), level)
    assert_interval_close(lo, hi, np.array([r.low for r in ref]), np.array([r.high for r in ref]))
    n1, m1, v1, n2, m2, v2 = summaries(pairs)
    assert_close(pu.welch_ci_lower(n1, m1, v1, n2, m2, v2, level), lo, rtol=0)
    assert_close(pu.welch_ci_upper(n1, m1, v1, n2, m2, v2, level), hi, rtol=0)


@pytest.mark.parametrize("level", LEVELS)
def test_welch_ci_matches_statsmodels_compare_means_unequal(level: float) -> None:
    """statsmodels computes the variance with ddof 0 and the standard error as
    var / (n - 1): the same numbers by another route."""
    pairs = random_samples(400)
    ref = np.array([
        CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(alpha=1 - level, usevar="unequal")
        for a, b in pairs
    ])
    lo, hi = pu.welch_ci(*summaries(pairs), level)
    assert_interval_close(lo, hi, ref[:, 0], ref[:, 1])


def test_welch_ci_default_level_is_95() -> None:
    arms = summaries(random_samples(50))
    assert_close(pu.welch_ci_lower(*arms), pu.welch_ci_lower(*arms, 0.95), rtol=0)
    assert_close(pu.welch_ci_upper(*arms), pu.welch_ci_upper(*arms, 0.95), rtol=0)


def test_welch_ci_is_dual_to_scipy_pvalue_at_huge_counts() -> None:
    """From summary statistics up to n = 1e9 (no samples to hand scipy): the interval at
    level 1 - p, with p scipy's Welch p-value, has a bound at 0."""
    size = 3000
    n1 = np.floor(10 ** RNG.uniform(np.log10(2), 9, size))
    n2 = np.floor(10 ** RNG.uniform(np.log10(2), 9, size))
    m1, v1 = RNG.normal(50, 10, size), RNG.exponential(100, size)
    v2 = RNG.exponential(100, size)
    se = np.sqrt(v1 / n1 + v2 / n2)
    m2 = m1 + se * RNG.uniform(-4, 4, size)  # p-values spread over (0, 1)
    p = stats.ttest_ind_from_stats(m1, np.sqrt(v1), n1, m2, np.sqrt(v2), n2, equal_var=False).pvalue
    keep = (p > 1e-6) & (p < 1 - 1e-6)
    assert keep.mean() > 0.9
    lo, hi = pu.welch_ci(n1, m1, v1, n2, m2, v2, 1 - p)
    nearest = np.where(m1 > m2, lo, hi)  # the bound on the side of 0
    np.testing.assert_array_less(np.abs(nearest[keep]), 1e-7 * se[keep])


def test_welch_ci_hand_calculation() -> None:
    # n1 = 20, mean 1.5, var 0.3; n2 = 25, mean 1.2, var 0.4 (the seed's first welch case).
    vn1, vn2 = 0.3 / 20, 0.4 / 25  # 0.015, 0.016
    se = math.sqrt(vn1 + vn2)  # sqrt(0.031) = 0.1760681686
    df = (vn1 + vn2) ** 2 / (vn1**2 / 19 + vn2**2 / 24)  # 0.000961 / 2.2508772e-05 = 42.6944661
    assert round(se, 10) == 0.1760681686 and round(df, 7) == 42.6944661
    t = stats.t.ppf(0.975, df)  # 2.0171096403; half-width t * se = 0.3551488003
    assert round(t, 10) == 2.0171096403
    lo, hi = pu.welch_ci(20, 1.5, 0.3, 25, 1.2, 0.4)
    assert (float(lo), float(hi)) == pytest.approx((0.3 - t * se, 0.3 + t * se), rel=1e-12)
    assert (round(float(lo), 6), round(float(hi), 6)) == (-0.055149, 0.655149)


# ---- Power: references ------------------------------------------------------------------------


def test_power_matches_statsmodels_power_proportions_2indep() -> None:
    """statsmodels' power_proportions_2indep(diff, prop2, nobs1, ratio, alpha) computes, with
    p1 = prop2 + diff observed nobs1 times and prop2 observed nobs2 = ratio * nobs1 times,
    p_pooled = (p1 + ratio * prop2) / (1 + ratio), std_null = sqrt(pp qp (1 + 1/ratio)),
    std_alt = sqrt(p1 q1 + prop2 q2 / ratio) (both per sqrt(nobs1)), and (normal_power_het)
    power = sf(z * std_null/std_alt - diff sqrt(nobs1)/std_alt)
            + cdf(-z * std_null/std_alt - diff sqrt(nobs1)/std_alt).
    Dividing by sqrt(nobs1) gives exactly our sd0, sd1 and the two tails, once the arms are
    matched: its nobs1 is the arm at p_base + delta, i.e. our n2, so
        power_two_prop(p_base, delta, n1, n2, alpha)
            = power_proportions_2indep(delta, p_base, nobs1=n2, ratio=n1/n2, alpha=alpha).
    (With the arms the other way round the answers differ by orders of magnitude when
    n1 != n2.) Differences, all outside the compared domain: at delta = 0 statsmodels returns
    the size alpha, we return NULL (as required_n_two_prop does); at sd1 = 0 (p1, p2 both 0
    or 1) it divides by zero; it does not check p2 in [0, 1], n >= 1 or alpha; it also offers
    one-sided alternatives. ratio = n1/n2 is rounded, so agreement is ~1e-13, not bitwise.
    """
    size = 4000
    p = RNG.uniform(0.001, 0.999, size)
    delta = RNG.uniform(-p, 1 - p)  # p2 anywhere in (0, 1)
    small = RNG.uniform(0, 1, size) < 0.5
    delta[small] *= 10 ** RNG.uniform(-3, -1, small.sum())  # and effects of realistic size
    n1, n2 = np.floor(10 ** RNG.uniform(0, 7, size)), np.floor(10 ** RNG.uniform(0, 7, size))
    n2[:500] = n1[:500]  # equal arms: ratio exactly 1
    alpha = RNG.choice([0.01, 0.05, 0.1, 0.2], size)
    want = power_proportions_2indep(delta, p, n2, ratio=n1 / n2, alpha=alpha, return_results=False)
    got = pu.power_two_prop(p, delta, n1, n2, alpha)
    assert_close(got, want, rtol=1e-10, atol=1e-300)
    assert got.min() < 0.1 and got.max() > 0.99  # the whole range of power was compared
    equal = slice(0, 500)
    assert_close(got[equal], power_proportions_2indep(delta[equal], p[equal], n1[equal], alpha=alpha[equal],
                                                      return_results=False), rtol=1e-12, atol=1e-300)
    # The documented difference: delta = 0.
    assert power_proportions_2indep(0.0, 0.3, 100, alpha=0.05).power == pytest.approx(0.05)
    assert np.isnan(pu.power_two_prop(0.3, 0.0, 100, 100))


def test_power_hand_calculation() -> None:
    # 15% -> 20%, 906 per arm (required_n_two_prop(0.15, 0.05)), alpha 0.05:
    #   pbar = (906 * 0.15 + 906 * 0.20) / 1812 = 0.175
    #   sd0 = sqrt(0.175 * 0.825 * (2 / 906))                 = 0.0178524119
    #   sd1 = sqrt((0.15 * 0.85 + 0.20 * 0.80) / 906)          = 0.0178137284
    #   z = 1.959963984540054
    #   near tail: Phi((0.05 - z sd0) / sd1) = Phi(0.8426038)  = 0.8002749753
    #   far tail:  Phi((-0.05 - z sd0) / sd1) = Phi(-4.771044) = 0.0000009164
    #   power = 0.8002758917
    z = 1.959963984540054
    sd0 = math.sqrt(0.175 * 0.825 * (2 / 906))
    sd1 = math.sqrt((0.15 * 0.85 + 0.20 * 0.80) / 906)
    assert (round(sd0, 10), round(sd1, 10)) == (0.0178524119, 0.0178137284)
    near, far = phi((0.05 - z * sd0) / sd1), phi((-0.05 - z * sd0) / sd1)
    assert (round(near, 10), round(far, 10)) == (0.8002749753, 0.0000009164)
    assert pu.power_two_prop(0.15, 0.05, 906, 906) == pytest.approx(near + far, rel=1e-13)
    assert round(float(pu.power_two_prop(0.15, 0.05, 906, 906)), 10) == 0.8002758917
    # Unequal arms, 10% (1200 customers) -> 13% (800): pbar = (120 + 104) / 2000 = 0.112,
    # sd0 = sqrt(0.112 * 0.888 * (1/1200 + 1/800)) = 0.0143944434,
    # sd1 = sqrt(0.09 / 1200 + 0.1131 / 800) = 0.0147096907, power = 0.5483573922 + 0.0000378800.
    sd0 = math.sqrt(0.112 * 0.888 * (1 / 1200 + 1 / 800))
    sd1 = math.sqrt(0.10 * 0.90 / 1200 + 0.13 * 0.87 / 800)
    assert (round(sd0, 10), round(sd1, 10)) == (0.0143944434, 0.0147096907)
    hand = phi((0.03 - z * sd0) / sd1) + phi((-0.03 - z * sd0) / sd1)
    assert round(hand, 10) == 0.5483952723
    assert pu.power_two_prop(0.10, 0.03, 1200, 800) == pytest.approx(hand, rel=1e-12)


def far_tail(p: np.ndarray, d: np.ndarray, n: np.ndarray, alpha: float) -> np.ndarray:
    """Phi((-|d| - z sd0) / sd1) with equal arms: the rejections in the wrong direction."""
    p2 = p + d
    pbar = (p + p2) / 2
    sd0, sd1 = np.sqrt(2 * pbar * (1 - pbar) / n), np.sqrt((p * (1 - p) + p2 * (1 - p2)) / n)
    return stats.norm.cdf((-np.abs(d) - stats.norm.isf(alpha / 2) * sd0) / sd1)


@pytest.mark.parametrize(("alpha", "target"), [(0.05, 0.8), (0.01, 0.9), (0.1, 0.8), (0.05, 0.95)])
def test_power_at_required_n_reaches_the_target_and_one_fewer_does_not(alpha: float, target: float) -> None:
    """Over a grid (baselines 1%..95%, effects +-1..30 points), with n = required_n_two_prop
    per arm: power(n, n) >= target everywhere. With n - 1 per arm, the power without the far
    tail is below target everywhere, which is how required_n_two_prop is defined (it ignores
    the far rejection tail, as statsmodels' samplesize_..._onetail does). The full two-sided
    power at n - 1 is also below target except where the exact n is a hair above n - 1 and the
    far tail (~1e-6 at alpha 0.05) tips it over: e.g. 16% -> 19% needs 2517.003, so n = 2518,
    and 2517 per arm has power 0.8000004800 (near tail 0.7999995339 + far 0.0000009461)."""
    p, d = np.meshgrid(np.round(np.arange(0.01, 0.96, 0.01), 2), np.round(np.arange(-0.30, 0.31, 0.01), 2))
    p, d = p.ravel(), d.ravel()
    inside = (d != 0) & (p + d > 0) & (p + d < 1)
    p, d = p[inside], d[inside]
    n = pu.required_n_two_prop(p, d, alpha, target)
    assert (n >= 2).all()
    assert (pu.power_two_prop(p, d, n, n, alpha) >= target).all()
    fewer = pu.power_two_prop(p, d, n - 1, n - 1, alpha)
    assert (fewer - far_tail(p, d, n - 1, alpha) < target).all()
    exceptions = fewer >= target
    assert exceptions.mean() < (0.1 if alpha == 0.1 else 0.01)  # 5.6% at alpha 0.1, far tail ~2e-5
    if alpha == 0.05 and target == 0.8:
        assert exceptions.sum() == 12
        (i,) = np.flatnonzero((p == 0.16) & (d == 0.03))
        assert n[i] == 2518 and exceptions[i] and round(float(fewer[i]), 10) == 0.8000004800


# ---- Properties -------------------------------------------------------------------------------

ARM = st.tuples(
    st.integers(2, 10**9) | st.integers(2, 50),
    st.floats(-1e6, 1e6),
    # Variances below ~1e-150 make the df formula underflow (0/0): NULL, as in welch_pvalue.
    st.floats(1e-100, 1e6) | st.sampled_from([0.0, 1e-6, 1.0]),
)
LEVEL = st.floats(0.01, 0.999) | st.sampled_from(LEVELS)


@SETTINGS
@given(ARM, ARM, LEVEL, LEVEL)
def test_welch_ci_contains_the_difference_is_symmetric_and_nested(
    a: tuple[int, float, float], b: tuple[int, float, float], level: float, other: float
) -> None:
    (n1, m1, v1), (n2, m2, v2) = a, b
    lo, hi = (float(v) for v in pu.welch_ci(n1, m1, v1, n2, m2, v2, level))
    if v1 == 0 and v2 == 0:
        assert math.isnan(lo) and math.isnan(hi)
        return
    d = m1 - m2
    scale = max(abs(d), hi - lo, 1e-300)
    assert lo <= d <= hi and abs((lo + hi) / 2 - d) <= 1e-12 * scale
    swapped = pu.welch_ci(n2, m2, v2, n1, m1, v1, level)
    assert (float(swapped[0]), float(swapped[1])) == (-hi, -lo)
    o_lo, o_hi = (float(v) for v in pu.welch_ci(n1, m1, v1, n2, m2, v2, other))
    if other >= level:
        assert o_lo <= lo and hi <= o_hi
    else:
        assert lo <= o_lo and o_hi <= hi


@SETTINGS
@given(ARM, ARM, st.floats(-6, 6))
def test_welch_ci_excludes_zero_exactly_when_welch_pvalue_is_below_1_minus_level(
    a: tuple[int, float, float], b: tuple[int, float, float], t: float
) -> None:
    (n1, m1, v1), (n2, _, v2) = a, b
    m2 = m1 - t * math.sqrt(v1 / n1 + v2 / n2)  # a difference of t standard errors
    p = float(pu.welch_pvalue(n1, m1, v1, n2, m2, v2))
    if math.isnan(p) or not 1e-4 < p < 1 - 1e-4:
        return
    se = math.sqrt(v1 / n1 + v2 / n2)
    lo, hi = (float(v) for v in pu.welch_ci(n1, m1, v1, n2, m2, v2, 1 - p))
    # 0 is on the boundary at level 1 - p (up to the rounding of 1 - p, relative to the width).
    assert min(abs(lo), abs(hi)) <= 1e-8 * max(se, abs(m1 - m2))
    for level in (0.5, 0.9, 0.95, 0.99):
        lo, hi = (float(v) for v in pu.welch_ci(n1, m1, v1, n2, m2, v2, level))
        if abs(p - (1 - level)) > 1e-6:
            assert (lo <= 0 <= hi) == (p > 1 - level)


# On a grid of 1e-6, so that 1 - p and p2 - p1 do not wipe out a tiny delta.
PROPORTION = st.integers(0, 10**6).map(lambda k: k / 10**6) | st.sampled_from([0.0, 0.01, 0.15, 0.5, 1.0])
ARM_SIZE = st.integers(1, 10**9) | st.integers(1, 100)
ALPHA = st.floats(0.001, 0.5) | st.sampled_from([0.01, 0.05, 0.1])


@st.composite
def power_case(draw: st.DrawFn) -> tuple[float, float, int, int, float]:
    p1, p2 = draw(PROPORTION), draw(PROPORTION)
    return p1, p2 - p1, draw(ARM_SIZE), draw(ARM_SIZE), draw(ALPHA)


@SETTINGS
@given(power_case())
def test_power_is_a_probability_and_invariant_to_relabelling(
    case: tuple[float, float, int, int, float],
) -> None:
    p, d, n1, n2, alpha = case
    power = float(pu.power_two_prop(p, d, n1, n2, alpha))
    p2 = p + d
    if d == 0 or (p * (1 - p) == 0 and p2 * (1 - p2) == 0) or not 0 <= p2 <= 1:
        assert math.isnan(power)
        return
    assert 0 <= power <= 1
    # Arms swapped, and successes <-> failures: the same test, the same power.
    assert float(pu.power_two_prop(p2, -d, n2, n1, alpha)) == pytest.approx(power, rel=1e-9, abs=1e-300)
    # (rel 1e-6: 1 - (1 - 1e-6) is 1e-6 only to ~1e-10 relative, and the power inherits it.)
    assert float(pu.power_two_prop(1 - p, -d, n1, n2, alpha)) == pytest.approx(power, rel=1e-6, abs=1e-300)


@SETTINGS
@given(power_case())
def test_power_grows_with_equal_arm_size_and_with_alpha(case: tuple[float, float, int, int, float]) -> None:
    p, d, n, _, alpha = case
    sizes = np.unique(np.geomspace(1, 10**9, 60).round())
    power = pu.power_two_prop(p, d, sizes, sizes, alpha)
    if np.isnan(power).all():
        return
    assert (np.diff(power) >= -1e-12).all()
    alphas = np.linspace(0.001, 0.5, 40)
    by_alpha = pu.power_two_prop(p, d, n, n, alphas)
    assert (np.diff(by_alpha) >= -1e-12).all()


# ---- Through SQL --------------------------------------------------------------------------------

ROWS = 4000


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    pu.register(connection)
    rng = np.random.default_rng(11)
    n1 = np.floor(10 ** rng.uniform(0, 7, ROWS))
    n2 = np.floor(10 ** rng.uniform(0, 7, ROWS))
    n1[:200], n2[:200] = rng.integers(0, 5, 200), rng.integers(0, 5, 200)  # n < 2, empty arms
    frame = pd.DataFrame({
        "n1": n1, "n2": n2,
        "mean1": rng.normal(0, 1, ROWS), "var1": rng.exponential(1, ROWS),
        "mean2": rng.normal(0, 1, ROWS), "var2": rng.exponential(1, ROWS),
        "level": rng.choice([0.5, 0.9, 0.95, 0.99, 0.0, 1.0], ROWS, p=[0.2, 0.2, 0.3, 0.2, 0.05, 0.05]),
        "p_base": rng.uniform(0.0, 0.6, ROWS), "delta": rng.uniform(-0.05, 0.3, ROWS),
        "alpha": rng.choice([0.01, 0.05, 0.1, 1.0], ROWS, p=[0.3, 0.3, 0.3, 0.1]),
    })
    for column in ("n1", "mean1", "var2", "level", "p_base", "alpha"):  # sprinkle NULLs
        frame.loc[rng.choice(ROWS, 40, replace=False), column] = None
    connection.register("frame_view", frame)
    connection.execute("create table cases as select row_number() over () as id, * from frame_view")
    yield connection
    connection.close()


CALLS = [
    ("welch_ci_lower(n1, mean1, var1, n2, mean2, var2)", pu.welch_ci_lower,
     ("n1", "mean1", "var1", "n2", "mean2", "var2")),
    ("welch_ci_upper(n1, mean1, var1, n2, mean2, var2)", pu.welch_ci_upper,
     ("n1", "mean1", "var1", "n2", "mean2", "var2")),
    ("welch_ci_lower(n1, mean1, var1, n2, mean2, var2, level)", pu.welch_ci_lower,
     ("n1", "mean1", "var1", "n2", "mean2", "var2", "level")),
    ("welch_ci_upper(n1, mean1, var1, n2, mean2, var2, level)", pu.welch_ci_upper,
     ("n1", "mean1", "var1", "n2", "mean2", "var2", "level")),
    ("power_two_prop(p_base, delta, n1, n2)", pu.power_two_prop, ("p_base", "delta", "n1", "n2")),
    ("power_two_prop(p_base, delta, n1, n2, alpha)", pu.power_two_prop,
     ("p_base", "delta", "n1", "n2", "alpha")),
]


@pytest.mark.parametrize(("expression", "function", "names"), CALLS, ids=[c[0] for c in CALLS])
def test_sql_equals_python(con: duckdb.DuckDBPyConnection, expression: str, function, names) -> None:  # type: ignore[no-untyped-def]
    rows = con.execute(f"select {expression}, {', '.join(names)} from cases order by id").fetchall()
    got = [row[0] for row in rows]
    inputs = [np.array([np.nan if v is None else v for v in column], dtype=float)
              for column in list(zip(*rows, strict=True))[1:]]
    want = [None if np.isnan(v) else float(v) for v in np.asarray(function(*inputs))]
    assert got == want
    assert any(v is None for v in got) and sum(v is not None for v in got) > ROWS / 2


def test_defaults_of_the_overloads(con: duckdb.DuckDBPyConnection) -> None:
    arms = "20, 1.5, 0.3, 25, 1.2, 0.4"
    n = "required_n_two_prop(0.15, 0.05)"
    assert con.execute(
        f"select welch_ci_lower({arms}) = welch_ci_lower({arms}, 0.95), "
        f"welch_ci_upper({arms}) = welch_ci_upper({arms}, 0.95), "
        "power_two_prop(0.15, 0.05, 906, 906) = power_two_prop(0.15, 0.05, 906, 906, 0.05), "
        f"round(power_two_prop(0.15, 0.05, {n}, {n}), 4)"
    ).fetchone() == (True, True, True, 0.8003)


def test_aggregates_feed_the_welch_interval(con: duckdb.DuckDBPyConnection) -> None:
    a, b = RNG.normal(10, 2, 300), RNG.normal(10.4, 3, 200)
    con.execute("create or replace temp table obs as select 'a' as arm, unnest(?) as x "
                "union all select 'b', unnest(?)", [a.tolist(), b.tolist()])
    got = con.execute("""
        with s as (select arm, count(x) as n, avg(x) as m, var_samp(x) as v from obs group by arm)
        select
            welch_ci_lower(a.n, a.m, a.v, b.n, b.m, b.v, 0.9),
            welch_ci_upper(a.n, a.m, a.v, b.n, b.m, b.v, 0.9)
        from s as a, s as b where a.arm = 'a' and b.arm = 'b'
    """).fetchone()
    want = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.9)
    assert got == pytest.approx((want.low, want.high), rel=1e-10)


UNDEFINED = [
    "welch_ci_lower(1, 0.5, 1, 10, 0.2, 1)", "welch_ci_upper(10, 0.5, 1, 1, 0.2, 1)",
    "welch_ci_lower(10, 0.5, 0, 10, 0.2, 0)", "welch_ci_upper(10, 0.5, -1, 10, 0.2, 1)",
    "welch_ci_lower(10, null, 1, 10, 0.2, 1)", "welch_ci_upper(10, 0.5, 1, 10, 0.2, null)",
    "welch_ci_lower(10, 0.5, 1, 10, 0.2, 1, 0)", "welch_ci_upper(10, 0.5, 1, 10, 0.2, 1, 1)",
    "welch_ci_lower(10, 0.5, 1, 10, 0.2, 1, 1.5)", "welch_ci_upper(10, 0.5, 1, 10, 0.2, 1, null)",
    "welch_ci_lower(10, 'inf'::double, 1, 10, 0.2, 1)",
    "power_two_prop(0.15, 0, 100, 100)", "power_two_prop(0.95, 0.1, 100, 100)",
    "power_two_prop(0.05, -0.1, 100, 100)", "power_two_prop(-0.1, 0.2, 100, 100)",
    "power_two_prop(0.15, 0.05, 0, 100)", "power_two_prop(0.15, 0.05, 100, 0.5)",
    "power_two_prop(0.15, 0.05, 100, 100, 0)", "power_two_prop(0.15, 0.05, 100, 100, 1)",
    "power_two_prop(0, 1, 100, 100)", "power_two_prop(1, -1, 100, 100)",
    "power_two_prop(null, 0.05, 100, 100)", "power_two_prop(0.15, 0.05, 100, null)",
    "power_two_prop(0.15, 0.05, 100, 100, null)",
]


@pytest.mark.parametrize("expression", UNDEFINED)
def test_undefined_statistics_are_null(con: duckdb.DuckDBPyConnection, expression: str) -> None:
    assert con.execute(f"select {expression}").fetchone() == (None,)


def test_native_registration_gives_the_same_numbers() -> None:
    arrow_con, native_con = duckdb.connect(), duckdb.connect()
    pu.register(arrow_con)
    pu.register(native_con, kind="native")
    query = """select welch_ci_lower(x, 1, 2, 10, 2, 3), welch_ci_upper(x, 1, 2, 10, 2, 3, x / 60),
                      power_two_prop(0.15, x / 200, 900, 700), power_two_prop(x / 60, 0.05, x * 10, 500, 0.1)
               from range(-1, 62) t(x) order by x"""
    assert arrow_con.execute(query).fetchall() == native_con.execute(query).fetchall()
