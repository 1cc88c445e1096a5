"""The planted winback action: audience, hash holdout and conversion lift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from aura.demo.identity import emails
from aura.demo.simulate import (
    EMAIL,
    PAID,
    Calendar,
    Customers,
    Timeline,
    draw_sequences,
    last_order_before,
)
from aura.tracking.holdout import holdout_mask

PLAY_ID = "winback_21_45"
VARIANT_ID = "pct15"
CHANNEL = "email"
CODE = "WINBACK15"
HOLDOUT_FRACTION = 0.2
DAYS_BEFORE_END = 45  # launch date = end_date - 45 days
LAUNCH_HOUR = 10
RECENCY = (21, 45)  # days between the last order date and the launch date (inclusive)
WINDOW_DAYS = 28  # conversion window after launched_at
BASELINE = 0.08  # planted chance to order within the window without the action
LIFT = 0.06  # planted absolute lift for treated customers
# The prediction the app freezes in the action log at launch (the plan row's p10/p50/p90 for
# the whole audience over the plan's four-week month), per audience member. A planning
# number stated here, not read from the simulated outcome: the planted lift (0.06) x an
# order value of about 64 less 15% off on the ~14% of treated members who order is about
# 2.5 per member; p10 and p90 are half and one and a half times that.
PREDICTED_PER_MEMBER = (1.25, 2.50, 3.75)  # p10, p50, p90


def predicted_net_sales(audience_size: int) -> tuple[float, float, float]:
    """The logged prediction (p10, p50, p90) for an audience of `audience_size` members."""
    return tuple(round(v * audience_size, 2) for v in PREDICTED_PER_MEMBER)  # type: ignore[return-value]


@dataclass(frozen=True)
class WinbackPlan:
    """The planted action and who was targeted."""

    launch_day: int  # day index (relative to the window start) of the launch date
    action_id: str
    audience: np.ndarray  # customer ids
    holdout: np.ndarray  # per audience member
    converted: np.ndarray  # per audience member: planted conversion

    @property
    def launched_t(self) -> float:
        return self.launch_day + LAUNCH_HOUR / 24.0


def launch_day(cal: Calendar) -> int:
    return cal.days - 1 - DAYS_BEFORE_END


def action_id(cal: Calendar) -> str:
    launch = cal.start + timedelta(days=launch_day(cal))
    return f"{launch.isoformat()}__{PLAY_ID}__{VARIANT_ID}"


def audience_of(tl: Timeline, cust: Customers, day: int) -> np.ndarray:
    """Email customers whose last valid order date is 21-45 days before launch day `day`."""
    last = last_order_before(tl, cust.n, float(day), tl.valid())
    since = day - np.floor(last)
    return np.flatnonzero((cust.kind == EMAIL) & (since >= RECENCY[0]) & (since <= RECENCY[1]))


def plant_winback(
    tl: Timeline, cust: Customers, cal: Calendar, rng: np.random.Generator
) -> tuple[Timeline, WinbackPlan]:
    """Replace the audience's orders from the launch day on with the planted behaviour:
    convert within 28 days with BASELINE (+ LIFT if treated), else not before day 29."""
    day = launch_day(cal)
    aid = action_id(cal)
    aud = audience_of(tl, cust, day)
    keys = emails(cust.ident, aud).to_pylist()
    hold = holdout_mask(aid, keys, HOLDOUT_FRACTION)
    conv = rng.random(len(aud)) < np.where(hold, BASELINE, BASELINE + LIFT)
    plan = WinbackPlan(day, aid, aud, hold, conv)
    in_aud = np.zeros(cust.n, dtype=bool)
    in_aud[aud] = True
    kept = tl.take(np.flatnonzero(~(in_aud[tl.cust] & (tl.t >= day))))
    gm = cust.gap_mean[aud]
    later = plan.launched_t + WINDOW_DAYS + 1.5 + rng.gamma(2.0, gm / 2.0)
    start = np.where(conv, plan.launched_t + rng.uniform(0.1, WINDOW_DAYS - 0.5, len(aud)), later)
    again = conv | (rng.random(len(aud)) < cust.p_cont[aud])
    owners, st = aud[again], start[again]
    who, t, pos = draw_sequences(owners, st, cust, np.zeros(len(owners)), cal.days, rng)
    new = Timeline.new(who, t, rng)
    arm = np.zeros(cust.n, dtype=np.int8)
    arm[aud[conv]] = np.where(hold[conv], 1, 2)
    first_conv = (pos == 0) & (arm[who] > 0)
    new.status[first_conv] = PAID
    new.cancelled[first_conv] = False
    new.winback[first_conv] = arm[who[first_conv]]
    return Timeline.concat([kept, new]), plan
