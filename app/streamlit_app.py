"""Aura's briefing app, the entry point: `streamlit run app/streamlit_app.py`.

A multipage app (st.navigation) over the published store (`aura.serving.store`): the
sidebar picks a brand and a month, the pages read that month's latest published run
read-only. Pages (app/views/): Briefing, Forecast, Evidence, KPI explorer, Past actions.
Without any published brand it shows how to publish one (`make demo`). The page scripts are
not in a folder named `pages/`: beside the entry point that name switches Streamlit to its
older pages-folder mode, which runs a page without this script (and its sidebar).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import ui  # noqa: E402

st.set_page_config(page_title="Aura briefing", page_icon=":material/insights:", layout="wide")

if ui.pick_run() is None:
    page = st.navigation([st.Page(ui.no_brand_page, title="Welcome", icon=":material/info:")])
else:
    page = st.navigation([
        st.Page(ui.PAGES["briefing"], title="Briefing", icon=":material/summarize:", default=True),
        st.Page(ui.PAGES["forecast"], title="Forecast", icon=":material/show_chart:"),
        st.Page(ui.PAGES["evidence"], title="Evidence", icon=":material/query_stats:"),
        st.Page(ui.PAGES["kpi_explorer"], title="KPI explorer", icon=":material/monitoring:"),
        st.Page(ui.PAGES["past_actions"], title="Past actions", icon=":material/history:"),
    ])
page.run()
