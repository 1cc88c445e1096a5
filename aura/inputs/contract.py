"""The input contract: every file Aura reads, its columns, their types and meaning.

This module is the single source of truth for input columns. The loader
(`aura.inputs.loader`) validates files against it, the demo generator writes
files that satisfy it, and the README's contract tables are generated from it
(`python -m aura.inputs.contract` prints them; a test keeps the README in step).

Types are contract types, not engine types:
  text       any string
  number     a decimal number (".", no thousands separator; may be negative)
  integer    a whole number
  timestamp  ``YYYY-MM-DD HH:MM:SS`` optionally followed by a UTC offset
             (``-0500``, ``+01:00``) or ``Z``; without one it is read as
             already in the shop's timezone (``aura_timezone``)
  date       ``YYYY-MM-DD``
  boolean    true/false, yes/no, 1/0 (any case)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    values: tuple[str, ...] = ()  # allowed values (compared lower-cased); empty = any


@dataclass(frozen=True)
class InputFile:
    """One kind of input file (possibly split over several files matching `pattern`)."""

    key: str  # the source table name in dbt
    pattern: str  # glob inside aura_input_dir; several matching files are unioned
    description: str
    columns: tuple[Column, ...]
    required: bool = False  # the build cannot run without at least one such file
    # Columns that are order-level in a Shopify export: filled on an order's first row only.
    order_level: frozenset[str] = field(default_factory=frozenset)
    # Columns that must hold one single value across all files (e.g. the store's currency).
    single_valued: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(
    name: str, type_: str, required: bool, description: str, values: tuple[str, ...] = ()
) -> Column:
    return Column(name, type_, required, description, values)


# --------------------------------------------------------------------------------------
# Shopify exports (Admin > Orders > Export, Products > Export, Inventory > Export)
# --------------------------------------------------------------------------------------

SHOPIFY_ORDER_LEVEL = frozenset(
    {
        "Email", "Financial Status", "Paid at", "Fulfillment Status", "Accepts Marketing",
        "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
        "Discount Amount", "Created at", "Cancelled at", "Refunded Amount", "Phone",
        "Billing Phone", "Billing Country", "Billing Province", "Shipping Country",
        "Shipping Province", "Shipping Zip", "Source", "Tags", "Id",
    }
)

SHOPIFY_ORDERS = InputFile(
    key="orders_export",
    pattern="orders_export*.csv",
    required=True,
    description=(
        "Shopify's orders export: one row per line item; order-level fields are filled "
        "on each order's first row only. Shopify splits large exports into "
        "orders_export_1.csv, orders_export_2.csv, ...; all are read."
    ),
    order_level=SHOPIFY_ORDER_LEVEL,
    single_valued=("Currency",),
    columns=(
        _c("Name", "text", True, "Order name, e.g. #1001. Identifies the order."),
        _c("Email", "text", False, "Customer email; the primary customer identifier."),
        _c("Financial Status", "text", False,
           "paid, pending, authorized, partially_paid, partially_refunded, refunded, voided."),
        _c("Paid at", "timestamp", False, "When payment was captured."),
        _c("Fulfillment Status", "text", False, "fulfilled, partial, unfulfilled."),
        _c("Accepts Marketing", "boolean", False, "Email marketing consent at checkout."),
        _c("Currency", "text", False, "ISO currency code; one store has one currency."),
        _c("Subtotal", "number", False,
           "Line items after line and order discounts, before shipping and taxes."),
        _c("Shipping", "number", False, "Shipping charged."),
        _c("Taxes", "number", False, "Taxes charged."),
        _c("Total", "number", False, "Amount charged: Subtotal + Shipping + Taxes."),
        _c("Discount Code", "text", False, "Discount code(s) used."),
        _c("Discount Amount", "number", False,
           "Total discount on the order (line, order and shipping discounts)."),
        _c("Created at", "timestamp", True, "When the order was placed (with UTC offset)."),
        _c("Lineitem quantity", "integer", True, "Units on this line."),
        _c("Lineitem name", "text", True, "Product title and variant, e.g. 'Rose Serum - 30 ml'."),
        _c("Lineitem price", "number", True, "Unit price before discounts."),
        _c("Lineitem compare at price", "number", False, "Compare-at (list) unit price."),
        _c("Lineitem sku", "text", False, "Variant SKU."),
        _c("Lineitem discount", "number", False, "Discount allocated to this line."),
        _c("Cancelled at", "timestamp", False, "When the order was cancelled; empty if not."),
        _c("Refunded Amount", "number", False, "Total refunded on the order so far."),
        _c("Vendor", "text", False, "Product vendor."),
        _c("Id", "text", False, "Shopify's numeric order id (newer exports)."),
        _c("Tags", "text", False, "Order tags."),
        _c("Source", "text", False, "Sales channel: web, pos, subscription_contract, ..."),
        _c("Phone", "text", False, "Customer phone; the identifier when there is no email."),
        _c("Billing Phone", "text", False, "Billing phone; used when Phone is empty."),
        _c("Billing Country", "text", False, "Billing country code."),
        _c("Billing Province", "text", False, "Billing province/state code."),
        _c("Shipping Country", "text", False, "Shipping country code."),
        _c("Shipping Province", "text", False, "Shipping province/state code."),
        _c("Shipping Zip", "text", False, "Shipping postal code."),
    ),
)

SHOPIFY_PRODUCTS = InputFile(
    key="products_export",
    pattern="products_export*.csv",
    description=(
        "Shopify's products export: one row per variant (plus image-only rows, which have "
        "no Variant SKU and are ignored). Optional: without it products come from order lines."
    ),
    columns=(
        _c("Handle", "text", True, "Product handle (URL slug)."),
        _c("Title", "text", False, "Product title; on the product's first row only."),
        _c("Vendor", "text", False, "Vendor."),
        _c("Type", "text", False, "Product type; used as the category."),
        _c("Tags", "text", False, "Product tags (comma separated)."),
        _c("Option1 Name", "text", False, "First option name, e.g. Size."),
        _c("Option1 Value", "text", False, "First option value, e.g. 30 ml."),
        _c("Variant SKU", "text", False, "Variant SKU; rows without one are image rows."),
        _c("Variant Grams", "number", False, "Shipping weight in grams."),
        _c("Variant Price", "number", False, "Variant price."),
        _c("Variant Compare At Price", "number", False, "Compare-at price."),
        _c("Status", "text", False, "active, draft, archived."),
    ),
)

SHOPIFY_INVENTORY = InputFile(
    key="inventory_export",
    pattern="inventory_export*.csv",
    description=(
        "Shopify's inventory export: one row per variant and location, as of the export "
        "time. Optional: the file's modification time is not used; the snapshot date is "
        "the 'Snapshot Date' column if present, else aura_as_of."
    ),
    columns=(
        _c("Handle", "text", True, "Product handle."),
        _c("Title", "text", False, "Product title."),
        _c("SKU", "text", True, "Variant SKU."),
        _c("Location", "text", False, "Inventory location."),
        _c("Available", "integer", False, "Units available to sell."),
        _c("On hand", "integer", False, "Units on hand (newer exports)."),
        _c("Incoming", "integer", False, "Units on incoming transfers / purchase orders."),
        _c("Committed", "integer", False, "Units committed to unfulfilled orders."),
        _c("Snapshot Date", "date", False, "Date the export was taken (added by Aura users)."),
    ),
)

# --------------------------------------------------------------------------------------
# Canonical contract: any platform or warehouse table maps onto these (CSV or Parquet)
# --------------------------------------------------------------------------------------

CANONICAL_ORDERS = InputFile(
    key="orders",
    pattern="orders*",
    required=True,
    single_valued=("currency",),
    description="One row per order.",
    columns=(
        _c("order_id", "text", True, "Unique order identifier."),
        _c("ordered_at", "timestamp", True, "When the order was placed."),
        _c("customer_id", "text", False,
           "Platform customer id. Customers are identified by customer_id, else email, else phone."),
        _c("email", "text", False, "Customer email."),
        _c("phone", "text", False, "Customer phone."),
        _c("currency", "text", False, "ISO currency code; one per store."),
        _c("financial_status", "text", False,
           "paid, pending, partially_refunded, refunded, voided (as in Shopify)."),
        _c("cancelled_at", "timestamp", False, "When the order was cancelled; empty if not."),
        _c("subtotal", "number", False,
           "Product sales after discounts, before shipping and taxes. Empty: computed from lines."),
        _c("discount_amount", "number", False, "Total discounts on the order."),
        _c("shipping", "number", False, "Shipping charged."),
        _c("taxes", "number", False, "Taxes charged."),
        _c("total", "number", False, "Amount charged."),
        _c("refunded_amount", "number", False, "Amount refunded so far."),
        _c("source_name", "text", False, "Sales channel."),
        _c("country", "text", False, "Shipping (else billing) country code."),
        _c("region", "text", False, "Shipping (else billing) province/state code."),
    ),
)

CANONICAL_ORDER_LINES = InputFile(
    key="order_lines",
    pattern="order_lines*",
    required=True,
    description="One row per order line.",
    columns=(
        _c("order_id", "text", True, "The order this line belongs to."),
        _c("line_number", "integer", False, "Position within the order (1-based)."),
        _c("sku", "text", False, "SKU; lines without one are keyed by product_title."),
        _c("product_title", "text", True, "Product title (with variant)."),
        _c("quantity", "integer", True, "Units; lines with quantity <= 0 are flagged, not sold."),
        _c("unit_price", "number", True, "Unit price before discounts."),
        _c("line_discount", "number", False, "Discount allocated to this line."),
        _c("line_type", "text", False,
           "product (default), shipping, fee, discount or adjustment; only product lines are sales.",
           ("product", "shipping", "fee", "discount", "adjustment")),
        _c("vendor", "text", False, "Vendor."),
    ),
)

CANONICAL_PRODUCTS = InputFile(
    key="products",
    pattern="products*",
    description="One row per SKU.",
    columns=(
        _c("sku", "text", True, "SKU."),
        _c("product_title", "text", True, "Product title."),
        _c("variant_title", "text", False, "Variant, e.g. 30 ml."),
        _c("category", "text", False, "Category (product type)."),
        _c("vendor", "text", False, "Vendor."),
        _c("price", "number", False, "Current price."),
        _c("tags", "text", False, "Comma-separated tags."),
        _c("status", "text", False, "active, draft, archived."),
    ),
)

CANONICAL_INVENTORY = InputFile(
    key="inventory_snapshots",
    pattern="inventory_snapshots*",
    description="One row per (snapshot_date, sku, location).",
    columns=(
        _c("snapshot_date", "date", True, "Date of the snapshot."),
        _c("sku", "text", True, "SKU."),
        _c("location", "text", False, "Location; empty means the only one."),
        _c("available", "integer", True, "Units available to sell."),
        _c("incoming", "integer", False, "Units on the way."),
        _c("reorder_point", "integer", False, "Reorder point, if the brand keeps one."),
    ),
)

MARKETING_SPEND = InputFile(
    key="marketing_spend",
    pattern="marketing_spend*",
    description="One row per (date, channel).",
    columns=(
        _c("date", "date", True, "Day of spend."),
        _c("channel", "text", True, "Channel, e.g. meta, google_search, tiktok, email."),
        _c("spend", "number", True, "Spend in the store's currency."),
        _c("impressions", "integer", False, "Impressions."),
        _c("clicks", "integer", False, "Clicks."),
    ),
)

WEATHER = InputFile(
    key="weather",
    pattern="weather*",
    description="One row per (date, geo).",
    columns=(
        _c("date", "date", True, "Day."),
        _c("geo", "text", True, "Region code the measures belong to (e.g. US-NY)."),
        _c("temperature_c", "number", False, "Mean temperature, Celsius."),
        _c("precipitation_mm", "number", False, "Precipitation, mm."),
        _c("uv_index", "number", False, "Maximum UV index."),
        _c("humidity_pct", "number", False, "Mean relative humidity, percent."),
    ),
)

ACTION_LOG = InputFile(
    key="action_log",
    pattern="action_log*",
    description="One row per launched action (the app appends to it).",
    columns=(
        _c("action_id", "text", True, "Stable id of the recommended action (as_of + play + variant)."),
        _c("play_id", "text", True, "Play, e.g. winback_21_45."),
        _c("variant_id", "text", False, "Variant launched."),
        _c("channel", "text", False, "Channel used."),
        _c("launched_at", "timestamp", True, "When the action was launched."),
        _c("holdout_fraction", "number", False, "Share of the audience held out (0-1)."),
        _c("launched_by", "text", False, "Who marked it launched."),
        _c("note", "text", False, "Free text."),
        # Frozen at launch (a past month's plan is not rebuilt): the plan row's prediction.
        # Optional and last, so older logs and the app's header order stay valid.
        _c("predicted_net_sales_p10", "number", False,
           "The plan's expected incremental net sales of the action at launch, p10 "
           "(mart_action_plan.expected_monthly_net_sales_p10: the whole audience, over the "
           "plan's month of four weeks). Empty: no prediction recorded."),
        _c("predicted_net_sales_p50", "number", False,
           "As predicted_net_sales_p10, at p50 (expected_monthly_net_sales_p50)."),
        _c("predicted_net_sales_p90", "number", False,
           "As predicted_net_sales_p10, at p90 (expected_monthly_net_sales_p90)."),
        _c("audience_size", "integer", False,
           "Customers in the audience the prediction is for, at launch (the plan row's "
           "effective_audience_size)."),
    ),
)

ACTION_AUDIENCE = InputFile(
    key="action_audience",
    pattern="action_audience*",
    description=(
        "The audience of a launched action frozen when it was marked as launched: one row per "
        "customer the action was for, sent it or held out. The app writes one file per action "
        "(`action_audience__<action_id>.csv`) beside the action log; the build measures the "
        "action on exactly these customers. An action without one is measured on its audience "
        "rebuilt as of its launch date. Other columns (the send list's) are ignored."
    ),
    columns=(
        _c("action_id", "text", True, "The launched action (action_log.action_id)."),
        _c("customer_key", "text", True,
           "Aura's customer key ('email:<address>' or 'phone:<digits>', "
           "mart_audience_members.customer_key)."),
        _c("is_holdout", "boolean", True,
           "True when the customer was held out (not sent the action), by the deterministic "
           "hash of action id and customer against the holdout fraction."),
        _c("email", "text", False, "The customer's email address, as in the send list."),
        _c("phone", "text", False, "The customer's phone number, as in the send list."),
    ),
)

CUSTOMER_MERGES = InputFile(
    key="customer_merges",
    pattern="customer_merges*",
    description=(
        "One row per customer merge (e.g. Shopify's 'Merge customers', a CRM dedupe): the "
        "merged identity resolves to the survivor. Chains resolve to the end; a cycle is an error."
    ),
    columns=(
        _c("id_type", "text", True, "customer_id, email or phone: what the two ids are.",
           ("customer_id", "email", "phone")),
        _c("merged_id", "text", True, "The identity that was merged away."),
        _c("survivor_id", "text", True, "The identity it was merged into."),
        _c("merged_at", "timestamp", False, "When the merge happened."),
    ),
)

SHOPIFY_FILES = (SHOPIFY_ORDERS, SHOPIFY_PRODUCTS, SHOPIFY_INVENTORY)
CANONICAL_FILES = (
    CANONICAL_ORDERS, CANONICAL_ORDER_LINES, CANONICAL_PRODUCTS, CANONICAL_INVENTORY,
)
# Read in either format: these have no Shopify export of their own.
SHARED_FILES = (MARKETING_SPEND, WEATHER, ACTION_LOG, ACTION_AUDIENCE, CUSTOMER_MERGES)

ALL_FILES = {f.key: f for f in SHOPIFY_FILES + CANONICAL_FILES + SHARED_FILES}


def markdown_tables(files: tuple[InputFile, ...]) -> str:
    """The README's contract tables for `files`."""
    out: list[str] = []
    for f in files:
        req = "required" if f.required else "optional"
        out.append(f"#### `{f.pattern}` ({req})\n\n{f.description}\n")
        out.append("| column | type | required | meaning |\n| --- | --- | --- | --- |")
        for c in f.columns:
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else 'no'} | {c.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print("### Shopify exports\n")
    print(markdown_tables(SHOPIFY_FILES))
    print("### Canonical contract\n")
    print(markdown_tables(CANONICAL_FILES))
    print("### Optional inputs in either format\n")
    print(markdown_tables(SHARED_FILES))
