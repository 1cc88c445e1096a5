"""Forecast page: the month's baseline and the recommended actions' combined lift in
monthly net sales (mart_forecast), with the mart's subtitle and each step's factors; then how
well past forecasts did (mart_backtest_calibration), or why that is not available."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import ui  # noqa: E402
from aura.briefing import charts  # noqa: E402
from aura.briefing import format as fmt  # noqa: E402

run = ui.current_run()
b = ui.load(run)
f = b.forecast
currency = b.header.currency

st.title("Forecast")
st.markdown(f.headline)
st.caption(f.subtitle)
cols = st.columns(3)
cols[0].metric("Baseline a month", fmt.money(f.baseline, currency), help=f"Source: {f.baseline_label}")
cols[1].metric("Added by the actions", fmt.money(f.total_lift_p50, currency),
               help=fmt.money_range(f.total_lift_p10, f.total_lift_p50, f.total_lift_p90, currency))
cols[2].metric("Expected this month",
               fmt.money(f.steps[-1].cumulative_p50 if f.steps else None, currency))
st.altair_chart(charts.forecast_chart(f), width="stretch")

st.subheader("Step by step")
st.dataframe(pd.DataFrame([{
    "Step": s.label,
    "Adds (p50)": fmt.money(s.lift_p50, currency, missing="-") if s.kind == "action" else "",
    "Range (p10 to p90)": (f"{fmt.money(s.lift_p10, currency, missing='-')} to "
                           f"{fmt.money(s.lift_p90, currency, missing='-')}") if s.kind == "action" else "",
    "Running total (p50)": fmt.money(s.cumulative_p50, currency, missing="-"),
    "Note": s.note or f.baseline_label,
} for s in f.steps]), hide_index=True)
if f.is_capped:
    st.caption("The combined lift hit the portfolio cap, so every step was scaled down by the same share.")

st.subheader("How well past forecasts did")
bt = b.backtest
if not bt.available or not bt.month_ends:
    st.info(bt.headline)
else:
    st.markdown(bt.headline)
    st.markdown("**The monthly baseline**\n\n" + "\n".join(f"- {line.text}" for line in bt.baselines))
    st.markdown("**The audiences: who ordered, and how much**\n\n"
                + "\n".join(f"- {line.text}" for line in bt.audiences))
    st.caption(bt.note)
    with st.expander("Each audience"):
        st.dataframe(pd.DataFrame([{
            "Audience": line.label,
            "Checked": ("Share who ordered" if line.check_name == "audience_conversion_rate"
                        else "Order value"),
            "Months checked": line.evaluated,
            "Inside the expected range": (f"{line.within_range} of {line.with_range} "
                                          f"({fmt.share(line.coverage, 0)})") if line.with_range else "-",
            "Expected if nothing changed": fmt.share(line.no_change_coverage, 0, missing="-"),
            "Off by, on average": (fmt.points(line.mean_abs_error, signed=False, missing="-")
                                   if line.check_name == "audience_conversion_rate"
                                   else fmt.share(line.mape, 1, missing="-")),
        } for line in bt.plays]), hide_index=True)
