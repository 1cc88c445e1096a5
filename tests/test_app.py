"""The Streamlit app (app/streamlit_app.py) with streamlit.testing.v1.AppTest: every page on
every published brand (each generator scenario, the hand-made small Shopify export with
empty optional inputs, and a month that publishes), checked for exceptions, the expected
sections, numbers equal to the marts, plain-English copy, and the launch form."""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from aura.briefing import format as fmt
from aura.briefing.learning import load_learning
from aura.demo import SCENARIOS

from conftest import REPO, PublishedBrand
from copy_rules import forbidden_in_copy

APP = REPO / "app" / "streamlit_app.py"
BRANDS = sorted([*SCENARIOS, "shopify_small", "publish_month"])
PAGES = ["briefing", "forecast", "evidence", "kpi_explorer", "past_actions"]
TIMEOUT = 120
BRIEFING_SECTIONS = ["The store's state", "Recommended now", "Pilot", "Watching", "Considered"]


@pytest.fixture(scope="module")
def published(briefing_brands) -> tuple[Path, dict[str, PublishedBrand]]:  # type: ignore[no-untyped-def]
    return briefing_brands


@pytest.fixture(autouse=True)
def publish_root(published, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    root, _ = published
    monkeypatch.setenv("AURA_PUBLISHED_DIR", str(root))
    return root


_apps: dict[str, AppTest] = {}


def open_page(brand: str, page: str) -> AppTest:
    """The app as a user of `brand` sees `page` (one simulated session per brand, as a user
    moving between pages)."""
    at = _apps.get(brand)
    if at is None:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.session_state["brand"] = brand
        at.run(timeout=TIMEOUT)
        _apps[brand] = at
    at.switch_page(f"views/{page}.py").run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    """Every text element the page shows (markdown, captions, titles, alerts, metrics)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption",
                 "info", "success", "warning", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        out += [m.label, m.value, m.delta or ""]
    return out


def metric(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def one_row(b: PublishedBrand, sql: str) -> tuple:
    (row,) = b.query(sql)
    return row


@dataclass(frozen=True)
class Mart:
    state: str
    reason: str
    currency: str | None


def mart(b: PublishedBrand) -> Mart:
    state, reason = one_row(b, "select decision_state, decision_reason from mart_briefing")
    (currency,) = one_row(b, "select max(currency) from fct_orders")
    return Mart(state, reason, currency)


# --- no brand published ---------------------------------------------------------------------

def test_without_a_published_brand_the_app_says_how_to_publish(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AURA_PUBLISHED_DIR", str(tmp_path / "empty"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    assert not at.exception
    assert "No brand has been published yet" in at.info[0].value
    assert any("make demo" in m.value for m in at.markdown)


# --- every page on every brand ----------------------------------------------------------------

@pytest.mark.parametrize("brand", BRANDS)
def test_briefing_page(brand: str, published) -> None:  # type: ignore[no-untyped-def]
    b = published[1][brand]
    at = open_page(brand, "briefing")
    m = mart(b)
    assert [h.value for h in at.header] == BRIEFING_SECTIONS
    assert "Data checks" in [s.value for s in at.subheader]
    assert at.title[0].value.startswith(f"{brand}: ")

    # the decision banner is the mart's reason, in the colour of the decision
    banner = {"publish": at.success, "abstain_soft": at.warning, "abstain_hard": at.error}[m.state]
    assert [e.value for e in banner] == [m.reason]

    # the store's state: L28 net sales and orders as in mart_kpi_deltas
    (net_sales,), = b.query("select recent_value from mart_kpi_deltas where window_days = 28 "
                            "and metric = 'net_sales'")
    (orders,), = b.query("select recent_value from mart_kpi_deltas where window_days = 28 "
                         "and metric = 'orders'")
    assert metric(at, "Net sales") == [fmt.money(net_sales, m.currency)]
    assert metric(at, "Orders") == [fmt.count(orders)]

    # Recommended now: one card per recommended play, its audience as in the mart
    recommended = b.query("select title, audience_size, expected_monthly_net_sales_p50 from mart_action_plan "
                          "where lane = 'recommended' order by lane_rank")
    assert metric(at, "Audience") == [fmt.count(n) for _, n, _ in recommended]
    assert metric(at, "Expected this month") == [fmt.money(v, m.currency) for _, _, v in recommended]
    subheaders = [s.value for s in at.subheader]
    for rank, (title, _, _) in enumerate(recommended, 1):
        assert f"{rank}. {title}" in subheaders
    if m.state != "publish":
        assert not recommended
        assert any(i.value.startswith("Nothing is recommended this month") for i in at.info)

    # Pilot
    pilot = b.query("select title, pilot_audience_size, audience_size, play_id from mart_action_plan "
                    "where lane = 'pilot'")
    assert metric(at, "Pilot audience") == [fmt.count(n) for _, n, _, _ in pilot]
    pilot_titles = [s for s in subheaders if s.startswith("Pilot:")]
    assert pilot_titles == [f"Pilot: {title}" for title, _, _, _ in pilot]

    # audience downloads on the cards that have customers
    downloads = {d.key for d in at.download_button}
    for (play,) in b.query("select play_id from mart_action_plan where lane in ('recommended', 'pilot') "
                           "and audience_size > 0"):
        assert f"csv_{play}" in downloads

    # Watching and Considered are shown whatever the decision
    shown = "\n".join(texts(at))
    for (headline,) in b.query("select headline from mart_watching"):
        assert headline in shown
    for title, reason in b.query("select title, plan_reason from mart_action_plan "
                                 "where lane in ('backlog', 'watchlist', 'considered')"):
        assert title in shown and reason in shown
    if m.state != "publish":
        assert b.query("select count(*) from mart_action_plan where lane = 'considered'")[0][0] > 0

    # brand-team copy: no statistics, codes, NaN or None anywhere on the page
    bad = forbidden_in_copy(b.query, texts(at))
    assert not bad, bad


@pytest.mark.parametrize("brand", BRANDS)
def test_forecast_page(brand: str, published) -> None:  # type: ignore[no-untyped-def]
    b = published[1][brand]
    at = open_page(brand, "forecast")
    subtitle, baseline, final = one_row(
        b, "select subtitle, baseline_net_sales, (select cumulative_p50 from mart_forecast "
           "order by step_order desc limit 1) from mart_forecast where step_order = 0")
    currency = mart(b).currency
    assert at.title[0].value == "Forecast"
    assert subtitle in [c.value for c in at.caption]
    assert metric(at, "Baseline a month") == [fmt.money(baseline, currency)]
    assert metric(at, "Expected this month") == [fmt.money(final, currency)]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    steps = b.query("select count(*) from mart_forecast")[0][0]
    assert len(at.dataframe[0].value) == steps
    # how well past forecasts did: the backtest's lines, or why there are none (these builds
    # leave aura_backtest off, as plain dbt builds do; tests/test_backtest.py opens the page
    # on a build with it)
    assert "How well past forecasts did" in [s.value for s in at.subheader]
    (with_backtest,), = b.query("select count(*) from information_schema.tables "
                                "where table_name = 'mart_backtest_calibration'")
    if with_backtest:
        shown = "\n".join(str(m.value) for m in at.markdown)
        for (summary,) in b.query("select summary from mart_backtest_calibration "
                                  "where check_name = 'baseline_net_sales' or subject = 'all_plays'"):
            assert summary in shown
    else:
        assert any(i.value.startswith("The backtest is not available") for i in at.info)
    bad = forbidden_in_copy(b.query, texts(at))
    assert not bad, bad


@pytest.mark.parametrize("brand", BRANDS)
def test_evidence_page(brand: str, published) -> None:  # type: ignore[no-untyped-def]
    b = published[1][brand]
    at = open_page(brand, "evidence")
    assert [s.value for s in at.subheader][:5] == [
        "Test", "Gates", "Expected range: weekly proxy", "Expected range: this month", "Plan adjustments"]
    assert "Data checks" in [h.value for h in at.header]
    # a card's link opens its play: the numbers are the candidate's
    play, title, q_value, n = one_row(
        b, "select c.play_id, p.title, c.q_value, c.n from mart_action_candidates as c "
           "join mart_action_plan as p using (play_id) order by p.lane_order desc, p.lane_rank desc limit 1")
    at.query_params["play"] = play
    at.switch_page("views/evidence.py").run(timeout=TIMEOUT)
    assert not at.exception
    assert at.header[0].value == title
    test_table = at.table[0].value
    assert test_table.loc["q-value (Benjamini-Hochberg, this month's tests)", "value"] == fmt.decimal(
        q_value, 4, missing="not computed")
    assert test_table.loc["n (both groups)", "value"] == fmt.count(n, missing="not computed")
    # a play id that is not in the plan (or an attempt at SQL) falls back to a known play
    at.query_params["play"] = "x'; drop table mart_briefing; --"
    at.switch_page("views/evidence.py").run(timeout=TIMEOUT)
    assert not at.exception and at.header[0].value == title


@pytest.mark.parametrize("brand", BRANDS)
def test_kpi_explorer_page(brand: str, published) -> None:  # type: ignore[no-untyped-def]
    b = published[1][brand]
    at = open_page(brand, "kpi_explorer")
    currency = mart(b).currency
    assert [s.value for s in at.subheader] == ["By window", "Over time"]
    table = at.dataframe[0].value
    (net_28,), = b.query("select net_sales from mart_kpi_snapshot "
                         "where window_days = 28 and period = 'recent'")
    row = table[table["Window"] == "Last 28 days"].iloc[0]
    assert row["This period"] == fmt.money(net_28, currency, cents=True)
    # a customer metric has windows but no daily series
    at.selectbox(key="kpi_metric").select("returning_customer_share").run(timeout=TIMEOUT)
    assert not at.exception
    (share_28,), = b.query("select returning_customer_share from mart_kpi_snapshot "
                           "where window_days = 28 and period = 'recent'")
    table = at.dataframe[0].value
    assert table[table["Window"] == "Last 28 days"].iloc[0]["This period"] == fmt.share(share_28)
    assert any("cannot be added up day by day" in i.value for i in at.info)
    at.selectbox(key="kpi_metric").select("net_sales").run(timeout=TIMEOUT)


@pytest.mark.parametrize("brand", BRANDS)
def test_past_actions_page(brand: str, published) -> None:  # type: ignore[no-untyped-def]
    b = published[1][brand]
    at = open_page(brand, "past_actions")
    (launched,) = one_row(b, "select count(*) from mart_action_outcomes")
    (variants,) = one_row(
        b, "select count(*) from mart_variant_posteriors where play_id in (select play_id "
           "from mart_variant_posteriors group by play_id having sum(actions_launched) > 0)")
    assert [h.value for h in at.header] == [
        "Launched actions", *(["How close the predictions came"] if launched else []),
        *(["Which variant is winning"] if variants else []), "Mark an action as launched"]
    shown = texts(at)
    if launched:  # every play's line and the all-plays line, with the mart's complete count
        (complete_all,) = one_row(b, "select complete_actions from mart_action_accuracy "
                                     "where summary_level = 'all_plays'")
        assert any(t.startswith("**All plays.**") and (f"{complete_all} complete" in t or not complete_all)
                   for t in shown)
        # each launched action offers its send list: the treated members the build measured
        for (action_id, treated) in b.query(
                "select action_id, count(*) filter (where not is_holdout) from mart_action_audience_members "
                "group by action_id"):
            button = at.get("download_button")
            assert any(f"{fmt.count(treated, 'customer')}, holdout left out" in d.proto.label
                       for d in button), action_id
    with duckdb.connect(str(b.db_path), read_only=True) as con:
        (as_of,), = con.execute("select max(as_of_date) from mart_briefing").fetchall()
        accuracy, variant_lines = load_learning(con, as_of, mart(b).currency)
    assert len(variant_lines) == variants
    for line in (*accuracy, *variant_lines):
        assert any(line.text in t for t in shown), line.text
    complete, pending = one_row(
        b, "select count(*) filter (where status = 'complete'), count(*) filter (where status = 'pending') "
           "from mart_action_outcomes")
    assert metric(at, "Complete") == [str(complete)]
    assert int(metric(at, "Measuring")[0]) + int(metric(at, "Result due")[0]) == pending
    launchable = b.query("select count(*) from mart_action_plan where lane in ('recommended', 'pilot') "
                         "and action_id is not null")[0][0]
    if launchable:
        assert at.button(key="launch_submit") is not None
    else:
        assert any("nothing to mark as launched" in i.value for i in at.info)


# --- the launch form --------------------------------------------------------------------------

@pytest.fixture
def action_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Path, object, object]]]:
    """aura.serving.action_log with append_launch recording its calls (path, launch, frozen
    audience) instead of writing into the shared published brands' input folders."""
    from aura.serving import action_log as module

    calls: list[tuple[Path, object, object]] = []
    monkeypatch.setattr(module, "append_launch",
                        lambda path, launch, audience=None: calls.append((path, launch, audience)))
    yield calls


def _launch_form(brand: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["brand"] = brand
    at.run(timeout=TIMEOUT)
    at.switch_page("views/past_actions.py").run(timeout=TIMEOUT)
    assert not at.exception
    return at


@pytest.mark.parametrize("brand", ["publish_month", "healthy_beauty"])
def test_launch_form_appends_the_action(brand: str, published, action_log) -> None:  # type: ignore[no-untyped-def]
    b = published[1][brand]
    action_id, play_id, variant_id, lane = one_row(
        b, "select action_id, play_id, variant_id, lane from mart_action_plan "
           "where lane in ('recommended', 'pilot') order by lane_order, lane_rank limit 1")
    at = _launch_form(brand)
    at.selectbox(key="launch_action").select(action_id).run(timeout=TIMEOUT)
    at.text_input(key="launch_by").input("Ana")
    at.text_area(key="launch_note").input("sent Tuesday")
    at.button(key="launch_submit").click().run(timeout=TIMEOUT)
    assert not at.exception
    assert len(action_log) == 1
    path, launch, audience = action_log[0]
    assert Path(path).parent == b.input_dir
    assert (launch.action_id, launch.play_id, launch.variant_id) == (action_id, play_id, variant_id)
    assert launch.launched_by == "Ana" and launch.note == "sent Tuesday"
    assert launch.launched_at.tzinfo is not None
    if lane == "pilot":  # the pilot holds back everyone it is not sent to
        size, pilot = one_row(b, "select audience_size, pilot_audience_size from mart_action_plan "
                                 "where lane = 'pilot'")
        assert launch.holdout_fraction == pytest.approx(round(1 - pilot / size, 2))
    else:
        assert launch.holdout_fraction == pytest.approx(0.2)
    assert at.success and at.success[0].value.startswith("Recorded:")
    # the audience is frozen from the published build: the play's members the channel
    # reaches, each held out by the hash rule (recomputed here with hashlib)
    assert audience.action_id == action_id and audience.play_id == play_id
    reach = {"email": "email is not null and accepts_marketing is distinct from false",
             "sms": "phone is not null"}.get(launch.channel.strip().lower(), "true")
    expected = {k for (k,) in b.query(
        f"select customer_key from mart_audience_members where play_id = '{play_id}' and {reach}")}
    frozen = {row[0]: row[1] == "true" for row in (r[1:3] for r in audience.rows)}
    assert set(frozen) == expected and len(audience.rows) == len(expected)
    for key, held in frozen.items():
        address = key.removeprefix("email:")
        digest = int(hashlib.md5(f"{action_id}|{address}".encode()).hexdigest()[:8], 16) / 16**8
        assert held == (digest < launch.holdout_fraction)


def test_launch_form_shows_why_a_launch_was_refused(published, action_log, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    module = sys.modules["aura.serving.action_log"]

    def refuse(path: Path, launch: object, audience: object = None) -> None:
        raise module.InvalidLaunch("launched_at", "is after today")

    monkeypatch.setattr(module, "append_launch", refuse)
    at = _launch_form("publish_month")
    at.button(key="launch_submit").click().run(timeout=TIMEOUT)
    assert not at.exception
    assert [e.value for e in at.error] == ["Not recorded: launched_at: is after today"]
    assert not at.success


def test_abstaining_months_offer_nothing_to_launch(published, action_log) -> None:  # type: ignore[no-untyped-def]
    at = _launch_form("cold_start")
    assert any("nothing to mark as launched" in i.value for i in at.info)


# --- brand and month pickers, new publishes ------------------------------------------------------

def test_month_picker_and_a_new_publish(published, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from aura.serving import store

    _, brands = published
    root = tmp_path / "published"
    monkeypatch.setenv("AURA_PUBLISHED_DIR", str(root))

    def publish(source: str) -> None:
        b = brands[source]
        (as_of,), = b.query("select max(as_of_date) from mart_briefing")
        staged = store.new_run_dir("acme", root)
        shutil.copy2(b.db_path, staged / store.DB_FILE)
        store.publish_run(staged, "acme", as_of, {"input_dir": str(b.input_dir)}, root)

    publish("shopify_small")  # January 2026
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    assert at.title[0].value == "acme: January 2026 briefing"
    publish("healthy_beauty")  # October 2026, published while the session is open
    at.run(timeout=TIMEOUT)
    assert at.selectbox(key="month").options == ["October 2026", "January 2026"]
    assert at.title[0].value == "acme: January 2026 briefing"  # the month the user had picked
    at.selectbox(key="month").select("2026-10").run(timeout=TIMEOUT)
    assert not at.exception and at.title[0].value == "acme: October 2026 briefing"
    (reason,), = brands["healthy_beauty"].query("select decision_reason from mart_briefing")
    assert [w.value for w in at.warning] == [reason]
