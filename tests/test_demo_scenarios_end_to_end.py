"""Every demo scenario builds end to end, and the marts equal the generator's ground truth
(what was planted, computed by the generator from its own arrays, not from the CSVs)."""

from __future__ import annotations

import pytest

from aura.demo import SCENARIOS, generate

from conftest import built


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp(request.param)
    truth = generate(request.param, work / "data").to_dict()
    return request.param, truth, built(work / "store.duckdb", work / "data")


def test_sales_equal_the_ground_truth(scenario) -> None:  # type: ignore[no-untyped-def]
    name, truth, query = scenario
    orders, gross, discounts, returns, net = query(
        "select count(*), sum(gross_sales), sum(discounts), sum(returns), sum(net_sales) "
        "from fct_orders where is_counted_order"
    )[0]
    assert orders == truth["counts"]["valid_orders"], name
    sales = truth["sales"]
    assert float(gross) == pytest.approx(sales["gross_sales"], abs=0.005)
    assert float(discounts) == pytest.approx(sales["discounts"], abs=0.005)
    assert float(returns) == pytest.approx(sales["returns"], abs=0.005)
    assert float(net) == pytest.approx(sales["net_sales"], abs=0.005)


def test_customers_equal_the_ground_truth(scenario) -> None:  # type: ignore[no-untyped-def]
    _, truth, query = scenario
    (identified,) = query("select count(distinct customer_key) from fct_orders")[0]
    # The generator counts each anonymous order as its own customer; Aura leaves them
    # unidentified rather than invent a customer.
    assert identified == truth["counts"]["customers"] - truth["counts"]["anonymous_orders"]
    (unidentified,) = query("select count(*) from fct_orders where customer_key is null")[0]
    assert unidentified == truth["counts"]["anonymous_orders"]


def test_daily_kpis_reconcile_with_orders(scenario) -> None:  # type: ignore[no-untyped-def]
    name, truth, query = scenario
    assert query(
        "select count(*), sum(net_sales), sum(units) from fct_orders where is_counted_order"
    ) == query("select sum(orders), sum(net_sales), sum(units) from fct_daily_kpis")
    first, last, days = query(
        "select cast(min(kpi_date) as varchar), cast(max(kpi_date) as varchar), count(*) "
        "from fct_daily_kpis"
    )[0]
    assert truth["start_date"] <= first and last <= truth["end_date"]
    if name == "cold_start":
        assert days <= 45


def test_every_optional_input_is_read(scenario) -> None:  # type: ignore[no-untyped-def]
    name, truth, query = scenario
    absent = {
        r[0] for r in query(
            "select input_name from mart_input_issues where issue_type = 'optional_input_absent'"
        )
    }
    assert absent == (set() if name == "winback_activation" else {"action_log"}), name
    (stock_rows,) = query("select count(*) from fct_inventory_snapshots")[0]
    assert stock_rows > 0



def test_kpi_snapshot_reconciles_with_daily_kpis(scenario) -> None:  # type: ignore[no-untyped-def]
    name, _, query = scenario
    mismatches = query(
        """
        select s.window_days, s.period, s.orders, s.net_sales, sum(d.orders), sum(d.net_sales)
        from mart_kpi_snapshot as s
        left join fct_daily_kpis as d on d.kpi_date between s.window_start and s.window_end
        group by all
        having s.orders <> coalesce(sum(d.orders), 0)
            or abs(s.net_sales - coalesce(sum(d.net_sales), 0)) > 0.005
        """
    )
    assert mismatches == [], name
    (windows,) = query("select count(*) from mart_kpi_snapshot")[0]
    assert windows == 8
