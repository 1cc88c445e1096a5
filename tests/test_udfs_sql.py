"""The functions through SQL: `register(con)` on a plain DuckDB connection gives the same
numbers as the Python calls; undefined statistics are NULL; the optional-argument macros,
cursors, the dbt plugin, and the BH window macro."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import duckdb
import jinja2
import numpy as np
import pandas as pd
import pytest

import python_udfs as pu
from python_udfs.registration import MACROS, UDFS

from conftest import REPO

RNG = np.random.default_rng(7)
ROWS = 5000


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    pu.register(connection)
    n1 = np.floor(10 ** RNG.uniform(0, 7, ROWS))
    n2 = np.floor(10 ** RNG.uniform(0, 7, ROWS))
    n1[:300], n2[:300] = RNG.integers(0, 30, 300), RNG.integers(0, 30, 300)  # small and empty arms
    frame = pd.DataFrame({
        "x1": np.floor(RNG.uniform(0, 1, ROWS) * (n1 + 1)), "n1": n1,
        "x2": np.floor(RNG.uniform(0, 1, ROWS) * (n2 + 1)), "n2": n2,
        "z": RNG.uniform(1, 3, ROWS),
        "method": RNG.choice(["newcombe", "conservative"], ROWS),
        "mean1": RNG.normal(0, 1, ROWS), "var1": RNG.exponential(1, ROWS),
        "mean2": RNG.normal(0, 1, ROWS), "var2": RNG.exponential(1, ROWS),
        "p_base": RNG.uniform(0.01, 0.6, ROWS), "delta": RNG.uniform(-0.009, 0.3, ROWS),
        "alpha": RNG.choice([0.01, 0.05], ROWS), "power": RNG.choice([0.8, 0.9], ROWS),
        "a": 10 ** RNG.uniform(-1, 4, ROWS), "b": 10 ** RNG.uniform(-1, 4, ROWS),
        "q": RNG.uniform(0, 1, ROWS),
    })
    for column in ("x1", "n1", "mean1", "var2", "z", "method"):  # sprinkle NULLs
        frame.loc[RNG.choice(ROWS, 40, replace=False), column] = None
    connection.register("frame_view", frame)
    connection.execute("create table cases as select row_number() over () as id, * from frame_view")
    yield connection
    connection.close()


def sql_values(con: duckdb.DuckDBPyConnection, expression: str) -> list[object]:
    return [row[0] for row in con.execute(f"select {expression} from cases order by id").fetchall()]


def as_sql(values: np.ndarray) -> list[object]:
    """Python results as SQL would show them: NaN / None -> None."""
    out = []
    for v in values.tolist():
        out.append(None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    return out


def args(con: duckdb.DuckDBPyConnection, *names: str) -> list[np.ndarray]:
    rows = con.execute(f"select {', '.join(names)} from cases order by id").fetchall()
    return [
        np.array(values, dtype=object) if name == "method"
        else np.array([np.nan if v is None else v for v in values], dtype=float)
        for name, values in zip(names, zip(*rows, strict=True), strict=True)
    ]


CALLS = [
    ("wilson_lower(x1, n1)", pu.wilson_lower, ("x1", "n1")),
    ("wilson_upper(x1, n1)", pu.wilson_upper, ("x1", "n1")),
    ("wilson_lower(x1, n1, z)", pu.wilson_lower, ("x1", "n1", "z")),
    ("wilson_upper(x1, n1, z)", pu.wilson_upper, ("x1", "n1", "z")),
    ("diff_ci_lower(x1, n1, x2, n2)", pu.diff_ci_lower, ("x1", "n1", "x2", "n2")),
    ("diff_ci_upper(x1, n1, x2, n2)", pu.diff_ci_upper, ("x1", "n1", "x2", "n2")),
    ("diff_ci_lower(x1, n1, x2, n2, method)", pu.diff_ci_lower, ("x1", "n1", "x2", "n2", "method")),
    ("diff_ci_upper(x1, n1, x2, n2, method)", pu.diff_ci_upper, ("x1", "n1", "x2", "n2", "method")),
    ("two_prop_pvalue(x1, n1, x2, n2)", pu.two_prop_pvalue, ("x1", "n1", "x2", "n2")),
    ("two_prop_method(x1, n1, x2, n2)", pu.two_prop_method, ("x1", "n1", "x2", "n2")),
    ("welch_pvalue(n1, mean1, var1, n2, mean2, var2)", pu.welch_pvalue,
     ("n1", "mean1", "var1", "n2", "mean2", "var2")),
    ("required_n_two_prop(p_base, delta)", pu.required_n_two_prop, ("p_base", "delta")),
    ("required_n_two_prop(p_base, delta, alpha)", pu.required_n_two_prop, ("p_base", "delta", "alpha")),
    ("required_n_two_prop(p_base, delta, alpha, power)", pu.required_n_two_prop,
     ("p_base", "delta", "alpha", "power")),
    ("beta_quantile(a, b, q)", pu.beta_quantile, ("a", "b", "q")),
]


@pytest.mark.parametrize(("expression", "function", "names"), CALLS, ids=[c[0] for c in CALLS])
def test_sql_equals_python(con: duckdb.DuckDBPyConnection, expression: str, function, names) -> None:  # type: ignore[no-untyped-def]
    want = as_sql(np.asarray(function(*args(con, *names))))
    got = sql_values(con, expression)
    if expression.startswith("required_n"):
        want = [None if v is None else int(v) for v in want]
    assert got == want
    assert any(v is None for v in got) or expression.startswith(("beta", "required"))
    assert sum(v is not None for v in got) > ROWS / 2


def test_list_functions_sql_equals_python(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        select g, list(q order by id) as p from (select id, id % 97 as g,
            case when id % 13 = 0 then null else round(q, 2) end as q from cases)
        group by g order by g
    """).fetchall()
    got = con.execute("""
        select bh_qvalues(p) from (select g, list(q order by id) as p from (select id, id % 97 as g,
            case when id % 13 = 0 then null else round(q, 2) end as q from cases) group by g) order by g
    """).fetchall()
    for (_, p), (q,) in zip(rows, got, strict=True):
        assert q == as_sql(pu.bh_qvalues(np.array([np.nan if v is None else v for v in p])))
    arms = [([2.0, 5.0, 9.0], [30.0, 20.0, 25.0]), ([1.0], [1.0]), ([3.5, 3.5], [7.0, 7.0])]
    for alphas, betas in arms:
        for draws, seed in [(500, 1), (10_000, pu.bayes.DEFAULT_SEED)]:
            got_p = con.execute("select thompson_p_best(?, ?, ?, ?)", [alphas, betas, draws, seed]).fetchone()
            got_p = got_p[0]
            assert got_p == pu.thompson_p_best(alphas, betas, draws, seed).tolist()
        default = con.execute("select thompson_p_best(?, ?)", [alphas, betas]).fetchone()[0]
        assert default == pu.thompson_p_best(alphas, betas).tolist()


def test_defaults_of_the_overloads() -> None:
    con = duckdb.connect()
    pu.register(con)
    assert con.execute(
        "select wilson_lower(3, 10) = wilson_lower(3, 10, 1.959963984540054), "
        "diff_ci_upper(3, 10, 5, 12) = diff_ci_upper(3, 10, 5, 12, 'newcombe'), "
        "required_n_two_prop(0.15, 0.05) = required_n_two_prop(0.15, 0.05, 0.05, 0.8), "
        "required_n_two_prop(0.15, 0.05), required_n_two_prop(0.15, 0.10)"
    ).fetchone() == (True, True, True, 906, 250)


# ---- NULL honesty -----------------------------------------------------------------------------

UNDEFINED = [
    "wilson_lower(null, 10)", "wilson_upper(5, null)", "wilson_lower(11, 10)", "wilson_upper(-1, 10)",
    "wilson_lower(1, 10, 0)", "wilson_lower('nan'::double, 10)",
    "diff_ci_lower(0, 0, 3, 10)", "diff_ci_upper(3, 10, 0, 0)", "diff_ci_lower(1, 10, 2, 10, null)",
    "diff_ci_lower(0, 0, 0, 0, 'conservative')",
    "two_prop_pvalue(0, 0, 3, 10)", "two_prop_method(0, 0, 3, 10)", "two_prop_pvalue(3, 10, 2, 0)",
    "two_prop_pvalue(1.5, 10, 2, 10)", "two_prop_pvalue(11, 10, 2, 10)", "two_prop_method(null, 10, 2, 10)",
    "welch_pvalue(1, 0.5, 1, 10, 0.2, 1)", "welch_pvalue(10, 0.5, 0, 10, 0.2, 0)",
    "welch_pvalue(10, 0.5, -1, 10, 0.2, 1)", "welch_pvalue(10, null, 1, 10, 0.2, 1)",
    "welch_pvalue(10, 0.5, 0, 10, 0.5, 0)",
    "required_n_two_prop(0.15, 0)", "required_n_two_prop(0.95, 0.1)", "required_n_two_prop(0.15, 0.05, 0)",
    "required_n_two_prop(0.15, 0.05, 0.05, 1)", "required_n_two_prop(null, 0.05)",
    "beta_quantile(0, 1, 0.5)", "beta_quantile(1, -1, 0.5)", "beta_quantile(1, 1, 1.5)",
    "beta_quantile(1, 1, null)",
    "bh_qvalues(null)", "bh_qvalues([0.1, 1.5])", "bh_qvalues([-0.1, 0.5])",
    "thompson_p_best([1.0, 2.0], [1.0])", "thompson_p_best([1.0, 0.0], [1.0, 1.0])",
    "thompson_p_best([1.0, null], [1.0, 1.0])", "thompson_p_best([1.0], [1.0], 0)",
    "thompson_p_best([1.0], [1.0], 10, -1)", "thompson_p_best(null, [1.0])",
]


@pytest.mark.parametrize("expression", UNDEFINED)
def test_undefined_statistics_are_null(con: duckdb.DuckDBPyConnection, expression: str) -> None:
    assert con.execute(f"select {expression}").fetchone() == (None,)


def test_null_entries_of_bh_stay_null_and_do_not_count(con: duckdb.DuckDBPyConnection) -> None:
    got = con.execute("select bh_qvalues([0.01, null, 0.04])").fetchone()[0]
    assert got == [0.02, None, 0.04]
    assert con.execute("select bh_qvalues([]::double[])").fetchone()[0] == []


def test_python_api_uses_nan_and_none_for_undefined() -> None:
    assert np.isnan(pu.wilson_lower(11, 10)) and np.isnan(pu.diff_ci_lower(1, 0, 1, 2))
    p, method = pu.two_prop_test(1, 0, 1, 2)
    assert np.isnan(p) and method.item() is None
    assert np.isnan(pu.welch_pvalue(10, 1, 0, 10, 2, 0)) and np.isnan(pu.required_n_two_prop(0.2, 0))
    assert pu.thompson_p_best([1.0], [1.0, 2.0]) is None


def test_unknown_diff_method_is_an_error_not_null(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="newcombe"):
        con.execute("select diff_ci_lower(1, 10, 2, 10, 'wald')").fetchall()


# ---- Registration -----------------------------------------------------------------------------


def test_register_is_idempotent_and_covers_cursors() -> None:
    con = duckdb.connect()
    pu.register(con)
    pu.register(con)
    cursor = con.cursor()
    pu.register(cursor)
    assert cursor.execute("select wilson_upper(10, 10), aura_wilson_upper(0, 0, 2)").fetchone() == (1.0, 1.0)
    registered = {r[0] for r in con.execute("select function_name from duckdb_functions()").fetchall()}
    assert {u.name for u in UDFS} | set(MACROS) <= registered


def test_native_registration_gives_the_same_numbers() -> None:
    arrow_con, native_con = duckdb.connect(), duckdb.connect()
    pu.register(arrow_con)
    pu.register(native_con, kind="native")
    query = """select wilson_lower(x, 50), diff_ci_upper(x, 50, 7, 40, 'conservative'),
                      two_prop_pvalue(x, 50, 7, 40), two_prop_method(x, 50, 7, 40),
                      welch_pvalue(x, 1, 2, 10, 2, 3),
                      required_n_two_prop(x / 100, 0.05), beta_quantile(x + 1, 3, 0.3),
                      bh_qvalues([x / 60, null, 0.5]), thompson_p_best([x + 1, 5], [3, 4], 300, 2)
               from range(-1, 52) t(x) order by x"""
    assert arrow_con.execute(query).fetchall() == native_con.execute(query).fetchall()


def test_the_dbt_plugin_registers_on_connection_and_cursor() -> None:
    from dbt.adapters.duckdb.plugins import BasePlugin

    plugin = BasePlugin.create("python_udfs.dbt_plugin", alias="aura_stats")
    con = duckdb.connect()
    plugin.configure_connection(con)
    cursor = con.cursor()
    plugin.configure_cursor(cursor)
    assert cursor.execute("select required_n_two_prop(0.15, 0.05)").fetchone() == (906,)


def test_only_the_plugin_imports_dbt() -> None:
    code = "import sys, python_udfs; sys.exit(any(m == 'dbt' or m.startswith('dbt.') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
    for path in (REPO / "python_udfs").glob("*.py"):
        if path.name != "dbt_plugin.py":
            assert "import dbt" not in path.read_text() and "from dbt" not in path.read_text(), path


# ---- BH window macro (macros/stats.sql) -------------------------------------------------------


def render_bh_macro(call: str) -> str:
    source = (REPO / "macros" / "stats.sql").read_text()
    return jinja2.Environment().from_string(source + "{{ " + call + " }}").render(execute=True)


def test_bh_macro_equals_the_udf() -> None:
    con = duckdb.connect()
    pu.register(con)
    size = 4000
    family = RNG.integers(0, 150, size)
    p = RNG.uniform(0, 1, size) ** 2
    p[: size // 2] = np.round(p[: size // 2], 2)  # many ties
    p[RNG.uniform(0, 1, size) < 0.1] = np.nan
    tests = pd.DataFrame({"test_id": np.arange(size), "family": family, "p_value": p})
    tests.loc[tests.family == 3, "p_value"] = 1.5  # a family with an invalid p-value: all NULL
    con.register("tests_frame", tests)
    con.execute("create table tests as select test_id, family, p_value from tests_frame")
    macro = render_bh_macro(
        "aura_bh_qvalues('tests', 'p_value', partition_by=['family'], columns=['test_id', 'family'])"
    )
    got = con.execute(f"select test_id, q_value from ({macro}) order by test_id").fetchall()
    want = con.execute("""
        with lists as (
            select family, list(p_value order by test_id) as p, list(test_id order by test_id) as ids
            from tests group by family
        )
        select unnest(ids) as test_id, unnest(bh_qvalues(p)) as q from lists order by test_id
    """).fetchall()
    assert got == want  # identical doubles, NULLs in the same places
    assert any(q is None for _, q in got) and sum(q is not None for _, q in got) > size / 2
    one_family = render_bh_macro("aura_bh_qvalues('tests', 'p_value', columns=['test_id'], q_column='q')")
    got = con.execute(f"select q from ({one_family}) where test_id < 5 order by test_id").fetchall()
    assert [r[0] for r in got] == [None] * 5  # the invalid 1.5 poisons the single family
