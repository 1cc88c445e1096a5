"""The benchmark's baseline: the order and daily figures of `fct_orders` / `fct_daily_kpis`,
computed independently with pandas (vectorized; no row loops).

    python -m bench.pandas_baseline INPUT_DIR OUT.parquet [--timezone America/New_York]

reads every ``orders_export*.csv`` in INPUT_DIR (plus ``customer_merges*.csv`` if any),
writes one row per order to OUT.parquet and one row per local day to OUT_daily.parquet,
and prints one JSON line (row counts, phase timings) on stdout.

The rules are the dbt models' (models/intermediate/shopify/, int_orders_valued,
int_customer_identities_linked, int_orders_identified, fct_orders, fct_daily_kpis),
re-implemented from their definitions:

* rows: exact copies of an earlier row, and rows of an order already exported in an
  earlier file (files in name order), are dropped. An order's fields come from its first
  kept row: Shopify fills order-level fields on that row only, so taking it is the
  forward fill without copying every order field onto every line;
* gross sales = sum of price x quantity over lines with quantity > 0; units likewise;
* net sales before returns = Subtotal (Shopify writes it net of discounts; when it equals
  the gross and there is a discount it was written gross: Subtotal - Discount Amount),
  else Total - Shipping - Taxes, else gross - discounts. Returns = Refunded Amount
  ('refunded' without an amount: all of it) kept within [0, net before returns], none for
  voided orders. Net sales = net before returns - returns;
* counted orders: not voided, not cancelled, with units;
* customer key: normalized email, else normalized phone (Phone, else Billing Phone). A
  phone seen with exactly one email resolves to that email; explicit merges win; chains
  resolve to their end;
* order number and days since the previous order per customer, over counted orders, by
  time then order name; days are local days in the shop's timezone.

Text stays in Arrow strings (pandas' pyarrow backend); money is float64 (DECIMAL(18, 4) in
dbt): results agree to the cent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

DEFAULT_TIMEZONE = "America/New_York"  # aura_timezone
MIN_PHONE_DIGITS = 7  # aura_min_phone_digits
MAX_CHAIN = 64  # merge chains are followed this far (as in int_customer_merges_resolved)
MONEY_TOLERANCE = 0.01  # how far Subtotal may be from the line sums and still match

TEXT_COLUMNS = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Accepts Marketing",
    "Currency", "Discount Code", "Created at", "Lineitem name", "Lineitem sku", "Cancelled at",
    "Vendor", "Id", "Tags", "Source", "Phone", "Billing Phone", "Billing Country",
    "Billing Province", "Shipping Country", "Shipping Province", "Shipping Zip",
)
NUMBER_COLUMNS = (
    "Subtotal", "Shipping", "Taxes", "Total", "Discount Amount", "Lineitem quantity",
    "Lineitem price", "Lineitem compare at price", "Lineitem discount", "Refunded Amount",
)
ORDER_EXPORT_COLUMNS = TEXT_COLUMNS + NUMBER_COLUMNS
MERGE_COLUMNS = ("id_type", "merged_id", "survivor_id", "merged_at")
TEXT = pd.ArrowDtype(pa.string())
SHOPIFY_TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}"  # 2025-12-06 10:37:33 -0500


@dataclass
class Result:
    orders: pd.DataFrame  # one row per order
    daily: pd.DataFrame  # one row per local day, first to last counted order
    line_rows: int  # kept export rows (line items)
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - start, 3)


def _flag(condition: pd.Series) -> np.ndarray:
    """A nullable boolean as a plain one; unknown is false (SQL's WHERE)."""
    return condition.to_numpy(dtype=bool, na_value=False)


# ------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------


def _read_csv(path: Path, columns: tuple[str, ...], numbers: tuple[str, ...]) -> pd.DataFrame:
    """One CSV's wanted columns (header case and spaces ignored; absent ones empty), with
    its file name and row numbers (the header is row 1)."""
    header = pd.read_csv(path, nrows=0).columns
    in_file = {str(name).strip().lower(): str(name) for name in header}
    present = {in_file[c.lower()]: c for c in columns if c.lower() in in_file}
    frame = pd.read_csv(
        path,
        engine="pyarrow",
        dtype_backend="pyarrow",
        dtype={name: "float64" if c in numbers else TEXT for name, c in present.items()},
        usecols=list(present),
        keep_default_na=False,
        na_values=[""],
    ).rename(columns=present)
    for c in columns:
        if c not in frame.columns:
            dtype = "float64" if c in numbers else TEXT
            frame[c] = pd.Series(pd.NA if dtype is TEXT else np.nan, index=frame.index, dtype=dtype)
    frame["source_file"] = path.name
    frame["source_row"] = np.arange(2, len(frame) + 2)
    return frame[[*columns, "source_file", "source_row"]]


def read_orders_export(input_dir: Path) -> pd.DataFrame:
    """Every orders_export*.csv, in file-name order, one row per export row."""
    paths = sorted(p for p in input_dir.glob("orders_export*.csv") if p.is_file())
    if not paths:
        raise FileNotFoundError(f"{input_dir}: no orders_export*.csv")
    frames = [_read_csv(p, ORDER_EXPORT_COLUMNS, NUMBER_COLUMNS) for p in paths]
    rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    # Categories sort like the file names, which is the read order.
    rows["source_file"] = rows["source_file"].astype("category")
    return rows


def read_merges(input_dir: Path, timezone: str) -> pd.DataFrame | None:
    """Explicit merges (customer_merges*.csv): merged_key -> survivor_key, latest wins."""
    paths = sorted(p for p in input_dir.glob("customer_merges*.csv") if p.is_file())
    if not paths:
        return None
    merges = pd.concat([_read_csv(p, MERGE_COLUMNS, ()) for p in paths], ignore_index=True)
    id_type = merges["id_type"].str.strip().str.lower()
    keys = {}
    for side in ("merged", "survivor"):
        raw = merges[f"{side}_id"]
        keys[side] = (
            ("email:" + normalize_email(raw))
            .where(_flag(id_type == "email"), "phone:" + normalize_phone(raw))
            .where(_flag(id_type.isin(["email", "phone"])), "customer_id:" + raw.str.strip())
        )
    merges = merges.assign(
        merged_key=keys["merged"],
        survivor_key=keys["survivor"],
        merged_utc=parse_timestamps(merges["merged_at"], timezone),
    ).dropna(subset=["merged_key", "survivor_key"])
    merges = merges[_flag(merges["merged_key"] != merges["survivor_key"])]
    merges = merges.sort_values(
        ["merged_utc", "source_file", "source_row"], ascending=False, na_position="last"
    )
    return merges.drop_duplicates("merged_key")[["merged_key", "survivor_key"]]


def kept_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Drop exact copies of earlier rows and orders re-exported in a later file."""
    keep = ~rows.duplicated(subset=list(ORDER_EXPORT_COLUMNS), keep="first").to_numpy()
    if rows["source_file"].nunique() > 1:
        codes = pd.Series(rows["source_file"].cat.codes.to_numpy(), index=rows.index)
        first_file = codes.groupby(rows["Name"], sort=False).transform("min")
        keep &= (codes == first_file).to_numpy()
    return rows[keep]


# ------------------------------------------------------------------------------------
# Timestamps and identity
# ------------------------------------------------------------------------------------


def parse_timestamps(text: pd.Series, timezone: str) -> pd.Series:
    """UTC instants of timestamp text; values without an offset are shop-local time.

    Shopify's form (2025-12-06 10:37:33 -0500) is split into its local part, parsed on
    pandas' fast ISO path, and its offset: to_datetime(format=...%z) is ~10x slower. Other
    forms go through to_datetime's general ISO 8601 parser.
    """
    shopify = _flag(text.str.fullmatch(SHOPIFY_TIMESTAMP))
    fast = text[shopify]
    local = pd.to_datetime(fast.str.slice(0, 19), format="%Y-%m-%d %H:%M:%S")
    sign = np.where(_flag(fast.str.slice(20, 21) == "-"), 1, -1)
    hours = fast.str.slice(21, 23).astype("int64[pyarrow]").to_numpy()
    minutes = fast.str.slice(23, 25).astype("int64[pyarrow]").to_numpy()
    offset = pd.to_timedelta(sign * (hours * 60 + minutes), unit="m")
    utc = (local + offset).dt.tz_localize("UTC")
    rest = text[~shopify & text.notna().to_numpy()]
    if len(rest):
        has_offset = _flag(rest.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True))
        aware = pd.to_datetime(rest[has_offset], format="ISO8601", utc=True, errors="coerce")
        naive = pd.to_datetime(rest[~has_offset], format="ISO8601", errors="coerce")
        naive = naive.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        utc = pd.concat([utc, aware, naive.dt.tz_convert("UTC")])
    return utc.reindex(text.index)


def normalize_email(email: pd.Series) -> pd.Series:
    """Trimmed and lower-cased; empty means none."""
    out = email.str.strip().str.lower()
    return out.mask(_flag(out == ""))


def normalize_phone(phone: pd.Series) -> pd.Series:
    """Digits only; 11 digits starting with 1 lose the 1; too few digits means none."""
    digits = phone.str.replace(r"[^0-9]", "", regex=True)
    length = digits.str.len()
    us_11 = _flag((length == 11) & digits.str.startswith("1"))
    long_enough = _flag(length >= MIN_PHONE_DIGITS)
    return digits.str.slice(1).where(us_11, digits.where(long_enough))


def resolve_customers(
    identity_key: pd.Series,
    email_key: pd.Series,
    phone_key: pd.Series,
    merges: pd.DataFrame | None,
) -> pd.Series:
    """Each order's customer key: its identity, or the survivor that identity resolves to."""
    pairs = pd.DataFrame({"phone": phone_key, "email": email_key}).dropna().drop_duplicates()
    # A phone seen with one email links to it; one shared by two emails (a household) does not.
    pairs = pairs[~pairs["phone"].duplicated(keep=False).to_numpy()]
    links = pairs.set_index("phone")["email"]
    if merges is not None and len(merges):
        explicit = merges.set_index("merged_key")["survivor_key"]
        links = pd.concat([explicit, links[~links.index.isin(explicit.index)]])
    if links.empty:
        return identity_key
    start = links.index.to_series()
    survivor = links.copy()
    for _ in range(MAX_CHAIN):
        step = survivor.map(links)
        moving = step.notna().to_numpy() & _flag(survivor != start)
        if not moving.any():
            break
        survivor = survivor.where(~moving, step)
    # A cycle (back to the start, or still moving) resolves nowhere; dbt's test fails it.
    cycle = survivor.map(links).notna().to_numpy() | _flag(survivor == start)
    survivor = survivor[~cycle]
    return identity_key.map(survivor).fillna(identity_key).astype(TEXT)


# ------------------------------------------------------------------------------------
# Orders and days
# ------------------------------------------------------------------------------------


def value_orders(kept: pd.DataFrame) -> pd.DataFrame:
    """One row per order: its first kept row's fields, its lines summed, its net sales."""
    qty = kept["Lineitem quantity"]
    sold = qty > 0
    lines = pd.DataFrame({
        "order_id": kept["Name"],
        "units": qty.where(sold, 0.0),
        "gross_sales": (qty * kept["Lineitem price"]).where(sold, 0.0),
        "line_discount": kept["Lineitem discount"].where(sold),
    })
    by_order = lines.groupby("order_id", sort=False)
    agg = by_order[["units", "gross_sales"]].sum()
    agg["line_rows"] = by_order.size()
    agg["line_discounts"] = by_order["line_discount"].sum(min_count=1)
    orders = kept[~kept["Name"].duplicated().to_numpy()].set_index("Name").join(agg)

    subtotal, discount, total = orders["Subtotal"], orders["Discount Amount"], orders["Total"]
    gross = orders["gross_sales"]
    discount_or_0 = discount.fillna(0.0)
    # Decimal arithmetic in dbt; round away float noise before comparing with the tolerance.
    reads_net = (subtotal + discount_or_0 - gross).abs().round(6) <= MONEY_TOLERANCE
    reads_gross = (
        ~reads_net
        & (discount_or_0 > MONEY_TOLERANCE)
        & ((subtotal - gross).abs().round(6) <= MONEY_TOLERANCE)
    )
    net_before = np.select(
        [subtotal.notna() & reads_gross, subtotal.notna(), total.notna()],
        [
            subtotal - discount,
            subtotal,
            total - orders["Shipping"].fillna(0.0) - orders["Taxes"].fillna(0.0),
        ],
        default=gross - discount.fillna(orders["line_discounts"]).fillna(0.0),
    )
    status = orders["Financial Status"].str.strip().str.lower()
    is_voided = _flag(status == "voided")
    refund_if_missing = np.where(_flag(status == "refunded"), net_before, 0.0)
    refunded = orders["Refunded Amount"].fillna(
        pd.Series(refund_if_missing, index=orders.index)
    ).to_numpy()
    returns = np.where(is_voided, 0.0, np.maximum(0.0, np.minimum(refunded, net_before)))
    is_cancelled = orders["Cancelled at"].notna().to_numpy()
    units = orders["units"]
    return pd.DataFrame({
        "created_at": orders["Created at"],
        "email": orders["Email"],
        "phone": orders["Phone"].str.strip().replace("", None).fillna(orders["Billing Phone"]),
        "financial_status": status,
        "is_voided": is_voided,
        "is_cancelled": is_cancelled,
        "is_counted_order": ~is_voided & ~is_cancelled & (units > 0).to_numpy(),
        "line_rows": orders["line_rows"],
        "units": units,
        "gross_sales": gross,
        "discounts": gross - net_before,
        "net_sales_before_returns": net_before,
        "returns": returns,
        "net_sales": net_before - returns,
    }).rename_axis("order_id").reset_index()


def sequence_orders(orders: pd.DataFrame, timezone: str, merges: pd.DataFrame | None) -> None:
    """Add local dates, customer keys, order numbers and days since the previous order."""
    utc = parse_timestamps(orders["created_at"], timezone)
    orders["ordered_at_utc"] = utc
    orders["order_date"] = utc.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()

    email_key = "email:" + normalize_email(orders["email"])
    phone_key = "phone:" + normalize_phone(orders["phone"])
    identity = email_key.fillna(phone_key)
    orders["customer_key"] = resolve_customers(identity, email_key, phone_key, merges)

    eligible = orders["is_counted_order"].to_numpy() & orders["customer_key"].notna().to_numpy()
    seq = orders.loc[eligible, ["customer_key", "ordered_at_utc", "order_id", "order_date"]]
    seq = seq.sort_values(["ordered_at_utc", "order_id"], kind="stable")
    by_customer = seq.groupby("customer_key", sort=False)
    number = by_customer.cumcount() + 1
    days = (seq["order_date"] - by_customer["order_date"].shift()).dt.days
    orders["customer_order_number"] = number.reindex(orders.index).astype("Int64")
    orders["days_since_previous_order"] = days.reindex(orders.index).astype("Int64")
    orders["is_first_order"] = _flag(orders["customer_order_number"] == 1)
    orders["is_repeat_order"] = _flag(orders["customer_order_number"] > 1)


def daily_kpis(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per local day from the first to the last counted order (zeros when none)."""
    counted = orders[orders["is_counted_order"]]
    daily = counted.groupby("order_date").agg(
        orders=("order_id", "size"),
        new_customer_orders=("is_first_order", "sum"),
        returning_customer_orders=("is_repeat_order", "sum"),
        units=("units", "sum"),
        gross_sales=("gross_sales", "sum"),
        discounts=("discounts", "sum"),
        returns=("returns", "sum"),
        net_sales=("net_sales", "sum"),
    )
    if not daily.empty:
        days = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
        daily = daily.reindex(days, fill_value=0)
    daily["average_order_value"] = daily["net_sales"] / daily["orders"].where(daily["orders"] > 0)
    return daily.rename_axis("kpi_date").reset_index()


def run(input_dir: Path, timezone: str = DEFAULT_TIMEZONE) -> Result:
    """All orders and days of the store in `input_dir`."""
    timer = _Timer()
    with timer.phase("read"):
        rows = read_orders_export(input_dir)
        merges = read_merges(input_dir, timezone)
    with timer.phase("dedupe"):
        kept = kept_rows(rows)
        del rows
    with timer.phase("value_orders"):
        orders = value_orders(kept)
    with timer.phase("identify_and_sequence"):
        sequence_orders(orders, timezone, merges)
    with timer.phase("daily"):
        daily = daily_kpis(orders)
    orders = orders.drop(columns=["created_at", "email", "phone"])
    return Result(orders=orders, daily=daily, line_rows=len(kept), timings=timer.timings)


def daily_path(out: Path) -> Path:
    """Where the daily table is written beside the orders file."""
    return out.with_name(f"{out.stem}_daily{out.suffix}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pandas_baseline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input_dir", type=Path, help="folder holding orders_export*.csv")
    parser.add_argument("out", type=Path, help="orders parquet; days go to <stem>_daily.parquet")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = run(args.input_dir, args.timezone)
    write_start = time.perf_counter()
    result.orders.to_parquet(args.out, index=False)
    result.daily.to_parquet(daily_path(args.out), index=False)
    result.timings["write"] = round(time.perf_counter() - write_start, 3)
    summary = {
        "orders": len(result.orders),
        "counted_orders": int(result.orders["is_counted_order"].sum()),
        "line_rows": result.line_rows,
        "days": len(result.daily),
        "seconds": round(time.perf_counter() - start, 3),
        "timings": result.timings,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
