"""Marking a recommended action as launched: what can be marked and what is already logged.

The app appends launches to the brand's action log input (`aura.serving.action_log`), which
the next build reads into mart_action_outcomes. Until then a launch is only in the log:
`logged_launches` reads the log's CSV files (the input contract's `action_log*` pattern)
so the app can show launches the published build has not measured yet.
"""

from __future__ import annotations

import csv
from pathlib import Path

from aura.briefing.model import Briefing, PlanCard

DEFAULT_HOLDOUT = 0.2  # aura_holdout_fraction's default: the share of the audience held out


def launchable(b: Briefing) -> tuple[PlanCard, ...]:
    """The month's actions that can be marked launched: Recommended now, then the pilot."""
    cards = b.recommended + ((b.pilot,) if b.pilot else ())
    return tuple(c for c in cards if c.action_id)


def default_holdout(card: PlanCard) -> float:
    """The share to hold out: the pilot holds back everyone it is not sent to, an action the
    project's default (20%)."""
    if card.lane == "pilot" and card.pilot_audience_size and card.audience_size:
        return round(min(0.95, max(0.0, 1 - card.pilot_audience_size / card.audience_size)), 2)
    return DEFAULT_HOLDOUT


def logged_launches(input_dir: Path | None) -> list[dict[str, str]]:
    """Rows of the action log CSV files in `input_dir` (empty without any)."""
    if input_dir is None or not Path(input_dir).is_dir():
        return []
    out: list[dict[str, str]] = []
    for path in sorted(Path(input_dir).glob("action_log*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                out.append({(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
    return out


def not_yet_measured(logged: list[dict[str, str]], measured_ids: set[str]) -> list[dict[str, str]]:
    """Logged launches the published build does not have yet (first row of each action)."""
    seen: set[str] = set()
    out = []
    for row in logged:
        action = row.get("action_id", "")
        if action and action not in measured_ids and action not in seen:
            seen.add(action)
            out.append(row)
    return out
