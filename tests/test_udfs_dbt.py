"""The statistics UDFs inside a dbt build: seeds/stats_reference_cases.csv holds inputs with
expected outputs computed by statsmodels / scipy / MABWiser (never by python_udfs); the
singular tests in tests/dbt/ compare the UDFs' SQL output and the BH macro with them.

Regenerate the seed (after changing the cases or a reference library):

    .venv/bin/python tests/test_udfs_dbt.py --write
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from mabwiser.mab import MAB, LearningPolicy
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportion_confint,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "stats_reference_cases.csv"
COLUMNS = [
    "case_id", "function", "group_id", "position", "x1", "n1", "x2", "n2", "z", "method",
    "mean1", "var1", "mean2", "var2", "p_base", "delta", "alpha", "power", "level", "a", "b", "q", "p",
    "draws", "seed", "expected", "expected_text", "reference",
]
UNDEFINED = "undefined: NULL"
SINGULAR_TESTS = {
    "stats_udfs_match_reference", "stats_list_udfs_match_reference", "stats_bh_macro_matches_udf",
}


def _wilson_cases() -> list[dict[str, Any]]:
    rows = []
    for x, n, z in [(0, 10, None), (10, 10, None), (1, 1, None), (0, 1, None), (5, 10, None),
                    (7, 13, 2.5758293035489004), (37, 250, 1.6448536269514722), (3, 1e9, None),
                    (999_999_999, 1e9, None), (123_456_789, 1e9, None)]:
        alpha = 0.05 if z is None else 2 * stats.norm.sf(z)
        lo, hi = proportion_confint(x, n, alpha=alpha, method="wilson")
        ref = f"statsmodels proportion_confint(method='wilson', alpha={alpha:.6g})"
        rows.append({"function": "wilson_lower", "x1": x, "n1": n, "z": z, "expected": lo, "reference": ref})
        rows.append({"function": "wilson_upper", "x1": x, "n1": n, "z": z, "expected": hi, "reference": ref})
    empty = {"x1": 0, "n1": 0, "reference": "definition: n = 0 gives [0, 1]"}
    rows += [{**empty, "function": "wilson_lower", "expected": 0.0},
             {**empty, "function": "wilson_upper", "expected": 1.0}]
    rows.append({"function": "wilson_lower", "x1": 11, "n1": 10, "reference": UNDEFINED + " (x > n)"})
    return rows


def _diff_ci_cases() -> list[dict[str, Any]]:
    rows = []
    for x1, n1, x2, n2, method in [(56, 70, 48, 80, None), (56, 70, 48, 80, "conservative"),
                                   (0, 10, 0, 12, None), (10, 10, 0, 12, "newcombe"),
                                   (5, 1e9, 3, 1e9, None), (120, 1000, 95, 1000, "conservative")]:
        if method == "conservative":
            l1, u1 = proportion_confint(x1, n1, method="wilson")
            l2, u2 = proportion_confint(x2, n2, method="wilson")
            lo, hi, ref = l1 - u2, u1 - l2, "statsmodels proportion_confint(wilson): [lo1 - hi2, hi1 - lo2]"
        else:
            lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
            ref = "statsmodels confint_proportions_2indep(method='newcomb')"
        base = {"x1": x1, "n1": n1, "x2": x2, "n2": n2, "method": method, "reference": ref}
        rows += [{**base, "function": "diff_ci_lower", "expected": lo},
                 {**base, "function": "diff_ci_upper", "expected": hi}]
    empty = {"x1": 0, "n1": 0, "x2": 3, "n2": 10, "reference": UNDEFINED + " (empty arm)"}
    rows += [{**empty, "function": "diff_ci_lower"},
             {**empty, "function": "diff_ci_upper", "method": "conservative"}]
    return rows


def _two_prop_cases() -> list[dict[str, Any]]:
    rows = []
    for x1, n1, x2, n2 in [(10, 100, 20, 100), (1, 10, 5, 10), (0, 20, 0, 25), (3, 40, 12, 38),
                           (1, 10**6, 4, 10**6), (500, 10_000, 560, 10_000),
                           (123_456_789, 10**9, 123_470_000, 10**9)]:
        table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
        expected_cells = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
        if expected_cells.min() < 5:
            p = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
            method, ref = "fisher", "scipy fisher_exact (an expected cell < 5)"
        else:
            p = proportions_ztest([x1, x2], [n1, n2])[1]
            method, ref = "z", "statsmodels proportions_ztest (pooled)"
        base = {"x1": x1, "n1": n1, "x2": x2, "n2": n2, "reference": ref}
        rows += [{**base, "function": "two_prop_pvalue", "expected": p},
                 {**base, "function": "two_prop_method", "expected_text": method}]
    empty = {"x1": 0, "n1": 0, "x2": 3, "n2": 10, "reference": UNDEFINED + " (empty arm)"}
    rows += [{**empty, "function": "two_prop_pvalue"}, {**empty, "function": "two_prop_method"}]
    return rows


def _welch_cases() -> list[dict[str, Any]]:
    rows = []
    for n1, m1, v1, n2, m2, v2 in [(20, 1.5, 0.3, 25, 1.2, 0.4), (2, 10, 4, 3, 12, 9),
                                   (1e9, 100.0, 2500.0, 1e9, 100.01, 2600.0), (30, 5, 0, 40, 5.5, 1.2),
                                   (10, 3, 1, 12, 3, 2)]:
        p = stats.ttest_ind_from_stats(m1, math.sqrt(v1), n1, m2, math.sqrt(v2), n2, equal_var=False).pvalue
        rows.append({"function": "welch_pvalue", "n1": n1, "mean1": m1, "var1": v1, "n2": n2, "mean2": m2,
                     "var2": v2, "expected": p, "reference": "scipy ttest_ind_from_stats(equal_var=False)"})
    for n1, v1, v2, why in [(1, 1.0, 1.0, "n < 2"), (10, 0.0, 0.0, "both variances 0")]:
        rows.append({"function": "welch_pvalue", "n1": n1, "mean1": 1.0, "var1": v1, "n2": 10, "mean2": 2.0,
                     "var2": v2, "reference": f"{UNDEFINED} ({why})"})
    return rows


def _two_point(n: float, mean: float, var: float) -> DescrStatsW:
    """A weighted sample with exactly this n, mean and sample variance (ddof 1): two values
    mean -+ sqrt(var (n - 1) / n), weight n / 2 each."""
    half = math.sqrt(var * (n - 1) / n)
    return DescrStatsW(np.array([mean - half, mean + half]), weights=np.array([n / 2, n / 2]))


def _welch_ci_cases() -> list[dict[str, Any]]:
    rows = []
    ref = "statsmodels CompareMeans.tconfint_diff(usevar='unequal') on a two-point sample per arm"
    calls = [(20, 1.5, 0.3, 25, 1.2, 0.4, None), (20, 1.5, 0.3, 25, 1.2, 0.4, 0.9),
             (2, 10, 4, 3, 12, 9, 0.99), (1e9, 100.0, 2500.0, 1e9, 100.01, 2600.0, None),
             (30, 5, 0, 40, 5.5, 1.2, 0.5), (7, 3, 1, 1e6, 3, 2, 0.9)]
    for n1, m1, v1, n2, m2, v2, level in calls:
        compare = CompareMeans(_two_point(n1, m1, v1), _two_point(n2, m2, v2))
        lo, hi = compare.tconfint_diff(alpha=1 - (level or 0.95), usevar="unequal")
        base = {"n1": n1, "mean1": m1, "var1": v1, "n2": n2, "mean2": m2, "var2": v2, "level": level,
                "reference": ref}
        rows += [{**base, "function": "welch_ci_lower", "expected": lo},
                 {**base, "function": "welch_ci_upper", "expected": hi}]
    for n1, v1, v2, level, why in [(1, 1.0, 1.0, None, "n < 2"), (10, 0.0, 0.0, None, "both variances 0"),
                                   (10, 1.0, 1.0, 1.0, "level not in (0, 1)")]:
        base = {"n1": n1, "mean1": 1.0, "var1": v1, "n2": 10, "mean2": 2.0, "var2": v2, "level": level,
                "reference": f"{UNDEFINED} ({why})"}
        rows += [{**base, "function": "welch_ci_lower"}, {**base, "function": "welch_ci_upper"}]
    return rows


def _required_n_cases() -> list[dict[str, Any]]:
    rows = []
    calls = [(0.15, 0.05, None, None), (0.15, 0.10, None, None), (0.5, -0.1, 0.01, 0.9),
             (0.02, 0.01, 0.05, 0.8), (0.3, 0.05, 0.1, None)]
    for p_base, delta, alpha, power in calls:
        n = samplesize_proportions_2indep_onetail(delta, p_base, power or 0.8, alpha=alpha or 0.05)
        rows.append({"function": "required_n_two_prop", "p_base": p_base, "delta": delta, "alpha": alpha,
                     "power": power, "expected": math.ceil(n),
                     "reference": "ceil(statsmodels samplesize_proportions_2indep_onetail)"})
    rows.append({"function": "required_n_two_prop", "p_base": 0.15, "delta": 0.0,
                 "reference": UNDEFINED + " (delta = 0)"})
    return rows


def _power_cases() -> list[dict[str, Any]]:
    rows = []
    # statsmodels' nobs1 is the arm at p_base + delta (its p1 = prop2 + diff): our n2.
    ref = "statsmodels power_proportions_2indep(delta, p_base, nobs1=n2, ratio=n1/n2, alpha)"
    for p_base, delta, n1, n2, alpha in [(0.15, 0.05, 906, 906, None), (0.15, 0.05, 905, 905, None),
                                         (0.10, 0.03, 1200, 800, None), (0.5, -0.1, 300, 500, 0.01),
                                         (0.02, 0.001, 1e6, 2e6, 0.1), (0.3, 0.05, 10, 10, 0.05)]:
        power = power_proportions_2indep(delta, p_base, n2, ratio=n1 / n2, alpha=alpha or 0.05,
                                         return_results=False)
        rows.append({"function": "power_two_prop", "p_base": p_base, "delta": delta, "n1": n1, "n2": n2,
                     "alpha": alpha, "expected": power, "reference": ref})
    for p_base, delta, why in [(0.15, 0.0, "delta = 0"), (0.95, 0.1, "p2 > 1"), (0.0, 1.0, "sd1 = 0")]:
        rows.append({"function": "power_two_prop", "p_base": p_base, "delta": delta, "n1": 100, "n2": 100,
                     "reference": f"{UNDEFINED} ({why})"})
    return rows


def _beta_cases() -> list[dict[str, Any]]:
    rows = [{"function": "beta_quantile", "a": a, "b": b, "q": q, "expected": stats.beta.ppf(q, a, b),
             "reference": "scipy beta.ppf"}
            for a, b, q in [(2, 3, 0.5), (1, 1, 0.3), (0.5, 0.5, 0.975), (1e6, 2e6, 0.05), (2, 5, 0.0),
                            (2, 5, 1.0), (31, 970, 0.9)]]
    rows.append({"function": "beta_quantile", "a": 0, "b": 1, "q": 0.5, "reference": UNDEFINED + " (a = 0)"})
    return rows


def _bh_cases() -> list[dict[str, Any]]:
    rows = []
    families = [[0.01, 0.04, None, 0.03, 0.04, 0.5, 0.001], [0.2], [0.9, 0.01, 0.02, None]]
    for group, values in enumerate(families, 1):
        p = np.array([v for v in values if v is not None])
        q = iter(multipletests(p, method="fdr_bh")[1])
        for position, v in enumerate(values, 1):
            rows.append({"function": "bh_qvalues", "group_id": group, "position": position, "p": v,
                         "expected": None if v is None else next(q),
                         "reference": "statsmodels multipletests(method='fdr_bh') over the non-NULL p"})
    return rows


def _thompson_cases() -> list[dict[str, Any]]:
    rows = []
    bandits = [([4, 11, 8], [21, 41, 26], 2000, 123_456), ([1, 1], [1, 1], 1000, 7),
               ([30, 28], [70, 72], 1500, 42)]
    for group, (alphas, betas, draws, seed) in enumerate(bandits, 1):
        arms = list(range(len(alphas)))
        decisions, rewards = [], []
        for arm, a, b in zip(arms, alphas, betas, strict=True):
            decisions += [arm] * (a + b - 2)
            rewards += [1] * (a - 1) + [0] * (b - 1)
        mab = MAB(arms, LearningPolicy.ThompsonSampling(), seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mab.fit(decisions, rewards)
            picks = [mab.predict() for _ in range(draws)]
        for arm in arms:
            rows.append({"function": "thompson_p_best", "group_id": group, "position": arm + 1,
                         "a": alphas[arm], "b": betas[arm], "draws": draws, "seed": seed,
                         "expected": picks.count(arm) / draws,
                         "reference": "MABWiser ThompsonSampling: share of successive predict() calls"})
    return rows


def reference_cases() -> list[dict[str, Any]]:
    """All seed rows, each expected value computed by a reference library."""
    rows = (_wilson_cases() + _diff_ci_cases() + _two_prop_cases() + _welch_cases() + _welch_ci_cases()
            + _required_n_cases() + _power_cases() + _beta_cases() + _bh_cases() + _thompson_cases())
    return [{**row, "case_id": i} for i, row in enumerate(rows, 1)]


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def seed_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in reference_cases():
        writer.writerow([_fmt(row.get(c)) for c in COLUMNS])
    return out.getvalue()


def test_committed_seed_is_current() -> None:
    assert SEED.read_text() == seed_csv(), "regenerate: .venv/bin/python tests/test_udfs_dbt.py --write"


def test_dbt_build_compares_the_udfs_with_the_seed(tmp_path: Path) -> None:
    # AURA_PROFILES_DIR: try a profiles.yml before it lands in the repo (default: the repo's).
    profiles_dir = os.environ.get("AURA_PROFILES_DIR", str(REPO))
    target = tmp_path / "target"
    cmd = [
        str(Path(sys.executable).parent / "dbt"), "build", "--select", "stats_reference_cases+",
        "--profiles-dir", profiles_dir, "--project-dir", str(REPO), "--target-path", str(target),
        "--log-path", str(tmp_path / "logs"),
    ]
    env = {**os.environ, "AURA_DB": str(tmp_path / "stats.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    hint = ""
    if "Scalar Function with name" in proc.stdout:
        hint = f"the UDFs are not registered: add python_udfs.dbt_plugin to the plugins in {profiles_dir}\n"
    assert proc.returncode == 0, f"{hint}{proc.stdout[-5000:]}\n{proc.stderr[-2000:]}"
    results = json.loads((target / "run_results.json").read_text())["results"]
    names = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    assert names["stats_reference_cases"] == "success"
    assert {n: names.get(n) for n in SINGULAR_TESTS} == dict.fromkeys(SINGULAR_TESTS, "pass")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        SEED.write_text(seed_csv())
        print(f"wrote {SEED} ({len(reference_cases())} rows)")
    else:
        sys.stdout.write(seed_csv())
