"""From the final timeline to Shopify orders: lines, discount codes, money and statuses.

All amounts are integer cents, so Subtotal = sum(price * qty) - Discount Amount exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aura.demo.catalog import GIFT, SUB, TRAVEL, Catalog, general_weights, sub_weights
from aura.demo.csvout import localize
from aura.demo.identity import COUNTRY, TAX_BP
from aura.demo.scenarios import Scenario
from aura.demo.simulate import (
    PAID,
    PARTIAL,
    PENDING,
    REFUNDED,
    VOIDED,
    Calendar,
    Customers,
    Timeline,
)
from aura.demo.winback import CODE_MARK

CODES = ("", "WELCOME10", "BFCM25", "SPRING15", "SUMMER20", "WINBACK15", "SAVE5")
NO_CODE, WELCOME, BFCM, SPRING, SUMMER, WINBACK, SAVE5 = range(7)
CODE_PCT = np.array([0, 10, 25, 15, 20, 15, 0])
SAVE5_CENTS, SAVE5_MIN = 500, 4000
SOURCES = ("web", "pos", "subscription_contract", "shopify_draft_order")
WEB, POS, SUBSCRIPTION, DRAFT = range(4)
FULFILLMENT = ("fulfilled", "unfulfilled", "partial")
TAGS = ("", "Subscription, Subscription First Order", "Subscription, Subscription Recurring Order",
        "VIP")
_LINES_P = {"beauty": (0.50, 0.29, 0.14, 0.07), "supplements": (0.58, 0.26, 0.11, 0.05)}
_QTY_P = {"beauty": (0.88, 0.10, 0.02), "supplements": (0.76, 0.18, 0.06)}
_SHIP = {"beauty": (595, 5000), "supplements": (495, 4000), "CA": (1295, 7500)}
GIFT_P = 0.003
_NS_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class Orders:
    """One entry per exported order, sorted by Created at (index = Name - 1001)."""

    cust: np.ndarray
    utc_ns: np.ndarray
    day: np.ndarray  # local day index (0 = first exported day)
    seq: np.ndarray  # 0 for the customer's first order ever
    status: np.ndarray
    cancelled: np.ndarray
    promo: np.ndarray
    winback: np.ndarray
    source: np.ndarray
    code: np.ndarray
    tag: np.ndarray
    gross: np.ndarray
    discount: np.ndarray
    subtotal: np.ndarray
    shipping: np.ndarray
    taxes: np.ndarray
    total: np.ndarray
    refunded: np.ndarray
    paid_ns: np.ndarray  # -1: not captured
    cancelled_ns: np.ndarray  # -1: not cancelled
    fulfillment: np.ndarray
    order_id: np.ndarray

    @property
    def n(self) -> int:
        return len(self.cust)

    def valid(self) -> np.ndarray:
        return (self.status != VOIDED) & ~self.cancelled


@dataclass(frozen=True)
class Lines:
    """One entry per line item, grouped by order in Name order."""

    order: np.ndarray
    variant: np.ndarray
    qty: np.ndarray
    price: np.ndarray
    discount: np.ndarray

    @property
    def first(self) -> np.ndarray:
        """Index of each order's first line."""
        return np.flatnonzero(np.r_[True, self.order[1:] != self.order[:-1]])


def _sequence_numbers(tl: Timeline) -> np.ndarray:
    """Each order's position in its customer's history (0 = first order)."""
    o = np.lexsort((tl.t, tl.cust))
    c = tl.cust[o]
    start = np.r_[True, c[1:] != c[:-1]]
    pos = np.arange(len(o))
    seq_sorted = pos - np.maximum.accumulate(np.where(start, pos, 0))
    seq = np.empty(len(o), dtype=np.int64)
    seq[o] = seq_sorted
    return seq


def _codes(o: dict[str, np.ndarray], cust: Customers, sc: Scenario, cal: Calendar,
           recurring: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Discount code of each order (later rules take precedence)."""
    n = len(o["day"])
    u = rng.random((6, n))
    first = o["seq"] == 0
    code = np.where(~recurring & ~first & (u[0] < 0.10), SAVE5, NO_CODE)
    if sc.seasonal_codes:
        dates = pd.Timestamp(cal.start) + pd.to_timedelta(o["day"], unit="D")
        m, d = dates.month.to_numpy(), dates.day.to_numpy()
        spring = ((m == 3) & (d >= 15)) | ((m == 4) & (d <= 15))
        summer = (m == 7) & (d <= 14)
        code = np.where(spring & ~recurring & (u[1] < 0.2), SPRING, code)
        code = np.where(summer & ~recurring & (u[1] < 0.25), SUMMER, code)
    code = np.where(first & (u[2] < 0.3), WELCOME, code)
    for bf, last in cal.bfcm():
        mult = sc.bfcm_last_multiplier if last else sc.bfcm_multiplier
        if mult <= 1.0:
            continue
        p = 0.8 if mult >= 3 else 0.45
        in_window = (o["day"] >= bf) & (o["day"] < bf + 4)
        code = np.where(in_window & ~recurring & (u[3] < p), BFCM, code)
    # treated converters of the discounted winback launch use its code (the reminder has none)
    return np.where((o["winback"] == CODE_MARK) & (u[4] < 0.7), WINBACK, code)


def _lines(o: dict[str, np.ndarray], cust: Customers, cat: Catalog, vertical: str,
           recurring: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(order index, variant) of every line, grouped by order; SKUs distinct within an order."""
    n = len(o["day"])
    c, seq = o["cust"], o["seq"]
    n_lines = rng.choice(4, size=n, p=_LINES_P[vertical]) + 1
    n_lines = np.where(recurring, 1 + (rng.random(n) < 0.2), n_lines)
    lo = np.repeat(np.arange(n), n_lines)
    pos = np.arange(len(lo)) - (np.cumsum(n_lines) - n_lines)[lo]
    nv = len(cat.variants)
    general = rng.choice(nv, size=len(lo), p=general_weights(cat))
    fav = cust.fav[c]
    v0 = general[np.cumsum(n_lines) - n_lines]
    v0 = np.where((seq > 0) & (rng.random(n) < 0.55), cat.main_full[fav], v0)
    v0 = np.where(cust.sample[c] & (seq == 0), cat.travel[fav], v0)
    v0 = np.where(cust.upgrade[c] & (seq == 1), cat.main_full[fav], v0)
    v0 = np.where(cust.sub[c], cat.sub[fav], v0)
    variant = np.where(pos == 0, v0[lo], general)
    if (cat.sub >= 0).any():
        subs = rng.choice(nv, size=len(lo), p=sub_weights(cat))
        variant = np.where((pos > 0) & cust.sub[c][lo], subs, variant)
    dup = pd.Series(lo * nv + variant).duplicated().to_numpy()
    lo, variant = lo[~dup], variant[~dup]
    gifts = np.flatnonzero(rng.random(n) < GIFT_P)
    lo = np.concatenate([lo, gifts])
    variant = np.concatenate([variant, np.full(len(gifts), cat.gift)])
    order = np.argsort(lo, kind="stable")
    return lo[order], variant[order]


def _quantities(variant: np.ndarray, cat: Catalog, vertical: str,
                rng: np.random.Generator) -> np.ndarray:
    kind = cat.variants["kind"].to_numpy()[variant]
    qty = rng.choice(3, size=len(variant), p=_QTY_P[vertical]) + 1
    qty = np.where((kind == TRAVEL) | (kind == GIFT), 1, qty)
    return np.where(kind == SUB, 1 + (rng.random(len(variant)) < 0.08), qty).astype(np.int64)


def _refunds(status: np.ndarray, subtotal: np.ndarray, total: np.ndarray,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(status, refunded cents): partial refunds are 10-60% of a subtotal of at least $2."""
    status = np.where((status == PARTIAL) & (subtotal < 200), PAID, status).astype(np.int8)
    part = np.floor(subtotal * rng.uniform(0.1, 0.6, len(status))).astype(np.int64)
    part = np.clip(part, 1, np.maximum(subtotal - 1, 1))
    full = np.where(rng.random(len(status)) < 0.8, total, subtotal)
    refunded = np.select([status == PARTIAL, status == REFUNDED], [part, full], 0)
    return status, refunded.astype(np.int64)


def _fulfillment(o: dict[str, np.ndarray], status: np.ndarray, source: np.ndarray,
                 n_lines: np.ndarray, end_ns: int, rng: np.random.Generator) -> np.ndarray:
    age = (end_ns - o["utc_ns"]) / _NS_DAY
    u = rng.random((2, len(age)))
    recent = (age < 1.5) | ((age < 4) & (u[0] < 0.5))
    open_ = o["cancelled"] | (status == VOIDED) | (status == PENDING) | (recent & (source != POS))
    partial = ~open_ & (n_lines >= 2) & (u[1] < 0.01)
    return np.select([open_, partial], [1, 2], 0)


def finalize_timeline(tl: Timeline, cal: Calendar) -> dict[str, np.ndarray]:
    """Exported orders only, with sequence numbers and real instants, sorted by Created at."""
    seq = _sequence_numbers(tl)
    keep = (tl.t >= 0) & (tl.t < cal.days)
    t = tl.t[keep]
    start_ns = np.datetime64(cal.start, "ns").astype(np.int64)
    local = start_ns + np.floor(t * 86_400).astype(np.int64) * 10**9
    utc, _ = localize(local)
    o = {
        "cust": tl.cust[keep], "utc_ns": utc, "day": np.floor(t).astype(np.int64),
        "seq": seq[keep], "status": tl.status[keep], "cancelled": tl.cancelled[keep],
        "promo": tl.promo[keep], "winback": tl.winback[keep],
    }
    order = np.lexsort((o["cust"], o["utc_ns"]))
    return {k: v[order] for k, v in o.items()}


def build_orders(
    tl: Timeline, cust: Customers, cat: Catalog, sc: Scenario, cal: Calendar,
    rng: np.random.Generator,
) -> tuple[Orders, Lines]:
    """Orders and line items of the exported window."""
    o = finalize_timeline(tl, cal)
    n, c = len(o["day"]), o["cust"]
    recurring = cust.sub[c] & (o["seq"] >= 1)
    u = rng.random((2, n))
    source = np.select(
        [recurring, cust.pos[c] & (u[0] < 0.7), u[1] < 0.003], [SUBSCRIPTION, POS, DRAFT], WEB
    )
    code = _codes(o, cust, sc, cal, recurring, rng)
    lo, variant = _lines(o, cust, cat, sc.vertical, recurring, rng)
    qty = _quantities(variant, cat, sc.vertical, rng)
    price = cat.variants["price_cents"].to_numpy()[variant]
    line_gross = price * qty
    line_disc = (line_gross * CODE_PCT[code][lo] + 50) // 100
    first = np.flatnonzero(np.r_[True, lo[1:] != lo[:-1]])
    gross = np.add.reduceat(line_gross, first)
    ldisc = np.add.reduceat(line_disc, first)
    save5 = (code == SAVE5) & (gross - ldisc >= SAVE5_MIN)
    code = np.where((code == SAVE5) & ~save5, NO_CODE, code)
    discount = ldisc + np.where(save5, SAVE5_CENTS, 0)
    subtotal = gross - discount
    geo = cust.ident.geo[c]
    fee, threshold = _SHIP[sc.vertical]
    canada = COUNTRY[geo] == "CA"
    fee = np.where(canada, _SHIP["CA"][0], fee)
    threshold = np.where(canada, _SHIP["CA"][1], threshold)
    free = (subtotal >= threshold) | recurring | (source == POS)
    shipping = np.where(free, 0, fee).astype(np.int64)
    taxes = (subtotal * TAX_BP[geo] + 5000) // 10000
    total = subtotal + shipping + taxes
    status, refunded = _refunds(o["status"], subtotal, total, rng)
    end_ns = int(localize(np.array([np.datetime64(cal.end, "ns").astype(np.int64)
                                    + _NS_DAY - 10**9]))[0][0])
    captured = (status == PAID) | (status == PARTIAL) | (status == REFUNDED)
    delay = np.where(source == POS, rng.integers(0, 5, n), np.rint(rng.gamma(2.0, 20.0, n)))
    paid_ns = np.where(captured, o["utc_ns"] + delay.astype(np.int64) * 10**9, -1)
    cancel_at = np.minimum(o["utc_ns"] + (rng.uniform(0.5, 48, n) * 3600).astype(np.int64)
                           * 10**9, end_ns)
    cancelled_ns = np.where(o["cancelled"], np.maximum(cancel_at, o["utc_ns"]), -1)
    n_lines = np.diff(np.r_[first, len(lo)])
    tag = np.select([recurring, cust.sub[c], (o["seq"] >= 5)], [2, 1, 3], 0)
    ids = 5_500_000_000_000 + np.cumsum(rng.integers(800, 30_000, n))
    orders = Orders(
        cust=c, utc_ns=o["utc_ns"], day=o["day"], seq=o["seq"], status=status,
        cancelled=o["cancelled"], promo=o["promo"], winback=o["winback"], source=source,
        code=code, tag=tag, gross=gross, discount=discount, subtotal=subtotal,
        shipping=shipping, taxes=taxes, total=total, refunded=refunded, paid_ns=paid_ns,
        cancelled_ns=cancelled_ns,
        fulfillment=_fulfillment(o, status, source, n_lines, end_ns, rng), order_id=ids,
    )
    return orders, Lines(lo, variant, qty, price, line_disc)

