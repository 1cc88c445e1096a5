"""Statistics for Aura: exact, vectorized numpy/scipy functions, also registered as DuckDB SQL
functions by `register(connection)` (and by the dbt-duckdb plugin `python_udfs.dbt_plugin`).

Nothing here imports dbt; see python_udfs/README.md for the SQL interface.
"""

from python_udfs._common import Z_95
from python_udfs.bayes import beta_diff_quantile, beta_quantile, thompson_p_best
from python_udfs.multiple_testing import bh_qvalues
from python_udfs.power import power_two_prop, required_n_two_prop
from python_udfs.proportion_tests import two_prop_method, two_prop_pvalue, two_prop_test
from python_udfs.proportions import (
    diff_ci,
    diff_ci_lower,
    diff_ci_upper,
    wilson_interval,
    wilson_lower,
    wilson_upper,
)
from python_udfs.registration import register
from python_udfs.ttests import welch_ci, welch_ci_lower, welch_ci_upper, welch_pvalue

__all__ = [
    "Z_95",
    "beta_diff_quantile",
    "beta_quantile",
    "bh_qvalues",
    "diff_ci",
    "diff_ci_lower",
    "diff_ci_upper",
    "power_two_prop",
    "register",
    "required_n_two_prop",
    "thompson_p_best",
    "two_prop_method",
    "two_prop_pvalue",
    "two_prop_test",
    "welch_ci",
    "welch_ci_lower",
    "welch_ci_upper",
    "welch_pvalue",
    "wilson_interval",
    "wilson_lower",
    "wilson_upper",
]
