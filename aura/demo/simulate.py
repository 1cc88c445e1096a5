"""Customers and their order timelines, simulated in bulk with numpy.

Time `t` is in local (America/New_York wall-clock) days since the first exported day:
t in [0, history_days) is exported, negative t is unexported burn-in history.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta

import numpy as np
import pandas as pd

from aura.demo.catalog import Catalog
from aura.demo.identity import Identity, draw_identity
from aura.demo.scenarios import Scenario

EMAIL, PHONE, ANON = 0, 1, 2
PAID, PARTIAL, REFUNDED, VOIDED, PENDING = range(5)
STATUS_NAMES = ("paid", "partially_refunded", "refunded", "voided", "pending")
_STATUS_P = np.array([0.937, 0.04, 0.015, 0.005, 0.003])
_REFUND_CANCEL_P = 0.13  # share of refunded orders that were cancelled
MAX_ORDERS = 48  # per customer
_HOURLY = np.array(
    [0.8, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.0, 2.6, 3.0, 3.2,
     3.4, 3.3, 3.1, 3.0, 3.0, 3.2, 3.6, 4.0, 4.2, 4.0, 3.2, 1.8]
)
HOUR_P = _HOURLY / _HOURLY.sum()
WEEKLY = np.array([1.08, 1.05, 1.0, 0.97, 0.92, 0.91, 1.07])  # Monday .. Sunday
WEEKLY = WEEKLY / WEEKLY.mean()
# yearly bumps on the acquisition rate: (center day of year, width in days, amplitude)
YEARLY = {
    "beauty": {"q4_peak": (335, 22, 0.45), "summer_dip": (205, 35, -0.18)},
    "supplements": {"new_year_peak": (12, 20, 0.35), "q4_peak": (335, 22, 0.15),
                    "summer_dip": (205, 35, -0.08)},
}


@dataclass(frozen=True)
class Behaviour:
    """Repurchase behaviour of a vertical."""

    p_cont: tuple[float, float]  # Beta(a, b) of the chance to order again after an order
    gap_mean: float  # median of the per-customer mean gap between orders (days)
    gap_sigma: float  # log-sd of the per-customer mean gap
    gap_shape: float  # gamma shape of the gaps around the customer's mean
    sub_share: float  # share of email customers on a subscription
    sub_p_cont: tuple[float, float]  # Beta(a, b) of subscribers renewing each cycle
    sub_cadence: tuple[tuple[int, float], ...]  # (days, share) of subscription plans
    sample_share: float  # new customers whose first order is a sample/travel size
    upgrade_share: float  # of those, the share buying the full size 14-30 days later
    kind_p: tuple[float, float, float]  # email, phone-only, anonymous customers
    pos_share: float  # customers who shop in the store (pos)


BEHAVIOUR = {
    "beauty": Behaviour(
        p_cont=(1.3, 2.3), gap_mean=58.0, gap_sigma=0.35, gap_shape=2.2, sub_share=0.0,
        sub_p_cont=(18.0, 2.0), sub_cadence=((30, 1.0),), sample_share=0.28, upgrade_share=0.45,
        kind_p=(0.965, 0.031, 0.004), pos_share=0.05,
    ),
    "supplements": Behaviour(
        p_cont=(1.6, 2.2), gap_mean=32.0, gap_sigma=0.15, gap_shape=8.0, sub_share=0.45,
        sub_p_cont=(18.0, 2.0), sub_cadence=((30, 0.85), (60, 0.15)), sample_share=0.10,
        upgrade_share=0.4, kind_p=(0.965, 0.031, 0.004), pos_share=0.02,
    ),
}


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """An independent, reproducible random stream for one stage of the generator."""
    return np.random.default_rng([seed, *keys])


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    nov1 = date(year, 11, 1)
    return nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21 + 1)


@dataclass(frozen=True)
class Calendar:
    """The simulated days: burn-in, then the exported window [start, end]."""

    start: date
    days: int
    burn_in: int

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def dates(self) -> pd.DatetimeIndex:
        first = self.start - timedelta(days=self.burn_in)
        return pd.date_range(first, periods=self.burn_in + self.days, freq="D")

    @property
    def window(self) -> slice:
        return slice(self.burn_in, self.burn_in + self.days)

    def day(self, d: date) -> int:
        """Day index of `d` relative to the window start."""
        return (d - self.start).days

    def bfcm(self) -> list[tuple[int, bool]]:
        """(Black Friday day index, is the latest one) for each BFCM inside the simulation."""
        first = self.start - timedelta(days=self.burn_in)
        found = [
            self.day(bf) for y in range(first.year, self.end.year + 1)
            if first <= (bf := black_friday(y)) <= self.end
        ]
        return [(d, i == len(found) - 1) for i, d in enumerate(found)]


def _bump(doy: np.ndarray, center: float, width: float) -> np.ndarray:
    d = (doy - center + 182.625) % 365.25 - 182.625
    return np.exp(-((d / width) ** 2))


def yearly_factor(vertical: str, dates: pd.DatetimeIndex) -> np.ndarray:
    """Multiplicative yearly seasonality of acquisitions."""
    doy = dates.dayofyear.to_numpy().astype(float)
    out = np.ones(len(dates))
    for center, width, amp in YEARLY[vertical].values():
        out += amp * _bump(doy, center, width)
    return out


def q4_intensity(dates: pd.DatetimeIndex) -> np.ndarray:
    """0-1 Q4 shopping intensity (drives ad budgets)."""
    return _bump(dates.dayofyear.to_numpy().astype(float), 335, 22)


def base_intensity(sc: Scenario, cal: Calendar) -> np.ndarray:
    """Daily acquisition rate before the spend response (arbitrary scale)."""
    dates = cal.dates
    d = np.arange(-cal.burn_in, cal.days)
    lam = (1.0 + sc.trend_per_year) ** (d / 365.0)
    if sc.weekly:
        lam = lam * WEEKLY[dates.dayofweek.to_numpy()]
    if sc.seasonal:
        lam = lam * yearly_factor(sc.vertical, dates)
    for bf, last in cal.bfcm():
        mult = sc.bfcm_last_multiplier if last else sc.bfcm_multiplier
        i = bf + cal.burn_in
        lam[i : i + 4] *= mult
    return lam


def time_of_day(n: int, rng: np.random.Generator) -> np.ndarray:
    """Fraction of a day, following the hourly shopping profile."""
    return (rng.choice(24, size=n, p=HOUR_P) + rng.random(n)) / 24.0


def subscription_time(n: int, rng: np.random.Generator) -> np.ndarray:
    """Recurring subscription charges run around 9:00."""
    return np.clip(9.0 + rng.normal(0, 0.3, n), 8.0, 11.0) / 24.0


@dataclass(frozen=True)
class Customers:
    """One entry per simulated customer."""

    acq_t: np.ndarray  # first order time
    kind: np.ndarray  # EMAIL, PHONE or ANON
    p_cont: np.ndarray
    gap_mean: np.ndarray
    gap_shape: np.ndarray
    sub: np.ndarray  # on a subscription
    sample: np.ndarray  # first order is a sample/travel size
    upgrade: np.ndarray  # buys the full size 14-30 days after the sample
    fav: np.ndarray  # favourite product
    pos: np.ndarray  # shops in the store
    ident: Identity

    @property
    def n(self) -> int:
        return len(self.acq_t)


def _pick_products(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def draw_customers(
    sc: Scenario, cat: Catalog, lam: np.ndarray, cal: Calendar, n: int, rng: np.random.Generator
) -> Customers:
    """`n` customers with acquisition days drawn from the daily rate `lam`."""
    b = BEHAVIOUR[sc.vertical]
    day = rng.choice(len(lam), size=n, p=lam / lam.sum()) - cal.burn_in
    acq_t = day + time_of_day(n, rng)
    kind = rng.choice(3, size=n, p=b.kind_p)
    sub = (kind == EMAIL) & (rng.random(n) < b.sub_share)
    p_cont = np.where(sub, rng.beta(*b.sub_p_cont, n), rng.beta(*b.p_cont, n))
    p_cont = np.where(kind == ANON, 0.0, p_cont)
    cadences = np.array([c for c, _ in b.sub_cadence], dtype=float)
    cadence = rng.choice(cadences, size=n, p=[p for _, p in b.sub_cadence])
    gap_mean = np.where(sub, cadence, rng.lognormal(np.log(b.gap_mean), b.gap_sigma, n))
    gap_shape = np.where(sub, 400.0, b.gap_shape)
    sample = (kind != ANON) & ~sub & (rng.random(n) < b.sample_share)
    upgrade = sample & (rng.random(n) < b.upgrade_share)
    w = cat.product_weight * (cat.main_full >= 0)
    fav = _pick_products(w, n, rng)
    fav = np.where(sample, _pick_products(w * (cat.travel >= 0), n, rng), fav)
    if (cat.sub >= 0).any():
        fav = np.where(sub, _pick_products(w * (cat.sub >= 0), n, rng), fav)
    return Customers(
        acq_t=acq_t, kind=kind, p_cont=p_cont, gap_mean=gap_mean, gap_shape=gap_shape, sub=sub,
        sample=sample, upgrade=upgrade, fav=fav, pos=rng.random(n) < b.pos_share,
        ident=draw_identity(n, rng),
    )


@dataclass(frozen=True)
class Timeline:
    """One entry per order (unsorted)."""

    cust: np.ndarray
    t: np.ndarray
    status: np.ndarray
    cancelled: np.ndarray
    promo: np.ndarray  # an extra order placed because of BFCM
    winback: np.ndarray  # 0; a planted winback conversion: 1 held out, 2 treated with a
    # discount code, 3 treated without one (aura.demo.winback)

    def take(self, idx: np.ndarray) -> Timeline:
        return Timeline(*(getattr(self, f.name)[idx] for f in fields(self)))

    @staticmethod
    def concat(parts: list[Timeline]) -> Timeline:
        return Timeline(
            *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Timeline))
        )

    @staticmethod
    def new(cust: np.ndarray, t: np.ndarray, rng: np.random.Generator) -> Timeline:
        status, cancelled = draw_status(len(t), rng)
        zero = np.zeros(len(t), dtype=np.int8)
        return Timeline(cust, t, status, cancelled, zero.astype(bool), zero)

    def valid(self) -> np.ndarray:
        """Orders that count as purchases (not voided, not cancelled)."""
        return (self.status != VOIDED) & ~self.cancelled


def draw_status(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Financial status and cancellation of `n` orders."""
    status = rng.choice(5, size=n, p=_STATUS_P).astype(np.int8)
    cancelled = (status == VOIDED) | ((status == REFUNDED) & (rng.random(n) < _REFUND_CANCEL_P))
    return status, cancelled


def draw_sequences(
    owners: np.ndarray, start: np.ndarray, cust: Customers, second_gap: np.ndarray,
    horizon: float, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order sequences of customers `owners`, the first at `start`; later orders follow the
    customer's gap process (second_gap > 0 forces a second order after that many days).
    Returns (customer, t, position in the sequence) for orders before `horizon`."""
    k = rng.geometric(1.0 - np.minimum(cust.p_cont[owners], 0.995))
    k = np.minimum(k, MAX_ORDERS)
    k = np.where(second_gap > 0, np.maximum(k, 2), k)
    idx = np.repeat(np.arange(len(owners)), k)
    first = np.cumsum(k) - k
    pos = np.arange(len(idx)) - first[idx]
    who = owners[idx]
    gaps = rng.gamma(cust.gap_shape[who], cust.gap_mean[who] / cust.gap_shape[who])
    gaps = np.where((pos == 1) & (second_gap[idx] > 0), second_gap[idx], gaps)
    step = np.where(pos == 0, 0.0, np.maximum(np.rint(gaps), 1.0))
    cs = np.cumsum(step)
    day = np.floor(start)[idx] + cs - cs[first][idx]
    tod = np.where(cust.sub[who], subscription_time(len(idx), rng), time_of_day(len(idx), rng))
    t = np.where(pos == 0, start[idx], day + tod)
    keep = t < horizon
    return who[keep], t[keep], pos[keep]


def base_timeline(cust: Customers, cal: Calendar, rng: np.random.Generator) -> Timeline:
    """Every customer's organic orders."""
    ids = np.arange(cust.n)
    second = np.where(cust.upgrade, rng.uniform(14, 30, cust.n), 0.0)
    who, t, _ = draw_sequences(ids, cust.acq_t, cust, second, cal.days, rng)
    return Timeline.new(who, t, rng)


def last_order_before(tl: Timeline, n: int, before: float, mask: np.ndarray | None = None
                      ) -> np.ndarray:
    """Per customer: time of the last order (within `mask`) before `before`, else -inf."""
    sel = tl.t < before if mask is None else mask & (tl.t < before)
    out = np.full(n, -np.inf)
    np.maximum.at(out, tl.cust[sel], tl.t[sel])
    return out


def bfcm_extras(
    tl: Timeline, cust: Customers, sc: Scenario, cal: Calendar, rng: np.random.Generator
) -> Timeline:
    """Extra orders of recently active customers during each BFCM (Fri-Mon)."""
    parts = [tl]
    for bf, last in cal.bfcm():
        prob = sc.bfcm_last_extra if last else sc.bfcm_extra
        if prob <= 0:
            continue
        recent = last_order_before(tl, cust.n, bf) >= bf - 180
        pick = np.flatnonzero((cust.kind != ANON) & recent & (rng.random(cust.n) < prob))
        day = bf + rng.choice(4, size=len(pick), p=[0.4, 0.2, 0.15, 0.25])
        t = day + time_of_day(len(pick), rng)
        keep = t < cal.days
        extra = Timeline.new(pick[keep], t[keep], rng)
        parts.append(Timeline(extra.cust, extra.t, extra.status, extra.cancelled,
                              np.ones(keep.sum(), dtype=bool), extra.winback))
    return Timeline.concat(parts)


def subsample(tl: Timeline, n_cust: int, target: int, avoid: np.ndarray,
              rng: np.random.Generator) -> Timeline | None:
    """Keep a random subset of whole customers with exactly `target` exported orders
    (None if there are too few). `avoid`: customers never truncated to fill the last slots."""
    inwin = tl.t >= 0
    counts = np.bincount(tl.cust[inwin], minlength=n_cust)
    perm = rng.permutation(n_cust)
    perm = perm[counts[perm] > 0]
    cs = np.cumsum(counts[perm])
    if len(cs) == 0 or cs[-1] < target:
        return None
    m = int(np.searchsorted(cs, target, side="right"))
    keep = np.zeros(n_cust, dtype=bool)
    keep[perm[:m]] = True
    rest = target - (int(cs[m - 1]) if m else 0)
    drop = np.zeros(len(tl.t), dtype=bool)
    if rest > 0:
        others = perm[m:]
        exact = others[(counts[others] == rest) & ~avoid[others]]
        if len(exact):
            keep[exact[0]] = True
        else:
            cand = others[counts[others] > rest]
            c = next((x for x in cand if not avoid[x]), cand[0])
            keep[c] = True
            mine = np.flatnonzero((tl.cust == c) & inwin)
            mine = mine[np.argsort(tl.t[mine], kind="stable")]
            drop[mine[rest:]] = True
    return tl.take(np.flatnonzero(keep[tl.cust] & ~drop))
