"""beta_diff_quantile: the q-quantile of X - Y, X ~ Beta(a1, b1) and Y ~ Beta(a2, b2)
independent, against independent references - scipy's adaptive quadrature of the exact CDF
with brentq, large-sample Monte Carlo, closed forms - plus its symmetries, the edges (tiny
and huge parameters, q at 0 and 1), NULL for invalid input, and the SQL function."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from scipy import integrate, optimize, stats

import python_udfs as pu

RNG = np.random.default_rng(20261126)
QS = np.array([0.1, 0.5, 0.9])

# (a1, b1, a2, b2): posteriors like the marts' (1 + conversions, 1 + non-converters, or a
# recorded prior), the uniform, tiny (U- and J-shaped) and large parameters
CASES = [
    (1, 1, 1, 1), (31, 181, 12, 199), (1, 101, 1, 101), (1, 1001, 1, 11), (0.5, 0.5, 0.5, 0.5),
    (0.1, 3, 2, 0.2), (0.05, 0.05, 1, 1), (2, 5, 200, 500), (1, 1, 1e4, 3e4), (5.5, 40, 5.5, 40),
    (1, 2, 3, 4), (3.5, 20, 140, 900), (1e5, 7e5, 3e4, 2e5), (1e6, 9e6, 2, 30),
]


def reference_cdf(d: float, a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X - Y <= d) = integral over v in (0, 1) of F_X(d + Q_Y(v)) dv (scipy quad; the
    integrand is 0 below v = F_Y(-d) and 1 above v = F_Y(1 - d), given to quad as breaks)."""
    breaks = [v for v in stats.beta.cdf([-d, 1 - d], a2, b2) if 0 < v < 1]

    def integrand(v: float) -> float:
        return float(stats.beta.cdf(d + stats.beta.ppf(v, a2, b2), a1, b1))

    return integrate.quad(integrand, 0, 1, points=breaks or None, limit=500, epsabs=1e-14, epsrel=1e-13)[0]


def reference_quantile(a1: float, b1: float, a2: float, b2: float, q: float) -> float:
    return optimize.brentq(lambda d: reference_cdf(d, a1, b1, a2, b2) - q, -1, 1, xtol=1e-14, rtol=1e-14)


def posterior_cases(size: int, max_log10: float) -> list[tuple[float, float, float, float]]:
    """Treated and holdout posteriors Beta(1 + x, 1 + n - x), n log-uniform up to 10^max_log10."""
    n = np.floor(10 ** RNG.uniform(0, max_log10, (size, 2)))
    x = np.floor(RNG.uniform(0, 0.4, (size, 2)) * (n + 1))
    a, b = 1 + x, 1 + n - x
    return [(float(a[i, 0]), float(b[i, 0]), float(a[i, 1]), float(b[i, 1])) for i in range(size)]


# ---- against references --------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")  # quad meets its 1e-10 anyway
@pytest.mark.parametrize("case", CASES + posterior_cases(8, 5), ids=str)
def test_equals_quadrature_of_the_exact_cdf_and_brentq(case: tuple[float, float, float, float]) -> None:
    got = pu.beta_diff_quantile(*case, QS)
    want = [reference_quantile(*case, q) for q in QS]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)
    # and the CDF at the answer is q
    np.testing.assert_allclose([reference_cdf(d, *case) for d in got], QS, rtol=0, atol=1e-10)


MC_CASES = [
    (31, 181, 12, 199), (0.5, 0.5, 0.5, 0.5), (0.1, 3, 2, 0.2), (1, 1001, 1, 11),
    (1 + 3e8, 1 + 2.7e9, 1 + 2e8, 1 + 1.8e9),
]


@pytest.mark.parametrize("case", MC_CASES, ids=str)
def test_a_large_monte_carlo_sample_puts_q_below_the_quantile(case: tuple[float, ...]) -> None:
    # 2 million draws of X - Y: the share at or below each quantile is q within 5
    # binomial standard errors (about 0.0015 at q = 0.5)
    draws = 2_000_000
    a1, b1, a2, b2 = case
    sample = RNG.beta(a1, b1, draws) - RNG.beta(a2, b2, draws)
    quantiles = pu.beta_diff_quantile(*case, QS)
    share = (sample[:, None] <= quantiles[None, :]).mean(axis=0)
    assert np.all(np.abs(share - QS) <= 5 * np.sqrt(QS * (1 - QS) / draws)), (share, quantiles)


def test_closed_forms() -> None:
    q = np.linspace(0.01, 0.99, 99)
    # two uniforms: the triangular distribution on [-1, 1]
    triangular = np.where(q <= 0.5, np.sqrt(2 * q) - 1, 1 - np.sqrt(2 * (1 - q)))
    np.testing.assert_allclose(pu.beta_diff_quantile(1, 1, 1, 1, q), triangular, rtol=0, atol=1e-12)
    # a uniform minus a Y that stays in [0.15, 0.35]: P(U - Y <= d) = d + E[Y], so the
    # quantile is q - E[Y] exactly (and here Y is the narrower, the flipped branch)
    inner = q[(q > 0.2) & (q < 0.8)]
    np.testing.assert_allclose(pu.beta_diff_quantile(1, 1, 3e4, 9e4, inner), inner - 0.25, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pu.beta_diff_quantile(3e4, 9e4, 1, 1, inner), 0.25 - inner[::-1],
                               rtol=0, atol=1e-12)


# ---- properties -------------------------------------------------------------------------------------


def test_symmetries_and_monotonicity() -> None:
    cases = np.array(CASES + posterior_cases(40, 6))
    a1, b1, a2, b2 = (cases[:, [i]] for i in range(4))
    q = np.linspace(0.05, 0.95, 7)[None, :]
    got = pu.beta_diff_quantile(a1, b1, a2, b2, q)
    assert got.shape == (len(cases), 7) and np.isfinite(got).all()
    assert (np.diff(got, axis=1) >= -1e-12).all()  # increasing in q
    assert ((got >= -1) & (got <= 1)).all()
    # Y - X = -(X - Y): the (1 - q)-quantile of the swapped difference is minus this one
    np.testing.assert_allclose(pu.beta_diff_quantile(a2, b2, a1, b1, 1 - q), -got, rtol=0, atol=1e-10)
    # 1 - X ~ Beta(b1, a1): X - Y = (1 - Y) - (1 - X)
    np.testing.assert_allclose(pu.beta_diff_quantile(b2, a2, b1, a1, q), got, rtol=0, atol=1e-10)
    # identical arms: the median of the difference is 0
    same = pu.beta_diff_quantile(a1, b1, a1, b1, 0.5)
    np.testing.assert_allclose(same, 0, atol=1e-10)


def test_deterministic_and_independent_of_the_batch() -> None:
    # a row's answer does not depend on the rows it is computed with (SQL batches differ)
    cases = np.array(CASES)
    a1, b1, a2, b2 = cases.T
    together = pu.beta_diff_quantile(a1, b1, a2, b2, 0.1)
    alone = [float(pu.beta_diff_quantile(*row, 0.1)) for row in cases]
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(pu.beta_diff_quantile(a1, b1, a2, b2, 0.1), together)


def test_edges() -> None:
    # q = 0 and 1 are the ends of the support
    assert pu.beta_diff_quantile(31, 181, 12, 199, 0.0) == -1.0
    assert pu.beta_diff_quantile(31, 181, 12, 199, 1.0) == 1.0
    # tiny parameters: X piles up at 0 and Y at 1, so nearly all of X - Y sits at -1
    np.testing.assert_allclose(pu.beta_diff_quantile(1e-3, 1, 1, 1e-3, QS), [-1, -1, -1], rtol=0, atol=1e-12)
    # half the mass of each at 0 and half at 1: X - Y is -1, 0 or 1 with 1/4, 1/2, 1/4
    np.testing.assert_allclose(pu.beta_diff_quantile(1e-8, 1e-8, 1e-8, 1e-8, QS), [-1, 0, 1], atol=1e-12)
    # huge counts: the difference is normal to many digits (skewness ~ 1e-5 of a standard deviation)
    a1, b1, a2, b2 = 1e9, 1e10, 1e9, 1e10
    sd = np.sqrt(2 * a1 * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1)))
    np.testing.assert_allclose(pu.beta_diff_quantile(a1, b1, a2, b2, QS), sd * stats.norm.ppf(QS),
                               rtol=0, atol=1e-4 * sd)
    # scalars in, a 0-d array out; arrays broadcast
    assert np.shape(pu.beta_diff_quantile(2, 3, 4, 5, 0.5)) == ()
    assert pu.beta_diff_quantile(2, 3, 4, 5, [[0.1], [0.9]]).shape == (2, 1)


@pytest.mark.parametrize("args", [
    (0, 1, 1, 1, 0.5), (1, -1, 1, 1, 0.5), (1, 1, 0, 1, 0.5), (1, 1, 1, -2, 0.5), (1, 1, 1, 1, -0.1),
    (1, 1, 1, 1, 1.5), (np.nan, 1, 1, 1, 0.5), (1, 1, 1, 1, np.nan), (np.inf, 1, 1, 1, 0.5),
    (1, 1, 1, np.inf, 0.5),
], ids=str)
def test_invalid_input_is_nan(args: tuple[float, ...]) -> None:
    assert np.isnan(pu.beta_diff_quantile(*args))


# ---- through SQL --------------------------------------------------------------------------------------

UNDEFINED = [
    "beta_diff_quantile(0, 1, 1, 1, 0.5)", "beta_diff_quantile(1, 1, 1, -1, 0.5)",
    "beta_diff_quantile(1, 1, 1, 1, 1.5)", "beta_diff_quantile(1, 1, 1, 1, -0.5)",
    "beta_diff_quantile(null, 1, 1, 1, 0.5)", "beta_diff_quantile(1, 1, 1, 1, null)",
    "beta_diff_quantile(1, 1, 1, 1, 'nan'::double)",
]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    pu.register(connection)
    return connection


def test_sql_equals_python(con: duckdb.DuckDBPyConnection) -> None:
    rows = 300  # more than one 2048-row batch is not needed: rows are independent (above)
    params = 10 ** RNG.uniform(-1, 5, (rows, 4))
    q = RNG.uniform(0, 1, rows)
    q[:3] = [0.0, 1.0, 0.5]
    params[5:25, RNG.integers(0, 4, 20)] = np.nan  # NULLs
    params[30:35, 0] = 0.0  # invalid
    con.execute("create or replace table diff_cases (id integer, a1 double, b1 double, a2 double, "
                "b2 double, q double)")
    con.executemany("insert into diff_cases values (?, ?, ?, ?, ?, ?)", [
        [i, *(None if np.isnan(v) else float(v) for v in params[i]), float(q[i])] for i in range(rows)])
    got = [r[0] for r in con.execute(
        "select beta_diff_quantile(a1, b1, a2, b2, q) from diff_cases order by id").fetchall()]
    want = pu.beta_diff_quantile(*params.T, q)
    assert got == [None if np.isnan(v) else float(v) for v in want]
    assert sum(v is None for v in got) >= 25 and sum(v is not None for v in got) > rows * 0.8


@pytest.mark.parametrize("expression", UNDEFINED)
def test_undefined_is_null_in_sql(con: duckdb.DuckDBPyConnection, expression: str) -> None:
    assert con.execute(f"select {expression}").fetchone() == (None,)


def test_native_registration_gives_the_same_numbers() -> None:
    arrow_con, native_con = duckdb.connect(), duckdb.connect()
    pu.register(arrow_con)
    pu.register(native_con, kind="native")
    query = """select beta_diff_quantile(x + 1, 50 - x, 7, 40, q) from range(-1, 52, 5) t(x),
               (values (0.1), (0.5), (0.9)) v(q) order by x, q"""
    assert arrow_con.execute(query).fetchall() == native_con.execute(query).fetchall()
