"""Brand-team copy is plain English: every headline, banner and card string the briefing
shows (the app's Briefing page and the HTML file, through `brand_copy`, and the HTML's
visible text outside the collapsed Evidence sections), for every brand, holds no p-value,
q-value, confidence interval, internal code, NaN, None or infinity."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import duckdb
import pytest

from aura.briefing import brand_copy, load_briefing
from aura.briefing.html import render_html
from aura.demo import SCENARIOS

from copy_rules import forbidden_in_copy

BRANDS = sorted([*SCENARIOS, "shopify_small", "publish_month"])


class _VisibleText(HTMLParser):
    """Text a reader sees without opening anything: not in <details>, <style> or <svg>."""

    HIDDEN = {"details", "style", "svg", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        self.depth += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag in self.HIDDEN

    def handle_data(self, data: str) -> None:
        if not self.depth and data.strip():
            self.chunks.append(" ".join(data.split()))


@pytest.fixture(scope="module")
def brands(briefing_brands):  # type: ignore[no-untyped-def]
    return briefing_brands[1]


@pytest.mark.parametrize("brand", BRANDS)
def test_headlines_and_cards_are_plain_english(brand: str, brands) -> None:  # type: ignore[no-untyped-def]
    b = brands[brand]
    with duckdb.connect(str(b.db_path), read_only=True) as con:
        briefing = load_briefing(con, brand)
        page = render_html(briefing, con)
    strings = [s for s in brand_copy(briefing) if s]
    assert briefing.decision.reason in strings and len(strings) > 20
    parser = _VisibleText()
    parser.feed(page)
    bad = forbidden_in_copy(b.query, strings + parser.chunks)
    assert not bad, bad


def test_the_rules_catch_what_they_should(brands) -> None:  # type: ignore[no-untyped-def]
    query = brands["healthy_beauty"].query
    caught = forbidden_in_copy(query, [
        "p = 0.03", "a q-value of 0.2", "95% CI -1 to 3", "the confidence interval", "nan", "None",
        "inf", "not_significant", "effect_wrong_direction", "insufficient_history"])
    assert len({text for _, text in caught}) == 10
    assert not forbidden_in_copy(query, [
        "Nothing is recommended this month.", "Information about inventory", "Nonetheless, prices rose."])
    assert re.search(r"\bnan\b", "nan")
