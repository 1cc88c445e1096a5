"""Choose the month's Recommended-now actions among the plays that passed every gate.

Pure Python over small inputs (one option per play, at most a dozen plays); the audiences are
boolean membership arrays over one customer index, so every overlap is a vectorized count.
Used by the dbt Python model mart_action_plan; definitions in DECISIONLOG "Monthly plan:
selection and safeguards".

The plan is the feasible set of at most `max_recommended` options with the largest total
adjusted value (an exhaustive search: at most C(n, 1) + C(n, 2) + C(n, 3) sets). Inside a
set the options are ordered by score (highest first); each later option's value is reduced
by the share of its audience already reached by the earlier ones and multiplied by the
interaction factors of the earlier plays on it. A set is feasible when its effort fits the
budget, the channels stay within their caps (a play uses every channel it lists), no two plays conflict, and
every later option's audience is covered by at most `overlap_max_ratio` by earlier ones,
adds at least `min_unique_audience` new customers and has a Jaccard similarity of at most
`jaccard_demote` with each earlier one. Category diversity is soft: the best set with two or
more categories wins when its value is within `diversity_tolerance` of the best set.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Option:
    """One play's best usable variant, a candidate for Recommended now."""

    play_id: str
    category: str
    score: float
    effort: float
    channels: tuple[str, ...]
    value_p10: float
    value_p50: float
    value_p90: float
    audience: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Settings:
    """The plan's guardrails (aura_ vars)."""

    max_recommended: int = 3
    effort_budget: float = 4.0
    overlap_max_ratio: float = 0.6
    min_unique_audience: int = 400
    jaccard_demote: float = 0.5
    diversity_tolerance: float = 0.10
    channel_caps: Mapping[str, int] = field(default_factory=lambda: {"email": 2, "sms": 1})
    disabled_channels: frozenset[str] = frozenset()
    # (earlier play, later play) -> factor on the later play's value
    interactions: Mapping[tuple[str, str], float] = field(default_factory=dict)
    # unordered conflicting pairs
    conflicts: frozenset[frozenset[str]] = frozenset()


@dataclass(frozen=True)
class Placement:
    """An option as placed in a plan: its position and every adjustment applied."""

    play_id: str
    position: int
    channels: tuple[str, ...]
    audience_size: int
    overlapping_customers: int
    overlap_share: float
    effective_audience_size: int
    max_jaccard: float | None
    jaccard_with_play: str | None
    interaction_factor: float
    interactions_applied: tuple[tuple[str, float], ...]
    value_p10: float
    value_p50: float
    value_p90: float


@dataclass(frozen=True)
class Plan:
    placements: tuple[Placement, ...]

    @property
    def total_p50(self) -> float:
        return sum(p.value_p50 for p in self.placements)


# Why an option cannot join a plan, in the order they are checked.
REJECTIONS = (
    "plan_full",
    "effort_budget",
    "channel_cap",
    "conflict",
    "overlap_too_high",
    "too_few_new_customers",
    "audience_overlaps_higher",
)


def send_channels(option: Option, settings: Settings) -> tuple[str, ...]:
    """The channels an option is sent through: every channel its play lists, less the
    disabled ones; each counts against that channel's cap (seeds/channel_caps.yml)."""
    return tuple(c for c in option.channels if c not in settings.disabled_channels)


def _within_channel_caps(options: Sequence[Option], settings: Settings) -> bool:
    used: dict[str, int] = {}
    for option in options:
        channels = send_channels(option, settings)
        if not channels:
            return False
        for channel in channels:
            used[channel] = used.get(channel, 0) + 1
    return all(n <= settings.channel_caps.get(ch, 0) for ch, n in used.items())


def place(options: Sequence[Option], settings: Settings) -> tuple[Plan | None, str | None]:
    """Place `options` (in this order) as a plan: the plan, or None and the first rejection
    reason (REJECTIONS) of the option that breaks it."""
    if len(options) > settings.max_recommended:
        return None, "plan_full"
    if sum(o.effort for o in options) > settings.effort_budget + 1e-9:
        return None, "effort_budget"
    if not _within_channel_caps(options, settings):
        return None, "channel_cap"
    ids = [o.play_id for o in options]
    for a, b in itertools.combinations(ids, 2):
        if frozenset((a, b)) in settings.conflicts:
            return None, "conflict"
    placements: list[Placement] = []
    reached: npt.NDArray[np.bool_] | None = None
    for position, option in enumerate(options, start=1):
        size = int(np.count_nonzero(option.audience))
        overlap = 0 if reached is None else int(np.count_nonzero(option.audience & reached))
        share = overlap / size if size else 0.0
        max_jaccard: float | None = None
        jaccard_with: str | None = None
        if position > 1:
            if share > settings.overlap_max_ratio + 1e-12:
                return None, "overlap_too_high"
            if size - overlap < settings.min_unique_audience:
                return None, "too_few_new_customers"
            for earlier in options[: position - 1]:
                union = int(np.count_nonzero(option.audience | earlier.audience))
                jac = int(np.count_nonzero(option.audience & earlier.audience)) / union if union else 0.0
                if max_jaccard is None or jac > max_jaccard:
                    max_jaccard, jaccard_with = jac, earlier.play_id
            if max_jaccard is not None and max_jaccard > settings.jaccard_demote + 1e-12:
                return None, "audience_overlaps_higher"
        applied = tuple(
            (earlier.play_id, settings.interactions[(earlier.play_id, option.play_id)])
            for earlier in options[: position - 1]
            if (earlier.play_id, option.play_id) in settings.interactions
        )
        factor = float(np.prod([f for _, f in applied])) if applied else 1.0
        keep = (1.0 - share) * factor
        placements.append(Placement(
            play_id=option.play_id, position=position,
            channels=send_channels(option, settings), audience_size=size,
            overlapping_customers=overlap, overlap_share=share,
            effective_audience_size=size - overlap, max_jaccard=max_jaccard,
            jaccard_with_play=jaccard_with, interaction_factor=factor,
            interactions_applied=applied, value_p10=option.value_p10 * keep,
            value_p50=option.value_p50 * keep, value_p90=option.value_p90 * keep,
        ))
        reached = option.audience.copy() if reached is None else reached | option.audience
    return Plan(tuple(placements)), None


def _ordered(options: Sequence[Option]) -> list[Option]:
    return sorted(options, key=lambda o: (-o.score, o.play_id))


def choose(options: Sequence[Option], settings: Settings) -> Plan:
    """The month's plan: the feasible set with the largest total adjusted p50 value, the soft
    diversity rule applied (module docstring). Ties: larger score sum, then play ids."""
    feasible: list[tuple[Plan, float, tuple[str, ...], int]] = []
    for k in range(0, min(settings.max_recommended, len(options)) + 1):
        for subset in itertools.combinations(_ordered(options), k):
            plan, _ = place(subset, settings)
            if plan is not None:
                categories = len({o.category for o in subset})
                feasible.append((plan, sum(o.score for o in subset),
                                 tuple(sorted(o.play_id for o in subset)), categories))

    def key(item: tuple[Plan, float, tuple[str, ...], int]) -> tuple[float, float, tuple[str, ...]]:
        plan, score_sum, ids, _ = item
        return (-round(plan.total_p50, 6), -score_sum, ids)

    feasible.sort(key=key)
    best = feasible[0][0]
    diverse = [item for item in feasible if item[3] >= 2]
    if diverse and feasible[0][3] < 2:
        candidate = diverse[0][0]
        if candidate.total_p50 >= (1.0 - settings.diversity_tolerance) * best.total_p50:
            return candidate
    return best


def why_not(option: Option, plan: Plan, options: Sequence[Option], settings: Settings) -> str:
    """Why a feasible-on-its-own option is not in the chosen plan: the first rejection when it
    is added to the plan (placed by score), else 'lower_value' (the plan is worth more)."""
    chosen = [o for o in options if o.play_id in {p.play_id for p in plan.placements}]
    _, reason = place(_ordered([*chosen, option]), settings)
    if reason is None:
        alone, alone_reason = place([option], settings)
        if alone is None and alone_reason is not None:
            return alone_reason
        return "lower_value"
    return reason
