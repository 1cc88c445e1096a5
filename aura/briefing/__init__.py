"""The briefing: what the app and the shareable HTML file show, read from a published build.

`content.load_briefing` reads the marts into the plain dataclasses of `model` with
brand-team text, `evidence` the statistics one click deeper, `outcomes` past actions,
`kpis` the KPI explorer's series, `charts` the Altair charts both render, `audience_csv` a
play's audience as CSV text (through `aura.audiences`), `launches` what can be marked
launched, `html.render_briefing_html` the single-file HTML briefing. All SQL is in
`queries`, parameterized; `format` turns values (and missing ones) into plain English.
"""

from aura.briefing.content import BriefingUnavailable, brand_copy, load_briefing
from aura.briefing.model import Briefing

__all__ = ["Briefing", "BriefingUnavailable", "brand_copy", "load_briefing"]
