"""Every SQL statement the briefing (app and HTML) runs, in one place.

Statements are constants; values reach them only as parameters (`con.execute(sql,
params)`), so nothing a user picks or types becomes SQL text. All of them read marts of a
published build through a read-only connection. One build holds one as-of date; each query
takes it as its first parameter so a file with several dates still reads one month.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

Row = dict[str, Any]

BRIEFING = """
select * from mart_briefing order by as_of_date desc limit 1
"""

CURRENCY = """
select currency from fct_orders where currency is not null
group by currency order by count(*) desc, currency limit 1
"""

STORE_PROFILE = """
select * from mart_store_profile where as_of_date = ?
"""

BASELINES = """
select * from mart_kpi_baselines where as_of_date = ?
"""

KPI_DELTAS = """
select * from mart_kpi_deltas where as_of_date = ? and window_days = ? order by metric
"""

KPI_SNAPSHOT = """
select * from mart_kpi_snapshot where as_of_date = ? order by window_days, period desc
"""

DAILY_KPIS = """
select * from fct_daily_kpis where kpi_date between ? and ? order by kpi_date
"""

DAILY_KPIS_UP_TO = """
select * from fct_daily_kpis where kpi_date <= ? order by kpi_date
"""

# the plan with each play's audience (who, reachable by email, blocked or empty and why)
PLAN = """
select p.*, a.definition as audience_definition, a.members_with_email,
    a.members_reachable_by_email, a.blocked_reason, a.blocked_detail,
    a.note as audience_note, a.empty_reason as audience_empty_reason
from mart_action_plan as p
left join mart_audiences as a
    on a.play_id = p.play_id and a.as_of_date = cast(p.as_of_date as date)
where cast(p.as_of_date as date) = ?
order by p.lane_order, p.lane_rank, p.play_id
"""

FORECAST = """
select * from mart_forecast where as_of_date = ? order by step_order
"""

WATCHING = """
select * from mart_watching where as_of_date = ? order by sort_order
"""

QUALITY_FLAGS = """
select * from mart_data_quality_flags where as_of_date = ? order by flag_order
"""

CANDIDATES = """
select * from mart_action_candidates where as_of_date = ? order by play_id
"""

VARIANTS = """
select * from mart_action_variants where as_of_date = ? order by play_id, variant_rank nulls last, variant_id
"""

# how the engine's predictions at past month-ends held up (built with aura_backtest only)
BACKTEST_CALIBRATION = """
select * from mart_backtest_calibration where as_of_date = ? order by check_order, subject_order, subject
"""

OUTCOMES = """
select o.*, pb.title
from mart_action_outcomes as o
left join playbooks as pb on pb.play_id = o.play_id
where o.as_of_date = ?
order by o.launched_at desc, o.action_id
"""

ACCURACY = """
select a.*, pb.title
from mart_action_accuracy as a
left join playbooks as pb on pb.play_id = a.play_id
where a.as_of_date = ?
order by a.summary_level = 'all_plays' desc, a.play_id
"""

POSTERIORS = """
select v.*, pb.title
from mart_variant_posteriors as v
left join playbooks as pb on pb.play_id = v.play_id
where v.play_id in (
    select play_id from mart_variant_posteriors group by play_id having sum(actions_launched) > 0)
order by v.play_id, v.p_best desc nulls last, v.variant_id
"""

TABLES = """
select table_name from information_schema.tables where table_schema = 'main'
"""


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[Row]:
    """The statement's rows as dicts (NULL stays None; no NaN appears)."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, values, strict=True)) for values in cur.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> Row | None:
    found = rows(con, sql, params)
    return found[0] if found else None


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
    """The statement's rows as a DataFrame (for charts and tables)."""
    return con.execute(sql, list(params)).df()


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r["table_name"] for r in rows(con, TABLES)}
