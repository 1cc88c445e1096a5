"""mart_store_profile and mart_inventory_health, checked by hand on a small canonical store
(tests/fixtures/metrics_inventory) and against the generator's planted low stock
(the low_inventory demo store, ending 2026-12-15 so that peak season applies).

The hand-made store (as-of date 2026-06-30, the last order):

  units sold in the last 365 days, by product (title / variant / category / tags):
    SER-30    Glow Serum / 30 ml / Serum / serum              56  beauty
    VITC-SER  Vitamin C Serum / 30 ml / Serum                 10  beauty (serum + ml beat vitamin)
    MAG-60    Daily Magnesium / 60 capsules / Capsules        20  supplements
    COL-GUM   Collagen Beauty Gummies / 60 gummies / beauty   10  supplements
    TOOL-1    Gua Sha Stone / - / Tools                        4  neither
  -> beauty 66%, supplements 30%, neither 4%: mixed (neither reaches 70%).

  repeat orders: c5 10 days, c4 30 days, c2 139 days, c1 146 days -> median (30 + 139) / 2.

  inventory: snapshots of 2026-06-01 (older), 2026-06-28 (used: the latest on or before
  the as-of date) and 2026-07-05 (after it: ignored). Velocity window = the 28 days up to
  the snapshot, 2026-06-01 .. 2026-06-28:
    SER-30    56 units -> 2/day; available 20 + 4 (two locations) = 24 -> 12 days of cover
              (low); reorder point 30 + 5 = 35 >= 24 with nothing incoming -> reorder alert
    MAG-60    14 units -> 0.5/day; 30 available -> 60 days; below its reorder point 40 but
              100 incoming -> no alert
    TOOL-1    2 units (06-01 and 06-11) -> 1/14 a day; 0 available -> 0 days (low)
    VITC-SER  its orders of 05-31 and 06-30 fall outside the window -> no recent sales
    COL-GUM   nothing sold in the window -> no recent sales

The same store with aura_as_of = 2026-05-20 sees 2 orders (O1, O2): units MAG 6, COL 10,
VITC 2, TOOL 2 -> supplements 16/20 = 80% (supplements), no repeat order yet, and no
snapshot on or before the as-of date, so the 2026-06-01 one (SER-30 only) is used: dated
12 days after it, so stale; its velocity window ends at the as-of date.

low_inventory: the demo store ending 2026-12-15 (instead of 10-31), so its three nearly
sold-out top sellers are also a peak-season stockout risk. (The default low_inventory
store is checked in test_metrics_flags.py: low_cover_skus fires, the plan publishes.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_metrics_flags import build_stores

from aura.demo import generate

from conftest import FIXTURES

Query = Callable[[str], list[tuple]]


def _dicts(query: Query, sql: str) -> list[dict[str, object]]:
    """Rows as {column: value}."""
    with duckdb.connect(str(query.db), read_only=True) as con:  # type: ignore[attr-defined]
        result = con.execute(sql)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The three stores, each built once (test_metrics_flags.build_stores)."""
    work = tmp_path_factory.mktemp("profile_inventory")
    truth = generate("low_inventory", work / "low_inventory", end_date=date(2026, 12, 15)).to_dict()
    hand = FIXTURES / "metrics_inventory"
    builds: dict[str, tuple[Path, Path, str, dict[str, object]]] = {
        "hand": (work / "hand.duckdb", hand, "canonical", {}),
        # the same store six weeks earlier (before most of its orders and all its snapshots)
        "hand_may": (work / "hand_may.duckdb", hand, "canonical", {"aura_as_of": "2026-05-20"}),
        "low_inventory": (work / "low_inventory.duckdb", work / "low_inventory", "shopify", {}),
    }
    return {
        **build_stores(builds),
        "low_inventory_truth": truth,
    }


def test_vertical_shares_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["hand"]
    (row,) = query(
        "select vertical, vertical_source, detected_vertical, supplement_share, beauty_share, "
        "unclassified_share, share_null_reason, units_sold_last_365_days, vertical_reason "
        "from mart_store_profile"
    )
    vertical, source, detected, supplements, beauty, unclassified, reason_null, units, reason = row
    assert (vertical, source, detected) == ("mixed", "detected", "mixed")
    assert units == 100
    assert supplements == pytest.approx(0.30)
    assert beauty == pytest.approx(0.66)
    assert unclassified == pytest.approx(0.04)
    assert reason_null is None
    assert "30.0%" in reason and "66.0%" in reason and "70.0%" in reason


def test_mixed_store_windows(stores) -> None:  # type: ignore[no-untyped-def]
    assert stores["hand"](
        "select winback_min_days, winback_max_days, dormant_min_days, dormant_max_days, "
        "subscription_min_orders from mart_store_profile"
    ) == [(21, 50, 60, 120, 2)]


def test_history_and_median_reorder_gap_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    (row,) = stores["hand"](
        "select cast(as_of_date as varchar), cast(first_order_date as varchar), "
        "cast(last_order_date as varchar), history_days, counted_orders, "
        "median_reorder_gap_days, repeat_orders_last_365_days, median_reorder_gap_null_reason "
        "from mart_store_profile"
    )
    # 2026-01-10 .. 2026-06-30 inclusive = 21 + 28 + 31 + 30 + 31 + 30 + 1 days
    assert row == ("2026-06-30", "2026-01-10", "2026-06-30", 172, 9, 84.5, 4, None)


def test_inventory_figures_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    rows = _dicts(stores["hand"], "select * from mart_inventory_health order by sku")
    by_sku = {r["sku"]: r for r in rows}
    assert set(by_sku) == {"COL-GUM", "MAG-60", "SER-30", "TOOL-1", "VITC-SER"}
    for r in rows:
        # the 2026-06-28 snapshot (2 days old), velocity over 2026-06-01 .. 2026-06-28
        assert str(r["snapshot_date"]) == "2026-06-28"
        assert (r["snapshot_age_days"], r["is_stale"], r["is_snapshot_after_as_of"]) == (2, False, False)
        assert str(r["velocity_window_start"]) == "2026-06-01" and r["velocity_days"] == 28
        assert r["peak_season_stockout_risk"] is False  # June
    ser = by_sku["SER-30"]
    assert (ser["locations"], ser["available"], ser["incoming"], ser["reorder_point"]) == (2, 24, 0, 35)
    assert ser["units_sold_in_velocity_window"] == 56
    assert ser["daily_velocity"] == pytest.approx(2.0)
    assert ser["days_of_cover"] == pytest.approx(12.0)
    assert (ser["is_low_cover"], ser["reorder_alert"], ser["cover_null_reason"]) == (True, True, None)
    assert (ser["bestseller_rank"], ser["is_bestseller"], ser["product_title"]) == (1, True, "Glow Serum")
    mag = by_sku["MAG-60"]
    assert (mag["available"], mag["incoming"], mag["reorder_point"]) == (30, 100, 40)
    assert mag["daily_velocity"] == pytest.approx(0.5)
    assert mag["days_of_cover"] == pytest.approx(60.0)
    assert (mag["is_low_cover"], mag["reorder_alert"], mag["bestseller_rank"]) == (False, False, 2)
    tool = by_sku["TOOL-1"]
    assert tool["units_sold_in_velocity_window"] == 2
    assert tool["daily_velocity"] == pytest.approx(2 / 28)
    assert tool["days_of_cover"] == pytest.approx(0.0)
    assert tool["is_low_cover"] is True
    assert (tool["reorder_alert"], tool["reorder_alert_null_reason"]) == (None, "no_reorder_point")
    for sku in ("VITC-SER", "COL-GUM"):
        r = by_sku[sku]
        assert (r["units_sold_in_velocity_window"], r["daily_velocity"]) == (0, 0.0)
        # no sales: no cover figure (never a made-up number), with the reason
        assert (r["days_of_cover"], r["cover_null_reason"], r["is_low_cover"]) == (
            None, "no_recent_sales", None)
        assert (r["bestseller_rank"], r["is_bestseller"]) == (None, False)


def test_inventory_info_flags_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    flags = {
        r[0]: r[1:]
        for r in stores["hand"](
            "select flag_code, fired, metric_value, not_evaluated_reason "
            "from mart_data_quality_flags where severity = 'info'"
        )
    }
    assert flags == {
        "inventory_absent": (False, 5.0, None),
        "inventory_stale": (False, 2.0, None),
        "low_cover_skus": (True, 2.0, None),
        "reorder_alerts": (True, 1.0, None),
        "peak_season_stockout_risk": (False, 0.0, None),
    }


def test_low_inventory_top_sellers_cover(stores) -> None:  # type: ignore[no-untyped-def]
    truth = stores["low_inventory_truth"]["effects"]["low_inventory"]["details"]
    rows = stores["low_inventory"](
        "select sku, available, units_sold_in_velocity_window, daily_velocity, days_of_cover, "
        "is_bestseller, bestseller_rank from mart_inventory_health where is_low_cover"
    )
    assert {r[0] for r in rows} == {t["sku"] for t in truth}
    by_sku = {r[0]: r for r in rows}
    for t in truth:
        sku, available, units, velocity, cover, bestseller, rank = by_sku[t["sku"]]
        assert available == t["available"]
        assert units == t["units_last_28_days"]
        assert velocity == pytest.approx(t["daily_rate"], abs=0.0005)
        assert round(cover, 2) == pytest.approx(t["days_of_cover"])
        assert bestseller and rank <= 3


def test_beauty_store_detected_with_beauty_windows(stores) -> None:  # type: ignore[no-untyped-def]
    (row,) = stores["low_inventory"](
        "select vertical, vertical_source, beauty_share >= 0.7, winback_min_days, "
        "winback_max_days, dormant_min_days, dormant_max_days, subscription_min_orders "
        "from mart_store_profile"
    )
    assert row == ("beauty", "detected", True, 21, 45, 60, 120, 3)


def test_as_of_var_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    (profile,) = _dicts(stores["hand_may"], "select * from mart_store_profile")
    assert str(profile["as_of_date"]) == "2026-05-20"
    # 2026-01-10 .. 2026-05-20 inclusive = 22 + 28 + 31 + 30 + 20 days
    assert (profile["counted_orders"], profile["history_days"], profile["units_sold_last_365_days"]) == (
        2, 131, 20)
    assert (profile["vertical"], profile["vertical_source"]) == ("supplements", "detected")
    assert profile["supplement_share"] == pytest.approx(16 / 20)
    assert profile["beauty_share"] == pytest.approx(2 / 20)
    assert (profile["winback_min_days"], profile["dormant_max_days"], profile["subscription_min_orders"]) == (
        35, 90, 2)
    # no repeat order yet: no median, with the reason
    assert (profile["median_reorder_gap_days"], profile["median_reorder_gap_null_reason"]) == (
        None, "no_repeat_orders_in_last_365_days")


def test_snapshot_after_the_as_of_date_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    (row,) = _dicts(stores["hand_may"], "select * from mart_inventory_health")
    assert (row["sku"], row["available"], str(row["snapshot_date"])) == ("SER-30", 999, "2026-06-01")
    assert (row["snapshot_age_days"], row["is_snapshot_after_as_of"], row["is_stale"]) == (-12, True, True)
    window = (str(row["velocity_window_start"]), str(row["velocity_window_end"]))
    assert window == ("2026-04-23", "2026-05-20")
    assert (row["units_sold_in_velocity_window"], row["days_of_cover"], row["cover_null_reason"]) == (
        0, None, "no_recent_sales")
    flags = {
        r[0]: r[1:]
        for r in stores["hand_may"](
            "select flag_code, fired, not_evaluated_reason from mart_data_quality_flags"
        )
    }
    assert flags["repeat_metric_incoherent"] == (None, "no_repeat_orders_in_last_365_days")
    assert flags["insufficient_history"] == (True, None)
    assert flags["inventory_stale"] == (True, None)


def test_peak_season_stockout_risk(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["low_inventory"]
    planted = set(stores["low_inventory_truth"]["effects"]["low_inventory"]["skus"])
    rows = query(
        "select sku, daily_velocity, days_of_cover from mart_inventory_health "
        "where peak_season_stockout_risk"
    )
    assert {r[0] for r in rows} == planted
    assert all(velocity >= 1 and cover < 14 for _, velocity, cover in rows)
    (fired, value) = query(
        "select fired, metric_value from mart_data_quality_flags "
        "where flag_code = 'peak_season_stockout_risk'"
    )[0]
    assert (fired, value) == (True, 3.0)
    # and the low-cover check counts the same three
    assert query(
        "select fired, metric_value from mart_data_quality_flags where flag_code = 'low_cover_skus'"
    ) == [(True, 3.0)]
