"""The month's plan: every play placed in one lane with the reason it is there.

`build_plan` turns the candidates, their variants, the audiences and the guardrails into
one row per play (mart_action_plan). Lanes: recommended (selection.choose), pilot (when
nothing is recommended and the month does not abstain hard: the best usable candidate as a
small test), backlog (passed every gate but not chosen, with why), watchlist, considered
(everything else, with the candidate's or the variant's reason). Definitions: DECISIONLOG
"Monthly plan: selection and safeguards".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from aura.plan.selection import Option, Plan, Settings, choose, why_not

LANES = ("recommended", "pilot", "backlog", "watchlist", "considered")
TIER_ORDER = {"action": 0, "watchlist": 1, "considered": 2}
# candidate reasons that keep a play out of any plan, pilot included
UNUSABLE = {"blocked_inventory_short", "empty_audience", "month_abstains"}


@dataclass(frozen=True)
class PlanSettings:
    selection: Settings = field(default_factory=Settings)
    pilot_audience_fraction: float = 0.3
    pilot_budget_cap: float = 150.0
    measurement_days: int = 28

    @classmethod
    def from_inputs(
        cls, config: Mapping[str, Any], channel_caps: pd.DataFrame,
        interactions: pd.DataFrame, conflicts: pd.DataFrame,
    ) -> PlanSettings:
        """From the model's config (mart_action_plan.yml renders the aura_ vars as text) and
        the seeds channel_caps, play_interactions and play_conflicts."""

        def num(key: str) -> float:
            return float(config[key])

        disabled = config["disabled_channels"]
        return cls(
            selection=Settings(
                max_recommended=int(num("max_recommended")),
                effort_budget=num("effort_budget"),
                overlap_max_ratio=num("overlap_max_ratio"),
                min_unique_audience=int(num("min_unique_audience")),
                jaccard_demote=num("jaccard_demote"),
                diversity_tolerance=num("diversity_tolerance"),
                channel_caps={str(r.channel): int(r.max_actions_per_month)
                              for r in channel_caps.itertuples()},
                # '|'-separated text (the yml joins the list var), or a list
                disabled_channels=frozenset(
                    c for c in (str(disabled or "").split("|") if not isinstance(disabled, list | tuple)
                                else disabled) if c),
                interactions={(str(r.from_play), str(r.to_play)): float(r.factor)
                              for r in interactions.itertuples()},
                conflicts=frozenset(frozenset((str(r.play_a), str(r.play_b)))
                                    for r in conflicts.itertuples()),
            ),
            pilot_audience_fraction=num("pilot_audience_fraction"),
            pilot_budget_cap=num("pilot_budget_cap"),
            measurement_days=int(num("measurement_days")),
        )


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _count(n: float) -> str:
    return f"{int(round(n)):,}"


def _audiences(members: pd.DataFrame, play_ids: list[str]) -> dict[str, np.ndarray]:
    """Boolean membership arrays over one customer index, per play."""
    codes, uniques = pd.factorize(members["customer_key"])
    size = len(uniques)
    out: dict[str, np.ndarray] = {}
    for play_id in play_ids:
        mask = np.zeros(size, dtype=bool)
        mask[codes[(members["play_id"] == play_id).to_numpy()]] = True
        out[play_id] = mask
    return out


def _variant_audience(row: pd.Series, audiences: Mapping[str, np.ndarray]) -> np.ndarray:
    audience = audiences[row["play_id"]]
    excluded = row.get("excluded_audience_play_id")
    if isinstance(excluded, str) and excluded in audiences:
        return audience & ~audiences[excluded]
    return audience


def _option(row: pd.Series, audiences: Mapping[str, np.ndarray]) -> Option:
    return Option(
        play_id=row["play_id"], category=row["category"], score=float(row["score"] or 0.0),
        effort=float(row["effort"]), channels=tuple(str(row["channels"]).split("|")),
        value_p10=float(row["expected_monthly_net_sales_p10"]),
        value_p50=float(row["expected_monthly_net_sales_p50"]),
        value_p90=float(row["expected_monthly_net_sales_p90"]),
        audience=_variant_audience(row, audiences),
    )


def _backlog_text(
    reason: str, option: Option, plan: Plan, options: list[Option], settings: Settings,
    labels: Mapping[str, str], conflict_reasons: Mapping[frozenset[str], str],
) -> tuple[str, str]:
    """(why it is in the backlog, what would make it fire), plain English."""
    chosen = [p.play_id for p in plan.placements]
    names = ", ".join(labels.get(p, p) for p in chosen)
    reached = np.zeros_like(option.audience)
    for o in options:
        if o.play_id in chosen:
            reached |= o.audience
    size = int(np.count_nonzero(option.audience))
    overlap = int(np.count_nonzero(option.audience & reached))
    if reason == "plan_full":
        return (f"Passed every check, but the {len(chosen)} actions recommended now are worth more "
                f"({names}).", "Would fire if one of this month's actions is dropped, or next month.")
    if reason == "effort_budget":
        used = sum(o.effort for o in options if o.play_id in chosen)
        return (f"Passed every check, but the actions recommended now use {used:g} of the "
                f"{settings.effort_budget:g} effort points this month.",
                f"Would fire with an effort budget of {used + option.effort:g}, or next month.")
    if reason == "channel_cap":
        caps = ", ".join(f"{n} {ch.upper() if ch == 'sms' else ch}"
                         for ch, n in settings.channel_caps.items())
        return (f"Passed every check, but its channels are taken this month (at most {caps} "
                "sends).", "Would fire if a channel has room, or next month.")
    if reason == "conflict":
        other = next(p for p in chosen if frozenset((p, option.play_id)) in settings.conflicts)
        why = conflict_reasons.get(frozenset((other, option.play_id)), "")
        return (f"Passed every check, but it conflicts with {labels.get(other, other)}. {why}".strip(),
                f"Would fire in a month without {labels.get(other, other)}.")
    if reason == "overlap_too_high":
        return (f"Passed every check, but {_pct(overlap / size if size else 0)} of its customers are "
                f"already in an action above (at most {_pct(settings.overlap_max_ratio)}).",
                "Would fire next month, or if the actions above did not reach the same customers.")
    if reason == "too_few_new_customers":
        return (f"Passed every check, but it would reach only {_count(size - overlap)} customers "
                f"the actions above do not (at least {_count(settings.min_unique_audience)} needed).",
                f"Would fire if it reached at least {_count(settings.min_unique_audience)} new customers.")
    if reason == "audience_overlaps_higher":
        return ("Passed every check, but its audience is largely the same as that of an action "
                "recommended above.", "Would fire next month, once the action above has run.")
    return ("Passed every check; this month's plan is worth more without it.",
            "Would fire if it were worth more than one of the actions recommended now.")


def build_plan(
    candidates: pd.DataFrame,
    variants: pd.DataFrame,
    members: pd.DataFrame,
    playbooks: pd.DataFrame,
    conflicts: pd.DataFrame,
    decision_state: str,
    decision_reason: str,
    settings: PlanSettings,
) -> pd.DataFrame:
    """One row per play: its lane, variant, adjustments and plain-English reasons."""
    sel = settings.selection
    plays = candidates.merge(
        playbooks[["play_id", "title", "family", "channels", "effort", "mechanism", "how_to_launch"]],
        on="play_id", how="left", suffixes=("", "_playbook"))
    play_ids = list(plays["play_id"])
    # plays are named by their title in brand-team copy, lower-cased mid-sentence
    labels = {r.play_id: f'"{r.title[0].lower()}{r.title[1:]}"' for r in plays.itertuples()}
    conflict_reasons = {frozenset((r.play_a, r.play_b)): str(r.reason) for r in conflicts.itertuples()}
    audiences = _audiences(members, play_ids)
    best = variants[variants["is_best_variant"].fillna(False).astype(bool)].set_index("play_id")
    # a date, not a timestamp: it names the month in action ids (`2026-10-31__<variant>`)
    as_of = pd.Timestamp(candidates["as_of_date"].iloc[0]).date()

    money = ["expected_monthly_net_sales_p10", "expected_monthly_net_sales_p50",
             "expected_monthly_net_sales_p90"]
    options: list[Option] = []
    for row in plays.itertuples(index=False):
        if (row.tier == "action" and row.play_id in best.index and decision_state == "publish"
                and pd.notna(best.loc[row.play_id, "expected_monthly_net_sales_p50"])
                and best.loc[row.play_id, "expected_monthly_net_sales_p50"] > 0):
            v = best.loc[row.play_id]
            options.append(_option(pd.Series({
                "play_id": row.play_id, "category": row.category, "score": row.score,
                "effort": row.effort, "channels": row.channels,
                "excluded_audience_play_id": v.get("excluded_audience_play_id"),
                **{m: v[m] for m in money}}), audiences))
    plan = choose(options, sel) if options else Plan(())
    placed = {p.play_id: p for p in plan.placements}

    pilot_id: str | None = None
    pilot_variant: pd.Series | None = None
    if not placed and decision_state != "abstain_hard":
        pool = plays[~plays["reason_code"].isin(UNUSABLE)].copy()
        pool["tier_order"] = pool["tier"].map(TIER_ORDER)
        pool = pool.sort_values(["tier_order", "score", "audience_size", "play_id"],
                                ascending=[True, False, False, True], na_position="last")
        for row in pool.itertuples(index=False):
            usable = variants[(variants["play_id"] == row.play_id) & variants["is_eligible"].fillna(False)]
            if usable.empty:
                continue
            ranked = usable.assign(
                _best=~usable["is_best_variant"].fillna(False).astype(bool),
                _nodisc=~usable["is_no_discount"].fillna(False).astype(bool),
            ).sort_values(["_best", "_nodisc", "variant_id"])
            for _, v in ranked.iterrows():
                cost = float(v.get("incentive_cost_monthly") or 0.0) * settings.pilot_audience_fraction
                if cost <= settings.pilot_budget_cap + 1e-9 and int(
                        round(v["eligible_audience_size"] * settings.pilot_audience_fraction)) >= 1:
                    pilot_id, pilot_variant = row.play_id, v
                    break
            if pilot_id:
                break

    rows: list[dict[str, Any]] = []
    for row in plays.itertuples(index=False):
        variant = best.loc[row.play_id] if row.play_id in best.index else None
        out: dict[str, Any] = {
            "as_of_date": as_of, "play_id": row.play_id, "title": row.title, "family": row.family,
            "category": row.category, "tier": row.tier, "evidence_class": row.evidence_class,
            "candidate_reason_code": row.reason_code, "score": row.score, "effort": row.effort,
            "channels": row.channels, "audience_size": row.audience_size,
            "mechanism": row.mechanism, "how_to_launch": row.how_to_launch,
            "variant_id": None if variant is None else variant["variant_id"],
            "channel": None, "send_channels": None, "lane_rank": None, "overlapping_customers": None,
            "overlap_share": None, "effective_audience_size": None, "max_jaccard": None,
            "jaccard_with_play_id": None, "interaction_factor": None, "interactions_applied": None,
            "base_monthly_net_sales_p10": None, "base_monthly_net_sales_p50": None,
            "base_monthly_net_sales_p90": None, "expected_monthly_net_sales_p10": None,
            "expected_monthly_net_sales_p50": None, "expected_monthly_net_sales_p90": None,
            "value_null_reason": None, "pilot_audience_size": None,
            "pilot_incentive_budget": None, "pilot_decision_rule": None,
        }
        if variant is not None:
            for m in money:
                out["base_" + m.removeprefix("expected_")] = variant[m]
            out["value_null_reason"] = variant.get("value_null_reason")
        if row.play_id in placed:
            p = placed[row.play_id]
            out.update(
                lane="recommended", lane_rank=p.position, plan_reason_code="selected",
                channel=p.channels[0], send_channels="|".join(p.channels),
                overlapping_customers=p.overlapping_customers,
                overlap_share=p.overlap_share, effective_audience_size=p.effective_audience_size,
                max_jaccard=p.max_jaccard, jaccard_with_play_id=p.jaccard_with_play,
                interaction_factor=p.interaction_factor,
                interactions_applied="; ".join(
                    f"{a} x{f:.2f}" for a, f in p.interactions_applied) or None,
                expected_monthly_net_sales_p10=p.value_p10, expected_monthly_net_sales_p50=p.value_p50,
                expected_monthly_net_sales_p90=p.value_p90,
                plan_reason=row.reason, would_fire_if=None,
            )
        elif row.play_id == pilot_id and pilot_variant is not None:
            v = pilot_variant
            n = int(round(v["eligible_audience_size"] * settings.pilot_audience_fraction))
            enabled = [c for c in str(row.channels).split("|") if c not in sel.disabled_channels]
            why = ("this month's data carries a warning" if decision_state == "abstain_soft"
                   else "no action passed every check this month")
            out.update(
                lane="pilot", lane_rank=1,
                plan_reason_code="pilot_month_soft_abstains" if decision_state == "abstain_soft"
                else "pilot_nothing_passed",
                variant_id=v["variant_id"], channel=enabled[0] if enabled else None,
                send_channels="|".join(enabled) or None, pilot_audience_size=n,
                pilot_incentive_budget=round(float(v.get("incentive_cost_monthly") or 0.0)
                                             * settings.pilot_audience_fraction, 2),
                value_null_reason="pilot_measures_the_effect",
                base_monthly_net_sales_p10=v.get("expected_monthly_net_sales_p10"),
                base_monthly_net_sales_p50=v.get("expected_monthly_net_sales_p50"),
                base_monthly_net_sales_p90=v.get("expected_monthly_net_sales_p90"),
                pilot_decision_rule=(
                    f"Send it to {_count(n)} randomly chosen customers of the audience "
                    f"({_pct(settings.pilot_audience_fraction)}) and hold back the rest. After "
                    f"{settings.measurement_days} days compare how many of each group ordered: "
                    "roll it out to everyone if the pilot group ordered clearly more, otherwise stop."),
                plan_reason=(f"Suggested as a small test because {why}: " + str(row.reason)),
                would_fire_if=row.would_fire_if,
            )
        elif row.tier == "action" and row.play_id in {o.play_id for o in options}:
            option = next(o for o in options if o.play_id == row.play_id)
            reason = why_not(option, plan, options, sel)
            text, would = _backlog_text(reason, option, plan, options, sel, labels, conflict_reasons)
            out.update(lane="backlog", plan_reason_code=reason, plan_reason=text, would_fire_if=would)
        elif row.tier == "action" and decision_state == "abstain_soft" and variant is not None:
            out.update(lane="backlog", plan_reason_code="month_soft_abstains",
                       plan_reason=("Passed every check, but this month's data carries a warning, so "
                                    f"nothing is recommended now: {decision_reason}"),
                       would_fire_if="Would fire once the warning has passed.")
        elif row.reason_code not in UNUSABLE and variant is None and row.play_id in set(variants["play_id"]):
            notes = variants[variants["play_id"] == row.play_id].sort_values("variant_id")
            reason = notes["ineligible_reason"].dropna()
            note = notes["variant_note"].dropna()
            out.update(lane="considered",
                       plan_reason_code=str(reason.iloc[0]) if len(reason) else "no_usable_variant",
                       plan_reason=str(note.iloc[0]) if len(note)
                       else "No way of running it is usable this month.",
                       would_fire_if=row.would_fire_if if row.tier != "action"
                       else "Would fire once one of its variants can be used again.")
        elif row.tier == "action":
            # passed every gate but its variant has no positive expected value to plan with
            out.update(lane="backlog", plan_reason_code="no_expected_value",
                       plan_reason="Passed every check, but there is no expected value to plan it with.",
                       would_fire_if="Would fire once its expected value can be computed.")
        else:
            out.update(lane="watchlist" if row.tier == "watchlist" else "considered",
                       plan_reason_code=row.reason_code, plan_reason=row.reason,
                       would_fire_if=row.would_fire_if)
        # the stable id of the action as it would be launched: as-of date + variant (which
        # names the play); the action log and the tracking marts key on it
        out["action_id"] = f"{as_of}__{out['variant_id']}" if out["variant_id"] else None
        rows.append(out)

    frame = pd.DataFrame(rows)
    order = {lane: i for i, lane in enumerate(LANES)}
    frame["lane_order"] = frame["lane"].map(order)
    unranked = frame["lane_rank"].isna()
    frame["_tier"] = frame["tier"].map(TIER_ORDER)
    ranked = frame[unranked].sort_values(["lane_order", "_tier", "score", "play_id"],
                                         ascending=[True, True, False, True], na_position="last")
    frame.loc[ranked.index, "lane_rank"] = ranked.groupby("lane").cumcount() + 1
    frame = frame.drop(columns="_tier").sort_values(["lane_order", "lane_rank"]).reset_index(drop=True)
    frame["lane_rank"] = frame["lane_rank"].astype("int64")
    return frame
