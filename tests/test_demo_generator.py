"""Tests of the demo store generator (aura.demo) and the holdout rule (aura.tracking)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from aura.demo import SCENARIOS, generate
from aura.demo.__main__ import main
from aura.inputs.contract import (
    ACTION_LOG,
    MARKETING_SPEND,
    SHOPIFY_INVENTORY,
    SHOPIFY_ORDER_LEVEL,
    SHOPIFY_ORDERS,
    SHOPIFY_PRODUCTS,
    WEATHER,
)
from aura.tracking.holdout import holdout_mask, in_holdout

NY = ZoneInfo("America/New_York")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
TS = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_orders(out: Path) -> pd.DataFrame:
    files = sorted(out.glob("orders_export_*.csv"), key=lambda p: int(p.stem.split("_")[-1]))
    return pd.concat([read_csv(f) for f in files], ignore_index=True)


def cents(values: pd.Series) -> np.ndarray:
    v = values.replace("", "0")
    assert v.str.match(MONEY).all(), v[~v.str.match(MONEY)].head()
    return np.rint(v.astype(float).to_numpy() * 100).astype(np.int64)


def first_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["Name"] != df["Name"].shift()].reset_index(drop=True)


def gen(tmp_path_factory: pytest.TempPathFactory, scenario: str, **kw: object) -> Path:
    out = tmp_path_factory.mktemp(scenario)
    generate(scenario, out, **kw)
    return out


@pytest.fixture(scope="module")
def beauty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gen(tmp_path_factory, "healthy_beauty", orders=3000)


@pytest.fixture(scope="module")
def winback(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gen(tmp_path_factory, "winback_activation", orders=20_000)


def file_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    generate("small_store", tmp_path / "a", seed=7)
    generate("small_store", tmp_path / "b", seed=7)
    generate("small_store", tmp_path / "c", seed=8)
    a, b, c = (file_bytes(tmp_path / x) for x in "abc")
    assert a == b
    assert a["orders_export_1.csv"] != c["orders_export_1.csv"]
    assert a["marketing_spend.csv"] != c["marketing_spend.csv"]


def test_headers_match_the_contract(beauty: Path) -> None:
    expected = {
        "orders_export_1.csv": SHOPIFY_ORDERS, "products_export.csv": SHOPIFY_PRODUCTS,
        "inventory_export.csv": SHOPIFY_INVENTORY, "marketing_spend.csv": MARKETING_SPEND,
        "weather.csv": WEATHER, "action_log.csv": ACTION_LOG,
    }
    for name, spec in expected.items():
        header = (beauty / name).read_text().splitlines()[0]
        assert header == ",".join(c.name for c in spec.columns), name


def test_exact_order_count_and_names(beauty: Path) -> None:
    first = first_rows(read_orders(beauty))
    assert len(first) == 3000
    assert list(first["Name"]) == [f"#{i}" for i in range(1001, 4001)]
    assert first["Id"].str.fullmatch(r"\d{13}").all()
    assert (first["Id"].astype(np.int64).diff().dropna() > 0).all()


def test_order_level_fields_only_on_first_rows(beauty: Path) -> None:
    df = read_orders(beauty)
    later = df["Name"] == df["Name"].shift()
    assert later.any()
    for col in SHOPIFY_ORDER_LEVEL:
        assert (df.loc[later, col] == "").all(), col
    first = df[~later]
    for col in ("Created at", "Currency", "Financial Status", "Subtotal", "Total", "Id"):
        assert (first[col] != "").all(), col
    for col in ("Name", "Lineitem name", "Lineitem quantity", "Lineitem price", "Vendor"):
        assert (df[col] != "").all(), col
    assert set(first["Currency"]) == {"USD"}
    assert set(first["Accepts Marketing"]) <= {"yes", "no"}
    # an order's rows are contiguous
    assert df["Name"].ne(df["Name"].shift()).sum() == df["Name"].nunique()


def test_money_adds_up_to_the_cent(beauty: Path) -> None:
    df = read_orders(beauty)
    qty = df["Lineitem quantity"].astype(int)
    assert (qty >= 1).all()
    line_gross = cents(df["Lineitem price"]) * qty.to_numpy()
    by_order = pd.DataFrame({"Name": df["Name"], "gross": line_gross,
                             "ldisc": cents(df["Lineitem discount"])}).groupby("Name", sort=False)
    first = first_rows(df).set_index("Name")
    gross = by_order["gross"].sum().loc[first.index].to_numpy()
    ldisc = by_order["ldisc"].sum().loc[first.index].to_numpy()
    subtotal, discount = cents(first["Subtotal"]), cents(first["Discount Amount"])
    shipping, taxes, total = cents(first["Shipping"]), cents(first["Taxes"]), cents(first["Total"])
    refunded = cents(first["Refunded Amount"])
    assert (subtotal + discount == gross).all()
    assert (total == subtotal + shipping + taxes).all()
    assert (ldisc <= discount).all()
    assert ((discount > 0) == (first["Discount Code"] != "")).all()
    status = first["Financial Status"].to_numpy()
    partial = status == "partially_refunded"
    assert ((refunded[partial] > 0) & (refunded[partial] < subtotal[partial])).all()
    assert (refunded[(status == "paid") | (status == "voided") | (status == "pending")] == 0).all()
    rate = taxes[subtotal > 0] / subtotal[subtotal > 0]
    assert 0.05 < np.median(rate) < 0.1
    assert 0.15 < (discount > 0).mean() < 0.35
    assert 45 < subtotal.mean() / 100 < 75


def test_timestamps_carry_the_new_york_offset(beauty: Path) -> None:
    first = first_rows(read_orders(beauty))
    created = first["Created at"]
    assert created.str.match(TS).all()
    parsed = [datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z") for s in created]
    for dt in parsed:
        assert dt.utcoffset() == dt.astimezone(NY).utcoffset()
    assert {dt.utcoffset() for dt in parsed} == {timedelta(hours=-5), timedelta(hours=-4)}
    instants = [dt.timestamp() for dt in parsed]
    assert instants == sorted(instants)  # Name ascends with Created at
    for col in ("Paid at", "Cancelled at"):
        vals = first.loc[first[col] != "", col]
        assert vals.str.match(TS).all()
        for s in vals:
            dt = datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z")
            assert dt.utcoffset() == dt.astimezone(NY).utcoffset()
    cancelled = first["Cancelled at"] != ""
    assert set(first.loc[cancelled, "Financial Status"]) <= {"refunded", "voided"}
    assert (first.loc[first["Financial Status"] == "voided", "Cancelled at"] != "").all()


def test_split_files_respect_max_rows_and_never_split_orders(tmp_path: Path) -> None:
    generate("small_store", tmp_path / "one", seed=3)
    generate("small_store", tmp_path / "split", seed=3, max_rows_per_file=150)
    files = sorted((tmp_path / "split").glob("orders_export_*.csv"))
    assert len(files) > 3
    assert [f.name for f in files] == [f"orders_export_{i}.csv" for i in range(1, len(files) + 1)]
    parts = [read_csv(f) for f in files]
    assert all(0 < len(p) <= 150 for p in parts)
    names = [set(p["Name"]) for p in parts]
    assert sum(len(s) for s in names) == len(set().union(*names))
    for p in parts:
        assert p["Created at"].iloc[0] != ""  # every file starts with an order's first row
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True),
                                  read_csv(tmp_path / "one" / "orders_export_1.csv"))


def customer_keys(first: pd.DataFrame) -> pd.Series:
    email = first["Email"].str.strip().str.lower()
    phone = first["Phone"].where(first["Phone"] != "", first["Billing Phone"])
    digits = phone.str.replace(r"\D", "", regex=True).str[-10:]
    return email.where(email != "", ("tel:" + digits).where(digits != "", "anon:" + first["Name"]))


def test_ground_truth_matches_an_independent_recount(beauty: Path) -> None:
    gt = json.loads((beauty / "ground_truth.json").read_text())
    df = read_orders(beauty)
    first = first_rows(df)
    assert gt["counts"]["orders"] == len(first)
    assert gt["counts"]["order_lines"] == len(df)
    assert gt["counts"]["customers"] == customer_keys(first).nunique()
    valid = (first["Financial Status"] != "voided") & (first["Cancelled at"] == "")
    assert gt["counts"]["valid_orders"] == valid.sum()
    gross = (cents(df["Lineitem price"]) * df["Lineitem quantity"].astype(int).to_numpy())
    gross_by = pd.Series(gross).groupby(df["Name"].to_numpy()).sum()
    returns = np.minimum(cents(first["Refunded Amount"]), cents(first["Subtotal"]))[valid]
    net = cents(first["Subtotal"])[valid].sum() - returns.sum()
    assert gt["sales"]["net_sales"] == pytest.approx(net / 100, abs=0.001)
    assert gt["sales"]["gross_sales"] == pytest.approx(
        gross_by.loc[first.loc[valid, "Name"]].sum() / 100, abs=0.001)
    assert gt["sales"]["discounts"] == pytest.approx(
        cents(first["Discount Amount"])[valid].sum() / 100, abs=0.001)
    assert gt["sales"]["returns"] == pytest.approx(returns.sum() / 100, abs=0.001)
    assert gt["files"]["orders_export_1.csv"] == len(df)
    assert gt["start_date"] <= first["Created at"].iloc[0][:10]
    assert first["Created at"].iloc[-1][:10] <= gt["end_date"]


def test_identity_variants_are_exercised(beauty: Path) -> None:
    first = first_rows(read_orders(beauty))
    email = first["Email"]
    has_email = email != ""
    assert (email[has_email] != email[has_email].str.strip().str.lower()).any()
    phone_only = ~has_email & (first["Phone"] != "")
    assert 0.015 < phone_only.mean() < 0.05
    anon = ~has_email & (first["Phone"] == "") & (first["Billing Phone"] == "")
    assert anon.sum() >= 1
    digits = first.loc[phone_only, "Phone"].str.replace(r"\D", "", regex=True).str[-10:]
    forms = first.loc[phone_only, "Phone"].groupby(digits.to_numpy()).nunique()
    assert (forms > 1).any()  # the same phone written differently
    assert first["Shipping Zip"].str.startswith("0").any()  # leading zeros kept
    assert first.loc[first["Shipping Country"] == "US", "Shipping Zip"].str.fullmatch(
        r"\d{5}").all()


def test_status_and_sources_mix(beauty: Path) -> None:
    first = first_rows(read_orders(beauty))
    share = first["Financial Status"].value_counts(normalize=True)
    assert share["paid"] > 0.85
    assert 0.02 < share["partially_refunded"] < 0.07
    assert {"web", "pos"} <= set(first["Source"])
    assert (read_orders(beauty)["Lineitem price"] == "0.00").any()  # free-gift lines


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_scenario_generates(tmp_path: Path, scenario: str) -> None:
    gt = generate(scenario, tmp_path, orders=400)
    assert gt.counts["orders"] == 400
    assert first_rows(read_orders(tmp_path))["Name"].nunique() == 400
    data = json.loads((tmp_path / "ground_truth.json").read_text())
    assert data["scenario"] == scenario
    assert (data["effects"] == {}) == SCENARIOS[scenario].null


def test_cold_start_spans_at_most_45_days(tmp_path: Path) -> None:
    gt = generate("cold_start", tmp_path)
    first = first_rows(read_orders(tmp_path))
    days = pd.to_datetime(first["Created at"].str[:10])
    assert (days.max() - days.min()).days <= 44
    assert gt.counts["orders"] == SCENARIOS["cold_start"].orders


def test_null_scenario_has_no_effects_and_no_actions(tmp_path: Path) -> None:
    gt = generate("null", tmp_path, orders=2000)
    assert gt.null and gt.effects == {}
    assert len(read_csv(tmp_path / "action_log.csv")) == 0
    first = first_rows(read_orders(tmp_path))
    assert not first["Discount Code"].isin(["BFCM25", "SPRING15", "SUMMER20"]).any()


def test_supplements_subscriptions(tmp_path: Path) -> None:
    gt = generate("supplements", tmp_path, orders=3000)
    first = first_rows(read_orders(tmp_path))
    assert (first["Source"] == "subscription_contract").mean() > 0.2
    subs = gt.behaviour["subscriptions"]
    assert 28 <= subs["realized_median_gap_days"] <= 32
    assert 35 < cents(first["Subtotal"]).mean() / 100 < 50


def test_promo_anomaly_spike_is_recent(tmp_path: Path) -> None:
    gt = generate("promo_anomaly", tmp_path)
    latest = [e for e in gt.effects["bfcm"] if e["latest"]][0]
    end = datetime.fromisoformat(gt.end_date)
    assert (end - datetime.fromisoformat(latest["black_friday"])).days < 28
    assert latest["realized_multiplier"] > 3
    first = first_rows(read_orders(tmp_path))
    day = first["Created at"].str[:10]
    in_window = (day >= latest["black_friday"]) & (day <= latest["cyber_monday"])
    assert (first.loc[in_window, "Discount Code"] == "BFCM25").mean() > 0.5


def test_low_inventory_top_sellers_have_under_a_week_of_cover(tmp_path: Path) -> None:
    gt = generate("low_inventory", tmp_path, orders=6000)
    df = read_orders(tmp_path)
    first = first_rows(df)
    status = first.set_index("Name")
    valid = (status["Financial Status"] != "voided") & (status["Cancelled at"] == "")
    day = pd.to_datetime(status["Created at"].str[:10])
    end = pd.Timestamp(gt.end_date)
    recent = valid & (day > end - pd.Timedelta(days=28))
    lines = df[df["Name"].map(recent)]
    rate = lines.groupby("Lineitem sku")["Lineitem quantity"].apply(
        lambda q: q.astype(int).sum()) / 28
    inv = read_csv(tmp_path / "inventory_export.csv")
    assert set(inv["Snapshot Date"]) == {gt.end_date}
    avail = inv.groupby("SKU")["Available"].apply(lambda a: a.astype(int).sum())
    low = gt.effects["low_inventory"]["skus"]
    assert len(low) == 3
    assert list(rate.drop("GWP-RGS-5ML", errors="ignore").sort_values(
        ascending=False, kind="stable").index[:1]) == low[:1]
    cover = avail.reindex(rate.index) / rate
    assert (cover[low] < 7).all()
    assert (cover.drop(low) >= 7).all()


def test_healthy_scenario_has_no_short_stock(beauty: Path) -> None:
    gt = json.loads((beauty / "ground_truth.json").read_text())
    assert "low_inventory" not in gt["effects"]


def test_winback_actions_are_logged_in_launch_order(winback: Path) -> None:
    """Two launches of winback_21_45: the catalogue's reminder 90 days before the end date,
    its 28-day window closed well before 15% off ('pct15') 45 days before the end date; each
    logged with its planted numbers and the prediction frozen at launch."""
    gt = json.loads((winback / "ground_truth.json").read_text())
    reminder, pct15 = gt["effects"]["winback_reminder"], gt["effects"]["winback"]
    log = read_csv(winback / "action_log.csv")
    assert list(log["action_id"]) == [reminder["action_id"], pct15["action_id"]]
    assert reminder["action_id"] == f"{reminder['launch_date']}__winback_21_45__reminder"
    assert pct15["action_id"] == f"{pct15['launch_date']}__winback_21_45__pct15"
    assert list(log["variant_id"]) == ["winback_21_45__reminder", "pct15"]
    assert set(log["play_id"]) == {"winback_21_45"} and set(log["channel"]) == {"email"}
    end = datetime.fromisoformat(gt["end_date"]).date()
    launched = [datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z") for t in log["launched_at"]]
    assert [(end - t.date()).days for t in launched] == [90, 45]
    assert launched[0] + timedelta(days=28) < launched[1] - timedelta(days=14)
    assert date.fromisoformat(reminder["measurement_end_date"]) < date.fromisoformat(pct15["launch_date"])
    for (_, row), w, planted in zip(log.iterrows(), (reminder, pct15), ((0.08, 0.02), (0.08, 0.06)),
                                    strict=True):
        assert (w["planted_baseline_rate"], w["planted_lift_absolute"]) == planted
        assert float(row["holdout_fraction"]) == w["holdout_fraction"] == 0.2
        assert int(row["audience_size"]) == w["prediction_audience_size"] == w["audience_size"]
        logged = [float(row[f"predicted_net_sales_{q}"]) for q in ("p10", "p50", "p90")]
        assert logged == [w["predicted_net_sales"][q] for q in ("p10", "p50", "p90")]
        assert logged[0] < logged[1] < logged[2]
    # the reminder has no discount, so a smaller stated prediction per member
    per_member = [w["predicted_net_sales"]["p50"] / w["audience_size"] for w in (reminder, pct15)]
    assert per_member == [pytest.approx(1.28), pytest.approx(2.50)]
    assert (reminder["discount_code"], pct15["discount_code"]) == (None, "WINBACK15")


@pytest.mark.parametrize("key", ["winback_reminder", "winback"])
def test_winback_action_and_holdout(winback: Path, key: str) -> None:
    gt = json.loads((winback / "ground_truth.json").read_text())
    w = gt["effects"][key]
    log = read_csv(winback / "action_log.csv").set_index("action_id")
    row = log.loc[w["action_id"]]
    assert row["play_id"] == "winback_21_45" and row["variant_id"] == w["variant_id"]
    assert float(row["holdout_fraction"]) == 0.2
    launched = datetime.strptime(row["launched_at"], "%Y-%m-%d %H:%M:%S %z")
    assert launched.date().isoformat() == w["launch_date"]
    # recompute the audience and outcomes from the export with the documented rules
    first = first_rows(read_orders(winback))
    valid = (first["Financial Status"] != "voided") & (first["Cancelled at"] == "")
    key_ = first["Email"].str.strip().str.lower()
    created = pd.to_datetime(first["Created at"], format="%Y-%m-%d %H:%M:%S %z", utc=True)
    local_day = pd.to_datetime(first["Created at"].str[:10])
    launch_day = pd.Timestamp(w["launch_date"])
    pre = first[valid & (key_ != "") & (local_day < launch_day)]
    last = local_day[pre.index].groupby(key_[pre.index]).max()
    since = (launch_day - last).dt.days
    audience = since[(since >= 21) & (since <= 45)].index.to_numpy()
    assert len(audience) == w["audience_size"] > 100
    hold = holdout_mask(w["action_id"], audience, 0.2)
    assert hold.sum() == w["holdout"] and (~hold).sum() == w["treated"]
    assert abs(hold.mean() - 0.2) < 3 * np.sqrt(0.2 * 0.8 / len(audience)) + 0.01
    assert all(hold[i] == in_holdout(w["action_id"], k, 0.2) for i, k in enumerate(audience))
    t0 = pd.Timestamp(launched)
    hit = valid & (created > t0) & (created <= t0 + pd.Timedelta(days=28)) & (key_ != "")
    converted = set(key_[hit])
    conv = np.array([k in converted for k in audience])
    assert conv[~hold].sum() == w["treated_conversions"]
    assert conv[hold].sum() == w["holdout_conversions"]
    assert w["treated_rate"] > w["holdout_rate"]
    assert w["realised_lift_absolute"] == pytest.approx(w["treated_rate"] - w["holdout_rate"], abs=1e-4)
    # only the discounted launch's treated converters use its code, inside its window
    coded = first["Discount Code"] == "WINBACK15"
    window = (created > t0) & (created <= t0 + pd.Timedelta(days=28))
    treated = set(audience[~hold])
    in_launch = coded & window & key_.isin(treated)
    if w["discount_code"] is None:
        assert not in_launch.any()
    else:
        assert in_launch.sum() == coded.sum() > 0


def test_holdout_rule_matches_duckdb_md5() -> None:
    duckdb = pytest.importorskip("duckdb")
    keys = [f"customer{i}@example.com" for i in range(500)]
    action = "2026-09-16__winback_21_45__pct15"
    frame = pd.DataFrame({"k": keys})
    sql = (
        "SELECT CAST(('0x' || left(md5(? || '|' || k), 8)) AS UBIGINT) / 4294967296.0 < 0.2 "
        "AS h FROM frame"
    )
    con = duckdb.connect()
    con.register("frame", frame)
    got = con.execute(sql, [action]).fetchnumpy()["h"]
    assert (np.asarray(got, dtype=bool) == holdout_mask(action, keys, 0.2)).all()
    assert in_holdout(action, keys[0], 1.0) and not in_holdout(action, keys[0], 0.0)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scenario", "small_store", "--out", str(tmp_path), "--orders", "250",
                 "--end-date", "2026-03-15", "--max-rows-per-file", "200"]) == 0
    assert "250 orders" in capsys.readouterr().out
    gt = json.loads((tmp_path / "ground_truth.json").read_text())
    assert gt["end_date"] == "2026-03-15"
    assert len(list(tmp_path.glob("orders_export_*.csv"))) >= 2
