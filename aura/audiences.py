"""Export the audiences of a published build as CSV files a marketer's email/SMS tool takes.

    python -m aura.audiences --db published/<brand>/aura.duckdb --out DIR [--play ID ...]

One CSV per play, `<play_id>_<as_of>.csv`, with a header row and no comment lines (import
tools choke on them), plus `README.txt` beside them saying who was left out and what each
column means. Members without an email, and members who declined email marketing on their
latest order that states it, are left out; members whose consent is unknown (the input had
no consent column) are kept and marked `unknown`. The database is opened read-only
(DESIGN: the published file is never written by readers).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

# Every file starts with these columns, then the play's own (mart column names, except
# `product`, the product's title and variant in one text), then `reason`.
COMMON_COLUMNS = ["email", "phone", "first_order_date", "last_order_date", "orders", "marketing_consent"]
PLAY_COLUMNS: dict[str, list[str]] = {
    "winback_21_45": ["days_since_last_order", "net_sales"],
    "dormant_multibuyers": ["days_since_last_order", "net_sales"],
    "bestseller_amplify": ["sku", "product", "product_purchase_date", "days_since_last_order"],
    "discount_hygiene": ["discounted_orders", "discounted_order_share", "net_sales"],
    "subscription_nudge": ["sku", "product", "product_orders", "product_purchase_date"],
    "sample_to_full": ["sku", "product", "product_purchase_date", "days_since_purchase"],
    "empty_bottle": ["sku", "product", "product_purchase_date", "expected_depletion_date"],
    "first_to_second_purchase": ["days_since_last_order", "net_sales"],
    "replenishment_due": [
        "sku", "product", "product_purchase_date", "expected_cycle_days", "expected_depletion_date",
    ],
}
# columns of plays not listed above (a play added to the seed later)
DEFAULT_PLAY_COLUMNS = ["days_since_last_order", "net_sales", "sku", "product", "product_purchase_date"]

COLUMN_HELP = {
    "email": "the customer's email address",
    "phone": "a phone number known for the customer, digits only (US/Canada without the leading 1); "
             "empty when none. SMS consent is not known: text only customers your SMS tool has "
             "consent for",
    "first_order_date": "date of the customer's first order (shop-local, YYYY-MM-DD)",
    "last_order_date": "date of the customer's latest order up to the as-of date",
    "orders": "the customer's orders up to the as-of date (voided and cancelled orders not counted)",
    "marketing_consent": "'yes' when the customer accepted email marketing on their latest order "
                         "that says; 'unknown' when the store's data does not say",
    "days_since_last_order": "days from the last order to the as-of date",
    "net_sales": "what the customer has spent, after discounts and refunds, without shipping and taxes",
    "sku": "the product's SKU",
    "product": "the product's name and size",
    "product_purchase_date": "when the customer bought that product (last purchase; for samples, the "
                             "sample purchase)",
    "days_since_purchase": "days from that purchase to the as-of date",
    "product_orders": "orders with that product (any size) in the lookback window",
    "expected_cycle_days": "the customer's usual number of days between purchases of the product",
    "expected_depletion_date": "when the product should run out (empty bottle) or be due again "
                               "(replenishment)",
    "discounted_orders": "orders whose discount was at least the discount-hygiene threshold "
                         "(5% of the items' price by default)",
    "discounted_order_share": "discounted_orders / orders",
    "reason": "why the customer is in the audience, in one sentence",
}

_MEMBER_COLUMNS = [
    "play_id", "customer_key", "email", "phone", "accepts_marketing", "first_order_date",
    "last_order_date", "days_since_last_order", "orders", "net_sales", "discounted_orders",
    "discounted_order_share", "sku", "product_title", "variant_title", "product_purchase_date",
    "days_since_purchase", "product_orders", "expected_cycle_days", "expected_depletion_date",
    "reason",
]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _product(title: str | None, variant: str | None) -> str | None:
    if title is None or not variant or title.lower().endswith(" - " + variant.lower()):
        return title
    return f"{title} - {variant}"


def _connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not Path(db_path).is_file():
        raise FileNotFoundError(f"no DuckDB file at {db_path} (build and publish a brand first)")
    con = duckdb.connect(str(db_path), read_only=True)
    tables = {row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
    missing = {"mart_audiences", "mart_audience_members"} - tables
    if missing:
        con.close()
        raise ValueError(f"{db_path} has no {', '.join(sorted(missing))}: it was built before "
                         "audiences existed; rebuild it")
    return con


def send_list_columns(play_id: str) -> list[str]:
    """The columns of a play's CSV, in order."""
    return COMMON_COLUMNS + PLAY_COLUMNS.get(play_id, DEFAULT_PLAY_COLUMNS) + ["reason"]


def send_list_row(record: dict[str, object], columns: list[str]) -> list[str]:
    """One member (a mart_audience_members row as a dict) as the CSV's text cells."""
    record = {
        **record,
        "marketing_consent": "yes" if record.get("accepts_marketing") else "unknown",
        "product": _product(record.get("product_title"), record.get("variant_title")),  # type: ignore[arg-type]
    }
    return [_text(record.get(c)) for c in columns]


def _audience_records(
    db_path: Path, as_of: date | str | None, plays: Iterable[str] | None,
) -> tuple[list[tuple], date, list[str], dict[str, list[dict[str, object]]]]:
    """(mart_audiences rows, the as-of date, the chosen plays, each play's members as dicts
    of mart_audience_members columns, every member, none left out)."""
    with _connect(db_path) as con:
        audiences = con.execute(
            "select play_id, as_of_date, audience_size, definition, blocked_reason, blocked_detail, "
            "note, empty_reason from mart_audiences order by play_id").fetchall()
        built_dates = sorted({row[1] for row in audiences})
        if not built_dates:
            raise ValueError(f"{db_path}: mart_audiences is empty")
        wanted_date = date.fromisoformat(as_of) if isinstance(as_of, str) else (as_of or built_dates[-1])
        if wanted_date not in built_dates:
            raise ValueError(f"{db_path} holds audiences as of {', '.join(map(str, built_dates))}, "
                             f"not {wanted_date}; rebuild with aura_as_of = {wanted_date}")
        known = [row[0] for row in audiences if row[1] == wanted_date]
        chosen = known if plays is None else list(dict.fromkeys(plays))
        unknown = [p for p in chosen if p not in known]
        if unknown:
            raise ValueError(f"unknown play(s) {', '.join(unknown)}; known: {', '.join(known)}")
        members = con.execute(
            f"select {', '.join(_MEMBER_COLUMNS)} from mart_audience_members where as_of_date = ? "
            "order by play_id, email nulls last, customer_key",
            [wanted_date],
        ).fetchall()
    by_play: dict[str, list[dict[str, object]]] = {p: [] for p in chosen}
    for row in members:
        record = dict(zip(_MEMBER_COLUMNS, row, strict=True))
        if record["play_id"] in by_play:
            by_play[str(record["play_id"])].append(record)
    return audiences, wanted_date, chosen, by_play


def play_members(db_path: Path | str, play_id: str) -> tuple[date, list[dict[str, object]]]:
    """(as-of date, every member of the play's audience in the build at `db_path`), each a
    dict of mart_audience_members columns; nobody left out."""
    _, as_of, _, by_play = _audience_records(Path(db_path), None, [play_id])
    return as_of, by_play[play_id]


def export_audiences(db_path: Path | str, out_dir: Path | str, as_of: date | str | None = None,
                     plays: Iterable[str] | None = None) -> list[Path]:
    """Write one CSV per play (`<play_id>_<as_of>.csv`) and README.txt into `out_dir`.

    `as_of` must be the date the database was built for (default: that date); `plays`
    limits the files to those play ids (default: every play). Returns the CSV paths in
    play order.
    """
    db_path, out_dir = Path(db_path), Path(out_dir)
    audiences, wanted_date, chosen, by_play = _audience_records(db_path, as_of, plays)

    out_dir.mkdir(parents=True, exist_ok=True)
    info = {row[0]: row for row in audiences if row[1] == wanted_date}
    written: list[Path] = []
    summaries: list[str] = []
    for play in chosen:
        columns = send_list_columns(play)
        no_email = declined = 0
        path = out_dir / f"{play}_{wanted_date.isoformat()}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for record in by_play[play]:
                if not record["email"]:
                    no_email += 1
                    continue
                if record["accepts_marketing"] is False:
                    declined += 1
                    continue
                writer.writerow(send_list_row(record, columns))
        written.append(path)
        kept = len(by_play[play]) - no_email - declined
        _, _, size, definition, blocked, blocked_detail, note, empty_reason = info[play]
        lines = [
            f"{path.name}: {kept} of {size} audience members "
            f"({no_email} without an email address, {declined} declined email marketing).",
            f"  Who: {definition}",
        ]
        if blocked:
            lines.append(f"  DO NOT SEND THIS MONTH ({blocked}): {blocked_detail}")
        if note:
            lines.append(f"  Note: {note}")
        if empty_reason:
            lines.append(f"  Empty because: {empty_reason}")
        lines.append(f"  Columns: {', '.join(columns)}")
        summaries.append("\n".join(lines))

    used = list(dict.fromkeys(c for play in chosen
                              for c in COMMON_COLUMNS + PLAY_COLUMNS.get(play, DEFAULT_PLAY_COLUMNS)
                              + ["reason"]))
    readme = [
        "Aura audience export",
        "",
        f"Database: {db_path}",
        f"As-of date: {wanted_date.isoformat()} (every audience window ends on this date)",
        "",
        "Each CSV is one audience, ready to import into an email or SMS tool: one customer per",
        "row, first row = column names, UTF-8, comma-separated, dates as YYYY-MM-DD.",
        "",
        "Who is left out: customers without an email address, and customers who declined email",
        "marketing on their latest order that says. Customers whose consent is unknown (the",
        "store's data has no consent column) are kept and marked 'unknown' in marketing_consent:",
        "check consent in your email tool before sending. SMS consent is not known at all: only",
        "text customers your SMS tool already has consent for.",
        "",
        "To measure the result, mark the action as launched in the app (Past actions) before",
        "sending: it holds a share of the list out by a fixed rule and gives you the send list",
        "without them, and the next build compares who got it with who did not.",
        "",
        "Files:",
        "",
        *[s + "\n" for s in summaries],
        "Columns:",
        *[f"  {c}: {COLUMN_HELP.get(c, c)}" for c in used],
        "",
    ]
    (out_dir / "README.txt").write_text("\n".join(readme), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aura.audiences",
        description="Write each play's audience as a CSV for email/SMS tools (plus README.txt).")
    parser.add_argument("--db", required=True, type=Path,
                        help="the published DuckDB file, e.g. published/<brand>/aura.duckdb")
    parser.add_argument("--out", required=True, type=Path, help="folder to write the CSV files into")
    parser.add_argument("--as-of", default=None,
                        help="the as-of date the database was built for (default: that date)")
    parser.add_argument("--play", action="append", dest="plays", default=None,
                        help="only this play (repeatable); default: every play")
    args = parser.parse_args(argv)
    try:
        paths = export_audiences(args.db, args.out, args.as_of, args.plays)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        print(f"{path}  {rows} rows")
    print(f"{args.out / 'README.txt'}  who was left out and what the columns mean")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
