"""KPI windows on the hand-made export, edges included (tests/fixtures/shopify_small).

Counted orders (local dates): #1001 2025-12-06 jane 90.00; #1002 2025-12-20 23:30 -0500
(2025-12-21 in UTC) jane 30.00; #1004 2026-01-02 phone 0.00; #1005 2026-01-03 bob 0.00.
A window of W days ending at the as-of date holds the local dates [as_of - W + 1, as_of].
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import FIXTURES, built

# Only the KPI marts and what they are built from; one build per as-of date, two at a time.
KPI_MARTS = "+mart_kpi_snapshot +mart_kpi_baselines +mart_kpi_deltas"
AS_OF_DATES = ("2026-01-03", "2025-12-26", "2025-12-27", "2025-12-20")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """`snapshot(as_of)` -> ({(window_days, period): row}, query) for one of AS_OF_DATES."""
    work = tmp_path_factory.mktemp("kpi_windows")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            as_of: pool.submit(built, work / f"kpi_{as_of.replace('-', '_')}.duckdb",
                               FIXTURES / "shopify_small", extra_vars={"aura_as_of": as_of},
                               select=KPI_MARTS)
            for as_of in AS_OF_DATES
        }
        builds = {as_of: future.result() for as_of, future in futures.items()}
    return lambda as_of: _rows(builds[as_of])


def _rows(query):  # type: ignore[no-untyped-def]
    rows = query(
        "select window_days, period, cast(window_start as varchar), cast(window_end as varchar), "
        "orders, net_sales, identified_customers, repeat_rate_within_window, "
        "returning_customer_share from mart_kpi_snapshot"
    )
    return {(r[0], r[1]): r[2:] for r in rows}, query


def test_window_edges_and_customer_metrics(snapshot) -> None:  # type: ignore[no-untyped-def]
    kpi, query = snapshot("2026-01-03")
    # L28 recent is 2025-12-07 .. 2026-01-03: #1001 on 12-06 is just outside.
    start, end, orders, net, customers, repeat, returning = kpi[(28, "recent")]
    assert (start, end, orders, float(net), customers) == ("2025-12-07", "2026-01-03", 3, 30.0, 3)
    assert repeat == 0.0
    assert returning == pytest.approx(1 / 3)  # jane's first order (12-06) is before the window
    # L28 prior is 2025-11-09 .. 2025-12-06: #1001 on its last day.
    assert kpi[(28, "prior")][:4] == ("2025-11-09", "2025-12-06", 1, pytest.approx(90))
    # L7 recent 2025-12-28 .. 2026-01-03 holds #1004 and #1005; its prior holds nothing
    # counted (#1003 on 12-21 was voided).
    assert kpi[(7, "recent")][2] == 2 and kpi[(7, "prior")][2] == 0
    assert kpi[(7, "prior")][5] is None  # no customers: rates are NULL, not 0
    # The store is too small for L7 or L28 under the default thresholds: L56.
    assert query("select primary_window_days, baseline_source from mart_kpi_baselines") == [
        (56, "L56 / 2")
    ]


def test_local_date_decides_the_window(snapshot) -> None:  # type: ignore[no-untyped-def]
    # #1002 is 2025-12-20 locally (12-21 in UTC): in the week ending 12-26, not in the
    # week starting 12-21; and jane repeats within the 28 days ending 12-20.
    kpi, _ = snapshot("2025-12-26")
    assert kpi[(7, "recent")][:3] == ("2025-12-20", "2025-12-26", 1)
    kpi, _ = snapshot("2025-12-27")
    assert kpi[(7, "recent")][:3] == ("2025-12-21", "2025-12-27", 0)
    kpi, _ = snapshot("2025-12-20")
    _, _, orders, _, customers, repeat, returning = kpi[(28, "recent")]
    assert (orders, customers, repeat, returning) == (2, 1, 1.0, 0.0)


def test_order_value_metrics_by_hand(snapshot) -> None:  # type: ignore[no-untyped-def]
    _, query = snapshot("2026-01-03")
    rows = {
        r[0]: r[1:]
        for r in query(
            "select period, aov, discount_rate, units_per_order, new_customer_rate, metric_version "
            "from mart_kpi_snapshot where window_days = 28"
        )
    }
    # Prior L28 holds #1001 only: 90.00 net, 10 of 100 gross discounted, 3 units.
    assert rows["prior"][:4] == (pytest.approx(90), pytest.approx(0.1), pytest.approx(3), 1.0)
    # Recent L28: #1002 (30.00), #1004 (0), #1005 (0): AOV 10, no discounts, 1 unit each;
    # jane is returning, the phone customer and bob are new.
    assert rows["recent"][:4] == (pytest.approx(10), 0.0, pytest.approx(1), pytest.approx(2 / 3))
    assert rows["recent"][4] == "v2_repeat_metrics"
    deltas = dict(
        query("select metric, delta_abs from mart_kpi_deltas where window_days = 28")
    )
    assert deltas["net_sales"] == pytest.approx(30 - 90)
    assert deltas["orders"] == 2
