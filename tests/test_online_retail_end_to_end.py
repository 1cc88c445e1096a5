"""The real UCI Online Retail data, end to end through the canonical contract, reconciled
with an independent computation over the raw file (tests/reference_online_retail.py)."""

from __future__ import annotations

import pytest

from aura.convert.online_retail import convert

from conftest import SHARED, built
from reference_online_retail import reference_figures

PARQUET = SHARED / "data" / "online_retail_uci.parquet"


@pytest.fixture(scope="module")
def uci(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not PARQUET.exists():
        pytest.skip(f"the UCI data is not at {PARQUET}")
    work = tmp_path_factory.mktemp("uci")
    convert(PARQUET, work / "canonical")
    query = built(work / "uci.duckdb", work / "canonical", "canonical", "Europe/London")
    return query, reference_figures(PARQUET)


def test_orders_and_net_sales_equal_the_direct_computation(uci) -> None:  # type: ignore[no-untyped-def]
    query, ref = uci
    orders, net_sales, units, customers, first, last = query(
        "select count(*), sum(net_sales), sum(units), count(distinct customer_key), "
        "cast(min(order_date) as varchar), cast(max(order_date) as varchar) "
        "from fct_orders where is_counted_order"
    )[0]
    assert orders == ref["orders"]
    assert float(net_sales) == pytest.approx(ref["net_sales"], abs=0.005)
    assert units == ref["units"]
    assert customers == ref["customers"]
    assert (first, last) == (ref["first_order_date"], ref["last_order_date"])


def test_monthly_figures_equal_the_direct_computation(uci) -> None:  # type: ignore[no-untyped-def]
    query, ref = uci
    rows = query(
        "select strftime(kpi_date, '%Y-%m') as month, sum(orders), sum(net_sales) "
        "from fct_daily_kpis group by 1 order by 1"
    )
    monthly = ref["monthly"]
    assert [r[0] for r in rows] == sorted(monthly)
    for month, orders, net in rows:
        assert orders == monthly[month]["orders"], month
        assert float(net) == pytest.approx(monthly[month]["net_sales"], abs=0.005), month


def test_cancellations_and_service_lines_never_count(uci) -> None:  # type: ignore[no-untyped-def]
    query, _ = uci
    (counted_c,) = query(
        "select count(*) from fct_orders where order_id like 'C%' and is_counted_order"
    )[0]
    assert counted_c == 0
    (service_sold,) = query(
        "select count(*) from fct_order_lines where is_sold_line and line_type <> 'product'"
    )[0]
    assert service_sold == 0
    # Every order uses the line-items method: the data has no order-level amounts.
    assert query("select distinct net_sales_method from fct_orders") == [("line_items",)]
