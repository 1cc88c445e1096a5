"""The shareable HTML briefing (aura/briefing/html.py): one self-contained file per brand,
with the decision, the cards, the marts' numbers and the charts inline, and nothing loaded
from anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from aura.briefing import format as fmt
from aura.briefing.__main__ import main
from aura.briefing.html import render_briefing_html
from aura.demo import SCENARIOS

from conftest import PublishedBrand

BRANDS = sorted([*SCENARIOS, "shopify_small", "publish_month"])
EXTERNAL = re.compile(r"https?://|\bsrc\s*=|<script|<link|@import|url\(|<iframe|<img", re.IGNORECASE)


@pytest.fixture(scope="module")
def rendered(briefing_brands, tmp_path_factory) -> dict[str, tuple[PublishedBrand, Path, str]]:  # type: ignore[no-untyped-def]
    """Each brand's HTML, rendered once into its own empty folder."""
    _, brands = briefing_brands
    out = {}
    for name in BRANDS:
        folder = tmp_path_factory.mktemp(f"html_{name}")
        path = render_briefing_html(brands[name].db_path, folder / "briefing.html", name)
        out[name] = (brands[name], path, path.read_text(encoding="utf-8"))
    return out


def has(page: str, text: object) -> bool:
    return str(escape(str(text))) in page


@pytest.mark.parametrize("brand", BRANDS)
def test_one_self_contained_file(brand: str, rendered) -> None:  # type: ignore[no-untyped-def]
    _, path, page = rendered[brand]
    assert [p.name for p in path.parent.iterdir()] == ["briefing.html"]  # one file, no temp left
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "<style>" in page


@pytest.mark.parametrize("brand", BRANDS)
def test_the_briefing_content_and_numbers(brand: str, rendered) -> None:  # type: ignore[no-untyped-def]
    b, _, page = rendered[brand]
    (state, reason), = b.query("select decision_state, decision_reason from mart_briefing")
    (currency,), = b.query("select max(currency) from fct_orders")
    assert has(page, reason)
    assert f'class="banner {state}"' in page
    for section in ("The store's state", "Recommended now", "Pilot", "Forecast", "Watching",
                    "Considered", "Past actions", "Data checks"):
        assert f"<h2>{section}</h2>" in page, section
    (net_sales,), = b.query("select recent_value from mart_kpi_deltas where window_days = 28 "
                            "and metric = 'net_sales'")
    assert f'<div class="value">{escape(fmt.money(net_sales, currency))}</div>' in page
    for title, lane, audience, pilot_audience in b.query(
            "select title, lane, audience_size, pilot_audience_size from mart_action_plan"):
        assert has(page, title), title
        if lane == "recommended":
            assert f'<div class="label">Audience</div><div class="value">{fmt.count(audience)}</div>' in page
        if lane == "pilot":
            assert (f'<div class="label">Pilot audience</div><div class="value">'
                    f'{fmt.count(pilot_audience)}</div>') in page
    for (headline,) in b.query("select headline from mart_watching"):
        assert has(page, headline)
    (subtitle, baseline), = b.query("select subtitle, baseline_net_sales from mart_forecast "
                                    "where step_order = 0")
    assert has(page, subtitle)
    assert has(page, fmt.money(baseline, currency))


@pytest.mark.parametrize("brand", BRANDS)
def test_the_charts_are_embedded(brand: str, rendered) -> None:  # type: ignore[no-untyped-def]
    _, _, page = rendered[brand]
    forecast = page[page.index('<section id="forecast">'):page.index('<section id="watching">')]
    assert forecast.count("<svg") == 1 and 'class="marks"' in forecast  # the Vega-Lite chart
    state = page[page.index('<section id="state">'):page.index('<section id="recommended">')]
    assert state.count('<svg class="spark"') >= 1


def test_evidence_is_one_click_deeper(rendered) -> None:  # type: ignore[no-untyped-def]
    b, _, page = rendered["publish_month"]
    (q_value,), = b.query("select c.q_value from mart_action_candidates as c "
                          "join mart_action_plan as p using (play_id) where p.lane = 'recommended'")
    card = page[page.index('<section id="recommended">'):page.index('<section id="pilot">')]
    details = card[card.index("<details>"):card.index("</details>")]
    assert fmt.decimal(q_value, 4) in details
    assert fmt.decimal(q_value, 4) not in card.replace(details, "")


def test_command_line(briefing_brands, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, brands = briefing_brands
    out = tmp_path / "nested" / "briefing.html"
    assert main(["--db", str(brands["shopify_small"].db_path), "--out", str(out)]) == 0
    assert out.is_file() and str(out) in capsys.readouterr().out
    assert main(["--db", str(tmp_path / "missing.duckdb"), "--out", str(out)]) == 1
    assert "no DuckDB file" in capsys.readouterr().err
