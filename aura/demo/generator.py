"""Generate a demo store: Shopify exports, side inputs and the ground truth.

Everything is seeded and vectorized (numpy/pyarrow); a million orders take well under a minute.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from aura.demo import csvout, exports, marketing, truth
from aura.demo import winback as wb
from aura.demo.catalog import Catalog, build_catalog
from aura.demo.orders import Lines, Orders, build_orders
from aura.demo.scenarios import Scenario, get_scenario
from aura.demo.simulate import (
    Calendar,
    Customers,
    Timeline,
    base_intensity,
    base_timeline,
    bfcm_extras,
    draw_customers,
    q4_intensity,
    rng_for,
    subsample,
)
from aura.demo.truth import GroundTruth
from aura.demo.weather import weather_frame
from aura.inputs.contract import ACTION_LOG

_PILOT_CUSTOMERS = 20_000
# ground-truth key of each planted winback launch
_EFFECT_KEY = {wb.PCT15.variant_id: "winback", wb.REMINDER.variant_id: "winback_reminder"}
# random-stream keys of the stages
_SPEND, _SIM, _SUBSAMPLE, _ORDERS, _EXPORT, _SIDE, _PILOT = range(1, 8)


def _simulate(sc: Scenario, cat: Catalog, cal: Calendar, lam: np.ndarray, n: int,
              rng: np.random.Generator) -> tuple[Customers, Timeline, list[wb.WinbackPlan]]:
    cust = draw_customers(sc, cat, lam, cal, n, rng)
    tl = bfcm_extras(base_timeline(cust, cal, rng), cust, sc, cal, rng)
    plans: list[wb.WinbackPlan] = []
    if sc.winback:
        tl, plans = wb.plant_winbacks(tl, cust, cal, rng)
    return cust, tl, plans


def simulate_exact(sc: Scenario, cat: Catalog, cal: Calendar, lam: np.ndarray, target: int,
                   seed: int) -> tuple[Customers, Timeline, list[wb.WinbackPlan]]:
    """Simulate enough customers, then keep whole customers until exactly `target` orders."""
    _, pilot, _ = _simulate(sc, cat, cal, lam, _PILOT_CUSTOMERS, rng_for(seed, _PILOT))
    ratio = max(float((pilot.t >= 0).sum()) / _PILOT_CUSTOMERS, 0.01)
    n = int(target / ratio * 1.08) + 50
    for attempt in range(8):
        cust, tl, plans = _simulate(sc, cat, cal, lam, n, rng_for(seed, _SIM, attempt))
        avoid = np.zeros(cust.n, dtype=bool)
        for plan in plans:
            avoid[plan.audience] = True
        kept = subsample(tl, cust.n, target, avoid, rng_for(seed, _SUBSAMPLE, attempt))
        if kept is not None:
            return cust, kept, plans
        n = int(n * 1.3) + 50
    raise RuntimeError(f"could not simulate {target} orders")


def _calendar(sc: Scenario, end: date) -> Calendar:
    return Calendar(start=end - timedelta(days=sc.history_days - 1), days=sc.history_days,
                    burn_in=sc.burn_in_days)


def _clear_old_exports(out_dir: Path) -> None:
    for old in out_dir.glob("orders_export*.csv"):
        old.unlink()


def _spend_frame(spend: marketing.Spend, cal: Calendar, scale: float,
                 rng: np.random.Generator) -> pd.DataFrame:
    df = marketing.spend_frame(spend, cal.dates, cal.window, scale, rng)
    return pd.DataFrame({
        "date": df["date"].dt.strftime("%Y-%m-%d").to_numpy(), "channel": df["channel"],
        "spend": csvout.money(df["spend_cents"].to_numpy()).to_pylist(),
        "impressions": df["impressions"].astype(str), "clicks": df["clicks"].astype(str),
    })


def _weather(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    df = weather_frame(cal.dates[cal.window], rng)
    out = {"date": df["date"].dt.strftime("%Y-%m-%d").to_numpy(), "geo": df["geo"].to_numpy()}
    for col, places in (("temperature_c", 1), ("precipitation_mm", 1), ("uv_index", 1),
                        ("humidity_pct", 0)):
        out[col] = csvout.decimals(df[col].to_numpy(), places).to_pylist()
    return pd.DataFrame(out)


def _action_log(plans: list[wb.WinbackPlan], cal: Calendar, audience_sizes: list[int]
                ) -> pd.DataFrame:
    """The action log: one row per planted launch, in launch order, with the prediction
    frozen at launch for the audience as the warehouse measures it (the ground truth's
    audience_size)."""
    cols = [c.name for c in ACTION_LOG.columns]
    if not plans:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    start_ns = np.datetime64(cal.start, "ns").astype(np.int64)
    launched = csvout.localize(np.array(
        [start_ns + int(plan.launched_t * 86_400) * 10**9 for plan in plans]))[0]
    stamps = csvout.timestamps(launched).to_pylist()
    rows = []
    for plan, stamp, size in zip(plans, stamps, audience_sizes, strict=True):
        p10, p50, p90 = plan.launch.predicted_net_sales(size)
        rows.append({
            "action_id": plan.action_id, "play_id": wb.PLAY_ID,
            "variant_id": plan.launch.variant_id, "channel": wb.CHANNEL, "launched_at": stamp,
            "holdout_fraction": str(plan.launch.holdout_fraction),
            "launched_by": "demo@aura.example", "note": plan.launch.note,
            "predicted_net_sales_p10": f"{p10:.2f}", "predicted_net_sales_p50": f"{p50:.2f}",
            "predicted_net_sales_p90": f"{p90:.2f}", "audience_size": str(size),
        })
    return pd.DataFrame(rows)[cols]


def _write_side_files(out_dir: Path, sc: Scenario, cal: Calendar, orders: Orders,
                      lines: Lines, cat: Catalog, spend: marketing.Spend, scale: float,
                      plans: list[wb.WinbackPlan], winback_truths: list[dict],
                      seed: int) -> tuple[dict[str, int], list]:
    rng = rng_for(seed, _SIDE)
    stock = exports.inventory(orders, lines, cat, cal.end, cal.days - 1, sc.low_inventory,
                              rng)
    frames = {
        "products_export.csv": exports.products_frame(cat),
        "inventory_export.csv": stock.frame,
        "marketing_spend.csv": _spend_frame(spend, cal, scale, rng),
        "weather.csv": _weather(cal, rng),
        "action_log.csv": _action_log(plans, cal, [t["audience_size"] for t in winback_truths]),
    }
    rows = {name: csvout.write_frame(out_dir / name, df) for name, df in frames.items()}
    return rows, stock.low


def generate(scenario: str, out_dir: Path, orders: int | None = None, seed: int = 42,
             end_date: date | None = None, max_rows_per_file: int | None = None) -> GroundTruth:
    """Write the demo store `scenario` into `out_dir` and return its ground truth."""
    sc = get_scenario(scenario)
    target = sc.orders if orders is None else int(orders)
    if target < 1:
        raise ValueError("orders must be at least 1")
    cal = _calendar(sc, end_date or sc.end_date)
    cat = build_catalog(sc.vertical)
    spend = marketing.draw_spend(cal.dates, q4_intensity(cal.dates), rng_for(seed, _SPEND))
    lift = marketing.response(spend) if sc.spend_response else {
        c: np.zeros(len(cal.dates)) for c in marketing.CHANNELS}
    base = base_intensity(sc, cal)
    lam = base * (1.0 + sum(lift.values()))
    cust, tl, plans = simulate_exact(sc, cat, cal, lam, target, seed)
    order_tab, lines = build_orders(tl, cust, cat, sc, cal, rng_for(seed, _ORDERS))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_old_exports(out_dir)
    written = exports.write_orders(out_dir, order_tab, lines, cust, cat, max_rows_per_file,
                                   rng_for(seed, _EXPORT))
    new_per_day = float((order_tab.seq == 0).sum()) / cal.days
    scale = marketing.dollars_per_unit(sc.vertical, max(new_per_day, 0.1))
    winback_truths = [truth.winback(plan, cal, order_tab, cust) for plan in plans]
    side_rows, low = _write_side_files(out_dir, sc, cal, order_tab, lines, cat, spend, scale,
                                       plans, winback_truths, seed)
    effects: dict[str, object] = {}
    if not sc.null:
        effects["seasonality"] = truth.seasonality(sc)
        effects["bfcm"] = truth.bfcm(sc, cal, order_tab)
        if sc.spend_response:
            effects["spend_response"] = marketing.planted_response(spend, scale, lift, base,
                                                                   cal.window)
        if sc.low_inventory:
            effects["low_inventory"] = {"skus": [x["sku"] for x in low], "details": low,
                                        "rule": "available < 7 x units sold per day over the "
                                                "last 28 days (all locations)"}
        # the planted launches: "winback" is the 15%-off email (the latest launch),
        # "winback_reminder" the earlier reminder without a discount
        for plan, launch_truth in zip(plans, winback_truths, strict=True):
            effects[_EFFECT_KEY[plan.launch.variant_id]] = launch_truth
    gt = GroundTruth(
        scenario=sc.name, seed=seed, description=sc.description,
        start_date=cal.start.isoformat(), end_date=cal.end.isoformat(),
        timezone=csvout.TZ, currency="USD",
        counts=truth.counts(order_tab, lines, cust), sales=truth.sales(order_tab),
        files={**{w.name: w.rows for w in written}, **side_rows},
        behaviour=truth.behaviour(sc, order_tab, cust), effects=effects, null=sc.null,
    )
    (out_dir / "ground_truth.json").write_text(json.dumps(gt.to_dict(), indent=2) + "\n")
    return gt
