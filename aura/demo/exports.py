"""Shopify-format exports: orders (split files), products and inventory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aura.demo import csvout
from aura.demo.catalog import GIFT, Catalog
from aura.demo.identity import (
    COUNTRY,
    PROVINCE,
    email_variants,
    emails,
    format_phones,
    phone_digits,
    postal_codes,
)
from aura.demo.orders import CODES, FULFILLMENT, SOURCES, TAGS, Lines, Orders
from aura.demo.simulate import ANON, EMAIL, PHONE, STATUS_NAMES, Customers
from aura.inputs.contract import SHOPIFY_INVENTORY, SHOPIFY_ORDERS, SHOPIFY_PRODUCTS

EMAIL_VARIANT_P = 0.04  # orders whose email is typed differently (case, spaces)


def _pick(labels: tuple[str, ...], idx: np.ndarray, empty: int | None = None) -> pa.Array:
    arr = pa.array(np.array(labels, dtype=object)[idx], type=pa.string())
    if empty is not None:
        arr = csvout.with_nulls(arr, idx != empty)
    return arr


def _identity_columns(orders: Orders, cust: Customers, rng: np.random.Generator
                      ) -> dict[str, pa.Array]:
    """Email, phones, consent and addresses of each order."""
    ids, inv = np.unique(orders.cust, return_inverse=True)
    inv = inv.ravel()
    ident, kind = cust.ident, cust.kind[orders.cust]
    n = orders.n
    canonical = emails(ident, ids).take(pa.array(inv))
    style = np.where(rng.random(n) < EMAIL_VARIANT_P, rng.integers(1, 5, n), 0)
    email = csvout.with_nulls(email_variants(canonical, style), kind == EMAIL)
    digits = phone_digits(ident, ids).take(pa.array(inv))
    u = rng.random((3, n))
    phone_style = np.where(u[0] < 0.6, 0, rng.integers(1, 5, n))
    phone_valid = (kind == PHONE) | ((kind == EMAIL) & (u[1] < 0.15))
    billing_valid = (kind != ANON) & ((kind == PHONE) | (u[2] < 0.4))
    geo, bgeo = ident.geo[orders.cust], ident.billing_geo[orders.cust]
    accepts = np.where(ident.accepts[orders.cust] & (kind != ANON), "yes", "no")
    return {
        "Email": email,
        "Accepts Marketing": csvout.text(accepts),
        "Phone": csvout.with_nulls(format_phones(digits, phone_style), phone_valid),
        "Billing Phone": csvout.with_nulls(
            format_phones(digits, np.zeros(n, dtype=np.int64)), billing_valid
        ),
        "Billing Country": csvout.text(COUNTRY[bgeo]),
        "Billing Province": csvout.text(PROVINCE[bgeo]),
        "Shipping Country": csvout.text(COUNTRY[geo]),
        "Shipping Province": csvout.text(PROVINCE[geo]),
        "Shipping Zip": postal_codes(geo, ident.zip_num[orders.cust], rng),
    }


def order_columns(orders: Orders, cust: Customers, rng: np.random.Generator
                  ) -> dict[str, pa.Array]:
    """Order-level columns, one value per order."""
    cols = _identity_columns(orders, cust, rng)
    cols.update(
        {
            "Financial Status": _pick(STATUS_NAMES, orders.status),
            "Paid at": csvout.with_nulls(
                csvout.timestamps(np.maximum(orders.paid_ns, 0)), orders.paid_ns >= 0
            ),
            "Fulfillment Status": _pick(FULFILLMENT, orders.fulfillment),
            "Currency": csvout.text(np.full(orders.n, "USD", dtype=object)),
            "Subtotal": csvout.money(orders.subtotal),
            "Shipping": csvout.money(orders.shipping),
            "Taxes": csvout.money(orders.taxes),
            "Total": csvout.money(orders.total),
            "Discount Code": _pick(CODES, orders.code, empty=0),
            "Discount Amount": csvout.money(orders.discount),
            "Created at": csvout.timestamps(orders.utc_ns),
            "Cancelled at": csvout.with_nulls(
                csvout.timestamps(np.maximum(orders.cancelled_ns, 0)), orders.cancelled_ns >= 0
            ),
            "Refunded Amount": csvout.money(orders.refunded),
            "Id": csvout.integers(orders.order_id),
            "Tags": _pick(TAGS, orders.tag, empty=0),
            "Source": _pick(SOURCES, orders.source),
        }
    )
    return cols


def line_columns(lines: Lines, cat: Catalog) -> dict[str, pa.Array]:
    """Line-level columns (filled on every row)."""
    v = cat.variants
    compare = v["compare_cents"].to_numpy()[lines.variant]
    return {
        "Name": pc.binary_join_element_wise("#", csvout.integers(lines.order + 1001), ""),
        "Lineitem quantity": csvout.integers(lines.qty),
        "Lineitem name": csvout.text(v["name"].to_numpy(dtype=object)[lines.variant]),
        "Lineitem price": csvout.money(lines.price),
        "Lineitem compare at price": csvout.with_nulls(csvout.money(compare), compare > 0),
        "Lineitem sku": csvout.text(v["sku"].to_numpy(dtype=object)[lines.variant]),
        "Lineitem discount": csvout.money(lines.discount),
        "Vendor": csvout.text(v["vendor"].to_numpy(dtype=object)[lines.variant]),
    }


def file_ranges(first_line: np.ndarray, n_lines: int, max_rows: int | None) -> list[slice]:
    """Line ranges of the export files: at most `max_rows` rows each, never splitting an order."""
    if not max_rows or n_lines <= max_rows:
        return [slice(0, n_lines)]
    bounds = np.r_[first_line, n_lines]
    out, a = [], 0
    while a < n_lines:
        b = int(bounds[np.searchsorted(bounds, a + max_rows, side="right") - 1])
        if b <= a:
            raise ValueError(f"max_rows_per_file={max_rows} is smaller than an order")
        out.append(slice(a, b))
        a = b
    return out


@dataclass(frozen=True)
class WrittenFile:
    name: str
    rows: int


def write_orders(out_dir: Path, orders: Orders, lines: Lines, cust: Customers, cat: Catalog,
                 max_rows: int | None, rng: np.random.Generator) -> list[WrittenFile]:
    """orders_export_1.csv, orders_export_2.csv, ...: one row per line item."""
    level = order_columns(orders, cust, rng)
    per_line = line_columns(lines, cat)
    first = lines.first
    is_first = np.zeros(len(lines.order), dtype=bool)
    is_first[first] = True
    header = [c.name for c in SHOPIFY_ORDERS.columns]
    missing = set(header) - set(level) - set(per_line)
    if missing:
        raise RuntimeError(f"generator lacks columns {sorted(missing)}")
    written = []
    for i, rows in enumerate(file_ranges(first, len(lines.order), max_rows), start=1):
        take = pa.array(lines.order[rows], mask=~is_first[rows])
        cols = [
            level[h].take(take) if h in SHOPIFY_ORDERS.order_level else per_line[h][rows]
            for h in header
        ]
        name = f"orders_export_{i}.csv"
        written.append(WrittenFile(name, csvout.write_csv(out_dir / name, header, cols)))
    return written


def products_frame(cat: Catalog, image_rows: int = 2) -> pd.DataFrame:
    """products_export.csv: one row per variant, product fields on the first row only,
    plus a few image-only rows."""
    v = cat.variants
    first = v["first"].to_numpy()
    default = v["option"].to_numpy() == "Default Title"

    def first_only(col: str) -> np.ndarray:
        vals = v[col].to_numpy(dtype=object)
        return np.where(first & (vals != ""), vals, None)

    df = pd.DataFrame(
        {
            "Handle": v["handle"], "Title": first_only("title"), "Vendor": first_only("vendor"),
            "Type": first_only("type"), "Tags": first_only("tags"),
            "Option1 Name": np.where(default, "Title", "Size"), "Option1 Value": v["option"],
            "Variant SKU": v["sku"], "Variant Grams": v["grams"].astype(str),
            "Variant Price": csvout.money(v["price_cents"].to_numpy()).to_pylist(),
            "Variant Compare At Price": np.where(
                v["compare_cents"] > 0,
                csvout.money(v["compare_cents"].to_numpy()).to_pylist(), None,
            ),
            "Status": v["status"],
            "_product": v["product"], "_order": 0,
        }
    )
    picks = v.loc[first & (v["kind"] != GIFT), "product"].to_numpy()[:image_rows]
    images = pd.DataFrame({"Handle": v.loc[first, "handle"].to_numpy()[picks],
                           "_product": picks, "_order": 1})
    df = pd.concat([df, images]).sort_values(["_product", "_order"], kind="stable")
    cols = [c.name for c in SHOPIFY_PRODUCTS.columns]
    return df[cols].astype(object).where(df[cols].notna(), None)


@dataclass(frozen=True)
class Stock:
    frame: pd.DataFrame  # inventory_export.csv rows
    low: list[dict[str, object]]  # the planted low-stock SKUs (empty unless low_inventory)


def inventory(orders: Orders, lines: Lines, cat: Catalog, end: date, end_day: int,
              low_inventory: bool, rng: np.random.Generator) -> Stock:
    """Inventory per SKU and location at `end` (day index `end_day`): 3-12 weeks of cover, or
    under a week for the three best sellers of the last 28 days when `low_inventory`."""
    v = cat.variants
    nv = len(v)
    recent = (orders.day[lines.order] > end_day - 28) & orders.valid()[lines.order]
    units = np.bincount(lines.variant[recent], weights=lines.qty[recent], minlength=nv)
    rate = units / 28.0
    cover = rng.uniform(21, 84, nv)
    available = np.ceil(rate * cover).astype(np.int64) + rng.integers(5, 40, nv)
    ranked = np.lexsort((v["sku"].to_numpy(), -units))
    ranked = ranked[v["kind"].to_numpy()[ranked] != GIFT]
    low: list[dict[str, object]] = []
    incoming = np.where(rng.random(nv) < 0.3, rng.integers(50, 500, nv), 0)
    if low_inventory:
        top = ranked[:3]
        days = rng.uniform(2.0, 5.0, 3)
        available[top] = np.floor(rate[top] * days).astype(np.int64)
        incoming[top] = 0
        low = [
            {"sku": str(v["sku"].iat[i]), "units_last_28_days": int(units[i]),
             "daily_rate": round(float(rate[i]), 3), "available": int(available[i]),
             "days_of_cover": round(float(available[i] / rate[i]), 2) if rate[i] else 0.0}
            for i in top
        ]
    return Stock(_inventory_rows(cat, available, incoming, end, rng), low)


def _inventory_rows(cat: Catalog, available: np.ndarray, incoming: np.ndarray, end: date,
                    rng: np.random.Generator) -> pd.DataFrame:
    v = cat.variants
    nv = len(v)
    store_share = np.where(v["kind"].to_numpy() == GIFT, 0.0, rng.uniform(0.05, 0.15, nv))
    store = np.floor(available * store_share).astype(np.int64)
    committed = rng.integers(0, 6, size=(2, nv))
    rows = []
    for loc, avail, inc, com in (
        ("Main Warehouse", available - store, incoming, committed[0]),
        ("Flagship Store", store, np.zeros(nv, dtype=np.int64), committed[1]),
    ):
        rows.append(pd.DataFrame({
            "Handle": v["handle"], "Title": v["title"], "SKU": v["sku"], "Location": loc,
            "Available": avail.astype(str), "On hand": (avail + com).astype(str),
            "Incoming": inc.astype(str), "Committed": com.astype(str),
            "Snapshot Date": end.isoformat(), "_v": np.arange(nv),
        }))
    df = pd.concat(rows).sort_values(["_v"], kind="stable")
    return df[[c.name for c in SHOPIFY_INVENTORY.columns]]
