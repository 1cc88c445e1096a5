"""The publish gate after `dbt build`: a Great Expectations checkpoint over the marts the
briefing app reads.

dbt's own tests check each model's grain and definitions while the build runs; this
checkpoint checks, on the finished file, what a reader relies on: one briefing row with a
decision and its reason, a plan whose launchable actions have ids, ranges that are
ordered (p10 <= p50 <= p90), sizes that are not negative, one KPI row per window and
period, every mart of the briefing's one as-of date, finite daily net sales. It runs on
pandas frames read from the DuckDB file through a read-only connection, in an ephemeral
GX context (nothing is written anywhere), and returns a small typed result.

GX applies one checkpoint run's batch parameters (here: the dataframe) to every
validation definition of the checkpoint, so each mart has its own checkpoint
(`aura_<mart>`), run with that mart's frame; the result adds them up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import pandas as pd

DECISION_STATES = ("publish", "abstain_soft", "abstain_hard")
LANES = ("recommended", "pilot", "backlog", "watchlist", "considered")
LAUNCHABLE_LANES = ("recommended", "pilot")
OUTCOME_STATUSES = ("pending", "complete")
KPI_WINDOWS = (7, 28, 56, 90)
KPI_PERIODS = ("recent", "prior")
FINITE_LIMIT = 1e15  # |daily net sales| below this: finite and not a unit or overflow error

# The marts the app reads, in the order they are checked. Each is read whole: they are
# one month's rows (fct_daily_kpis: one row per day of history).
MARTS = (
    "mart_briefing", "mart_action_plan", "mart_forecast", "mart_watching",
    "mart_kpi_snapshot", "mart_kpi_deltas", "mart_data_quality_flags",
    "mart_action_outcomes", "mart_action_accuracy", "mart_variant_posteriors",
    "mart_action_audience_members", "mart_store_profile", "mart_audiences", "fct_daily_kpis",
)
# Marts whose rows all belong to the briefing's as-of date.
AS_OF_MARTS = tuple(m for m in MARTS if m not in (
    "mart_briefing", "fct_daily_kpis", "mart_variant_posteriors", "mart_action_audience_members"))


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation that did not hold: where, what, and what was found instead."""

    mart: str
    expectation: str  # the GX expectation type, e.g. expect_column_values_to_be_unique
    column: str | None  # the column (or columns, comma separated); None for table checks
    observed: str  # the observed value, or the offending values, or the error
    expected: str = ""  # the expectation's arguments, e.g. value=1

    def describe(self) -> str:
        where = f"{self.mart}.{self.column}" if self.column else self.mart
        expected = f" ({self.expected})" if self.expected else ""
        return f"{where}: {self.expectation}{expected} failed; observed {self.observed}"


@dataclass(frozen=True)
class CheckpointResult:
    """What the checkpoint found: `success` only when every expectation held."""

    success: bool
    evaluated: int
    passed: int
    failed: tuple[FailedExpectation, ...]
    seconds: float

    def summary(self) -> dict[str, object]:
        """A JSON-ready summary (what the run's run.json records)."""
        return {
            "success": self.success, "evaluated": self.evaluated, "passed": self.passed,
            "failed": [f.describe() for f in self.failed], "seconds": round(self.seconds, 2),
        }

    def describe(self) -> str:
        head = (f"Great Expectations checkpoint: {self.passed} of {self.evaluated} "
                "expectations passed")
        return "\n".join([head, *(f"  - {f.describe()}" for f in self.failed)])


def read_marts(db_path: Path, marts: Iterable[str] = MARTS) -> dict[str, pd.DataFrame | str]:
    """Each mart as a pandas frame, read through a read-only connection (as_of_date as an
    ISO date string, so a date and a timestamp of one day compare equal); a mart that
    cannot be read maps to the error's text."""
    frames: dict[str, pd.DataFrame | str] = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        for mart in marts:
            try:
                columns = [r[0] for r in con.execute(f"describe main.{mart}").fetchall()]
                select = ", ".join(
                    "strftime(cast(as_of_date as date), '%Y-%m-%d') as as_of_date"
                    if c == "as_of_date" else f'"{c}"' for c in columns
                )
                frames[mart] = con.execute(f"select {select} from main.{mart}").df()
            except duckdb.Error as exc:
                frames[mart] = f"cannot be read: {str(exc).splitlines()[0]}"
    return frames


def _suites(as_of: str | None) -> dict[str, list[Any]]:
    """The expectations per mart. `as_of` is the briefing's as-of date (None when the
    briefing has no single row, which its own row-count expectation reports)."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    def not_null(*cols: str) -> list[Any]:
        return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in cols]

    def unique(*cols: str) -> list[Any]:
        return [gxe.ExpectColumnValuesToBeUnique(column=c) for c in cols]

    def ordered(prefix: str) -> list[Any]:
        """p10 <= p50 <= p90 on rows where both values are present."""
        return [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=f"{prefix}_{hi}", column_B=f"{prefix}_{lo}", or_equal=True,
                ignore_row_if="either_value_is_missing")
            for lo, hi in (("p10", "p50"), ("p50", "p90"))
        ]

    def at_least_zero(*cols: str) -> list[Any]:
        return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in cols]

    suites: dict[str, list[Any]] = {
        "mart_briefing": [
            gxe.ExpectTableRowCountToEqual(value=1),
            *not_null("as_of_date", "decision_state", "decision_reason"),
            gxe.ExpectColumnValuesToBeInSet(column="decision_state", value_set=list(DECISION_STATES)),
            *at_least_zero("recommended_actions", "pilot_actions", "considered_actions"),
        ],
        "mart_action_plan": [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            *not_null("play_id", "lane", "plan_reason"),
            *unique("play_id", "action_id"),
            gxe.ExpectColumnValuesToBeInSet(column="lane", value_set=list(LANES)),
            gxe.ExpectColumnValuesToNotBeNull(
                column="action_id", row_condition=Column("lane").is_in(list(LAUNCHABLE_LANES))),
            *ordered("expected_monthly_net_sales"),
            *at_least_zero("audience_size", "effective_audience_size", "pilot_audience_size"),
        ],
        "mart_forecast": [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            *not_null("step_order", "step_kind", "subtitle"),
            *unique("step_order"),
            gxe.ExpectColumnValuesToBeInSet(column="step_kind", value_set=["baseline", "action"]),
            *ordered("cumulative"),
        ],
        "mart_watching": [
            *not_null("watch_item_id", "item_kind", "headline", "sort_order"),
            *unique("watch_item_id", "sort_order"),
            gxe.ExpectColumnValuesToBeInSet(
                column="item_kind", value_set=["kpi", "candidate", "data_check"]),
        ],
        "mart_kpi_snapshot": [
            gxe.ExpectTableRowCountToEqual(value=len(KPI_WINDOWS) * len(KPI_PERIODS)),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["window_days", "period"]),
            gxe.ExpectColumnDistinctValuesToEqualSet(
                column="window_days", value_set=list(KPI_WINDOWS)),
            gxe.ExpectColumnDistinctValuesToEqualSet(column="period", value_set=list(KPI_PERIODS)),
        ],
        "mart_kpi_deltas": [
            *not_null("window_days", "metric"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["window_days", "metric"]),
            gxe.ExpectColumnValuesToBeInSet(column="window_days", value_set=list(KPI_WINDOWS)),
        ],
        "mart_data_quality_flags": [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            *not_null("flag_code", "severity", "evidence"),
            *unique("flag_code"),
            gxe.ExpectColumnValuesToBeInSet(
                column="severity", value_set=["hard", "soft", "advisory", "consistency", "info"]),
        ],
        "mart_action_outcomes": [
            *not_null("action_id", "play_id", "status"),
            *unique("action_id"),
            gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(OUTCOME_STATUSES)),
            gxe.ExpectColumnValuesToBeBetween(column="holdout_fraction", min_value=0, max_value=1),
        ],
        "mart_action_accuracy": [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),  # the all-plays row, always
            *not_null("summary_level", "play_id", "launched_actions"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["summary_level", "play_id"]),
            gxe.ExpectColumnValuesToBeBetween(column="within_p10_p90_share", min_value=0, max_value=1),
        ],
        "mart_variant_posteriors": [
            *not_null("play_id", "variant_id", "posterior_alpha", "posterior_beta", "traffic_share"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["play_id", "variant_id"]),
            *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
              for c in ("p_best", "traffic_share", "posterior_mean")],
        ],
        "mart_action_audience_members": [
            *not_null("action_id", "customer_key", "is_holdout"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["action_id", "customer_key"]),
            gxe.ExpectColumnValuesToBeInSet(
                column="audience_source", value_set=["frozen_at_launch", "rebuilt_at_launch_date"]),
        ],
        "mart_store_profile": [
            gxe.ExpectTableRowCountToEqual(value=1),
            gxe.ExpectColumnValuesToBeInSet(
                column="vertical", value_set=["beauty", "supplements", "mixed"]),
        ],
        "mart_audiences": [
            *not_null("play_id", "audience_size"),
            *unique("play_id"),
            *at_least_zero("audience_size"),
        ],
        "fct_daily_kpis": [
            *not_null("kpi_date", "net_sales"),
            *unique("kpi_date"),
            gxe.ExpectColumnValuesToBeBetween(
                column="net_sales", min_value=-FINITE_LIMIT, max_value=FINITE_LIMIT),
        ],
    }
    for mart in AS_OF_MARTS:
        suites[mart].append(
            gxe.ExpectColumnValuesToNotBeNull(column="as_of_date") if as_of is None
            else gxe.ExpectColumnValuesToBeInSet(column="as_of_date", value_set=[as_of]))
    return suites


def _briefing_as_of(frames: Mapping[str, pd.DataFrame | str]) -> str | None:
    briefing = frames.get("mart_briefing")
    if isinstance(briefing, str) or briefing is None or len(briefing) != 1:
        return None
    value = briefing["as_of_date"].iloc[0]
    return str(value) if isinstance(value, str) else None


def _short(value: object, limit: int = 200) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _observed(result: Mapping[str, Any], exception: Mapping[str, Any] | None) -> str:
    """The observed value of a failed expectation, in a line: the table's or column's
    value for aggregate expectations, else how many rows failed and a few of them."""
    if exception and exception.get("raised_exception"):
        message = str(exception.get("exception_message") or "an error")
        return "an error: " + _short(message.splitlines()[0] if message else message)
    if "observed_value" in result:
        return _short(result["observed_value"])
    count = result.get("unexpected_count")
    examples = result.get("partial_unexpected_list") or []
    shown = [_plain(v) for v in examples[:5]]
    if count is not None:
        return f"{count} row(s) failing, e.g. {_short(shown)}"
    return _short(result)


def _plain(value: object) -> object:
    """Values as Python scalars (numpy and NaN made readable)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item):
        try:
            value = item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _expected_of(config: Mapping[str, Any]) -> str:
    """The expectation's arguments other than its columns, e.g. `value=1`, and its row
    condition."""
    kwargs = {k: v for k, v in config.get("kwargs", {}).items()
              if k not in ("column", "column_A", "column_B", "column_list", "batch_id",
                           "row_condition", "condition_parser") and v is not None}
    parts = [f"{k}={_short(_plain(v), 80)}" for k, v in sorted(kwargs.items())]
    condition = config.get("kwargs", {}).get("row_condition")
    if isinstance(condition, Mapping) and "column" in condition:
        name = condition["column"].get("name") if isinstance(condition["column"], Mapping) \
            else condition["column"]
        parts.append(f"where {name} {condition.get('operator')} {condition.get('parameter')}")
    elif condition:
        parts.append(f"where {_short(condition, 80)}")
    return ", ".join(parts)


def _column_of(config: Mapping[str, Any]) -> str | None:
    kwargs = config.get("kwargs", {})
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(str(c) for c in kwargs["column_list"])
    return None


def run_checkpoint(db_path: Path) -> CheckpointResult:
    """Validate the marts of the DuckDB file at `db_path` (opened read-only)."""
    started = time.perf_counter()
    frames = read_marts(db_path)
    suites = _suites(_briefing_as_of(frames))
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("aura_marts")
    evaluated = passed = 0
    failed: list[FailedExpectation] = []
    for mart, expectations in suites.items():
        frame = frames[mart]
        if isinstance(frame, str):
            evaluated += 1
            failed.append(FailedExpectation(mart, "mart_is_readable", None, frame))
            continue
        batch_definition = source.add_dataframe_asset(mart).add_batch_definition_whole_dataframe(
            "whole")
        suite = context.suites.add(gx.ExpectationSuite(name=f"aura_{mart}"))
        for expectation in expectations:
            suite.add_expectation(expectation)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"aura_{mart}", data=batch_definition, suite=suite))
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=f"aura_{mart}", validation_definitions=[validation],
                          result_format="SUMMARY"))
        outcome = checkpoint.run(batch_parameters={"dataframe": frame})
        for validation_result in outcome.run_results.values():
            for r in validation_result.results:
                evaluated += 1
                if r.success:
                    passed += 1
                    continue
                config = r.expectation_config.to_json_dict()
                failed.append(FailedExpectation(
                    mart, str(config.get("type")), _column_of(config),
                    _observed(r.result or {}, r.exception_info), _expected_of(config)))
    return CheckpointResult(
        success=not failed, evaluated=evaluated, passed=passed, failed=tuple(failed),
        seconds=time.perf_counter() - started)
