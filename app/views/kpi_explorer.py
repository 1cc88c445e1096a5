"""KPI explorer: any metric over the windows of mart_kpi_snapshot (7, 28, 56, 90 days,
each against the window before) and over time (trailing sums or ratios of fct_daily_kpis)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import ui  # noqa: E402
from aura.briefing import charts, kpis  # noqa: E402

run = ui.current_run()
b = ui.load(run)
as_of = b.header.as_of.isoformat()
currency = b.header.currency

st.title("KPI explorer")
left, right = st.columns(2)
metric_key = left.selectbox("Metric", list(kpis.METRICS), key="kpi_metric",
                            format_func=lambda k: kpis.METRICS[k].label)
window = right.selectbox("Window", list(kpis.WINDOWS), index=1, key="kpi_window",
                         format_func=lambda w: f"{w} days")
metric = kpis.METRICS[metric_key]
y_format = {"share": ".1%", "decimal": ",.2f"}.get(metric.kind, ",.0f")

st.subheader("By window")
table = ui.windows(str(run.db_path), run.run_id, as_of, metric_key, currency)
if table.empty:
    st.info("No KPI windows in this build.")
else:
    st.dataframe(table[["window", "recent_dates", "recent_text", "prior_text", "change"]].rename(columns={
        "window": "Window", "recent_dates": "Dates", "recent_text": "This period",
        "prior_text": "The period before", "change": "Change"}), hide_index=True)
    st.altair_chart(charts.window_chart(table, metric.label, y_format), width="stretch")

st.subheader("Over time")
if metric.has_series:
    series = kpis.rolling(ui.daily(str(run.db_path), run.run_id, as_of), metric_key, window)
    if series.empty:
        st.info(f"The store's history is shorter than {window} days, so there is no {window}-day series yet.")
    else:
        st.altair_chart(charts.trend_chart(
            series, f"{metric.label}, trailing {window} days", metric.label, y_format,
            subtitle=f"Each point covers the {window} days ending that day."), width="stretch")
else:
    st.info(f"{metric.label} counts distinct customers, which cannot be added up day by day; "
            "its values per window are above.")
