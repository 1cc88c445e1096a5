"""Backtests (mart_backtest_predictions, mart_backtest_calibration, `python -m aura.tracking.backtest`):
month-ends, baselines and audiences recomputed by hand from fct_orders with pandas, the
Wilson and t ranges against statsmodels and scipy, coverage and errors against a pandas
summary of the predictions, no leakage (doubling every order after a month-end and moving
the as-of date leave that month-end's predictions alone), the CLI's table and the Forecast
page's section.

Two builds, in parallel: the healthy_beauty demo store built in full with aura_backtest on
(as the publishing pipeline does), and the same store with every order after CUTOFF worth
twice as much, built by the CLI (only the backtest and what it reads) as of AS_OF."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from streamlit.testing.v1 import AppTest

from aura.briefing import brand_copy, load_briefing
from aura.briefing.content import load_backtest
from aura.briefing.html import render_html
from aura.tracking import backtest

from conftest import REPO, built
from copy_rules import forbidden_in_copy

CUTOFF = date(2025, 12, 31)  # a month-end: orders after it are doubled in the second build
AS_OF = date(2026, 6, 30)  # the second build's as-of date
HORIZON = 28
Z80 = 1.2815515655446004
MONEY_COLUMNS = ("Subtotal", "Shipping", "Taxes", "Total", "Discount Amount", "Lineitem price",
                 "Lineitem compare at price", "Lineitem discount", "Refunded Amount")
SOURCES = {"4 x L7": (7, 4.0), "L28": (28, 1.0), "L56 / 2": (56, 0.5)}

Query = Callable[[str], list[tuple]]


@dataclass(frozen=True)
class Builds:
    full: Query  # healthy_beauty, every model, aura_backtest on
    db_path: Path
    input_dir: Path
    doubled: Query  # orders after CUTOFF doubled, built by the CLI as of AS_OF
    cli_output: str


def _double_after(source: Path, target: Path, cutoff: date) -> None:
    """Copy the store's files, doubling every money amount of the orders placed after
    `cutoff` (Shopify's order rows: the order fields sit on its first row)."""
    shutil.copytree(source, target)
    path = target / "orders_export_1.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        rows = list(reader)
    created: dict[str, str] = {}
    for row in rows:
        if row["Created at"]:
            created.setdefault(row["Name"], row["Created at"][:10])
    for row in rows:
        if created[row["Name"]] > cutoff.isoformat():
            for column in MONEY_COLUMNS:
                if row.get(column):
                    row[column] = f"{Decimal(row[column]) * 2:.2f}"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _query(db: Path) -> Query:
    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()

    return query


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    from aura.demo import generate

    work = tmp_path_factory.mktemp("backtest")
    generate("healthy_beauty", work / "data")
    _double_after(work / "data", work / "doubled", CUTOFF)

    def cli() -> str:
        out = subprocess.run(
            [sys.executable, "-m", "aura.tracking.backtest", "--input-dir", str(work / "doubled"),
             "--db", str(work / "doubled.duckdb"), "--as-of", AS_OF.isoformat(), "--summaries"],
            cwd=REPO, capture_output=True, text=True, check=False)
        assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
        return out.stdout

    with ThreadPoolExecutor(max_workers=2) as pool:
        doubled = pool.submit(cli)
        full = built(work / "store.duckdb", work / "data", extra_vars={"aura_backtest": True})
        output = doubled.result()
    return Builds(full, work / "store.duckdb", work / "data", _query(work / "doubled.duckdb"), output)


def _frame(query: Query, sql: str, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(query(sql), columns=columns)


def _orders(query: Query) -> pd.DataFrame:
    df = _frame(query, "select order_id, order_date, customer_key, net_sales from fct_orders "
                       "where is_counted_order", ["order_id", "order_date", "customer_key", "net_sales"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["net_sales"] = df["net_sales"].astype(float)
    return df


def _predictions(query: Query, check: str) -> pd.DataFrame:
    cols = ["month_end_date", "subject", "engine_source", "prediction_n", "actual_n", "predicted_p10",
            "predicted_p50", "predicted_p90", "actual", "is_actual_within_p10_p90", "no_change_coverage",
            "null_reason", "pct_error"]
    df = _frame(query, f"select {', '.join(cols)} from mart_backtest_predictions "
                       f"where check_name = '{check}' order by month_end_date, subject", cols)
    df["month_end_date"] = pd.to_datetime(df["month_end_date"])
    for c in ("predicted_p10", "predicted_p50", "predicted_p90", "actual", "no_change_coverage", "pct_error"):
        df[c] = df[c].astype(float)
    return df


@pytest.mark.parametrize("mart", ["mart_backtest_predictions", "mart_backtest_calibration"])
def test_the_backtest_marts_are_documented_column_by_column(builds: Builds, mart: str) -> None:
    # test_model_docs reads builds without the backtest, which skip these marts
    (model,) = yaml.safe_load((REPO / "models" / "marts" / "tracking" / f"{mart}.yml").read_text())["models"]
    documented = {c["name"]: (c.get("description") or "").strip() for c in model["columns"]}
    built_columns = [c for (c,) in builds.full(
        f"select column_name from information_schema.columns where table_name = '{mart}' "
        "order by ordinal_position")]
    assert list(documented) == built_columns
    assert all(documented.values()) and model["description"].strip()


# --- month-ends and baselines, by hand ---------------------------------------------------

def _month_ends(orders: pd.DataFrame, last_any: pd.Timestamp, as_of: pd.Timestamp) -> list[pd.Timestamp]:
    first = orders["order_date"].min()
    end = min(last_any, as_of)
    days = pd.date_range(first, end)
    return [d for d in days if d.is_month_end and d - pd.Timedelta(days=55) >= first
            and d + pd.Timedelta(days=HORIZON) <= end]


def test_month_ends_have_56_days_before_and_28_covered_days_after(builds: Builds) -> None:
    orders = _orders(builds.full)
    (last_any,), = builds.full("select max(order_date) from fct_orders")
    expected = _month_ends(orders, pd.Timestamp(last_any), orders["order_date"].max())
    got = [pd.Timestamp(d) for (d,) in builds.full(
        "select distinct month_end_date from mart_backtest_predictions order by 1")]
    assert got == expected
    assert len(got) == 22 and got[0] == pd.Timestamp("2024-12-31") and got[-1] == pd.Timestamp("2026-09-30")


def _window(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return orders[(orders["order_date"] >= start) & (orders["order_date"] <= end)]


def _baselines_by_hand(orders: pd.DataFrame, m: pd.Timestamp) -> dict[str, float]:
    day = pd.Timedelta(days=1)
    out = {label: scale * _window(orders, m - (days - 1) * day, m)["net_sales"].sum()
           for label, (days, scale) in SOURCES.items()}
    l7 = len(_window(orders, m - 6 * day, m))
    l28 = len(_window(orders, m - 27 * day, m))
    out["engine choice"] = out["4 x L7" if l7 >= 350 else "L28" if l28 >= 150 else "L56 / 2"]
    out["actual"] = _window(orders, m + day, m + HORIZON * day)["net_sales"].sum()
    return out


def test_baselines_and_their_errors_equal_a_pandas_recomputation(builds: Builds) -> None:
    orders = _orders(builds.full)
    pred = _predictions(builds.full, "baseline_net_sales")
    rows = []
    for m in sorted(pred["month_end_date"].unique()):
        hand = _baselines_by_hand(orders, pd.Timestamp(m))
        for subject in (*SOURCES, "engine choice"):
            got = pred[(pred["month_end_date"] == m) & (pred["subject"] == subject)].iloc[0]
            assert got["predicted_p50"] == pytest.approx(hand[subject], abs=0.01), (m, subject)
            assert got["actual"] == pytest.approx(hand["actual"], abs=0.01), (m, subject)
            assert np.isnan(got["predicted_p10"]) and got["is_actual_within_p10_p90"] is None
            rows.append((subject, (hand[subject] - hand["actual"]) / hand["actual"]))
    errors = pd.DataFrame(rows, columns=["subject", "pct_error"])
    calibration = dict(
        ((s, (mape, bias, cov)) for s, mape, bias, cov in builds.full(
            "select subject, mean_abs_pct_error, mean_pct_error, coverage_p10_p90 "
            "from mart_backtest_calibration where check_name = 'baseline_net_sales'")))
    for subject, group in errors.groupby("subject"):
        mape, bias, coverage = calibration[subject]
        assert mape == pytest.approx(group["pct_error"].abs().mean(), rel=1e-9)
        assert bias == pytest.approx(group["pct_error"].mean(), rel=1e-9)
        assert coverage is None  # a baseline has no range
    # the demo store never reaches 350 orders a week: the engine uses L28 throughout
    assert builds.full("select distinct engine_source from mart_backtest_predictions "
                       "where subject = 'engine choice'") == [("L28",)]


# --- audiences, by hand --------------------------------------------------------------------

def _audience(orders: pd.DataFrame, at: pd.Timestamp, play: str, windows: dict[str, int]) -> set[str]:
    known = orders[(orders["order_date"] <= at) & orders["customer_key"].notna()]
    per = known.groupby("customer_key").agg(last=("order_date", "max"), orders=("order_id", "count"))
    since = (at - per["last"]).dt.days
    if play == "winback_21_45":
        keep = (since >= windows["winback_min_days"]) & (since <= windows["winback_max_days"])
    else:  # dormant_multibuyers
        keep = ((per["orders"] >= 2) & (since >= windows["dormant_min_days"])
                & (since <= windows["dormant_max_days"]))
    return set(per.index[keep])


def _followed(orders: pd.DataFrame, at: pd.Timestamp, members: set[str]) -> pd.DataFrame:
    return orders[(orders["order_date"] > at) & (orders["order_date"] <= at + pd.Timedelta(days=HORIZON))
                  & orders["customer_key"].isin(members)]


@pytest.mark.parametrize("play", ["winback_21_45", "dormant_multibuyers"])
def test_audience_rates_and_order_values_equal_a_pandas_recomputation(builds: Builds, play: str) -> None:
    orders = _orders(builds.full)
    names = ["winback_min_days", "winback_max_days", "dormant_min_days", "dormant_max_days"]
    (profile,) = builds.full(f"select {', '.join(names)} from mart_store_profile")
    windows = dict(zip(names, profile, strict=True))
    rates = _predictions(builds.full, "audience_conversion_rate").query("subject == @play")
    aovs = _predictions(builds.full, "audience_aov").query("subject == @play")
    inside_rate, inside_aov = [], []
    for m in rates["month_end_date"]:
        prior_at = m - pd.Timedelta(days=HORIZON)
        prior, now = _audience(orders, prior_at, play, windows), _audience(orders, m, play, windows)
        prior_orders, now_orders = _followed(orders, prior_at, prior), _followed(orders, m, now)
        x, n = prior_orders["customer_key"].nunique(), len(prior)
        rate = rates[rates["month_end_date"] == m].iloc[0]
        assert (rate["prediction_n"], rate["actual_n"]) == (n, len(now)), m
        if n >= 30 and len(now) >= 30:
            low, high = proportion_confint(x, n, alpha=0.2, method="wilson")
            actual = now_orders["customer_key"].nunique() / len(now)
            assert rate["predicted_p50"] == pytest.approx(x / n, rel=1e-12)
            assert (rate["predicted_p10"], rate["predicted_p90"]) == (
                pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
            assert rate["actual"] == pytest.approx(actual, rel=1e-12)
            assert rate["is_actual_within_p10_p90"] == (low <= actual <= high)
            inside_rate.append(low <= actual <= high)
        else:
            assert rate["null_reason"] in ("prior_audience_below_min_customers",
                                           "audience_below_min_customers")
            assert np.isnan(rate["predicted_p50"]) and np.isnan(rate["actual"])
        aov = aovs[aovs["month_end_date"] == m].iloc[0]
        values = prior_orders["net_sales"]
        assert (aov["prediction_n"], aov["actual_n"]) == (len(values), len(now_orders)), m
        if len(values) >= 20 and len(now_orders) >= 20:
            low, high = stats.t.interval(0.8, len(values) - 1, loc=values.mean(),
                                         scale=values.std(ddof=1) / np.sqrt(len(values)))
            actual = now_orders["net_sales"].mean()
            assert aov["predicted_p50"] == pytest.approx(values.mean(), rel=1e-9)
            assert (aov["predicted_p10"], aov["predicted_p90"]) == (
                pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
            assert aov["actual"] == pytest.approx(actual, rel=1e-9)
            inside_aov.append(low <= actual <= high)
        else:
            assert aov["null_reason"] in ("prior_audience_below_min_orders", "audience_below_min_orders")
            assert np.isnan(aov["predicted_p50"])
    (rate_cov, rate_rows), = builds.full(
        "select coverage_p10_p90, rows_with_range from mart_backtest_calibration "
        f"where check_name = 'audience_conversion_rate' and subject = '{play}'")
    assert rate_rows == len(inside_rate) > 10
    assert rate_cov == pytest.approx(np.mean(inside_rate))
    (aov_cov,), = builds.full("select coverage_p10_p90 from mart_backtest_calibration "
                              f"where check_name = 'audience_aov' and subject = '{play}'")
    assert (aov_cov is None and not inside_aov) or aov_cov == pytest.approx(np.mean(inside_aov))


def test_every_wilson_range_equals_statsmodels(builds: Builds) -> None:
    rates = _predictions(builds.full, "audience_conversion_rate").dropna(subset=["predicted_p50"])
    assert len(rates) > 50
    for r in rates.itertuples():
        x = round(r.predicted_p50 * r.prediction_n)
        low, high = proportion_confint(x, r.prediction_n, alpha=0.2, method="wilson")
        assert (r.predicted_p10, r.predicted_p90) == (
            pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))


def test_no_change_coverage_is_the_normal_approximation(builds: Builds) -> None:
    rows = pd.concat([_predictions(builds.full, c) for c in ("audience_conversion_rate", "audience_aov")])
    rows = rows.dropna(subset=["predicted_p10"])
    share = rows["actual_n"] / (rows["prediction_n"] + rows["actual_n"])
    exact = 2 * stats.norm.cdf(Z80 * np.sqrt(share)) - 1
    assert np.abs(rows["no_change_coverage"].to_numpy() - np.asarray(exact)).max() < 2e-4
    # equal audiences: about 64%, not 80%
    assert 2 * stats.norm.cdf(Z80 / np.sqrt(2)) - 1 == pytest.approx(0.635, abs=0.001)


def test_calibration_summarises_the_predictions(builds: Builds) -> None:
    cols = ["check_name", "subject", "backtest_rows", "evaluated_rows", "rows_with_range",
            "within_range_rows", "coverage_p10_p90", "no_change_coverage", "mean_abs_error",
            "mean_error", "mean_abs_pct_error", "mean_pct_error", "coverage_null_reason",
            "summary_null_reason", "summary"]
    calibration = _frame(builds.full, f"select {', '.join(cols)} from mart_backtest_calibration", cols)
    (plays,), = builds.full("select count(*) from play_tests")
    assert len(calibration) == 4 + 2 * (plays + 1)
    for check in ("audience_conversion_rate", "audience_aov"):
        pred = _predictions(builds.full, check)
        pred["abs_error"] = (pred["predicted_p50"] - pred["actual"]).abs()
        scopes = [(s, g) for s, g in pred.groupby("subject")] + [("all_plays", pred)]
        for subject, group in scopes:
            row = calibration[(calibration["check_name"] == check)
                              & (calibration["subject"] == subject)].iloc[0]
            ranged = group.dropna(subset=["predicted_p10", "actual"])
            inside = ranged["actual"].between(ranged["predicted_p10"], ranged["predicted_p90"])
            assert row["backtest_rows"] == len(group)
            assert row["evaluated_rows"] == group["null_reason"].isna().sum()
            assert (row["rows_with_range"], row["within_range_rows"]) == (len(ranged), inside.sum())
            if len(ranged):
                assert row["coverage_p10_p90"] == pytest.approx(inside.mean())
                assert row["no_change_coverage"] == pytest.approx(ranged["no_change_coverage"].mean())
                assert row["mean_abs_error"] == pytest.approx(group["abs_error"].mean())
                assert row["mean_pct_error"] == pytest.approx(group["pct_error"].mean())
                assert row["summary_null_reason"] is None
            else:  # nothing filled in: NULL with a reason, and the line says it was not checked
                assert pd.isna(row["coverage_p10_p90"]) and pd.isna(row["mean_abs_error"])
                assert row["coverage_null_reason"] == "no_rows_evaluated"
                assert row["summary_null_reason"] == "no_rows_evaluated"
                assert "not checked" in row["summary"]
    # the demo's audiences: some plays never reach the minimum, the pooled rate is checked
    all_rate = calibration.query(
        "check_name == 'audience_conversion_rate' and subject == 'all_plays'").iloc[0]
    assert all_rate["rows_with_range"] > 100 and 0.3 < all_rate["coverage_p10_p90"] < 0.9
    assert set(calibration.query("check_name == 'baseline_net_sales'")["coverage_null_reason"]) == {
        "baseline_has_no_range"}
    bad = forbidden_in_copy(builds.full, calibration["summary"])
    assert not bad, bad


# --- no leakage ----------------------------------------------------------------------------

def test_orders_after_a_month_end_do_not_change_its_prediction(builds: Builds) -> None:
    key = "month_end_date, check_name, subject"
    cols = "prediction_n, predicted_p10, predicted_p50, predicted_p90, null_reason, engine_source"
    sql = (f"select {key}, {cols} from mart_backtest_predictions "
           f"where month_end_date <= '{CUTOFF}' order by {key}")
    full, doubled = builds.full(sql), builds.doubled(sql)
    assert len(full) > 200 and len(full) == len(doubled)
    for a, b in zip(full, doubled, strict=True):
        assert a[:3] == b[:3] and a[3] == b[3] and a[7:] == b[7:], (a, b)
        for x, y in zip(a[4:7], b[4:7], strict=True):
            assert (x is None and y is None) or x == pytest.approx(y, rel=1e-12), (a, b)
    # ... while what happened after it did change: the next 28 days' net sales doubled
    actual = f"select actual from mart_backtest_predictions where month_end_date = '{CUTOFF}' " \
             "and subject = 'L28'"
    (before,), = builds.full(actual)
    (after,), = builds.doubled(actual)
    assert after == pytest.approx(2 * before)
    # and the later as-of date's month-ends end 28 days before it
    (last,), = builds.doubled("select max(month_end_date) from mart_backtest_predictions")
    assert last == date(2026, 5, 31) and last + timedelta(days=HORIZON) <= AS_OF


# --- the CLI and the app -----------------------------------------------------------------------

def test_the_cli_builds_and_prints_the_calibration_table(builds: Builds) -> None:
    out = builds.cli_output
    assert "Monthly baseline net sales against the next 28 days" in out
    assert "Audience conversion rate" in out and "Audience order value" in out
    for subject in ("engine choice", "4 x L7", "L28", "L56 / 2", "all_plays", "winback_21_45"):
        assert f"  {subject} " in out
    (engine,), = builds.doubled(
        "select summary from mart_backtest_calibration where subject = 'engine choice'")
    assert f"- {engine}" in out  # --summaries
    # --from-db reads a built file without building; the figures are the mart's
    printed = subprocess.run(
        [sys.executable, "-m", "aura.tracking.backtest", "--from-db", str(builds.db_path)],
        cwd=REPO, capture_output=True, text=True, check=True).stdout
    (mape,), = builds.full("select mean_abs_pct_error from mart_backtest_calibration where subject = 'L28'")
    line = next(x for x in printed.splitlines() if x.startswith("  L28 "))
    assert f"{100 * mape:.1f}%" in line
    assert "Backtest over 22 month-ends, 2024-12-31 to 2026-09-30" in printed
    # make backtest runs this module with BACKTEST_ARGS
    dry = subprocess.run(["make", "-n", "backtest", "BACKTEST_ARGS=--from-db x.duckdb"],
                         cwd=REPO, capture_output=True, text=True, check=False).stdout
    assert "-m aura.tracking.backtest --from-db x.duckdb" in dry


def test_a_file_without_the_backtest_says_so(builds: Builds, tmp_path: Path) -> None:
    with pytest.raises(backtest.BacktestFailed, match="without the backtest"):
        backtest.read_calibration(_without_backtest(builds.db_path, tmp_path))
    with duckdb.connect(str(_without_backtest(builds.db_path, tmp_path / "again")), read_only=True) as con:
        b = load_briefing(con, "older")
    assert not b.backtest.available and "not available" in b.backtest.headline
    assert not b.backtest.lines


def _without_backtest(db: Path, where: Path) -> Path:
    """A copy of the build as an older published run would be: no backtest marts."""
    where.mkdir(parents=True, exist_ok=True)
    copy = where / "older.duckdb"
    shutil.copy2(db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("drop table mart_backtest_calibration")
        con.execute("drop table mart_backtest_predictions")
    return copy


def test_the_forecast_page_shows_how_past_forecasts_did(builds: Builds, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from aura.serving import store

    with duckdb.connect(str(builds.db_path), read_only=True) as con:
        (as_of,), = con.execute("select max(as_of_date) from mart_briefing").fetchall()
        bt = load_backtest(con, as_of)
        briefing = load_briefing(con, "healthy_beauty")
        page = render_html(briefing, con)
    assert bt.available and bt.month_ends == 22 and bt.baselines[0].subject == "engine choice"
    assert "How well past forecasts did" in page and bt.baselines[0].text.replace("'", "&#39;") in page
    bad = forbidden_in_copy(builds.full, [s for s in brand_copy(briefing) if s])
    assert not bad, bad

    root = tmp_path / "published"
    staged = store.new_run_dir("healthy_beauty", root)
    shutil.copy2(builds.db_path, staged / store.DB_FILE)
    store.publish_run(staged, "healthy_beauty", as_of, {"input_dir": str(builds.input_dir)}, root)
    monkeypatch.setenv("AURA_PUBLISHED_DIR", str(root))
    at = AppTest.from_file(str(REPO / "app" / "streamlit_app.py"), default_timeout=120)
    at.session_state["brand"] = "healthy_beauty"
    at.run(timeout=120)
    at.switch_page("views/forecast.py").run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    assert "How well past forecasts did" in [s.value for s in at.subheader]
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert bt.headline in shown
    headlines = builds.full("select summary from mart_backtest_calibration "
                            "where check_name = 'baseline_net_sales' or subject = 'all_plays'")
    assert len(headlines) == 6
    for (summary,) in headlines:
        assert summary in shown
    assert len(at.dataframe[1].value) == len(bt.plays)
    assert not at.info or all("not available" not in i.value for i in at.info)
