"""The app in a real browser: `streamlit run app/streamlit_app.py` on a published demo store,
driven by Playwright's Python client in Debian's headless chromium (`make test` installs it;
Playwright downloads nothing). Every page is opened from the sidebar, checked for errors
and saved as a screenshot (`target/screenshots/`, kept for a look after the run). It also
shows the app keeps serving the last good run while a new one is published."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from aura.serving import store

from conftest import REPO

CHROMIUM = Path(os.environ.get("AURA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [  # no sandbox as root; no background calls to the (closed) network
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAGES = ["Briefing", "Forecast", "Evidence", "KPI explorer", "Past actions"]
SCREENSHOTS = REPO / "target" / "screenshots"

if not CHROMIUM.exists():
    message = (f"{CHROMIUM} is missing: install Debian's chromium (`make browser`, or "
               "`apt-get install chromium`), or set AURA_CHROMIUM")
    if os.environ.get("CI"):
        raise RuntimeError(message)  # in CI the browser test must run, not be skipped
    pytest.skip(message, allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _publish(db_path: Path, brand: str, root: Path) -> store.PublishedRun:
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        (as_of,) = con.execute("select as_of_date from mart_briefing").fetchone()  # type: ignore[misc]
    staged = store.new_run_dir(brand, root)
    shutil.copy2(db_path, staged / store.DB_FILE)
    return store.publish_run(staged, brand, as_of, {"input_dir": str(db_path.parent / "data")}, root)


@pytest.fixture(scope="module")
def app_url(scenario_store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """The app serving healthy_beauty from a fresh publish root; yields (url, root)."""
    root = tmp_path_factory.mktemp("browser_published")
    _publish(scenario_store("healthy_beauty")[1].db_path, "healthy_beauty", root)
    port = _free_port()
    env = {**os.environ, "AURA_PUBLISHED_DIR": str(root), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app" / "streamlit_app.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the app did not start:\n{server.stdout.read() if server.stdout else ''}")
            time.sleep(0.5)
        yield url, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def page(app_url):  # type: ignore[no-untyped-def]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        yield tab
        browser.close()


def _wait_until_rendered(tab) -> None:  # type: ignore[no-untyped-def]
    """Streamlit reruns a script after each click: wait until it says it is done."""
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    tab.wait_for_timeout(300)  # the last delta messages paint after the state flips


def _errors(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """Exceptions the app showed (an `st.error` banner is content: an abstain_hard month)."""
    return [e.inner_text() for e in tab.query_selector_all('[data-testid="stException"]')]


def test_every_page_opens_in_a_real_browser(app_url, page) -> None:  # type: ignore[no-untyped-def]
    url, _root = app_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url)
    _wait_until_rendered(page)
    for title in PAGES:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        _wait_until_rendered(page)
        assert _errors(page) == [], f"{title}: {_errors(page)}"
        heading = page.locator("h1").first.inner_text()
        assert heading.strip(), f"{title} has no heading"
        page.screenshot(path=str(SCREENSHOTS / f"{title.lower().replace(' ', '_')}.png"), full_page=True)
    # the Briefing page states the month's decision, as the mart says it
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Briefing", exact=True).click()
    _wait_until_rendered(page)
    import duckdb

    run = store.latest_run("healthy_beauty", root=_root)
    assert run is not None
    with duckdb.connect(str(run.db_path), read_only=True) as con:
        (reason,) = con.execute("select decision_reason from mart_briefing").fetchone()  # type: ignore[misc]
    assert reason in page.inner_text("body")


def test_the_app_keeps_serving_while_a_run_is_published(app_url, page) -> None:  # type: ignore[no-untyped-def]
    """A new publish swaps the index while the app is open; the page reloads with either
    run, never an error, and ends on the new run."""
    url, root = app_url
    first = store.latest_run("healthy_beauty", root=root)
    assert first is not None
    page.goto(url)
    _wait_until_rendered(page)
    second = _publish(first.db_path, "healthy_beauty", root)
    page.reload()
    _wait_until_rendered(page)
    assert _errors(page) == []
    assert store.latest_run("healthy_beauty", root=root) == second
    assert first.db_path.exists()  # kept for readers of the old index (two latest runs kept)
