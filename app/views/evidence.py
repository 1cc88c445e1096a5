"""Evidence page, one click deeper than a card: the play's test (method, n, effect, 95% CI,
p-value, q-value, power, evidence class), its gates, the inputs of its expected range, the
plan's adjustments; and every data check with its numbers."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import ui  # noqa: E402
from aura.briefing.model import LANE_LABELS  # noqa: E402

run = ui.current_run()
b = ui.load(run)
found = ui.load_run_evidence(run, b)

st.title("Evidence")
st.caption("The statistics behind each card. Brand-team pages leave them out; they are all here.")

plays = list(found)
if plays:
    # a card's "See the evidence" link names the play in the URL (?play=...); a new link
    # picks it, the picker below changes it
    wanted = st.query_params.get("play")
    if wanted in found and wanted != st.session_state.get("evidence_linked"):
        st.session_state["evidence_linked"] = wanted
        st.session_state["evidence_play"] = wanted
    if st.session_state.get("evidence_play") not in found:
        st.session_state["evidence_play"] = plays[0]

    def _follow() -> None:
        st.query_params["play"] = st.session_state["evidence_linked"] = st.session_state["evidence_play"]

    play = st.selectbox("Play", plays, key="evidence_play", on_change=_follow, format_func=lambda p: (
        f"{found[p].title} ({LANE_LABELS.get(found[p].lane, found[p].lane)})"))
    ev = found[play]
    st.header(ev.title)
    st.markdown(ev.reason)
    st.markdown(f"**Evidence class:** {ev.evidence_class} · **tier:** {ev.tier} · "
                f"**reason code:** `{ev.reason_code}`")
    for name, rows in ev.sections:
        st.subheader(name)
        st.table(pd.DataFrame(rows, columns=["", "value"]).set_index(""))
    st.subheader("How the expected range is computed")
    st.markdown(ev.expected_value_inputs)
else:
    st.info("This build has no plays to show.")

st.header("Data checks")
st.table(pd.DataFrame([{
    "check": c.title, "status": c.status, "kind": c.severity, "what passing means": c.description,
    "what was measured": c.evidence,
} for c in b.quality.checks]).set_index("check"))
