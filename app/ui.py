"""What every page of the app shares: the published run picked in the sidebar, cached
readers keyed by run, and the card renderers of the Briefing page.

Readers open the published run's DuckDB file read-only for one call and close it (a build
being published never waits on the app). Caches are keyed by the run's file and id, so a
new publish is picked up on the next rerun.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from aura.briefing import format as fmt  # noqa: E402
from aura.briefing import kpis  # noqa: E402
from aura.briefing.audience_csv import audience_csv  # noqa: E402
from aura.briefing.content import load_briefing  # noqa: E402
from aura.briefing.evidence import Evidence, load_evidence  # noqa: E402
from aura.briefing.model import Briefing, PlanCard  # noqa: E402
from aura.serving import store  # noqa: E402
from aura.serving.store import PublishedRun  # noqa: E402

RUN_KEY = "aura_run"
PAGES = {
    "briefing": "views/briefing.py",
    "forecast": "views/forecast.py",
    "evidence": "views/evidence.py",
    "kpi_explorer": "views/kpi_explorer.py",
    "past_actions": "views/past_actions.py",
}


# --- the run picked in the sidebar -------------------------------------------------------

def pick_run() -> PublishedRun | None:
    """Brand and month pickers in the sidebar; the latest published run of that month, kept
    in the session for the pages (None when nothing is published)."""
    brands = store.list_brands()
    if not brands:
        st.session_state.pop(RUN_KEY, None)
        return None
    if st.session_state.get("brand") not in brands:
        st.session_state["brand"] = brands[0]
    brand = st.sidebar.selectbox("Brand", brands, key="brand")
    months = store.list_months(brand)
    if not months:
        st.session_state.pop(RUN_KEY, None)
        return None
    if st.session_state.get("month") not in months:
        st.session_state["month"] = months[0]
    month = st.sidebar.selectbox("Month", months, key="month", format_func=_month_name)
    run = store.latest_run(brand, month)
    if run is None:
        st.session_state.pop(RUN_KEY, None)
        return None
    st.session_state[RUN_KEY] = run
    st.sidebar.caption(f"Data up to {fmt.day(run.as_of)}; published {fmt.day(run.published_at)}.")
    return run


def _month_name(month: str) -> str:
    try:
        return fmt.month_label(date.fromisoformat(month + "-01"))
    except ValueError:
        return month


def current_run() -> PublishedRun:
    """The run the sidebar picked (a page run on its own picks it itself); stops the page
    when there is none."""
    run = st.session_state.get(RUN_KEY) or pick_run()
    if run is None:
        no_brand_page()
        st.stop()
    return run


def no_brand_page() -> None:
    st.title("Aura briefing")
    st.info("No brand has been published yet, so there is no briefing to show.")
    st.markdown(
        "To see the demo store's briefing, run `make demo` in the project folder: it generates a "
        "demo store, builds and checks it, and publishes it. For your own data, run "
        "`.venv/bin/python -m aura build --brand <name> --input-dir <folder>`. "
        "Then reload this page.")
    st.caption(f"Looking for published brands in {store.publish_root()}.")


# --- cached readers (keyed by the run's file and id) -------------------------------------

@st.cache_data(show_spinner=False, max_entries=32)
def briefing(db_path: str, run_id: str, brand: str, today: str) -> Briefing:
    with duckdb.connect(db_path, read_only=True) as con:
        return load_briefing(con, brand, date.fromisoformat(today))


@st.cache_data(show_spinner=False, max_entries=32)
def evidence(db_path: str, run_id: str, as_of: str, currency: str | None) -> dict[str, Evidence]:
    with duckdb.connect(db_path, read_only=True) as con:
        return load_evidence(con, date.fromisoformat(as_of), currency)


@st.cache_data(show_spinner=False, max_entries=32)
def daily(db_path: str, run_id: str, as_of: str) -> pd.DataFrame:
    with duckdb.connect(db_path, read_only=True) as con:
        return kpis.daily_frame(con, date.fromisoformat(as_of))


@st.cache_data(show_spinner=False, max_entries=64)
def windows(db_path: str, run_id: str, as_of: str, metric: str, currency: str | None) -> pd.DataFrame:
    with duckdb.connect(db_path, read_only=True) as con:
        return kpis.window_table(con, date.fromisoformat(as_of), metric, currency)


def load(run: PublishedRun) -> Briefing:
    """The run's briefing; stops the page with the reason when it cannot be read."""
    try:
        return briefing(str(run.db_path), run.run_id, run.brand, date.today().isoformat())
    except (duckdb.Error, RuntimeError, OSError) as exc:
        st.error(f"This published build cannot be read: {exc}")
        st.stop()
        raise  # unreachable: st.stop ends the script


def load_run_evidence(run: PublishedRun, b: Briefing) -> dict[str, Evidence]:
    return evidence(str(run.db_path), run.run_id, b.header.as_of.isoformat(), b.header.currency)


# --- the Briefing page's cards -----------------------------------------------------------

def evidence_link(card: PlanCard) -> None:
    st.page_link(PAGES["evidence"], label="See the evidence", icon=":material/query_stats:",
                 query_params={"play": card.play_id})


def audience_download(run: PublishedRun, card: PlanCard) -> None:
    """The play's audience CSV (aura.audiences), generated when the button is clicked."""
    if not card.audience_size:
        st.caption("No customers in this audience this month, so there is nothing to download.")
        return
    db_path = str(run.db_path)

    def make() -> str:
        return audience_csv(db_path, card.play_id)[1]

    reachable = card.reachable_by_email
    label = (f"Download the audience ({fmt.count(reachable, 'customer')} with email)"
             if reachable is not None else "Download the audience")
    st.download_button(label, data=make, file_name=f"{card.play_id}_{run.as_of.isoformat()}.csv",
                       mime="text/csv", key=f"csv_{card.play_id}", on_click="ignore",
                       icon=":material/download:")


def send_list_download(run: PublishedRun, action_id: str) -> None:
    """The launched action's send list: its frozen audience without the held-out customers
    (from the input folder), else the treated members the build measures; a caption when
    neither exists."""
    from aura.serving import action_audience

    found = None
    if run.input_dir is not None:
        found = action_audience.send_list(run.input_dir, action_id)
    if found is None:
        found = action_audience.rebuilt_send_list(run.db_path, action_id)
    if found is None:
        st.caption("No send list is recorded for this action.")
        return
    name, text, customers = found
    st.download_button(f"Download the send list ({fmt.count(customers, 'customer')}, holdout left out)",
                       data=text, file_name=name, mime="text/csv", key=f"send_list_{action_id}",
                       on_click="ignore", icon=":material/download:")


def how_to_launch(card: PlanCard) -> None:
    if card.steps:
        st.markdown("**How to launch**\n\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(card.steps, 1)))


def recommended_card(run: PublishedRun, card: PlanCard, currency: str | None) -> None:
    with st.container(border=True):
        st.subheader(f"{card.rank}. {card.title}")
        cols = st.columns(4)
        cols[0].metric("Audience", fmt.count(card.audience_size), help=card.who)
        cols[1].metric("Expected this month", fmt.money(card.expected_p50, currency),
                       help="The central estimate of extra net sales; the range is below.")
        cols[2].metric("Effort", card.effort_text)
        cols[3].metric("Channel", card.channel_text)
        st.markdown(f"**For whom:** {card.who} {card.audience_text}.")
        st.markdown(f"**Why:** {card.why}")
        st.markdown(f"**Expected:** {card.expected_text}.")
        st.markdown(f"**How it works:** {card.mechanism}")
        how_to_launch(card)
        notes = [n for n in (card.overlap_note, card.interaction_note, card.audience_note) if n]
        if notes:
            st.markdown("**Overlap and interactions:** " + " ".join(notes))
        st.caption(card.evidence_text)
        left, right = st.columns(2)
        with left:
            audience_download(run, card)
        with right:
            evidence_link(card)


def pilot_card(run: PublishedRun, card: PlanCard) -> None:
    with st.container(border=True):
        st.subheader(f"Pilot: {card.title}")
        cols = st.columns(3)
        cols[0].metric("Pilot audience", fmt.count(card.pilot_audience_size),
                       help="Customers the test is sent to; the rest of the audience is held back.")
        cols[1].metric("Whole audience", fmt.count(card.audience_size), help=card.who)
        cols[2].metric("Channel", card.channel_text)
        st.markdown(f"**Why a pilot:** {card.why}")
        st.markdown(f"**The test:** {card.pilot_rule} {card.pilot_budget_text}")
        st.markdown(f"**For whom:** {card.who} {card.audience_text}.")
        st.markdown(f"**How it works:** {card.mechanism}")
        how_to_launch(card)
        if card.audience_note:
            st.markdown(f"**Note:** {card.audience_note}")
        st.caption(card.evidence_text)
        left, right = st.columns(2)
        with left:
            audience_download(run, card)
        with right:
            evidence_link(card)


def considered_item(card: PlanCard) -> None:
    with st.container(border=True):
        st.markdown(f"**{card.title}** · {card.lane_label}")
        st.markdown(f"Why not: {card.why}")
        if card.would_fire_if:
            st.markdown(card.would_fire_if)
        evidence_link(card)
