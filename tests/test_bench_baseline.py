"""The benchmark's pandas baseline (bench/pandas_baseline.py) against a hand calculation
on tests/fixtures/shopify_small. Fast (well under a second); no dbt.

The fixture by hand:
  #1001 Jane.Doe@Example.com, 2 x 40.00 + 1 x 20.00 = 100.00 gross, 10.00 discount,
        Subtotal 90.00 -> net 90.00
  #1002 jane.doe@example.com (same customer), 50.00, 20.00 refunded -> net 30.00; placed
        2025-12-20 23:30 -0500, i.e. 2025-12-21 in UTC but 2025-12-20 in New York;
        Jane's second order, 14 days after #1001
  #1003 voided and cancelled -> not counted
  #1004 a free sample: 0.00
  #1005 refunded; refund 38.35 includes shipping and taxes, capped at the 30.00 Subtotal
        -> net 0.00
  counted total 90 + 30 + 0 + 0 = 120.00
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import pandas_baseline  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "shopify_small"


@pytest.fixture(scope="module")
def result() -> pandas_baseline.Result:
    return pandas_baseline.run(FIXTURE)


@pytest.fixture(scope="module")
def orders(result: pandas_baseline.Result) -> pd.DataFrame:
    return result.orders.set_index("order_id")


def test_counted_orders(orders: pd.DataFrame) -> None:
    counted = orders.index[orders["is_counted_order"]].tolist()
    assert sorted(counted) == ["#1001", "#1002", "#1004", "#1005"]
    assert bool(orders.loc["#1003", "is_voided"]) and bool(orders.loc["#1003", "is_cancelled"])
    assert len(orders) == 5


@pytest.mark.parametrize(
    ("order_id", "gross", "discounts", "returns", "net"),
    [
        ("#1001", 100.00, 10.00, 0.00, 90.00),
        ("#1002", 50.00, 0.00, 20.00, 30.00),
        ("#1004", 0.00, 0.00, 0.00, 0.00),
        ("#1005", 30.00, 0.00, 30.00, 0.00),
    ],
)
def test_order_values(
    orders: pd.DataFrame, order_id: str, gross: float, discounts: float, returns: float,
    net: float,
) -> None:
    row = orders.loc[order_id]
    assert row["gross_sales"] == pytest.approx(gross, abs=0.005)
    assert row["discounts"] == pytest.approx(discounts, abs=0.005)
    assert row["returns"] == pytest.approx(returns, abs=0.005)
    assert row["net_sales"] == pytest.approx(net, abs=0.005)


def test_total_net_sales(orders: pd.DataFrame) -> None:
    total = orders.loc[orders["is_counted_order"], "net_sales"].sum()
    assert total == pytest.approx(120.00, abs=0.005)


def test_local_order_date(orders: pd.DataFrame) -> None:
    assert orders.loc["#1002", "order_date"] == pd.Timestamp("2025-12-20")
    assert orders.loc["#1002", "ordered_at_utc"] == pd.Timestamp("2025-12-21 04:30", tz="UTC")


def test_customer_sequence(orders: pd.DataFrame) -> None:
    jane = orders.loc[["#1001", "#1002"]]
    assert jane["customer_key"].tolist() == ["email:jane.doe@example.com"] * 2
    assert orders.loc["#1001", "customer_order_number"] == 1
    assert orders.loc["#1002", "customer_order_number"] == 2
    assert bool(orders.loc["#1002", "is_repeat_order"])
    assert orders.loc["#1002", "days_since_previous_order"] == 14
    assert pd.isna(orders.loc["#1001", "days_since_previous_order"])
    # #1003 and #1004 share a phone (written two ways); only #1004 is counted.
    assert orders.loc["#1004", "customer_key"] == "phone:2125550101"
    assert orders.loc["#1003", "customer_key"] == "phone:2125550101"
    assert orders.loc["#1004", "customer_order_number"] == 1
    assert pd.isna(orders.loc["#1003", "customer_order_number"])


def test_daily_kpis(result: pandas_baseline.Result) -> None:
    daily = result.daily.set_index("kpi_date")
    assert daily.index.min() == pd.Timestamp("2025-12-06")
    assert daily.index.max() == pd.Timestamp("2026-01-03")
    assert len(daily) == 29  # every day, with zeros between orders
    assert daily["orders"].sum() == 4
    assert daily["net_sales"].sum() == pytest.approx(120.00, abs=0.005)
    dec20 = daily.loc[pd.Timestamp("2025-12-20")]
    assert dec20["orders"] == 1 and dec20["returning_customer_orders"] == 1
    assert dec20["net_sales"] == pytest.approx(30.00)
    assert dec20["average_order_value"] == pytest.approx(30.00)
    assert daily["new_customer_orders"].sum() == 3
    assert daily.loc[pd.Timestamp("2025-12-21"), "orders"] == 0  # #1003 is not counted


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "orders.parquet"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.pandas_baseline", str(FIXTURE), str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["orders"] == 5 and summary["counted_orders"] == 4
    assert summary["line_rows"] == 6
    assert len(pd.read_parquet(out)) == 5
    assert len(pd.read_parquet(pandas_baseline.daily_path(out))) == 29
