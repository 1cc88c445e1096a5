"""mart_data_quality_flags and mart_decision_state: each check fired by a store built for it
and quiet on healthy_beauty.

Stores (each built once, three builds at a time):
  healthy_beauty  nothing decisive fires: publish
  supplements     monthly cadence: repeat_metric_incoherent; vertical 'supplements'
  cold_start      45 days of history: insufficient_history
  promo_anomaly   ends 2026-12-03, so BFCM 2026 (Thanksgiving 11-26 .. Cyber Monday 11-30)
                  is in the last 28 days: bfcm_overlap (and post_promo_window)
  low_inventory   three top sellers nearly sold out: low_cover_skus (info), still publish
  anomaly         hand-made canonical store (_write_anomaly_store): test orders and a
                  refund storm in the last 28 days, no inventory file
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from conftest import REPO

Query = Callable[[str], list[tuple]]

FLAG_CODES = [
    "insufficient_history", "test_order_anomaly", "refund_storm", "bfcm_overlap",
    "post_promo_window", "repeat_metric_incoherent", "aov_consistency",
    "new_returning_consistency", "net_sales_method_disagreement", "inventory_absent",
    "inventory_stale", "low_cover_skus", "reorder_alerts", "peak_season_stockout_risk",
]
SCENARIOS = ["healthy_beauty", "supplements", "cold_start", "promo_anomaly", "low_inventory"]
AS_OF = date(2026, 6, 30)


def _write_anomaly_store(folder: Path) -> None:
    """A canonical store, one $100 unit per order unless said otherwise, as-of 2026-06-30.

    Prior (2025-07-01 .. 2026-06-02, one order a day, 337 customers): the first 5 orders
    refunded $50 each -> returns 250 / 33,700 = 0.742% of net sales before returns.
    Recent 28 days (2026-06-03 .. 2026-06-30), 40 orders:
      - one customer ('whale') places 14 of them (06-03 .. 06-16): 35% > 30%;
      - 2 are free (a $20 unit with a $20 discount, 06-17 and 06-18): 5% > 2%;
      - 24 other customers, one order each (06-07 .. 06-30); 12 refunded $50 each ->
        returns 600 / 3,800 = 15.8% > 2 x 0.742%, with 12 >= 10 refunded orders.
    The product is a serum (detected beauty); no inventory file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    orders: list[dict[str, object]] = []

    def add(day: date, customer: str, price: float = 100.0, discount: float = 0.0,
            refunded: float = 0.0) -> None:
        orders.append({
            "order_id": f"A{len(orders) + 1}", "ordered_at": f"{day.isoformat()} 12:00:00",
            "customer_id": customer, "currency": "USD",
            "financial_status": "partially_refunded" if refunded else "paid",
            "subtotal": f"{price - discount:.2f}", "discount_amount": f"{discount:.2f}",
            "total": f"{price - discount:.2f}", "refunded_amount": f"{refunded:.2f}" if refunded else "",
            "price": f"{price:.2f}",
        })

    day, i = date(2025, 7, 1), 0
    while day <= AS_OF - timedelta(days=28):
        add(day, f"p{i}", refunded=50.0 if i < 5 else 0.0)
        day, i = day + timedelta(days=1), i + 1
    for k in range(14):
        add(date(2026, 6, 3) + timedelta(days=k), "whale")
    add(date(2026, 6, 17), "z1", price=20.0, discount=20.0)
    add(date(2026, 6, 18), "z2", price=20.0, discount=20.0)
    for k in range(24):
        add(date(2026, 6, 7) + timedelta(days=k), f"r{k}", refunded=50.0 if k < 12 else 0.0)

    columns = ["order_id", "ordered_at", "customer_id", "currency", "financial_status",
               "subtotal", "discount_amount", "total", "refunded_amount"]
    with (folder / "orders.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(orders)
    with (folder / "order_lines.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["order_id", "line_number", "sku", "product_title", "quantity", "unit_price"])
        for o in orders:
            writer.writerow([o["order_id"], 1, "RS-30", "Rose Serum - 30 ml", 1, o["price"]])


# These marts, everything they are built from, and the data tests in their own YAML (the
# rest of the project's tests run in the end-to-end modules): a third less time per build.
METRICS_MARTS = ["mart_store_profile", "mart_inventory_health", "mart_data_quality_flags",
                 "mart_decision_state"]
# dbt spends most of a build in single-threaded Python: three builds at a time keep two
# cores busy.
BUILDS_AT_ONCE = 3
SELECTION = [
    *(f"+{m},resource_type:model" for m in METRICS_MARTS),
    *(f"path:models/marts/metrics/{m}.yml" for m in METRICS_MARTS),
]


def _dbt_build_metrics(db: Path, input_dir: Path, input_format: str,
                       extra_vars: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """`dbt build` of SELECTION into `db` (the same command as conftest.dbt_build otherwise)."""
    dbt_vars = {"aura_input_format": input_format, "aura_input_dir": str(input_dir),
                "aura_timezone": "America/New_York", **extra_vars}
    target = db.parent / f"dbt_target_{db.stem}"
    cmd = [
        str(Path(sys.executable).parent / "dbt"), "build", "--profiles-dir", str(REPO),
        "--project-dir", str(REPO), "--target-path", str(target),
        "--log-path", str(target / "logs"), "--vars", json.dumps(dbt_vars),
        "--indirect-selection", "empty", "--select", *SELECTION,
    ]
    env = {**os.environ, "AURA_DB": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)


def _query_function(db: Path) -> Query:
    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()

    query.db = db  # type: ignore[attr-defined]
    return query


def build_stores(builds: dict[str, tuple[Path, Path, str, dict[str, object]]]) -> dict[str, Query]:
    """Build each (db, input_dir, input_format, extra_vars), three at a time; fail with dbt's
    output if one fails; return a read-only query function per store."""
    with ThreadPoolExecutor(max_workers=BUILDS_AT_ONCE) as pool:
        futures = {
            name: pool.submit(_dbt_build_metrics, db, data, fmt, extra)
            for name, (db, data, fmt, extra) in builds.items()
        }
        procs = {name: f.result() for name, f in futures.items()}
    for name, proc in procs.items():
        if proc.returncode != 0:
            pytest.fail(f"dbt build of {name} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return {name: _query_function(db) for name, (db, *_rest) in builds.items()}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, scenario_store) -> dict[str, Query]:  # type: ignore[no-untyped-def]
    """The eight scenarios (the session's full builds) and the anomaly store built here."""
    work = tmp_path_factory.mktemp("metrics_flags")
    _write_anomaly_store(work / "anomaly")
    # the var overrides the (beauty) detection
    built_here = build_stores({"anomaly": (work / "anomaly.duckdb", work / "anomaly", "canonical",
                                           {"aura_vertical": "supplements"})})
    return {**{name: scenario_store(name)[1] for name in SCENARIOS}, **built_here}


def _flags(query: Query) -> dict[str, tuple]:
    """flag_code -> (severity, fired, metric_value, threshold, not_evaluated_reason, evidence)."""
    return {
        r[0]: r[1:]
        for r in query(
            "select flag_code, severity, fired, metric_value, threshold, not_evaluated_reason, "
            "evidence from mart_data_quality_flags"
        )
    }


def _fired(query: Query) -> set[str]:
    return {r[0] for r in query("select flag_code from mart_data_quality_flags where fired")}


def _decision(query: Query) -> tuple:
    (row,) = query("select decision_state, fired_flags, decision_reason from mart_decision_state")
    return row


@pytest.mark.parametrize("name", [*SCENARIOS, "anomaly"])
def test_every_check_is_present_once(stores, name: str) -> None:  # type: ignore[no-untyped-def]
    rows = stores[name](
        "select flag_code, flag_order, count(*) over (partition by flag_code), "
        "count(distinct as_of_date) over () from mart_data_quality_flags order by flag_order"
    )
    assert [r[0] for r in rows] == FLAG_CODES
    assert [r[1] for r in rows] == list(range(1, len(FLAG_CODES) + 1))
    assert all(r[2] == 1 and r[3] == 1 for r in rows)


def test_healthy_beauty_publishes(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["healthy_beauty"]
    state, fired_flags, reason = _decision(query)
    assert state == "publish"
    # The only check firing is advisory and legitimate: beauty customers reorder every
    # 37 days (median), longer than 0.8 x the 28-day primary window (22.4 days).
    assert _fired(query) == {"repeat_metric_incoherent"}
    assert fired_flags == "repeat_metric_incoherent"
    flags = _flags(query)
    assert flags["repeat_metric_incoherent"][2:4] == (37.0, pytest.approx(22.4))
    assert all(f[1] is not None for code, f in flags.items() if code != "reorder_alerts")
    # Shopify inventory has no reorder points: not evaluated, with the reason
    assert (flags["reorder_alerts"][1], flags["reorder_alerts"][4]) == (None, "no_reorder_points")
    assert "published" in reason


def test_supplements_vertical_and_repeat_metric_incoherent(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["supplements"]
    (profile,) = query(
        "select vertical, vertical_source, supplement_share >= 0.7, winback_min_days, "
        "winback_max_days, dormant_min_days, dormant_max_days, subscription_min_orders, "
        "median_reorder_gap_days from mart_store_profile"
    )
    assert profile[:8] == ("supplements", "detected", True, 35, 50, 45, 90, 2)
    (window,) = query("select primary_window_days from mart_kpi_baselines")[0]
    severity, fired, value, threshold, reason, evidence = _flags(query)["repeat_metric_incoherent"]
    assert (severity, fired, reason) == ("advisory", True, None)
    assert value == profile[8] and 28 <= value <= 45  # a monthly cadence
    assert threshold == pytest.approx(0.8 * window) and value > threshold
    # advisory only: the plan is still published
    assert _decision(query)[0] == "publish"


def test_cold_start_has_insufficient_history(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["cold_start"]
    severity, fired, value, threshold, reason, evidence = _flags(query)["insufficient_history"]
    assert (severity, fired, value, threshold) == ("hard", True, 45.0, 60.0)
    assert "45 days of order history" in evidence
    state, fired_flags, decision_reason = _decision(query)
    assert state == "abstain_hard" and "insufficient_history" in fired_flags.split(",")
    assert "45 days" in decision_reason


def test_promo_anomaly_overlaps_bfcm(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["promo_anomaly"]
    flags = _flags(query)
    severity, fired, value, threshold, reason, evidence = flags["bfcm_overlap"]
    # Thanksgiving 2026-11-26 .. Cyber Monday 2026-11-30: all 5 days in 2026-11-06 .. 12-03
    assert (severity, fired, value) == ("hard", True, 5.0)
    assert "2026-11-26" in evidence and "2026-11-30" in evidence
    # the spike ended 3 days before the as-of date: the soft check fires too
    assert flags["post_promo_window"][:2] == ("soft", True)
    assert "2026-11-30, 3 days before" in flags["post_promo_window"][5]
    # Black Friday's orders are also order spikes (> 2 x the median of the 28 days before)
    assert re.search(r"\b[1-9][0-9]* order spikes", flags["post_promo_window"][5])
    state, fired_flags, decision_reason = _decision(query)
    assert state == "abstain_hard"
    assert {"bfcm_overlap", "post_promo_window"} <= set(fired_flags.split(","))
    assert "Black Friday" in decision_reason


def test_bfcm_and_promo_checks_quiet_outside_the_season(stores) -> None:  # type: ignore[no-untyped-def]
    for name in ("healthy_beauty", "supplements", "cold_start"):
        flags = _flags(stores[name])
        assert flags["bfcm_overlap"][1:3] == (False, 0.0), name
        assert flags["post_promo_window"][1:3] == (False, 0.0), name
        # the latest BFCM before 2026-10-31: Thanksgiving 2025-11-27 .. Cyber Monday 12-01
        assert "2025-11-27" in flags["bfcm_overlap"][5] and "2025-12-01" in flags["bfcm_overlap"][5]


def test_low_inventory_fires_low_cover_and_still_publishes(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["low_inventory"]
    severity, fired, value, threshold, reason, evidence = _flags(query)["low_cover_skus"]
    # the three planted top sellers, under 14 days of cover at the last 28 days' pace
    assert (severity, fired, value, threshold) == ("info", True, 3.0, 0.0)
    assert evidence.startswith("3 of ")
    state, fired_flags, _ = _decision(query)
    assert state == "publish"  # stock is information, never a reason to abstain
    assert fired_flags == "repeat_metric_incoherent,low_cover_skus"


def test_test_order_anomaly_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["anomaly"]
    severity, fired, value, threshold, reason, evidence = _flags(query)["test_order_anomaly"]
    # both conditions fire; the metric reported is the first, the zero-value share
    assert (severity, fired, reason) == ("hard", True, None)
    assert value == pytest.approx(2 / 40) and threshold == pytest.approx(0.02)
    assert "2 of 40 counted orders (5.0%)" in evidence
    assert "busiest customer placed 14 (35.0%" in evidence
    (message,) = query(
        "select brand_message from mart_data_quality_flags where flag_code = 'test_order_anomaly'"
    )[0]
    assert "5.0% of the orders of the last 28 days were free" in message
    assert "one customer placed 35.0%" in message


def test_refund_storm_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["anomaly"]
    severity, fired, value, threshold, reason, evidence = _flags(query)["refund_storm"]
    prior_rate = 250 / 33_700
    assert (severity, fired, reason) == ("hard", True, None)
    assert value == pytest.approx(600 / 3_800)
    assert threshold == pytest.approx(2.0 * prior_rate)
    assert "(12 refunded orders)" in evidence and "0.7%" in evidence


def test_anomaly_store_abstains_with_plain_reason(stores) -> None:  # type: ignore[no-untyped-def]
    state, fired_flags, reason = _decision(stores["anomaly"])
    assert state == "abstain_hard"
    assert fired_flags == "test_order_anomaly,refund_storm,inventory_absent"
    assert reason.startswith("The plan for this month is on hold.")
    assert "Refunds have surged: 15.8%" in reason
    for code in FLAG_CODES:
        assert code not in reason


def test_no_inventory_is_recorded_not_crashed(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["anomaly"]
    assert query("select count(*) from mart_inventory_health") == [(0,)]
    flags = _flags(query)
    assert flags["inventory_absent"][1:3] == (True, 0.0)
    for code in ("inventory_stale", "low_cover_skus", "reorder_alerts", "peak_season_stockout_risk"):
        assert flags[code][1] is None and flags[code][4] == "no_inventory_snapshot", code


def test_vertical_var_overrides_detection(stores) -> None:  # type: ignore[no-untyped-def]
    (row,) = stores["anomaly"](
        "select vertical, vertical_source, detected_vertical, beauty_share, winback_min_days, "
        "subscription_min_orders, vertical_reason from mart_store_profile"
    )
    assert row[:6] == ("supplements", "var", "beauty", 1.0, 35, 2)
    assert row[6].startswith("Set by aura_vertical = supplements (detection would say beauty")


def test_consistency_checks_read_the_primary_window(stores) -> None:  # type: ignore[no-untyped-def]
    for name in SCENARIOS:
        query = stores[name]
        flags = _flags(query)
        (window,) = query("select primary_window_days from mart_kpi_baselines")[0]
        for code in ("aov_consistency", "new_returning_consistency", "net_sales_method_disagreement"):
            severity, fired, *_rest, evidence = flags[code]
            assert (severity, fired) == ("consistency", False), (name, code)
            assert f"Primary window ({window} days" in evidence
