"""Tests for the UCI Online Retail converter and its independent reference figures.

Needs ``shared/data/online_retail_uci.parquet`` beside the repository
(``/work/shared`` next to ``/work/main``); skipped otherwise. The converter runs once per
module (about a second); the whole file runs in a few seconds.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (ROOT, HERE):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from aura.convert.__main__ import main as convert_cli  # noqa: E402
from aura.convert.online_retail import (  # noqa: E402
    LINE_TYPES,
    ORDER_COLUMNS,
    ORDER_LINE_COLUMNS,
    PRODUCT_CODE_PATTERN,
    STOCK_CODE_LINE_TYPES,
    convert,
)
from aura.inputs.contract import CANONICAL_ORDER_LINES, CANONICAL_ORDERS  # noqa: E402

from reference_online_retail import is_service_code, reference_figures  # noqa: E402

PARQUET = ROOT.parent / "shared" / "data" / "online_retail_uci.parquet"

pytestmark = pytest.mark.skipif(
    not PARQUET.is_file(),
    reason=f"UCI Online Retail data not found at {PARQUET} (shared/data beside the repo)",
)

TIMESTAMP_RE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_parquet(PARQUET)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("online_retail")
    counts = convert(PARQUET, out)
    read = {"dtype": str, "keep_default_na": False}
    return {
        "dir": out,
        "counts": counts,
        "orders": pd.read_csv(out / "orders.csv", **read),
        "lines": pd.read_csv(out / "order_lines.csv", **read),
    }


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return reference_figures(PARQUET)


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def test_headers_follow_the_contract(converted: dict[str, Any]) -> None:
    out: Path = converted["dir"]
    assert _header(out / "orders.csv") == [c.name for c in CANONICAL_ORDERS.columns]
    assert _header(out / "order_lines.csv") == [c.name for c in CANONICAL_ORDER_LINES.columns]
    assert list(ORDER_COLUMNS) == [c.name for c in CANONICAL_ORDERS.columns]
    assert list(ORDER_LINE_COLUMNS) == [c.name for c in CANONICAL_ORDER_LINES.columns]


def test_every_raw_row_appears_once(converted: dict[str, Any], raw: pd.DataFrame) -> None:
    lines: pd.DataFrame = converted["lines"]
    assert len(lines) == len(raw) == converted["counts"]["order_lines"]
    qty = lines["quantity"].astype("int64")
    price = lines["unit_price"].astype("float64")
    assert qty.sum() == raw["Quantity"].astype("int64").sum()
    raw_value = (raw["Quantity"] * raw["UnitPrice"]).sum()
    assert math.isclose((qty * price).sum(), raw_value, abs_tol=0.01)
    # Lines are written in file order: compare row by row.
    assert (lines["order_id"].to_numpy() == raw["InvoiceNo"].to_numpy()).all()
    assert (lines["sku"].to_numpy() == raw["StockCode"].to_numpy()).all()
    assert (qty.to_numpy() == raw["Quantity"].to_numpy()).all()
    assert (price.to_numpy() == raw["UnitPrice"].to_numpy()).all()
    # line_number is 1..n within each order, in file order.
    expected = raw.groupby("InvoiceNo", sort=False).cumcount() + 1
    assert (lines["line_number"].astype("int64").to_numpy() == expected.to_numpy()).all()
    # Titles: trimmed descriptions; the stock code where the description is missing
    # (the contract requires a title on every line).
    assert (lines["product_title"] == "").sum() == 0
    trimmed = raw["Description"].fillna("").str.strip()
    expected_title = trimmed.where(trimmed != "", raw["StockCode"])
    assert (lines["product_title"].to_numpy() == expected_title.to_numpy()).all()
    for col in ("line_discount", "vendor"):
        assert (lines[col] == "").all()


def test_one_order_per_invoice(converted: dict[str, Any], raw: pd.DataFrame) -> None:
    orders: pd.DataFrame = converted["orders"]
    assert orders["order_id"].is_unique
    assert set(orders["order_id"]) == set(raw["InvoiceNo"])
    assert len(orders) == raw["InvoiceNo"].nunique() == converted["counts"]["orders"]
    assert set(converted["lines"]["order_id"]) <= set(orders["order_id"])
    first = raw.groupby("InvoiceNo")["InvoiceDate"].min().dt.strftime("%Y-%m-%d %H:%M:%S")
    ordered_at = orders.set_index("order_id")["ordered_at"]
    assert ordered_at.str.fullmatch(TIMESTAMP_RE).all()
    assert ordered_at.sort_index().equals(first.sort_index().rename("ordered_at"))
    assert (orders["currency"] == "GBP").all()
    assert (orders["source_name"] == "online_retail_uci").all()
    country = raw.groupby("InvoiceNo")["Country"].first()
    assert orders.set_index("order_id")["country"].sort_index().equals(
        country.sort_index().rename("country")
    )
    for col in ("email", "phone", "subtotal", "discount_amount", "shipping", "taxes", "total",
                "refunded_amount", "region"):
        assert (orders[col] == "").all(), col


def test_cancellation_invoices_are_cancelled(converted: dict[str, Any]) -> None:
    orders: pd.DataFrame = converted["orders"]
    is_c = orders["order_id"].str.startswith("C")
    assert is_c.sum() == converted["counts"]["cancelled_orders"] == 3836
    cancelled = orders[is_c]
    assert (cancelled["financial_status"] == "refunded").all()
    assert (cancelled["cancelled_at"] == cancelled["ordered_at"]).all()
    rest = orders[~is_c]
    assert (rest["financial_status"] == "paid").all()
    assert (rest["cancelled_at"] == "").all()


def test_customer_ids_are_integer_strings(
    converted: dict[str, Any], raw: pd.DataFrame
) -> None:
    customer = converted["orders"].set_index("order_id")["customer_id"]
    assert not customer.str.contains(".", regex=False).any()
    assert customer.str.fullmatch(r"\d*").all()
    expected = (
        raw.groupby("InvoiceNo")["CustomerID"].first().astype("Int64").astype(str)
        .replace("<NA>", "")
    )
    assert customer.sort_index().equals(expected.sort_index().rename("customer_id"))
    assert (customer == "").sum() == converted["counts"]["orders"] - converted["counts"][
        "orders_with_customer"
    ]


def test_every_non_product_code_is_mapped(converted: dict[str, Any], raw: pd.DataFrame) -> None:
    codes = pd.Series(raw["StockCode"].unique())
    odd = codes[~codes.str.fullmatch(PRODUCT_CODE_PATTERN)]
    unmapped = sorted(c for c in odd if c.upper() not in STOCK_CODE_LINE_TYPES)
    assert not unmapped, f"StockCodes without an explicit line_type: {unmapped}"
    stale = sorted(set(STOCK_CODE_LINE_TYPES) - set(odd.str.upper()))
    assert not stale, f"mapping entries that do not occur in the data: {stale}"
    assert set(STOCK_CODE_LINE_TYPES.values()) <= set(LINE_TYPES)
    lines: pd.DataFrame = converted["lines"]
    assert set(lines["line_type"]) <= set(LINE_TYPES)
    # Catalogue-pattern codes are always products.
    pattern = lines["sku"].str.fullmatch(PRODUCT_CODE_PATTERN)
    assert (lines.loc[pattern, "line_type"] == "product").all()


def test_line_types_agree_with_the_reference_rule(converted: dict[str, Any]) -> None:
    lines: pd.DataFrame = converted["lines"]
    not_product = lines["line_type"] != "product"
    assert (not_product == is_service_code(lines["sku"])).all()
    counts = converted["counts"]
    assert sum(counts[f"lines_{t}"] for t in LINE_TYPES) == len(lines)
    by_type = lines["line_type"].value_counts()
    for t in LINE_TYPES:
        assert by_type.get(t, 0) == counts[f"lines_{t}"]


def _figures_from_converted(orders: pd.DataFrame, lines: pd.DataFrame) -> dict[str, Any]:
    """The reference definitions applied to the canonical files, as a mart would."""
    o = orders.set_index("order_id")
    live = o.index[o["cancelled_at"] == ""]
    sale = lines[
        lines["order_id"].isin(live)
        & (lines["line_type"] == "product")
        & (lines["quantity"].astype("int64") > 0)
    ]
    amount = sale["quantity"].astype("int64") * sale["unit_price"].astype("float64")
    ids = sale["order_id"].unique()
    at = o.loc[ids, "ordered_at"]
    customers = o.loc[ids, "customer_id"]
    return {
        "orders": len(ids),
        "net_sales": round(float(amount.sum()), 3),
        "units": int(sale["quantity"].astype("int64").sum()),
        "customers": int(customers[customers != ""].nunique()),
        "first_ordered_at": at.min(),
        "last_ordered_at": at.max(),
    }


def test_converted_files_reproduce_the_reference(
    converted: dict[str, Any], reference: dict[str, Any]
) -> None:
    got = _figures_from_converted(converted["orders"], converted["lines"])
    for key in ("orders", "units", "customers", "first_ordered_at", "last_ordered_at"):
        assert got[key] == reference[key], key
    assert math.isclose(got["net_sales"], reference["net_sales"], abs_tol=0.01)


def _duckdb_figures(parquet: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The reference figures a second way: DuckDB SQL, and a *positive* product rule
    (catalogue pattern, DCGS... items, PADS) instead of the reference's exclusion list."""
    con = duckdb.connect()
    try:
        con.execute(
            """
            CREATE TEMP TABLE sale AS
            WITH raw AS (SELECT * FROM read_parquet($path)),
            inv AS (SELECT InvoiceNo, min(InvoiceDate) AS ordered_at FROM raw GROUP BY 1)
            SELECT r.InvoiceNo, r.CustomerID, r.Quantity,
                   r.Quantity * r.UnitPrice AS amount, i.ordered_at
            FROM raw AS r JOIN inv AS i USING (InvoiceNo)
            WHERE NOT starts_with(r.InvoiceNo, 'C')
              AND r.Quantity > 0
              AND (regexp_full_match(r.StockCode, '[0-9]{5}[A-Za-z]*')
                   OR starts_with(r.StockCode, 'DCGS')
                   OR r.StockCode = 'PADS')
            """,
            {"path": str(parquet)},
        )
        row = con.execute(
            """
            SELECT count(DISTINCT InvoiceNo), sum(amount), sum(Quantity),
                   count(DISTINCT CustomerID),
                   strftime(min(ordered_at), '%Y-%m-%d'), strftime(max(ordered_at), '%Y-%m-%d')
            FROM sale
            """
        ).fetchone()
        assert row is not None
        totals = dict(
            zip(
                ("orders", "net_sales", "units", "customers", "first_order_date",
                 "last_order_date"),
                row,
                strict=True,
            )
        )
        monthly = {
            month: {"orders": n, "net_sales": s, "units": u, "customers": c}
            for month, n, s, u, c in con.execute(
                """
                SELECT strftime(ordered_at, '%Y-%m'), count(DISTINCT InvoiceNo), sum(amount),
                       sum(Quantity), count(DISTINCT CustomerID)
                FROM sale GROUP BY 1 ORDER BY 1
                """
            ).fetchall()
        }
    finally:
        con.close()
    return totals, monthly


def test_reference_agrees_with_duckdb(reference: dict[str, Any]) -> None:
    totals, monthly = _duckdb_figures(PARQUET)
    for key in ("orders", "units", "customers", "first_order_date", "last_order_date"):
        assert totals[key] == reference[key], key
    assert math.isclose(totals["net_sales"], reference["net_sales"], abs_tol=0.01)
    assert list(monthly) == list(reference["monthly"])
    for month, fig in monthly.items():
        ref = reference["monthly"][month]
        for key in ("orders", "units", "customers"):
            assert fig[key] == ref[key], (month, key)
        assert math.isclose(fig["net_sales"], ref["net_sales"], abs_tol=0.01), month
    # Months add up to the totals.
    assert sum(m["orders"] for m in reference["monthly"].values()) == reference["orders"]
    assert sum(m["units"] for m in reference["monthly"].values()) == reference["units"]
    assert math.isclose(
        sum(m["net_sales"] for m in reference["monthly"].values()),
        reference["net_sales"],
        abs_tol=0.01,
    )


def test_reference_figures_are_plausible(reference: dict[str, Any]) -> None:
    # Pinned values: if the source file changes, these tell you what moved.
    assert reference["orders"] == 20538
    assert reference["units"] == 5645128
    assert reference["customers"] == 4335
    assert math.isclose(reference["net_sales"], 10271433.063, abs_tol=0.01)
    assert reference["first_order_date"] == "2010-12-01"
    assert reference["last_order_date"] == "2011-12-09"
    assert len(reference["monthly"]) == 13
    diag = reference["diagnostics"]
    assert diag["raw_rows"] == 541909
    assert diag["negative_price_rows"] == 2
    assert diag["zero_price_rows"] == 2515


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = convert_cli(["online_retail", "--input", str(PARQUET), "--out", str(tmp_path)])
    assert rc == 0
    assert (tmp_path / "orders.csv").is_file() and (tmp_path / "order_lines.csv").is_file()
    captured = capsys.readouterr()
    assert '"orders": 25900' in captured.out
    assert "Europe/London" in captured.err
    assert not list(tmp_path.glob("*.tmp"))


def test_numbers_are_plain(converted: dict[str, Any]) -> None:
    lines: pd.DataFrame = converted["lines"]
    assert lines["unit_price"].str.fullmatch(r"-?\d+(\.\d+)?").all()
    assert lines["quantity"].str.fullmatch(r"-?\d+").all()
    assert not re.search(r"[eE]", "".join(lines["unit_price"].unique()))
