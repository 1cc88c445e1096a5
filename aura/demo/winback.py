"""The planted winback actions: audience, hash holdout and conversion lift.

The winback_activation store launched two variants of the play winback_21_45 by email, each
with a 20% hash holdout: first a reminder without a discount (catalogue variant
'winback_21_45__reminder', launched REMINDER_DAYS_BEFORE_END days before the end date,
planted lift REMINDER_LIFT), then, after the reminder's window had closed, the 15%-off email
'pct15' (DAYS_BEFORE_END days before the end date, planted lift LIFT). Both start from the
same planted baseline, so the store's own data can tell which variant converts better.
"""

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
CHANNEL = "email"
LAUNCH_HOUR = 10
RECENCY = (21, 45)  # days between the last order date and the launch date (inclusive)
WINDOW_DAYS = 28  # conversion window after launched_at

# --- the 15%-off email (the later launch; effects["winback"] of the ground truth) ---------
VARIANT_ID = "pct15"
CODE = "WINBACK15"
HOLDOUT_FRACTION = 0.2
DAYS_BEFORE_END = 45  # launch date = end_date - 45 days
BASELINE = 0.08  # planted chance to order within the window without the action
LIFT = 0.06  # planted absolute lift for treated customers
# The prediction the app freezes in the action log at launch (the plan row's p10/p50/p90 for
# the whole audience over the plan's four-week month), per audience member. A planning
# number stated here, not read from the simulated outcome: the planted lift (0.06) x an
# order value of about 64 less 15% off on the ~14% of treated members who order is about
# 2.5 per member; p10 and p90 are half and one and a half times that.
PREDICTED_PER_MEMBER = (1.25, 2.50, 3.75)  # p10, p50, p90

# --- the reminder without a discount (the earlier launch; effects["winback_reminder"]) ----
REMINDER_VARIANT_ID = "winback_21_45__reminder"  # the catalogue's no-discount variant
REMINDER_HOLDOUT_FRACTION = 0.2
# launch date = end_date - 90 days: its 28-day window closes 17 days before the pct15 launch
REMINDER_DAYS_BEFORE_END = 90
REMINDER_BASELINE = 0.08
REMINDER_LIFT = 0.02
# Its prediction frozen at launch, per audience member, stated the same way: the planted
# lift (0.02) x an order value of about 64, with no discount to pay, is about 1.28 per
# member; p10 and p90 are half and one and a half times that.
REMINDER_PREDICTED_PER_MEMBER = (0.64, 1.28, 1.92)  # p10, p50, p90

# Timeline.winback marker of a converting member's first order in the window: 1 held out,
# 2 treated by a launch with a discount code (the order carries it), 3 treated without one.
HOLDOUT_MARK, CODE_MARK, NO_CODE_MARK = 1, 2, 3


@dataclass(frozen=True)
class Launch:
    """One planted launch of the winback play."""

    variant_id: str
    days_before_end: int  # launch date = end_date - days_before_end
    holdout_fraction: float
    baseline: float  # planted chance to order within the window without the action
    lift: float  # planted absolute lift for treated customers
    predicted_per_member: tuple[float, float, float]  # logged p10, p50, p90 per member
    code: str | None  # the discount code treated converters use (None: no discount)
    note: str  # the action log's note

    @property
    def treated_rate(self) -> float:
        return round(self.baseline + self.lift, 4)

    def predicted_net_sales(self, audience_size: int) -> tuple[float, float, float]:
        """The logged prediction (p10, p50, p90) for an audience of `audience_size` members."""
        return tuple(round(v * audience_size, 2) for v in self.predicted_per_member)  # type: ignore[return-value]


PCT15 = Launch(VARIANT_ID, DAYS_BEFORE_END, HOLDOUT_FRACTION, BASELINE, LIFT,
               PREDICTED_PER_MEMBER, CODE, "Demo: winback email, 15% off; planted lift")
REMINDER = Launch(REMINDER_VARIANT_ID, REMINDER_DAYS_BEFORE_END, REMINDER_HOLDOUT_FRACTION,
                  REMINDER_BASELINE, REMINDER_LIFT, REMINDER_PREDICTED_PER_MEMBER, None,
                  "Demo: winback email, a reminder without a discount; planted lift")
# in the order they are planted (and launched): each is planted on the timeline the
# earlier ones left
LAUNCHES = (REMINDER, PCT15)


@dataclass(frozen=True)
class WinbackPlan:
    """One planted action and who was targeted."""

    launch: Launch
    launch_day: int  # day index (relative to the window start) of the launch date
    action_id: str
    audience: np.ndarray  # customer ids
    holdout: np.ndarray  # per audience member
    converted: np.ndarray  # per audience member: planted conversion

    @property
    def launched_t(self) -> float:
        return self.launch_day + LAUNCH_HOUR / 24.0


def launch_day(cal: Calendar, launch: Launch = PCT15) -> int:
    return cal.days - 1 - launch.days_before_end


def action_id(cal: Calendar, launch: Launch = PCT15) -> str:
    """Launch date + variant, as the app names a launch: a catalogue variant id names its
    play ('2026-08-02__winback_21_45__reminder'); the demo's own 'pct15' does not, so the
    play goes before it ('2026-09-16__winback_21_45__pct15')."""
    day = (cal.start + timedelta(days=launch_day(cal, launch))).isoformat()
    if launch.variant_id.startswith(f"{PLAY_ID}__"):
        return f"{day}__{launch.variant_id}"
    return f"{day}__{PLAY_ID}__{launch.variant_id}"


def audience_of(tl: Timeline, cust: Customers, day: int) -> np.ndarray:
    """Email customers whose last valid order date is 21-45 days before launch day `day`."""
    last = last_order_before(tl, cust.n, float(day), tl.valid())
    since = day - np.floor(last)
    return np.flatnonzero((cust.kind == EMAIL) & (since >= RECENCY[0]) & (since <= RECENCY[1]))


def plant_winback(
    tl: Timeline, cust: Customers, cal: Calendar, rng: np.random.Generator,
    launch: Launch = PCT15,
) -> tuple[Timeline, WinbackPlan]:
    """Replace the audience's orders from the launch day on with the planted behaviour:
    convert within 28 days with the baseline (+ the lift if treated), else not before day 29."""
    day = launch_day(cal, launch)
    aid = action_id(cal, launch)
    aud = audience_of(tl, cust, day)
    keys = emails(cust.ident, aud).to_pylist()
    hold = holdout_mask(aid, keys, launch.holdout_fraction)
    conv = rng.random(len(aud)) < np.where(hold, launch.baseline, launch.baseline + launch.lift)
    plan = WinbackPlan(launch, day, aid, aud, hold, conv)
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
    treated_mark = CODE_MARK if launch.code else NO_CODE_MARK
    arm = np.zeros(cust.n, dtype=np.int8)
    arm[aud[conv]] = np.where(hold[conv], HOLDOUT_MARK, treated_mark)
    first_conv = (pos == 0) & (arm[who] > 0)
    new.status[first_conv] = PAID
    new.cancelled[first_conv] = False
    new.winback[first_conv] = arm[who[first_conv]]
    return Timeline.concat([kept, new]), plan


def plant_winbacks(
    tl: Timeline, cust: Customers, cal: Calendar, rng: np.random.Generator,
    launches: tuple[Launch, ...] = LAUNCHES,
) -> tuple[Timeline, list[WinbackPlan]]:
    """Plant `launches` in order, each on the timeline the earlier ones left."""
    plans = []
    for launch in launches:
        tl, plan = plant_winback(tl, cust, cal, rng, launch)
        plans.append(plan)
    return tl, plans
