"""Core marts from canonical files (tests/fixtures/canonical_small), by hand:

  A1  c1 + a@x.com, Subtotal written gross (100 with a 10 discount) -> 90, row duplicated
  A2  only ' A@X.com ' (the email seen with c1 on A1) -> customer c1; Total 60 - 5 - 5 -> 50
  A3  c3, 3 x 10 -> 30;  A4 c2, 10 + a postage line (not a sale) -> 10
      merges: c3 -> c2 -> c9, so A3 and A4 belong to c9
  A5  postage only -> not an order;  A6 cancelled -> not counted;  line ZZ has no order
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, dbt_build


@pytest.fixture(scope="module")
def store(canonical_store):  # type: ignore[no-untyped-def]
    return canonical_store


def test_net_sales_method_per_order(store) -> None:  # type: ignore[no-untyped-def]
    rows = store(
        "select order_id, is_counted_order, net_sales, net_sales_method, subtotal_reading "
        "from fct_orders order by order_id"
    )
    assert [(r[0], r[1], float(r[2]), r[3], r[4]) for r in rows] == [
        ("A1", True, 90.0, "subtotal_minus_discount", "gross"),
        ("A2", True, 50.0, "total_minus_shipping_taxes", None),
        ("A3", True, 30.0, "line_items", None),
        ("A4", True, 10.0, "line_items", None),
        ("A5", False, 0.0, "line_items", None),
        ("A6", False, 0.0, "line_items", None),  # refunded in full
    ]


def test_identity_links_and_merge_chains(store) -> None:  # type: ignore[no-untyped-def]
    rows = store(
        "select order_id, customer_key, customer_order_number, days_since_previous_order "
        "from fct_orders where is_counted_order order by order_id"
    )
    assert rows == [
        ("A1", "customer_id:c1", 1, None),
        ("A2", "customer_id:c1", 2, 4),
        ("A3", "customer_id:c9", 1, None),
        ("A4", "customer_id:c9", 2, 1),
    ]
    customers = store("select customer_key, orders, net_sales from dim_customers order by 1")
    assert [(c[0], c[1], float(c[2])) for c in customers] == [
        ("customer_id:c1", 2, 140.0),
        ("customer_id:c5", 0, 0.0),
        ("customer_id:c9", 2, 40.0),
    ]


def test_issues_are_recorded(store) -> None:  # type: ignore[no-untyped-def]
    issues = {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in store(
            "select input_name, issue_type, rows_affected, first_file, first_row "
            "from mart_input_issues where issue_type <> 'optional_input_absent'"
        )
    }
    assert issues == {
        ("orders", "duplicate_row"): (1, "orders.csv", 3),
        ("order_lines", "line_without_order"): (1, "order_lines.csv", 9),
        ("orders", "no_units_sold"): (1, "orders.csv", 7),
    }


def test_merge_cycle_fails_the_build(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "canonical_small", data)
    (data / "customer_merges.csv").write_text(
        "id_type,merged_id,survivor_id,merged_at\n"
        "customer_id,c3,c2,2026-03-10 00:00:00\n"
        "customer_id,c2,c3,2026-03-11 00:00:00\n"
    )
    proc = dbt_build(tmp_path / "cycle.duckdb", data, "canonical", "Europe/Paris")
    assert proc.returncode != 0
    assert "customer_merges_have_no_cycles" in proc.stdout
