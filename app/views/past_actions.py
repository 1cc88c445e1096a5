"""Past actions: launched actions and how they did (mart_action_outcomes: measuring,
result due, complete), launches logged since this build, and a form to mark this month's
recommended action (or pilot) as launched, appended to the action log the next build reads."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import ui  # noqa: E402
from aura.briefing import format as fmt  # noqa: E402
from aura.briefing import launches  # noqa: E402

run = ui.current_run()
b = ui.load(run)

st.title("Past actions")

st.header("Launched actions")
counts = {s: sum(o.status == s for o in b.outcomes) for s in ("pending", "overdue", "complete")}
cols = st.columns(3)
cols[0].metric("Measuring", counts["pending"])
cols[1].metric("Result due", counts["overdue"],
               help="The measurement ended; a build with newer data shows it.")
cols[2].metric("Complete", counts["complete"])
if not b.outcomes:
    st.caption("No launched action in this build's action log yet.")
for o in b.outcomes:
    with st.container(border=True):
        st.markdown(f"**{o.title}** · {o.status_text} · launched {fmt.day(o.launched_at)}")
        st.markdown(o.result)
        with st.expander("The numbers"):
            st.table(pd.DataFrame([
                ("Action", o.action_id), ("Channel", o.channel or "-"),
                ("Customers sent it / held out", f"{fmt.count(o.treated_n)} / {fmt.count(o.holdout_n)}"),
                ("Ordered: sent it / held out", f"{fmt.share(o.treated_rate, 2, '-')} / "
                                                f"{fmt.share(o.holdout_rate, 2, '-')}"),
                ("Lift", fmt.points(o.lift, 2, missing="not computed")),
                ("95% CI of the lift", "not computed" if o.lift_ci_lower is None else
                 f"{fmt.points(o.lift_ci_lower, 2)} to {fmt.points(o.lift_ci_upper, 2)}"),
                ("p-value", fmt.decimal(o.p_value, 4, missing="not computed")),
                ("Test", o.test_method or "-"),
                ("Measurement ends", fmt.day(o.measurement_end)),
            ], columns=["", "value"]).set_index(""))
        ui.send_list_download(run, o.action_id)

if b.accuracy:
    st.header("How close the predictions came")
    for line in b.accuracy:
        st.markdown(f"**{line.title}.** {line.text}")

if b.variants:
    st.header("Which variant is winning")
    st.caption("Each launch with a holdout teaches which version of a play works best. "
               "Untried versions keep a small share of sends so the store keeps learning.")
    for play_title in dict.fromkeys(v.play_title for v in b.variants):
        st.subheader(play_title)
        for v in (v for v in b.variants if v.play_title == play_title):
            st.markdown(("**Best so far.** " if v.is_recommended else "") + v.text)

measured = {o.action_id for o in b.outcomes}
all_logged = launches.logged_launches(run.input_dir)
logged = launches.not_yet_measured(all_logged, measured)
if logged:
    st.subheader("Logged since this build")
    st.caption("Marked as launched after this build's data; the next build measures them.")
    st.dataframe(pd.DataFrame(logged), hide_index=True)
    for row in logged:
        ui.send_list_download(run, row["action_id"])

st.header("Mark an action as launched")
choices = launches.launchable(b)
if run.input_dir is None:
    st.info("This build does not record its input folder, so launches cannot be logged from here.")
elif not choices:
    st.info("Nothing is recommended or piloted this month, so there is nothing to mark as launched.")
else:
    by_id = {c.action_id: c for c in choices}
    action_id = st.selectbox(
        "Action", list(by_id), key="launch_action",
        format_func=lambda a: f"{by_id[a].title} ({by_id[a].lane_label.lower()})")
    card = by_id[action_id]
    earlier = [r for r in all_logged if r.get("action_id") == card.action_id]
    if earlier:
        st.warning(f"Already marked as launched ({earlier[0].get('launched_at') or 'date not recorded'}); "
                   "marking it again adds a row, and only the first launch is measured.")
    # fixed for the session, so a submitted form is not reset by a changing default
    now = st.session_state.setdefault("launch_now", datetime.now(UTC).replace(second=0, microsecond=0))
    with st.form("launch_form"):
        channels = list(card.send_channels or ((card.channel,) if card.channel else ("email",)))
        channel = st.selectbox("Channel", channels, key=f"launch_channel_{card.play_id}")
        left, right = st.columns(2)
        day = left.date_input("Launch date", value=now.date(), key="launch_date")
        at = right.time_input("Launch time (UTC)", value=now.time(), key="launch_time")
        holdout = st.number_input("Share of the audience held out", min_value=0.0, max_value=0.9,
                                  value=launches.default_holdout(card), step=0.05,
                                  key=f"launch_holdout_{card.play_id}")
        launched_by = st.text_input("Your name", key="launch_by")
        note = st.text_area("Note (optional)", key="launch_note")
        submitted = st.form_submit_button("Mark as launched", type="primary", key="launch_submit")
    if submitted:
        from aura.serving import action_audience, action_log  # imported when used

        try:
            audience = action_audience.freeze(run.db_path, str(card.action_id), card.play_id,
                                              str(channel), float(holdout))
            launch = action_log.Launch(
                action_id=str(card.action_id), play_id=card.play_id,
                variant_id=str(card.variant_id or ""), channel=str(channel),
                launched_at=datetime.combine(day, at, tzinfo=UTC),
                holdout_fraction=float(holdout), launched_by=launched_by.strip(), note=note.strip(),
                predicted_net_sales_p10=card.expected_p10, predicted_net_sales_p50=card.expected_p50,
                predicted_net_sales_p90=card.expected_p90,
                audience_size=card.effective_audience_size or card.audience_size,
            )
            action_log.append_launch(action_log.action_log_path(Path(run.input_dir)), launch, audience)
        except action_log.InvalidLaunch as exc:
            st.error(f"Not recorded: {exc}")
        except OSError as exc:
            st.error(f"Not recorded: the action log could not be written ({exc}).")
        else:
            st.success(f"Recorded: \"{card.title}\" launched on {fmt.day(day)}. "
                       f"{fmt.count(audience.held_out)} of its {fmt.count(audience.size, 'customer')} "
                       "are held out: send it only to the send list below. The next build measures "
                       "it against the customers held out.")
            ui.send_list_download(run, str(card.action_id))
