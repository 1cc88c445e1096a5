"""Convert the UCI "Online Retail" data set into Aura's canonical input files.

Source: ``online_retail_uci.parquet`` (UCI Machine Learning Repository, Chen, Sain & Guo
2012, CC BY 4.0; see ``shared/data/SOURCES.md``). A UK gift wholesaler/retailer,
541,909 invoice-line rows from 2010-12-01 to 2011-12-09, all in GBP. Columns:
``InvoiceNo`` (text), ``StockCode`` (text), ``Description`` (text, sometimes null),
``Quantity`` (integer), ``InvoiceDate`` (timestamp, Europe/London local time, no offset),
``UnitPrice`` (float, GBP), ``CustomerID`` (integer, null on about 25% of rows),
``Country`` (text).

Output (``out_dir``): ``orders.csv`` and ``order_lines.csv`` with exactly the columns of
``CANONICAL_ORDERS`` / ``CANONICAL_ORDER_LINES`` in contract order. Timestamps are written
as ``YYYY-MM-DD HH:MM:SS`` **local time without an offset**, so the Aura project must be
run with ``aura_timezone = 'Europe/London'`` for this data (no raw timestamp falls in a
DST gap or overlap hour, so the local times are unambiguous). Numbers are plain decimals
with ``.``; empty fields are empty (NULL), never ``""``.

Mapping (every raw row is accounted for, nothing is dropped or de-duplicated):

``orders.csv`` -- one row per distinct ``InvoiceNo`` (25,900), in order of first appearance:
  * ``order_id`` = InvoiceNo; ``ordered_at`` = the earliest InvoiceDate of the invoice
    (43 invoices span two consecutive minutes);
  * ``customer_id`` = CustomerID as an integer string (``17850``, never ``17850.0``),
    empty when missing; ``email``/``phone``/``region`` empty;
  * ``currency`` = ``GBP``; ``country`` = Country as written in the data (country *names*
    such as ``United Kingdom``, ``EIRE``, ``Unspecified``, not ISO codes);
  * ``financial_status`` = ``paid``; ``source_name`` = ``online_retail_uci``;
  * invoices whose number starts with ``C`` are cancellations / returns (every one of their
    lines has a negative quantity). They are **not sales**: ``cancelled_at`` =
    ``ordered_at`` and ``financial_status`` = ``refunded``. Their lines keep their negative
    quantities, which the pipeline flags as not sold;
  * ``subtotal``, ``discount_amount``, ``shipping``, ``taxes``, ``total``,
    ``refunded_amount`` are empty: the data has no order-level amounts, Aura computes
    them from the lines.
  The three ``A`` invoices (A563185-A563187, "Adjust bad debt") and the 1,336 non-C
  rows with quantity <= 0 (stock write-offs at price 0, no customer) become ordinary
  ``paid`` orders; they carry no sold product line (adjustment code or quantity <= 0), so
  the pipeline does not count them as sales.

``order_lines.csv`` -- one row per raw row (541,909), in file order:
  * ``order_id`` = InvoiceNo; ``line_number`` = 1-based position of the row within its
    invoice in file order (exact duplicate raw rows -- 5,268 of them -- are kept and get
    distinct line numbers);
  * ``sku`` = StockCode as written (case kept: ``85123A`` and ``85123a`` both occur);
  * ``product_title`` = Description with surrounding whitespace trimmed; the StockCode
    when the description is missing (1,454 rows; the contract requires a title);
  * ``quantity`` = Quantity (kept when <= 0), ``unit_price`` = UnitPrice (kept when 0 or
    negative); ``line_discount`` and ``vendor`` empty;
  * ``line_type`` from :data:`STOCK_CODE_LINE_TYPES` (looked up case-insensitively); any
    code not listed there is ``product``. The dict lists **every** StockCode occurring in
    the data that does not follow the catalogue pattern (five digits plus optional
    letters, ``PRODUCT_CODE_PATTERN``), each decided explicitly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from aura.inputs.contract import CANONICAL_ORDER_LINES, CANONICAL_ORDERS

SOURCE_NAME = "online_retail_uci"
CURRENCY = "GBP"
TIMEZONE = "Europe/London"  # the aura_timezone this data must be run with
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

# Catalogue stock codes: five digits, optionally followed by letters (85123A, 15056BL).
PRODUCT_CODE_PATTERN = r"^[0-9]{5}[A-Za-z]*$"

# Every StockCode in the data that does not match PRODUCT_CODE_PATTERN, with its line_type.
# Keys are upper case; lookup is case-insensitive. Row counts are for the UCI file.
STOCK_CODE_LINE_TYPES: dict[str, str] = {
    # Postage / carriage charged to the customer.
    "POST": "shipping",  # POSTAGE, 1,256 rows
    "DOT": "shipping",  # DOTCOM POSTAGE, 710 rows
    "C2": "shipping",  # CARRIAGE, 144 rows
    # Discounts (all 77 rows sit on C invoices with negative quantity).
    "D": "discount",  # Discount, 77 rows
    # Charges from payment providers / marketplaces.
    "BANK CHARGES": "fee",  # Bank Charges, 37 rows
    "AMAZONFEE": "fee",  # AMAZON FEE, 34 rows
    # Manual bookings, samples, bad debt, charity commission, gift vouchers: not products.
    "M": "adjustment",  # Manual, 571 rows as "M" + 1 row as "m"
    "S": "adjustment",  # SAMPLES, 63 rows
    "B": "adjustment",  # Adjust bad debt, 3 rows (A invoices, one +11,062.06, two -11,062.06)
    "CRUK": "adjustment",  # CRUK Commission (Cancer Research UK), 16 rows
    "GIFT_0001_10": "adjustment",  # Dotcomgiftshop Gift Voucher £10.00, 9 rows
    "GIFT_0001_20": "adjustment",  # Gift Voucher £20.00, 10 rows
    "GIFT_0001_30": "adjustment",  # Gift Voucher £30.00, 8 rows
    "GIFT_0001_40": "adjustment",  # Gift Voucher £40.00, 3 rows
    "GIFT_0001_50": "adjustment",  # Gift Voucher £50.00, 4 rows
    # Non-pattern codes that are real merchandise: kept as products.
    "PADS": "product",  # PADS TO MATCH ALL CUSHIONS, 4 rows at £0.001 / £0 (negligible value)
    "DCGSSBOY": "product",  # BOYS PARTY BAG, 11 rows
    "DCGSSGIRL": "product",  # GIRLS PARTY BAG, 13 rows
    # Dotcomgiftshop / eBay-listed stock items (ashtray, dog collars, bags, night light).
    # Rows with quantity <= 0 among them are price-0 stock write-offs (flagged, not sold).
    "DCGS0003": "product",  # BOXED GLASS ASHTRAY, 5 rows
    "DCGS0004": "product",  # HAYNES CAMPER SHOULDER BAG, 1 row
    "DCGS0055": "product",  # (no description), 1 row, quantity -1
    "DCGS0057": "product",  # (no description), 1 row, quantity -6
    "DCGS0066P": "product",  # (no description), 1 row, quantity -3
    "DCGS0067": "product",  # ebay, 1 row, quantity -11
    "DCGS0068": "product",  # ebay, 1 row, quantity -10
    "DCGS0069": "product",  # OOH LA LA DOGS COLLAR, 2 rows
    "DCGS0070": "product",  # CAMOUFLAGE DOG COLLAR, 2 rows
    "DCGS0071": "product",  # (no description), 1 row, quantity -2
    "DCGS0072": "product",  # (no description), 1 row, quantity -1
    "DCGS0073": "product",  # ebay, 1 row, quantity -4
    "DCGS0074": "product",  # (no description), 1 row, quantity -1
    "DCGS0076": "product",  # SUNJAR LED NIGHT NIGHT LIGHT, 2 rows
}

LINE_TYPES = ("product", "shipping", "fee", "discount", "adjustment")

ORDER_COLUMNS: tuple[str, ...] = tuple(c.name for c in CANONICAL_ORDERS.columns)
ORDER_LINE_COLUMNS: tuple[str, ...] = tuple(c.name for c in CANONICAL_ORDER_LINES.columns)

_RAW_COLUMNS = (
    "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
    "CustomerID", "Country",
)

# Expressions for every canonical column, keyed by contract name. `inv` is one row per
# invoice (see _INVOICES_SQL), `raw` one row per raw row with its file position.
_ORDER_EXPR: dict[str, str] = {
    "order_id": "inv.invoice_no",
    "ordered_at": f"strftime(inv.ordered_at, '{TIMESTAMP_FORMAT}')",
    "customer_id": "CAST(inv.customer_id AS VARCHAR)",
    "email": "NULL::VARCHAR",
    "phone": "NULL::VARCHAR",
    "currency": f"'{CURRENCY}'",
    "financial_status": "CASE WHEN inv.is_cancel THEN 'refunded' ELSE 'paid' END",
    "cancelled_at": (
        f"CASE WHEN inv.is_cancel THEN strftime(inv.ordered_at, '{TIMESTAMP_FORMAT}') END"
    ),
    "subtotal": "NULL::VARCHAR",
    "discount_amount": "NULL::VARCHAR",
    "shipping": "NULL::VARCHAR",
    "taxes": "NULL::VARCHAR",
    "total": "NULL::VARCHAR",
    "refunded_amount": "NULL::VARCHAR",
    "source_name": f"'{SOURCE_NAME}'",
    "country": "inv.country",
    "region": "NULL::VARCHAR",
}

_LINE_EXPR: dict[str, str] = {
    "order_id": "raw.InvoiceNo",
    "line_number": (
        "row_number() OVER (PARTITION BY raw.InvoiceNo ORDER BY raw.file_row_number)"
    ),
    "sku": "raw.StockCode",
    "product_title": "coalesce(NULLIF(trim(raw.Description), ''), raw.StockCode)",
    "quantity": "CAST(raw.Quantity AS BIGINT)",
    "unit_price": "CAST(raw.UnitPrice AS DOUBLE)",
    "line_discount": "NULL::VARCHAR",
    "line_type": "coalesce(lt.line_type, 'product')",
    "vendor": "NULL::VARCHAR",
}

_INVOICES_SQL = """
CREATE TEMP TABLE inv AS
SELECT
    InvoiceNo AS invoice_no,
    min(file_row_number) AS first_row,
    min(InvoiceDate) AS ordered_at,
    starts_with(InvoiceNo, 'C') AS is_cancel,
    arg_min(CustomerID, file_row_number) AS customer_id,
    arg_min(Country, file_row_number) AS country,
    count(DISTINCT CustomerID) > 1 OR count(CustomerID) NOT IN (0, count(*))
        AS customer_conflict,
    count(DISTINCT Country) > 1 AS country_conflict
FROM raw_typed
GROUP BY InvoiceNo
"""


def _check_columns(expr: dict[str, str], contract: tuple[str, ...]) -> None:
    if tuple(expr) != contract:
        raise RuntimeError(f"converter columns {tuple(expr)} differ from contract {contract}")


def _write_csv(con: duckdb.DuckDBPyConnection, select_sql: str, path: Path) -> None:
    """COPY a query to `path` atomically (write a temp file, then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    target = str(tmp).replace("'", "''")
    con.execute(
        f"COPY ({select_sql}) TO '{target}' "
        "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', NULLSTR '')"
    )
    os.replace(tmp, path)


def convert(parquet_path: Path, out_dir: Path) -> dict[str, int]:
    """Write canonical ``orders.csv`` and ``order_lines.csv`` for the UCI Online Retail file.

    Returns counts: raw rows, orders, order lines, cancelled orders, orders with a customer,
    distinct customers, lines per line_type, conflicts (invoices whose rows disagree on
    customer or country; 0 in the UCI file) and the elapsed time in milliseconds.
    """
    started = time.perf_counter()
    parquet_path = Path(parquet_path)
    out_dir = Path(out_dir)
    if not parquet_path.is_file():
        raise FileNotFoundError(parquet_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    _check_columns(_ORDER_EXPR, ORDER_COLUMNS)
    _check_columns(_LINE_EXPR, ORDER_LINE_COLUMNS)
    for code, line_type in STOCK_CODE_LINE_TYPES.items():
        if line_type not in LINE_TYPES or code != code.upper():
            raise RuntimeError(f"bad mapping {code!r} -> {line_type!r}")

    con = duckdb.connect()
    try:
        src = str(parquet_path).replace("'", "''")
        cols = ", ".join(_RAW_COLUMNS)
        con.execute(
            f"CREATE TEMP VIEW raw AS SELECT {cols}, file_row_number "
            f"FROM read_parquet('{src}', file_row_number = true)"
        )
        # CustomerID may come as an integer or a float column: normalise to BIGINT.
        con.execute(
            "CREATE TEMP VIEW raw_typed AS SELECT * REPLACE "
            "(CAST(CustomerID AS BIGINT) AS CustomerID) FROM raw"
        )
        con.execute("CREATE TEMP TABLE line_types (code VARCHAR PRIMARY KEY, line_type VARCHAR)")
        con.executemany(
            "INSERT INTO line_types VALUES (?, ?)", list(STOCK_CODE_LINE_TYPES.items())
        )
        con.execute(_INVOICES_SQL)

        order_select = ",\n".join(f"{e} AS {c}" for c, e in _ORDER_EXPR.items())
        orders_sql = f"SELECT {order_select} FROM inv ORDER BY inv.first_row"
        line_select = ",\n".join(f"{e} AS {c}" for c, e in _LINE_EXPR.items())
        lines_sql = (
            f"SELECT {line_select} FROM raw_typed AS raw "
            "LEFT JOIN line_types AS lt ON upper(raw.StockCode) = lt.code "
            "ORDER BY raw.file_row_number"
        )
        _write_csv(con, orders_sql, out_dir / "orders.csv")
        _write_csv(con, lines_sql, out_dir / "order_lines.csv")

        counts: dict[str, int] = {}
        row = con.execute(
            "SELECT count(*), count(*) FILTER (is_cancel), count(customer_id), "
            "count(DISTINCT customer_id), count(*) FILTER (customer_conflict), "
            "count(*) FILTER (country_conflict) FROM inv"
        ).fetchone()
        assert row is not None
        (
            counts["orders"], counts["cancelled_orders"], counts["orders_with_customer"],
            counts["customers"], counts["customer_conflicts"], counts["country_conflicts"],
        ) = (int(v) for v in row)
        raw_rows = con.execute("SELECT count(*) FROM raw").fetchone()
        assert raw_rows is not None
        counts["raw_rows"] = int(raw_rows[0])
        counts["order_lines"] = counts["raw_rows"]
        by_type = dict(
            con.execute(
                "SELECT coalesce(lt.line_type, 'product'), count(*) FROM raw "
                "LEFT JOIN line_types AS lt ON upper(raw.StockCode) = lt.code GROUP BY 1"
            ).fetchall()
        )
        for line_type in LINE_TYPES:
            counts[f"lines_{line_type}"] = int(by_type.get(line_type, 0))
    finally:
        con.close()
    counts["elapsed_ms"] = round((time.perf_counter() - started) * 1000)
    return counts
