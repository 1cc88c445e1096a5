"""Properties of the statistics functions (hypothesis): bounds, coverage of the point
estimate, monotonicity, symmetry."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import python_udfs as pu

COUNT = st.integers(min_value=0, max_value=10**9)
Z = st.floats(min_value=0.5, max_value=4.0)
# Per test, not a global profile (other test files keep their own settings).
# Derandomized: the same examples on every run, so CI cannot flake on a new draw.
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


@st.composite
def binomial(draw: st.DrawFn, min_n: int = 0) -> tuple[int, int]:
    n = draw(st.integers(min_value=min_n, max_value=10**9) | st.integers(min_value=min_n, max_value=50))
    return draw(st.integers(min_value=0, max_value=n)), n


@SETTINGS
@given(binomial(min_n=1), Z)
def test_wilson_is_inside_unit_interval_and_contains_the_estimate(xn: tuple[int, int], z: float) -> None:
    x, n = xn
    lo, hi = (float(v) for v in pu.wilson_interval(x, n, z))
    assert 0.0 <= lo <= x / n <= hi <= 1.0


@SETTINGS
@given(binomial(min_n=1), Z)
def test_wilson_is_monotonic_in_x(xn: tuple[int, int], z: float) -> None:
    _, n = xn
    x = np.unique(np.linspace(0, n, 40).round())
    lo, hi = pu.wilson_interval(x, n, z)
    assert (np.diff(lo) >= 0).all() and (np.diff(hi) >= 0).all()


@SETTINGS
@given(binomial(min_n=1), binomial(min_n=1))
def test_diff_ci_contains_the_difference_and_newcombe_is_inside_conservative(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    (x1, n1), (x2, n2) = a, b
    d = x1 / n1 - x2 / n2
    lo, hi = (float(v) for v in pu.diff_ci(x1, n1, x2, n2, "newcombe"))
    c_lo, c_hi = (float(v) for v in pu.diff_ci(x1, n1, x2, n2, "conservative"))
    eps = 1e-12
    assert -1 - eps <= c_lo <= lo + eps and lo <= d + eps
    assert d <= hi + eps and hi <= c_hi + eps <= 1 + 2 * eps


@SETTINGS
@given(binomial(min_n=1), binomial(min_n=1))
def test_two_prop_pvalue_is_a_probability_and_symmetric(a: tuple[int, int], b: tuple[int, int]) -> None:
    p, method = pu.two_prop_test(*a, *b)
    q, method_swapped = pu.two_prop_test(*b, *a)
    assert 0.0 <= p <= 1.0 and method in ("z", "fisher") and method == method_swapped
    # Fisher sums thousands of terms at counts near 1e9: agree to rounding, not bits.
    assert abs(p - q) <= 1e-9 * max(1.0, p)


@SETTINGS
@given(
    st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1), st.sampled_from([0.01, 0.05, 0.5])),
             max_size=40)
)
def test_bh_qvalues_are_monotone_in_p_and_at_least_p(values: list[float | None]) -> None:
    p = np.array([np.nan if v is None else v for v in values], dtype=float)
    q = pu.bh_qvalues(p)
    present = ~np.isnan(p)
    assert (np.isnan(q) == ~present).all()
    p, q = p[present], q[present]
    assert (q >= p).all() and (q <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(q[order]) >= 0).all()
    perm = np.random.default_rng(len(p)).permutation(len(p))
    assert np.array_equal(pu.bh_qvalues(p[perm]), q[perm])


@SETTINGS
@given(st.lists(st.floats(min_value=0.1, max_value=1e4), min_size=1, max_size=6), st.integers(0, 2**32))
def test_thompson_probabilities_sum_to_one(alphas: list[float], seed: int) -> None:
    p = pu.thompson_p_best(alphas, alphas[::-1], draws=200, seed=seed)
    assert p is not None and len(p) == len(alphas) and abs(p.sum() - 1) < 1e-12 and (p >= 0).all()
