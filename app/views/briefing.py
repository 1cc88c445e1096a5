"""Briefing page: the month's decision, the store's state, Recommended now, Pilot,
Watching, Considered and the data checks, in plain English (numbers one click deeper on
the Evidence page)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import ui  # noqa: E402

run = ui.current_run()
b = ui.load(run)
currency = b.header.currency

st.title(b.header.title)
st.caption(b.header.subtitle)

st.subheader(b.decision.headline)
banner = {"publish": st.success, "abstain_soft": st.warning}.get(b.decision.state, st.error)
banner(b.decision.reason)
if run.html_path is not None:
    st.download_button("Download this briefing as one HTML file", data=run.html_path.read_bytes(),
                       file_name=f"{run.brand}_{b.header.as_of.isoformat()}_briefing.html",
                       mime="text/html", key="briefing_html", on_click="ignore",
                       icon=":material/download:")

st.header("The store's state")
st.markdown(b.state_sentence)
with st.container(horizontal=True):
    for card in b.kpis:
        st.metric(card.label, card.value_text, card.delta_text, delta_color=card.delta_color,
                  help=card.sentence, border=True, chart_data=list(card.spark) or None,
                  chart_type="line")
st.caption("Last 28 days against the 28 days before; the small lines show each day.")

st.header("Recommended now")
if b.recommended:
    for card in b.recommended:
        ui.recommended_card(run, card, currency)
else:
    st.info("Nothing is recommended this month. " + (
        "A pilot is proposed below instead." if b.pilot else
        "What was considered and what we are watching follow."))

st.header("Pilot")
if b.pilot:
    ui.pilot_card(run, b.pilot)
elif b.decision.state == "abstain_hard":
    st.caption("No pilot: the data checks hold this month back, so no test is proposed either.")
elif b.recommended:
    st.caption("No pilot: actions passed every check, so no test is needed.")
else:
    st.caption("No pilot: no play can be run as a test this month.")

st.header("Watching")
if b.watching:
    for item in b.watching:
        with st.container(border=True):
            st.markdown(f"**{item.label}**: {item.headline}")
            st.caption(f"Size: {item.magnitude} · Matters at: {item.threshold}")
else:
    st.caption("Nothing is near a threshold this month.")

st.header("Considered")
if b.considered:
    st.caption("Every other play, with why it did not fire and what would make it fire.")
    for card in b.considered:
        ui.considered_item(card)
else:
    st.caption("Every play is in the plan above.")

st.divider()
st.subheader("Data checks")
st.markdown(b.quality.summary)
for check in b.quality.fired + b.quality.not_run:
    prefix = "Found" if check.status == "fired" else "Could not run"
    st.markdown(f"- **{check.title}** ({prefix.lower()}): {check.message}")
st.page_link(ui.PAGES["evidence"], label="Every check with its numbers", icon=":material/fact_check:")
