"""Ground truth of a generated store, computed from the simulated orders."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from aura.demo import winback as wb
from aura.demo.csvout import localize
from aura.demo.identity import emails
from aura.demo.orders import CODES, SOURCES, SUBSCRIPTION, Lines, Orders
from aura.demo.scenarios import Scenario
from aura.demo.simulate import (
    ANON,
    BEHAVIOUR,
    EMAIL,
    PHONE,
    STATUS_NAMES,
    WEEKLY,
    YEARLY,
    Calendar,
    Customers,
)
from aura.tracking.holdout import holdout_mask

_NS_DAY = 86_400 * 10**9
CUSTOMER_KEY_RULE = (
    "lower(trim(Email)) if Email is not empty; else the last 10 digits of Phone (else "
    "Billing Phone); else the order Name (an anonymous one-order customer)"
)
NET_SALES_RULE = (
    "over orders that are neither voided nor cancelled: net_sales = sum(Subtotal) - "
    "returns = gross_sales - discounts - returns, where gross_sales = "
    "sum(Lineitem price * Lineitem quantity), discounts = sum(Discount Amount) and returns = "
    "sum(min(Refunded Amount, Subtotal)) (a refund of shipping and taxes is not a return of "
    "sales; DECISIONLOG 'Returns')"
)


@dataclass
class GroundTruth:
    """What was generated and which effects were planted (written as ground_truth.json)."""

    scenario: str
    seed: int
    description: str
    start_date: str
    end_date: str
    timezone: str
    currency: str
    counts: dict[str, Any]
    sales: dict[str, Any]
    files: dict[str, int]
    behaviour: dict[str, Any]
    effects: dict[str, Any]
    null: bool
    rules: dict[str, str] = field(
        default_factory=lambda: {"customer_key": CUSTOMER_KEY_RULE, "net_sales": NET_SALES_RULE}
    )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


def _date(cal: Calendar, day: int) -> str:
    return (cal.start + timedelta(days=int(day))).isoformat()


def _usd(cents: np.ndarray | int) -> float:
    return round(int(np.sum(cents)) / 100, 2)


def counts(orders: Orders, lines: Lines, cust: Customers) -> dict[str, Any]:
    kind = cust.kind[orders.cust]
    valid = orders.valid()
    return {
        "orders": orders.n,
        "order_lines": len(lines.order),
        "customers": len(np.unique(orders.cust)),
        "new_customers": int((orders.seq == 0).sum()),
        "valid_orders": int(valid.sum()),
        "cancelled_orders": int(orders.cancelled.sum()),
        "orders_by_financial_status": {
            s: int((orders.status == i).sum()) for i, s in enumerate(STATUS_NAMES)
        },
        "orders_by_source": {s: int((orders.source == i).sum()) for i, s in enumerate(SOURCES)},
        "orders_by_discount_code": {
            (c or "none"): int((orders.code == i).sum()) for i, c in enumerate(CODES)
        },
        "email_orders": int((kind == EMAIL).sum()),
        "phone_only_orders": int((kind == PHONE).sum()),
        "anonymous_orders": int((kind == ANON).sum()),
        "free_gift_lines": int((lines.price == 0).sum()),
    }


def sales(orders: Orders) -> dict[str, Any]:
    v = orders.valid()
    returns = np.minimum(orders.refunded[v], orders.subtotal[v])
    net = int(orders.subtotal[v].sum()) - int(returns.sum())
    return {
        "gross_sales": _usd(orders.gross[v]),
        "discounts": _usd(orders.discount[v]),
        "returns": _usd(returns),
        "net_sales": round(net / 100, 2),
        "shipping": _usd(orders.shipping[v]),
        "taxes": _usd(orders.taxes[v]),
        "average_order_value": round(float(orders.subtotal[v].mean()) / 100, 2) if v.any() else 0,
    }


def behaviour(sc: Scenario, orders: Orders, cust: Customers) -> dict[str, Any]:
    """Repurchase behaviour (not an 'effect': present in every scenario)."""
    b = BEHAVIOUR[sc.vertical]
    out: dict[str, Any] = {
        "repurchase": {
            "model": "after each order the customer orders again with probability p ~ "
                     "Beta(a, b); gaps ~ Gamma(shape, mean) with a lognormal per-customer mean",
            "p_beta": list(b.p_cont), "gap_mean_days_median": b.gap_mean,
            "gap_mean_log_sd": b.gap_sigma, "gap_shape": b.gap_shape,
        },
        "sample_upgrade": {
            "sample_first_order_share": b.sample_share, "upgrade_share": b.upgrade_share,
            "upgrade_after_days": [14, 30],
        },
        "identity": {"customer_kinds": dict(zip(("email", "phone_only", "anonymous"),
                                                b.kind_p, strict=True))},
    }
    if b.sub_share > 0:
        out["subscriptions"] = _subscriptions(b, orders, cust)
    return out


def _subscriptions(b: Any, orders: Orders, cust: Customers) -> dict[str, Any]:
    rec = orders.source == SUBSCRIPTION
    o = np.lexsort((orders.utc_ns, orders.cust))
    c, t = orders.cust[o], orders.utc_ns[o]
    same = (c[1:] == c[:-1]) & rec[o][1:]
    gaps = (t[1:] - t[:-1])[same] / _NS_DAY
    return {
        "share_of_email_customers": b.sub_share,
        "cadence_days": {str(d): p for d, p in b.sub_cadence},
        "cadence_mean_days": sum(d * p for d, p in b.sub_cadence),
        "renewal_beta": list(b.sub_p_cont),
        "realized_median_gap_days": round(float(np.median(gaps)), 2) if len(gaps) else None,
        "realized_subscription_orders": int(rec.sum()),
        "subscribers": int(len(np.unique(orders.cust[cust.sub[orders.cust]]))),
    }


def seasonality(sc: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {"applies_to": "new-customer acquisitions",
                           "trend_per_year": sc.trend_per_year}
    if sc.weekly:
        days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        out["weekly_multipliers"] = {d: round(float(m), 4) for d, m in zip(days, WEEKLY,
                                                                            strict=True)}
    if sc.seasonal:
        out["yearly"] = {k: {"center_day_of_year": c, "width_days": w, "amplitude": a}
                         for k, (c, w, a) in YEARLY[sc.vertical].items()}
    return out


def bfcm(sc: Scenario, cal: Calendar, orders: Orders) -> list[dict[str, Any]]:
    events = []
    per_day = np.bincount(orders.day, minlength=cal.days)
    for bf, last in cal.bfcm():
        mult = sc.bfcm_last_multiplier if last else sc.bfcm_multiplier
        extra = sc.bfcm_last_extra if last else sc.bfcm_extra
        if mult <= 1 and extra <= 0 or bf < 0:
            continue
        window = per_day[bf : bf + 4]
        before = per_day[max(bf - 28, 0) : bf]
        in_window = (orders.day >= bf) & (orders.day < bf + 4)
        events.append({
            "black_friday": _date(cal, bf),
            "cyber_monday": _date(cal, bf + 3),
            "latest": last,
            "acquisition_multiplier": mult,
            "existing_customer_extra_order_prob": extra,
            "code": "BFCM25",
            "orders_in_window": int(window.sum()),
            "bfcm25_orders": int((in_window & (orders.code == CODES.index("BFCM25"))).sum()),
            "orders_per_day_in_window": round(float(window.mean()), 2),
            "orders_per_day_prior_28_days": round(float(before.mean()), 2) if len(before) else None,
            "realized_multiplier": round(float(window.mean() / before.mean()), 3)
            if len(before) and before.mean() > 0 else None,
        })
    return events


def winback(plan: wb.WinbackPlan, cal: Calendar, orders: Orders, cust: Customers
            ) -> dict[str, Any]:
    """Audience and outcomes of one planted launch, recomputed from the exported orders with
    the action's rules."""
    launch = plan.launch
    valid = orders.valid()
    day = plan.launch_day
    before = valid & (orders.day < day)
    last = np.full(cust.n, -1)
    np.maximum.at(last, orders.cust[before], orders.day[before])
    since = day - last
    aud = np.flatnonzero((cust.kind == EMAIL) & (last >= 0) & (since >= wb.RECENCY[0])
                         & (since <= wb.RECENCY[1]))
    keys = emails(cust.ident, aud).to_pylist()
    hold = holdout_mask(plan.action_id, keys, launch.holdout_fraction)
    start_ns = np.datetime64(cal.start, "ns").astype(np.int64)
    launched = int(localize(np.array([start_ns + int(plan.launched_t * 86_400) * 10**9]))[0][0])
    window_end = launched + wb.WINDOW_DAYS * _NS_DAY
    hit = valid & (orders.utc_ns > launched) & (orders.utc_ns <= window_end)
    converted = np.zeros(cust.n, dtype=bool)
    converted[orders.cust[hit]] = True
    conv = converted[aud]
    treated_n, hold_n = int((~hold).sum()), int(hold.sum())
    return {
        "action_id": plan.action_id, "play_id": wb.PLAY_ID, "variant_id": launch.variant_id,
        "channel": wb.CHANNEL, "launch_date": _date(cal, day),
        "measurement_end_date": _date(cal, day + wb.WINDOW_DAYS),
        "holdout_fraction": launch.holdout_fraction,
        "audience_rule": (
            "email customers (key lower(trim(Email))) whose last order that is neither voided "
            f"nor cancelled has a date {wb.RECENCY[0]}-{wb.RECENCY[1]} days before the launch "
            "date (date difference in the shop's timezone)"
        ),
        "conversion_rule": (
            f"a valid order with launched_at < Created at <= launched_at + {wb.WINDOW_DAYS} days"
        ),
        "planted_baseline_rate": launch.baseline,
        "planted_lift_absolute": launch.lift,
        "planted_treated_rate": launch.treated_rate,
        "audience_size": len(aud), "treated": treated_n, "holdout": hold_n,
        "treated_conversions": int(conv[~hold].sum()),
        "holdout_conversions": int(conv[hold].sum()),
        "treated_rate": round(float(conv[~hold].mean()), 4) if treated_n else None,
        "holdout_rate": round(float(conv[hold].mean()), 4) if hold_n else None,
        "realised_lift_absolute": (round(float(conv[~hold].mean() - conv[hold].mean()), 4)
                                   if treated_n and hold_n else None),
        "discount_code": launch.code,
        # the prediction logged at launch (action_log.csv), for the whole audience at launch
        "predicted_net_sales": dict(zip(("p10", "p50", "p90"),
                                        launch.predicted_net_sales(len(aud)), strict=True)),
        "prediction_audience_size": len(aud),
        "prediction_rule": (
            f"{launch.predicted_per_member} (p10, p50, p90) per audience member at launch: a "
            "planning number standing in for the plan row's prediction, not read from the "
            "simulated outcome"
        ),
    }
