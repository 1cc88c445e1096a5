"""The briefing's data layer: plain-English formatting of missing values, SQL that only
ever takes values as parameters, and the audience CSV the app offers (aura.audiences')."""

from __future__ import annotations

import ast
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from aura.audiences import export_audiences
from aura.briefing import format as fmt
from aura.briefing import kpis
from aura.briefing.audience_csv import audience_csv

from conftest import REPO

MISSING = [None, float("nan"), float("inf"), float("-inf"), pd.NA, "abc"]


@pytest.mark.parametrize("value", MISSING)
def test_missing_values_read_as_a_reason(value: object) -> None:
    for text in (fmt.money(value, "USD"), fmt.count(value), fmt.share(value), fmt.points(value),
                 fmt.relative(value), fmt.decimal(value), fmt.money_range(value, value, value)):
        assert text == fmt.NOT_ENOUGH_DATA
    assert fmt.text(None if isinstance(value, str) else value) == ""


def test_formats() -> None:
    assert fmt.money(41128.58, "USD") == "$41,129"
    assert fmt.money(Decimal("63.4700"), "USD", cents=True) == "$63.47"
    assert fmt.money(-5.4, "EUR") == "-€5" and fmt.money(-0.4, "USD") == "$0"
    assert fmt.money(1234, "SEK") == "1,234 SEK" and fmt.money(1234, None) == "1,234"
    assert fmt.money_range(327, 1219, 2099, "USD") == "about $1,219 (likely between $327 and $2,099)"
    assert fmt.count(1, "customer") == "1 customer" and fmt.count(1234, "customer") == "1,234 customers"
    assert fmt.share(0.4426) == "44.3%" and fmt.points(0.0407) == "+4.1 points"
    assert fmt.relative(-0.0207) == "-2.1%" and fmt.relative(0.5, signed=False) == "50.0%"
    assert fmt.day(pd.Timestamp("2026-10-31")) == "31 Oct 2026" and fmt.day(None) == "unknown date"
    assert fmt.text("nan") == "" and fmt.text(" Why ") == "Why" and fmt.text(math.nan, "-") == "-"


SQL_CALLS = {"execute", "rows", "one", "frame", "sql"}


def _sources() -> list[Path]:
    return sorted([*(REPO / "aura" / "briefing").rglob("*.py"), *(REPO / "app").rglob("*.py")])


def test_sql_takes_values_only_as_parameters() -> None:
    """No statement in the briefing or the app is built from text at run time: every SQL
    call's statement is a constant (or a name bound to one), never an f-string, a
    concatenation or .format(); the app's pages run no SQL of their own."""
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name not in SQL_CALLS:
                continue
            args = node.args[1:] if name in {"rows", "one", "frame"} else node.args[:1]
            for arg in args[:1]:
                assert isinstance(arg, ast.Name | ast.Attribute | ast.Constant), (
                    f"{path}:{node.lineno}: SQL built at run time")
        if path.is_relative_to(REPO / "app"):
            assert ".execute(" not in path.read_text(encoding="utf-8"), path
    queries = ast.parse((REPO / "aura" / "briefing" / "queries.py").read_text(encoding="utf-8"))
    for node in queries.body:
        if isinstance(node, ast.Assign) and node.targets[0].id.isupper():  # type: ignore[attr-defined]
            assert isinstance(node.value, ast.Constant), node.targets[0].id  # type: ignore[attr-defined]


def test_rolling_series_matches_the_window_value(briefing_brands) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    b = briefing_brands[1]["healthy_beauty"]
    (as_of, net_28, aov_28), = b.query("select as_of_date, net_sales, aov from mart_kpi_snapshot "
                                       "where window_days = 28 and period = 'recent'")
    with duckdb.connect(str(b.db_path), read_only=True) as con:
        daily = kpis.daily_frame(con, as_of)
    assert kpis.rolling(daily, "net_sales", 28)["value"].iloc[-1] == pytest.approx(float(net_28))
    assert kpis.rolling(daily, "aov", 28)["value"].iloc[-1] == pytest.approx(float(aov_28))
    assert kpis.rolling(daily, "identified_customers", 28).empty


@pytest.mark.parametrize("brand", ["healthy_beauty", "publish_month"])
def test_audience_csv_is_the_export(brand: str, briefing_brands, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    b = briefing_brands[1][brand]
    for play, reachable in b.query("select play_id, members_reachable_by_email from mart_audiences "
                                   "where audience_size > 0"):
        name, text = audience_csv(b.db_path, play)
        [exported] = export_audiences(b.db_path, tmp_path, plays=[play])
        assert name == exported.name and text == exported.read_text(encoding="utf-8")
        assert len(text.splitlines()) - 1 == reachable


def test_launches_logged_since_the_build(tmp_path: Path) -> None:
    from aura.briefing import launches

    assert launches.logged_launches(None) == [] and launches.logged_launches(tmp_path / "missing") == []
    (tmp_path / "action_log.csv").write_text(
        "action_id,play_id,launched_at\n"
        "a1,winback_21_45,2026-09-16 10:00:00\n"
        "a2,empty_bottle,2026-11-02 09:00:00\n"
        "a2,empty_bottle,2026-11-03 09:00:00\n", encoding="utf-8")
    (tmp_path / "orders_export.csv").write_text("Name\n#1\n", encoding="utf-8")
    logged = launches.logged_launches(tmp_path)
    assert [r["action_id"] for r in logged] == ["a1", "a2", "a2"]
    assert [r["action_id"] for r in launches.not_yet_measured(logged, {"a1"})] == ["a2"]
