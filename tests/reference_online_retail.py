"""Reference figures for the UCI Online Retail data, computed directly from the raw parquet.

This module is deliberately independent of ``aura.convert.online_retail``: it does not
import the converter or its StockCode mapping, and it classifies stock codes by its own
rule (an exclusion list, see :data:`SERVICE_CODES`), so Aura's marts built from the
converted files can be reconciled against it.

Definitions (all amounts GBP, all dates Europe/London local time as in the data):

* **cancellation invoice**: ``InvoiceNo`` starts with ``C`` (3,836 invoices, every row has
  a negative quantity). Cancellations are returns, never sales.
* **product row**: a row whose ``StockCode`` is not a service code. Service codes
  (compared case-insensitively) are postage ``POST``, ``DOT``, ``C2``; discount ``D``;
  fees ``BANK CHARGES``, ``AMAZONFEE``; adjustments ``M`` (Manual), ``S`` (Samples),
  ``B`` (Adjust bad debt), ``CRUK`` (commission) and gift vouchers (codes starting with
  ``GIFT_``). Everything else, including the non-numeric ``DCGS...`` items and ``PADS``,
  is merchandise.
* **sale row**: a product row of a non-cancellation invoice with ``Quantity > 0``. Sale
  rows are counted whatever their ``UnitPrice`` (free lines at price 0 count as units and
  make an order). Exact duplicate raw rows are all counted: the data has no line id, and
  the converter keeps every raw row.
* **order**: a distinct ``InvoiceNo`` with at least one sale row. ``ordered_at`` is the
  earliest ``InvoiceDate`` over *all* rows of the invoice (43 invoices span two
  consecutive minutes; no invoice spans two months or two days).
* **orders** = number of orders; **net_sales** = Σ Quantity × UnitPrice over sale rows
  (there are no line discounts in the data, and the ``D`` discount rows are excluded as
  a service code; they all sit on cancellation invoices anyway); **units** = Σ Quantity
  over sale rows; **customers** = distinct non-null ``CustomerID`` among orders.
* **first_order_date / last_order_date** = the date of the min / max ``ordered_at`` over
  orders (``first_ordered_at`` / ``last_ordered_at`` give the times).
* **monthly**: for each ``YYYY-MM`` month of ``ordered_at``, the orders, net sales,
  units and customers of that month's orders.

Prices: 2,515 rows have ``UnitPrice == 0`` -- 1,336 stock write-offs (non-C, quantity
<= 0, no customer; not sale rows) and 1,179 rows with positive quantity on non-C invoices
(1,162 of them product codes, hence sale rows: they add units but nothing to net sales;
most are single-row stock corrections described "check", "found", "amazon" or with no
description). 765 orders consist only of such zero-value lines; they are counted as orders
by the definition above (``diagnostics`` gives the figures without them, in case a mart
requires a positive amount). 2 rows have a negative price:
the ``B`` "Adjust bad debt" rows of invoices A563186 and A563187 (-11,062.06 each). ``B``
is a service code, so they (and the +11,062.06 row of A563185) are excluded from every
figure. The ``diagnostics`` entry of the result counts these and other quirks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

# Non-merchandise stock codes (upper case), and the prefix of gift-voucher codes.
SERVICE_CODES: frozenset[str] = frozenset(
    {"POST", "DOT", "C2", "D", "M", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK"}
)
SERVICE_PREFIXES: tuple[str, ...] = ("GIFT_",)


def is_service_code(codes: pd.Series) -> pd.Series:
    """True where a StockCode is postage, discount, fee or adjustment (not merchandise)."""
    upper = codes.str.upper()
    out = upper.isin(SERVICE_CODES)
    for prefix in SERVICE_PREFIXES:
        out |= upper.str.startswith(prefix)
    return out


def _money(x: float) -> float:
    # Prices have at most 3 decimals; round away float noise, keep the tenths of a penny.
    return round(float(x), 3)


def reference_figures(parquet_path: str | Path) -> dict[str, Any]:
    """The reference figures (see the module docstring for the definitions)."""
    raw = pd.read_parquet(parquet_path)
    invoice = raw["InvoiceNo"].astype(str)
    is_cancel = invoice.str.startswith("C")
    service = is_service_code(raw["StockCode"].astype(str))
    sale = ~is_cancel & ~service & (raw["Quantity"] > 0)

    ordered_at = raw.groupby(invoice)["InvoiceDate"].transform("min")
    sales = pd.DataFrame(
        {
            "invoice": invoice[sale],
            "ordered_at": ordered_at[sale],
            "customer": raw.loc[sale, "CustomerID"],
            "quantity": raw.loc[sale, "Quantity"].astype("int64"),
            "amount": raw.loc[sale, "Quantity"].astype("float64") * raw.loc[sale, "UnitPrice"],
        }
    )
    sales["month"] = sales["ordered_at"].dt.strftime("%Y-%m")

    monthly_frame = sales.groupby("month").agg(
        orders=("invoice", "nunique"),
        net_sales=("amount", "sum"),
        units=("quantity", "sum"),
        customers=("customer", "nunique"),
    )
    monthly = {
        str(month): {
            "orders": int(r.orders),
            "net_sales": _money(r.net_sales),
            "units": int(r.units),
            "customers": int(r.customers),
        }
        for month, r in monthly_frame.iterrows()
    }

    priced = sales[raw.loc[sale, "UnitPrice"] > 0]
    price = raw["UnitPrice"]
    cancel_product = is_cancel & ~service
    diagnostics = {
        "raw_rows": len(raw),
        "invoices": int(invoice.nunique()),
        "cancelled_invoices": int(invoice[is_cancel].nunique()),
        "adjustment_invoices_a": int(invoice[invoice.str.startswith("A")].nunique()),
        "missing_customer_rows": int(raw["CustomerID"].isna().sum()),
        "duplicate_rows": int(raw.duplicated().sum()),
        "zero_price_rows": int((price == 0).sum()),
        "zero_price_sale_rows": int((sale & (price == 0)).sum()),
        "negative_price_rows": int((price < 0).sum()),
        "orders_with_only_zero_value_lines": int(
            sales["invoice"].nunique() - priced["invoice"].nunique()
        ),
        "orders_with_a_priced_line": int(priced["invoice"].nunique()),
        "customers_with_a_priced_line": int(priced["customer"].nunique()),
        "noncancel_nonpositive_rows": int((~is_cancel & (raw["Quantity"] <= 0)).sum()),
        "service_rows": int(service.sum()),
        "cancelled_product_units": int(raw.loc[cancel_product, "Quantity"].sum()),
        "cancelled_product_value": _money(
            (raw.loc[cancel_product, "Quantity"] * price[cancel_product]).sum()
        ),
    }

    return {
        "orders": int(sales["invoice"].nunique()),
        "net_sales": _money(sales["amount"].sum()),
        "units": int(sales["quantity"].sum()),
        "customers": int(sales["customer"].nunique()),
        "first_order_date": sales["ordered_at"].min().strftime("%Y-%m-%d"),
        "last_order_date": sales["ordered_at"].max().strftime("%Y-%m-%d"),
        "first_ordered_at": sales["ordered_at"].min().strftime("%Y-%m-%d %H:%M:%S"),
        "last_ordered_at": sales["ordered_at"].max().strftime("%Y-%m-%d %H:%M:%S"),
        "monthly": monthly,
        "diagnostics": diagnostics,
    }


if __name__ == "__main__":
    import json
    import sys

    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail_uci.parquet"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    print(json.dumps(reference_figures(path), indent=2))
