"""What brand-team copy must not contain (DESIGN "Evidence honesty"): p-values, q-values,
confidence intervals, internal codes, NaN, None or infinities. Statistics and codes belong
on the Evidence page only. Codes are read from the build itself: every value of its reason
code, null-reason, flag and basis columns that looks like a code (snake_case)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Query = Callable[[str], list[tuple]]

PATTERNS = {
    "p-value": re.compile(r"\bp\s*[=<>≤≥]|\bp-values?\b", re.IGNORECASE),
    "q-value": re.compile(r"\bq\s*[=<>≤≥]|\bq-values?\b", re.IGNORECASE),
    "CI": re.compile(r"\bCI\b|confidence interval", re.IGNORECASE),
    "NaN": re.compile(r"\bnan\b|<NA>|\bNaT\b", re.IGNORECASE),
    "None": re.compile(r"\bNone\b"),
    "infinity": re.compile(r"\binf(inity)?\b|∞", re.IGNORECASE),
}
CODE_COLUMNS = """
select table_name, column_name from information_schema.columns
where table_schema = 'main' and (column_name like '%reason_code%' or column_name like '%null_reason%'
    or column_name in ('not_evaluated_reason', 'flag_code', 'decision_basis', 'blocked_reason',
                       'ineligible_reason', 'policy_disabled_reason', 'seasonality_source'))
"""
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def codes(query: Query) -> set[str]:
    """Every internal code the build's marts hold."""
    found: set[str] = set()
    for table, column in query(CODE_COLUMNS):
        for (value,) in query(f'select distinct "{column}" from "{table}" where "{column}" is not null'):
            found |= {v for v in str(value).split(",") if SNAKE.match(v)}
    return found


def forbidden_in_copy(query: Query, strings: Iterable[str]) -> list[tuple[str, str]]:
    """(what, text) for each string that shows a statistic, a code, NaN, None or infinity."""
    known = sorted(map(re.escape, codes(query)))
    code_pattern = re.compile(r"\b(" + "|".join(known) + r")\b") if known else None
    bad = []
    for text in strings:
        for what, pattern in PATTERNS.items():
            if pattern.search(text):
                bad.append((what, text))
        match = code_pattern.search(text) if code_pattern else None
        if match:
            bad.append((f"code {match.group(0)}", text))
    return bad
