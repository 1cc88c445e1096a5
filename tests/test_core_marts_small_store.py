"""Core marts on the hand-made Shopify export, checked against a hand calculation.

The six rows (tests/fixtures/shopify_small/orders_export_1.csv):
  #1001 jane (mixed case + space), 2 lines: 2 x 40 + 1 x 20 = 100 gross, 10 discount,
        Subtotal 90 (already net of the discount) -> net 90
  #1002 jane again, 23:30 -0500 on 2025-12-20 (the 21st in UTC), 50 gross, 20 refunded -> 30
  #1003 phone-only, voided and cancelled -> not counted
  #1004 the same phone written differently, a $0 sample -> counted, net 0
  #1005 bob, fully refunded 38.35 including shipping and taxes -> capped at 30 -> net 0
"""

from __future__ import annotations

from decimal import Decimal


def test_orders_counted_and_valued_by_hand(small_store) -> None:  # type: ignore[no-untyped-def]
    rows = small_store(
        "select order_id, is_counted_order, gross_sales, discounts, returns, net_sales, "
        "net_sales_method from fct_orders order by order_id"
    )
    assert [(r[0], r[1], float(r[2]), float(r[3]), float(r[4]), float(r[5]), r[6]) for r in rows] == [
        ("#1001", True, 100.0, 10.0, 0.0, 90.0, "subtotal"),
        ("#1002", True, 50.0, 0.0, 20.0, 30.0, "subtotal"),
        ("#1003", False, 25.0, 0.0, 0.0, 25.0, "subtotal"),
        ("#1004", True, 0.0, 0.0, 0.0, 0.0, "subtotal"),
        ("#1005", True, 30.0, 0.0, 30.0, 0.0, "subtotal"),
    ]
    (total,) = small_store("select sum(net_sales) from fct_orders where is_counted_order")[0]
    assert total == Decimal("120")


def test_local_dates_and_customer_sequence(small_store) -> None:  # type: ignore[no-untyped-def]
    rows = dict(
        (r[0], r[1:])
        for r in small_store(
            "select order_id, cast(order_date as varchar), customer_key, customer_order_number, "
            "days_since_previous_order from fct_orders"
        )
    )
    assert rows["#1002"] == ("2025-12-20", "email:jane.doe@example.com", 2, 14)
    assert rows["#1001"] == ("2025-12-06", "email:jane.doe@example.com", 1, None)
    # The phone written two ways is one customer; the voided order has no sequence number.
    assert rows["#1003"][1:] == ("phone:2125550101", None, None)
    assert rows["#1004"][1:] == ("phone:2125550101", 1, None)


def test_customers(small_store) -> None:  # type: ignore[no-untyped-def]
    rows = small_store(
        "select customer_key, orders, net_sales, is_repeat_customer from dim_customers "
        "order by customer_key"
    )
    assert [(r[0], r[1], float(r[2]), r[3]) for r in rows] == [
        ("email:bob@example.com", 1, 0.0, False),
        ("email:jane.doe@example.com", 2, 120.0 - 0.0 - 0.0, True),
        ("phone:2125550101", 1, 0.0, False),
    ]


def test_daily_kpis_reconcile_with_orders(small_store) -> None:  # type: ignore[no-untyped-def]
    orders, net = small_store(
        "select count(*), sum(net_sales) from fct_orders where is_counted_order"
    )[0]
    d_orders, d_net, days = small_store(
        "select sum(orders), sum(net_sales), count(*) from fct_daily_kpis"
    )[0]
    assert (d_orders, d_net) == (orders, net)
    assert days == 29  # 2025-12-06 .. 2026-01-03, days without orders included
    bad = small_store(
        "select count(*) from fct_daily_kpis where orders > 0 "
        "and abs(net_sales - orders * average_order_value) > 0.005"
    )[0][0]
    assert bad == 0


def test_products_sizes_and_samples(small_store) -> None:  # type: ignore[no-untyped-def]
    rows = dict(
        (r[0], r[1:])
        for r in small_store("select product_key, size_ml, is_sample_size from dim_products")
    )
    assert rows["RGS-30ML"] == (30.0, False)
    assert rows["RGS-10ML"] == (10.0, True)
    assert rows["RGS-2ML"] == (2.0, True)
    assert rows["DC-100ML"] == (100.0, False)


def test_absent_optional_inputs_are_recorded(small_store) -> None:  # type: ignore[no-untyped-def]
    absent = {
        r[0]
        for r in small_store(
            "select input_name from mart_input_issues where issue_type = 'optional_input_absent'"
        )
    }
    assert absent == {"products", "inventory", "marketing_spend", "weather", "action_log"}
