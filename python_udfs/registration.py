"""Register the statistics functions into a DuckDB connection (`register(con)`).

Each function is a Python UDF over Arrow batches (`type='arrow'`, NULLs handled by the
function). DuckDB Python UDFs have a fixed arity and one arity per name, so a function
with optional arguments is registered once at full arity under an `aura_` name, and the
public name is a temporary SQL macro with one overload per arity.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
from duckdb.sqltypes import BIGINT, DOUBLE, VARCHAR, DuckDBPyType

from python_udfs import bayes, multiple_testing, power, proportion_tests, proportions, ttests
from python_udfs._common import Z_95

Kind = Literal["arrow", "native"]
DOUBLE_LIST = duckdb.list_type(DOUBLE)
# Argument / result kinds: f = DOUBLE, i = BIGINT, s = VARCHAR, l = DOUBLE[].
_SQL_TYPES = {"f": DOUBLE, "i": BIGINT, "s": VARCHAR, "l": DOUBLE_LIST}


@dataclass(frozen=True)
class Udf:
    name: str
    args: str  # one kind letter per argument
    returns: str
    batch: Callable[..., Any] | None = None  # numpy arrays in, array out (NaN / None = NULL)
    arrow: Callable[..., pa.Array] | None = None  # own Arrow implementation (list functions)
    row: Callable[..., Any] | None = None  # own one-row implementation (list functions)

    @property
    def sql_args(self) -> list[DuckDBPyType]:
        return [_SQL_TYPES[k] for k in self.args]


def _bh_row(values: Sequence[float | None] | None) -> list[float | None] | None:
    if values is None:
        return None
    missing = np.array([v is None for v in values], dtype=bool)
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    q, invalid = multiple_testing.bh_segments(array, missing, np.array([len(array)], dtype=np.int64))
    return None if invalid[0] else [None if m else float(v) for v, m in zip(q, missing, strict=True)]


def _thompson_row(alphas: Any, betas: Any, draws: Any, seed: Any) -> list[float] | None:
    if alphas is None or betas is None or draws is None or seed is None:
        return None
    if any(v is None for v in alphas) or any(v is None for v in betas):
        return None
    p = bayes.thompson_p_best(alphas, betas, int(draws), int(seed))
    return None if p is None else p.tolist()


def _bh_arrow(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    lists = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    lengths = lists.value_lengths().fill_null(0).to_numpy().astype(np.int64)
    flat = lists.flatten()
    values = flat.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    missing = flat.is_null().to_numpy(zero_copy_only=False)
    q, invalid = multiple_testing.bh_segments(values, missing, lengths)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    list_null = lists.is_null().to_numpy(zero_copy_only=False) | invalid
    return pa.ListArray.from_arrays(offsets, _to_arrow(q, "f"), mask=pa.array(list_null))


def _thompson_arrow(alphas: Any, betas: Any, draws: Any, seeds: Any) -> pa.Array:
    # One RNG stream per row, so this loops over rows; bayes caches repeated rows.
    rows = zip(alphas.to_pylist(), betas.to_pylist(), draws.to_pylist(), seeds.to_pylist(), strict=True)
    return pa.array([_thompson_row(*row) for row in rows], type=pa.list_(pa.float64()))


UDFS: tuple[Udf, ...] = (
    Udf("aura_wilson_lower", "fff", "f", proportions.wilson_lower),
    Udf("aura_wilson_upper", "fff", "f", proportions.wilson_upper),
    Udf("aura_diff_ci_lower", "ffffs", "f", proportions.diff_ci_lower),
    Udf("aura_diff_ci_upper", "ffffs", "f", proportions.diff_ci_upper),
    Udf("two_prop_pvalue", "ffff", "f", proportion_tests.two_prop_pvalue),
    Udf("two_prop_method", "ffff", "s", proportion_tests.two_prop_method),
    Udf("welch_pvalue", "ffffff", "f", ttests.welch_pvalue),
    Udf("aura_welch_ci_lower", "fffffff", "f", ttests.welch_ci_lower),
    Udf("aura_welch_ci_upper", "fffffff", "f", ttests.welch_ci_upper),
    Udf("bh_qvalues", "l", "l", arrow=_bh_arrow, row=_bh_row),
    Udf("aura_required_n_two_prop", "ffff", "i", power.required_n_two_prop),
    Udf("aura_power_two_prop", "fffff", "f", power.power_two_prop),
    Udf("beta_quantile", "fff", "f", bayes.beta_quantile),
    Udf("beta_diff_quantile", "fffff", "f", bayes.beta_diff_quantile),
    Udf("aura_thompson_p_best", "llii", "l", arrow=_thompson_arrow, row=_thompson_row),
)

# Public names with optional arguments: macro overloads calling the full-arity UDF.
_Z = repr(Z_95)
_DRAWS, _SEED = bayes.DEFAULT_DRAWS, bayes.DEFAULT_SEED
_LEVEL = repr(ttests.DEFAULT_LEVEL)
_WELCH = "n1, mean1, var1, n2, mean2, var2"
MACROS: dict[str, tuple[tuple[str, str], ...]] = {
    "wilson_lower": (("x, n", f"aura_wilson_lower(x, n, {_Z})"), ("x, n, z", "aura_wilson_lower(x, n, z)")),
    "wilson_upper": (("x, n", f"aura_wilson_upper(x, n, {_Z})"), ("x, n, z", "aura_wilson_upper(x, n, z)")),
    "diff_ci_lower": (
        ("x1, n1, x2, n2", "aura_diff_ci_lower(x1, n1, x2, n2, 'newcombe')"),
        ("x1, n1, x2, n2, method", "aura_diff_ci_lower(x1, n1, x2, n2, method)"),
    ),
    "diff_ci_upper": (
        ("x1, n1, x2, n2", "aura_diff_ci_upper(x1, n1, x2, n2, 'newcombe')"),
        ("x1, n1, x2, n2, method", "aura_diff_ci_upper(x1, n1, x2, n2, method)"),
    ),
    "welch_ci_lower": (
        (_WELCH, f"aura_welch_ci_lower({_WELCH}, {_LEVEL})"),
        (f"{_WELCH}, level", f"aura_welch_ci_lower({_WELCH}, level)"),
    ),
    "welch_ci_upper": (
        (_WELCH, f"aura_welch_ci_upper({_WELCH}, {_LEVEL})"),
        (f"{_WELCH}, level", f"aura_welch_ci_upper({_WELCH}, level)"),
    ),
    "required_n_two_prop": (
        ("p_base, delta", "aura_required_n_two_prop(p_base, delta, 0.05, 0.8)"),
        ("p_base, delta, alpha", "aura_required_n_two_prop(p_base, delta, alpha, 0.8)"),
        ("p_base, delta, alpha, power", "aura_required_n_two_prop(p_base, delta, alpha, power)"),
    ),
    "power_two_prop": (
        ("p_base, delta, n1, n2", "aura_power_two_prop(p_base, delta, n1, n2, 0.05)"),
        ("p_base, delta, n1, n2, alpha", "aura_power_two_prop(p_base, delta, n1, n2, alpha)"),
    ),
    "thompson_p_best": (
        ("alphas, betas", f"aura_thompson_p_best(alphas, betas, {_DRAWS}, {_SEED})"),
        ("alphas, betas, draws", f"aura_thompson_p_best(alphas, betas, draws, {_SEED})"),
        ("alphas, betas, draws, seed", "aura_thompson_p_best(alphas, betas, draws, seed)"),
    ),
}


def macro_sql(name: str) -> str:
    overloads = ", ".join(f"({params}) as {body}" for params, body in MACROS[name])
    return f"create or replace temp macro {name}{overloads}"


# ---- Arrow (vectorized) adapters -------------------------------------------------------------


def _from_arrow(column: pa.Array | pa.ChunkedArray, kind: str) -> Any:
    if kind == "s":
        distinct = column.unique()
        # Usually a constant (a macro default or a literal): pass one string, not one per row.
        return distinct[0].as_py() if len(distinct) == 1 else np.asarray(column.to_pylist(), dtype=object)
    return column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def _to_arrow(values: Any, kind: str) -> pa.Array:
    if kind == "s":
        return pa.array(values.tolist(), type=pa.string())
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    missing = np.isnan(values)
    if kind == "i":
        missing |= np.abs(values) >= 2.0**63  # beyond BIGINT: no integer answer
        return pa.array(np.where(missing, 0, values).astype(np.int64), mask=missing, type=pa.int64())
    return pa.array(values, mask=missing, type=pa.float64())


def _arrow_function(udf: Udf) -> Callable[..., pa.Array]:
    if udf.arrow is not None:
        return udf.arrow
    batch = udf.batch
    assert batch is not None

    def call(*columns: pa.ChunkedArray) -> pa.Array:
        args = [_from_arrow(c, k) for c, k in zip(columns, udf.args, strict=True)]
        return _to_arrow(batch(*args), udf.returns)

    return _with_arity(call, len(udf.args))


# ---- Scalar (one Python call per row) adapters: for comparison and benchmarks ----------------


def _native_function(udf: Udf) -> Callable[..., Any]:
    if udf.row is not None:
        return udf.row
    batch = udf.batch
    assert batch is not None

    def call(*args: Any) -> Any:
        arrays = [
            np.array([a], dtype=object) if k == "s" else np.array([np.nan if a is None else a], dtype=float)
            for a, k in zip(args, udf.args, strict=True)
        ]
        value = np.asarray(batch(*arrays)).reshape(-1)[0]
        if udf.returns == "s":
            return value
        return None if np.isnan(value) else (int(value) if udf.returns == "i" else float(value))

    return _with_arity(call, len(udf.args))


def _with_arity(function: Callable[..., Any], arity: int) -> Callable[..., Any]:
    # DuckDB counts a UDF's parameters from its signature; a *args wrapper must say how many.
    params = [inspect.Parameter(f"arg{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(arity)]
    function.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return function


def register(connection: duckdb.DuckDBPyConnection, *, kind: Kind = "arrow") -> None:
    """Create the statistics functions on `connection` (idempotent; also for cursors).

    The UDFs are visible to every cursor of the connection's database instance; the
    macros giving the optional arguments are temporary (per connection), so call this
    again on each new cursor (the dbt plugin does).
    """
    names = [u.name for u in UDFS]
    existing = {
        row[0]
        for row in connection.execute(
            "select distinct function_name from duckdb_functions() where function_name in ("
            + ", ".join("?" for _ in names) + ")",
            names,
        ).fetchall()
    }
    for udf in UDFS:
        if udf.name in existing:
            continue
        function = _arrow_function(udf) if kind == "arrow" else _native_function(udf)
        connection.create_function(
            udf.name, function, udf.sql_args, _SQL_TYPES[udf.returns], type=kind, null_handling="special"
        )
    for name in MACROS:
        connection.execute(macro_sql(name))
