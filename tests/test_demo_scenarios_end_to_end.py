"""Every demo scenario builds end to end, and the marts equal the generator's ground truth
(what was planted, computed by the generator from its own arrays, not from the CSVs)."""

from __future__ import annotations

import pytest

from aura.demo import SCENARIOS


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest, scenario_store):  # type: ignore[no-untyped-def]
    truth, query = scenario_store(request.param)
    return request.param, truth, query


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


def test_seasonal_expectation_equals_last_years_windows(scenario) -> None:  # type: ignore[no-untyped-def]
    name, _, query = scenario
    rows = query(
        """
        with w as (
            select window_days, as_of_date,
                   as_of_date - 364 - window_days + 1 as ly_recent_start, as_of_date - 364 as ly_recent_end,
                   as_of_date - 364 - 2 * window_days + 1 as ly_prior_start,
                   as_of_date - 364 - window_days as ly_prior_end
            from (select distinct window_days, as_of_date from mart_kpi_seasonal_expectations)
        ),
        direct as (
            select w.window_days,
                sum(case when d.kpi_date between ly_recent_start and ly_recent_end
                    then d.net_sales end)
                / sum(case when d.kpi_date between ly_prior_start and ly_prior_end
                    then d.net_sales end) - 1 as expected
            from w join fct_daily_kpis d on d.kpi_date between ly_prior_start and ly_recent_end
            group by w.window_days
        )
        select s.window_days, s.expected_lift, direct.expected, s.expectation_missing_reason
        from mart_kpi_seasonal_expectations s left join direct using (window_days)
        where s.metric = 'net_sales'
        """
    )
    for window_days, expected, direct, reason in rows:
        if reason is None:
            assert expected == pytest.approx(float(direct), rel=1e-9), (name, window_days)
        else:
            assert expected is None, (name, window_days)
    if name == "healthy_beauty":  # two years of history: every window has an expectation
        assert all(r[3] is None for r in rows)


