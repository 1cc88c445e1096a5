"""Audiences (mart_audience_members, mart_audiences) and their CSV export, checked by hand
on a small Shopify store (tests/fixtures/audiences_beauty) and on two generated stores:
supplements (the supplement windows) and low_inventory (bestsellers short of stock).

The hand-made store is built with aura_as_of = 2026-06-30 (a later order of f2s14, on
2026-07-05, must be ignored), aura_vertical = beauty (winback 21-45 days, dormant 60-120,
subscription 3+ orders) and aura_bestseller_amplify_top_n = 2. "d" = days before the
as-of date; customers are named by their email's local part (phonewin has only a phone).
Products: RGS = Rose Glow Serum 30 ml / 50 ml / Travel 10 ml (sample); CC = Cloud Cream
50 ml / Mini 15 ml (sample); EB = Eye Balm Sample 5 ml (no full size); VIT = Daily
Vitamins 60 capsules / (Subscribe & Save); GSS = Gua Sha Stone; LT = Lip Tint - Rose.

  winback (last order d 21..45): win21 (d90, d21), win45 (d45), sub90 (d30), samp21,
    samp22, eb30 (d45), rep and rep_even (d35), phonewin (d40). Not: win46 (its d30 order is
    cancelled), recent20, f2s14 (d14), sampbefore (d15), eb52 (d52).
  dormant (2+ orders, last d 60..120): dorm60, dorm120. Not: dorm121, single60 (one order),
    eb2x (one order, d118).
  bestseller_amplify: top 2 by units in the primary window (L56: 2026-05-06..06-30) are
    RGS-30ML (16 units, 10 of them bulk's) and CC-50ML (9); the next is VIT-60C (5). Their
    buyers without an order in the last 14 days: sampbefore (d15), eb30, eb52, eb53, win45,
    disc (last d50), eb2x. Not: bulk (d5), submix, sampconv, eb_rebuy (d10). No inventory
    file: not blocked, and the note says stock could not be checked.
  discount_hygiene (3+ orders, >= 80% with a discount >= 5%): disc (4 of 5 at 10%), disc3
    (3 of 3). Not: disc_no (3 of 5 at 10% plus one at 2%: 60%), disc2 (2 orders).
  subscription_nudge (3+ orders of one product family in the 90 days d 0..89, never on
    subscription): subyes (VIT d80/50/20), submix (RGS 30 ml d70, 50 ml d40, 30 ml d10: one
    family; shown with the SKU bought last, RGS-30ML). Not: subsub (VIT-60C-SUB at d20),
    sub90 (d90 is outside the 90 days).
  sample_to_full (sample d 14..21, no full size of the family since): samp14 (RGS travel),
    samp21 (CC mini), sampbefore (RGS 30 ml at d200, travel at d15). Not: samp22 (d22),
    sampconv (travel d18, then 30 ml d10), sampnofull (Eye Balm has no full size).
  empty_bottle (last full-size ml purchase within 7 days of quantity x 45/60/90 days):
    eb30 (30 ml, d45: 0 off), eb52 (d52: 7 off), eb2x (2 x 50 ml at d118: 120 days, runs
    out 2026-07-02). Not: eb53 (8 off), eb_rebuy (50 ml at d10 replaced the 30 ml of d45),
    win45 (50 ml at d45: 15 off), bulk.
  first_to_second_purchase (one order, d 14..45): win45, f2s14, samp14, samp21, samp22,
    sampnofull (d16), eb30. Not: win46 (d46), f2s13, single60.
  replenishment_due (SKU bought on 2+ days; days since last in 0.9..1.2 x own median gap):
    sub90 (VIT gaps 30, 30; 30 days since), rep (LT gaps 20, 40, 35 -> median 35; 35 since).
    Not: rep_even (gaps 20, 20, 40, 35 -> median 27.5; 35/27.5 = 1.27), dorm120 (median
    90, 120 since = 1.33), subyes (0.67).
Consent: win21's latest order and eb30 declined; phonewin has no email.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
import pytest

from aura.audiences import export_audiences, main
from aura.demo import generate

from conftest import FIXTURES, dbt_build

Query = Callable[[str], list[tuple]]
AS_OF = date(2026, 6, 30)
PLAYS = {
    "winback_21_45", "dormant_multibuyers", "bestseller_amplify", "discount_hygiene",
    "subscription_nudge", "sample_to_full", "empty_bottle", "first_to_second_purchase",
    "replenishment_due",
}
EXPECTED = {
    "winback_21_45": {"win21", "win45", "sub90", "samp21", "samp22", "eb30", "rep", "rep_even",
                      "phone:2125550199"},
    "dormant_multibuyers": {"dorm60", "dorm120"},
    "bestseller_amplify": {"sampbefore", "eb30", "eb52", "eb53", "win45", "disc", "eb2x"},
    "discount_hygiene": {"disc", "disc3"},
    "subscription_nudge": {"subyes", "submix"},
    "sample_to_full": {"samp14", "samp21", "sampbefore"},
    "empty_bottle": {"eb30", "eb52", "eb2x"},
    "first_to_second_purchase": {"win45", "f2s14", "samp14", "samp21", "samp22", "sampnofull", "eb30"},
    "replenishment_due": {"sub90", "rep"},
}
DECLINED = {"win21", "eb30"}


def _name(customer_key: str) -> str:
    if customer_key.startswith("email:"):
        return customer_key[len("email:"):].split("@")[0]
    return customer_key


def _query_function(db: Path) -> Query:
    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()

    query.db = db  # type: ignore[attr-defined]
    return query


# What these tests read, and what it is built from (the data tests run in the scenario builds).
AUDIENCE_MARTS = "+mart_audience_members +mart_audiences +mart_inventory_health +mart_store_profile"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The three stores, built once, two builds at a time."""
    work = tmp_path_factory.mktemp("audiences")
    low_truth = generate("low_inventory", work / "low_inventory", orders=3000).to_dict()
    generate("supplements", work / "supplements", orders=3000)
    builds: dict[str, tuple[Path, Path, dict[str, object]]] = {
        "hand": (work / "hand.duckdb", FIXTURES / "audiences_beauty",
                 {"aura_as_of": AS_OF.isoformat(), "aura_vertical": "beauty",
                  "aura_bestseller_amplify_top_n": 2}),
        "supplements": (work / "supplements.duckdb", work / "supplements", {}),
        "low_inventory": (work / "low_inventory.duckdb", work / "low_inventory", {}),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(dbt_build, db, data, extra_vars=extra, select=AUDIENCE_MARTS)
                   for name, (db, data, extra) in builds.items()}
        done = {name: future.result() for name, future in futures.items()}
    for name, proc in done.items():
        if proc.returncode != 0:
            pytest.fail(f"dbt build of {name} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return {**{name: _query_function(db) for name, (db, *_rest) in builds.items()},
            "low_inventory_truth": low_truth, "work": work}


# --- the hand-made store ---------------------------------------------------------------

def test_members_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    rows = stores["hand"](
        "select play_id, customer_key, cast(as_of_date as varchar) from mart_audience_members")
    got: dict[str, set[str]] = {play: set() for play in PLAYS}
    for play, key, as_of in rows:
        assert as_of == AS_OF.isoformat()
        got[play].add(_name(key))
    assert got == EXPECTED


def test_member_details_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    rows = stores["hand"](
        "select play_id, customer_key, email, phone, accepts_marketing, orders, sku, "
        "cast(product_purchase_date as varchar), days_since_purchase, product_orders, "
        "expected_cycle_days, cast(expected_depletion_date as varchar), discounted_orders, reason "
        "from mart_audience_members"
    )
    by = {(r[0], _name(r[1])): r[2:] for r in rows}
    # 2 x 50 ml on d118 lasts 120 days
    assert by[("empty_bottle", "eb2x")][4:10] == ("CC-50ML", "2026-03-04", 118, None, 120.0, "2026-07-02")
    assert by[("empty_bottle", "eb52")][4] == "RGS-30ML"
    # own median gap
    assert by[("replenishment_due", "rep")][4:10] == ("LT-ROSE", "2026-05-26", 35, 4, 35.0, "2026-06-30")
    assert by[("replenishment_due", "sub90")][8] == 30.0
    # one product family in 3 orders, shown with the SKU bought last
    assert by[("subscription_nudge", "submix")][4:8] == ("RGS-30ML", "2026-06-20", 10, 3)
    assert by[("sample_to_full", "sampbefore")][4:7] == ("RGS-10ML", "2026-06-15", 15)
    assert by[("bestseller_amplify", "disc")][4] == "CC-50ML"
    # the order after the as-of date is ignored
    assert by[("first_to_second_purchase", "f2s14")][3] == 1
    assert by[("discount_hygiene", "disc")][3] == 5 and by[("discount_hygiene", "disc")][10] == 4
    # contact details: the phone-only customer, declined consent on the latest order
    assert by[("winback_21_45", "phone:2125550199")][:3] == (None, "2125550199", True)
    assert by[("winback_21_45", "win21")][:3] == ("win21@example.com", None, False)
    # plays that are not about a product leave the product columns empty
    assert by[("winback_21_45", "win45")][4:10] == (None,) * 6
    assert all(r[13] for r in rows)


def test_audience_summary_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    rows = stores["hand"](
        "select play_id, audience_size, members_with_email, members_with_marketing_consent, "
        "members_reachable_by_email, definition, blocked_reason, note, empty_reason from mart_audiences"
    )
    got = {r[0]: r[1:] for r in rows}
    assert set(got) == PLAYS
    for play, (size, with_email, consent, reachable, definition, blocked, _note, empty) in got.items():
        members = EXPECTED[play]
        assert size == len(members), play
        assert with_email == len(members - {"phone:2125550199"}), play
        assert consent == len(members - DECLINED), play
        assert reachable == len(members - DECLINED - {"phone:2125550199"}), play
        assert blocked is None and empty is None
        assert "2026-06-30" in definition or play in {"discount_hygiene", "replenishment_due"}
    assert "21-45 days" in got["winback_21_45"][4] and "beauty" in got["winback_21_45"][4]
    assert "60-120 days" in got["dormant_multibuyers"][4]
    assert "(RGS-30ML, CC-50ML)" in got["bestseller_amplify"][4]
    assert "could not be checked" in got["bestseller_amplify"][6]


# --- generated stores ------------------------------------------------------------------

def test_supplements_use_supplement_windows(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["supplements"]
    assert query("select vertical, winback_min_days, winback_max_days from mart_store_profile") == [
        ("supplements", 35, 50)]
    (definition,) = query("select definition from mart_audiences where play_id = 'winback_21_45'")[0]
    assert "35-50 days" in definition and "supplements" in definition
    members = {k for (k,) in query(
        "select customer_key from mart_audience_members where play_id = 'winback_21_45'")}
    # independently from the orders: last counted order 35-50 days before the as-of date
    expected = {k for (k,) in query(
        "with last as (select customer_key, max(order_date) as last_date from fct_orders "
        "where is_counted_order and customer_key is not null group by customer_key) "
        "select customer_key from last, mart_store_profile as p "
        "where p.as_of_date - last_date between 35 and 50")}
    assert members == expected and len(members) > 20
    ((low, high),) = query("select min(days_since_last_order), max(days_since_last_order) "
                           "from mart_audience_members where play_id = 'dormant_multibuyers'")
    assert 45 <= low <= high <= 90
    # subscription_nudge never targets a subscriber
    assert query(
        "select count(*) from mart_audience_members as m join fct_order_lines as l "
        "on l.customer_key = m.customer_key and l.is_counted_order "
        "join fct_orders as o on o.order_id = l.order_id "
        "where m.play_id = 'subscription_nudge' and (o.source_name = 'subscription_contract' "
        "or lower(l.product_title) like '%subscri%')") == [(0,)]
    assert query("select count(*) from mart_audience_members where play_id = 'subscription_nudge'")[0][0] > 0
    # capsules and powders have no size in ml: no empty_bottle audience, and it says why
    ((size, reason),) = query(
        "select audience_size, empty_reason from mart_audiences where play_id = 'empty_bottle'")
    assert size == 0 and "size in ml" in reason


def test_low_inventory_blocks_bestseller_amplify(stores) -> None:  # type: ignore[no-untyped-def]
    query = stores["low_inventory"]
    rows = query("select play_id, blocked_reason, blocked_detail, note, audience_size from mart_audiences")
    got = {r[0]: r[1:] for r in rows}
    blocked, detail, note, size = got["bestseller_amplify"]
    assert blocked == "inventory_short" and note is None and size > 0
    (definition,) = query("select definition from mart_audiences where play_id = 'bestseller_amplify'")[0]
    top = definition.split(" (", 1)[1].split(")", 1)[0].split(", ")
    assert len(top) == 5
    low = {sku for (sku, is_low) in query("select sku, is_low_cover from mart_inventory_health")
           if is_low and sku in top}
    planted = set(stores["low_inventory_truth"]["effects"]["low_inventory"]["skus"])
    assert low and low <= planted
    assert all(sku in detail for sku in low)
    assert all(values[0] is None for play, values in got.items() if play != "bestseller_amplify")


# --- CSV export ------------------------------------------------------------------------

def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_one_csv_per_play(stores, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = stores["hand"].db
    paths = export_audiences(db, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{play}_2026-06-30.csv" for play in PLAYS)
    for path in paths:
        play = path.name[: -len("_2026-06-30.csv")]
        rows = _read(path)
        expected = {m for m in EXPECTED[play] if not m.startswith("phone:")} - DECLINED
        assert {r["email"].split("@")[0] for r in rows} == expected, play
        assert all(r["marketing_consent"] == "yes" for r in rows)
        assert list(rows[0])[:6] == ["email", "phone", "first_order_date", "last_order_date", "orders",
                                     "marketing_consent"]
    bottle = {r["email"]: r for r in _read(tmp_path / "empty_bottle_2026-06-30.csv")}
    assert bottle["eb2x@example.com"]["expected_depletion_date"] == "2026-07-02"
    assert bottle["eb2x@example.com"]["product"] == "Cloud Cream - 50 ml"
    readme = (tmp_path / "README.txt").read_text()
    assert "winback_21_45_2026-06-30.csv: 6 of 9 audience members (1 without an email address, " \
           "2 declined email marketing)" in readme
    assert "could not be checked" in readme


def test_export_keeps_unknown_consent_and_checks_arguments(stores, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    unknown = tmp_path / "unknown_consent.duckdb"
    with duckdb.connect(str(unknown)) as con:
        con.execute(f"attach '{stores['hand'].db}' as hand (read_only)")
        con.execute("create table mart_audiences as select * from hand.mart_audiences")
        con.execute("create table mart_audience_members as select * replace "
                    "(cast(null as boolean) as accepts_marketing) from hand.mart_audience_members")
    out = tmp_path / "out"
    (path,) = export_audiences(unknown, out, as_of="2026-06-30", plays=["winback_21_45"])
    rows = _read(path)
    assert {r["email"].split("@")[0] for r in rows} == EXPECTED["winback_21_45"] - {"phone:2125550199"}
    assert {r["marketing_consent"] for r in rows} == {"unknown"}
    with pytest.raises(ValueError, match="unknown play"):
        export_audiences(unknown, out, plays=["no_such_play"])
    with pytest.raises(ValueError, match="not 2026-05-31"):
        export_audiences(unknown, out, as_of="2026-05-31")
    # the command line
    assert main(["--db", str(stores["hand"].db), "--out", str(tmp_path / "cli"),
                 "--play", "dormant_multibuyers"]) == 0
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == [
        "README.txt", "dormant_multibuyers_2026-06-30.csv"]
    assert len(_read(tmp_path / "cli" / "dormant_multibuyers_2026-06-30.csv")) == 2
    assert main(["--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "x")]) == 1
