"""SQL checks for the dbt models (run by `make lint`).

Models must stay portable (DESIGN.md "Scale-out"): engine-specific SQL lives in
adapter.dispatch macros, every ordered window says where NULLs go, and each model has
its own YAML. These checks read the model files as written (Jinja included).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# DuckDB-only (or engine-specific) syntax that belongs in a dispatch macro, not a model.
FORBIDDEN = {
    r"\btry_cast\s*\(": "try_cast (use dbt.safe_cast)",
    r"\btry_strptime\s*\(|\bstrptime\s*\(|\bstrftime\s*\(": "strptime/strftime (use a macro)",
    r"::\s*[a-z]": ":: casts (use cast(x as type))",
    r"\bquantile_cont\s*\(|\bquantile_disc\s*\(": "quantile_cont/disc (use a macro)",
    r"\*\s*replace\s*\(|\*\s*exclude\s*\(": "* REPLACE / * EXCLUDE",
    r"\bcolumns\s*\(": "COLUMNS()",
    r"\basof\s+join\b": "ASOF JOIN",
    r"\bqualify\b": "QUALIFY",
    r"\blist_[a-z_]+\s*\(|\[\s*x\s+for\b|\blambda\b": "list functions / lambdas",
    r"(?<!\.)\b(?:date_diff|datediff|date_add|dateadd)\s*\(": (
        "date arithmetic (use dbt.datediff / dbt.dateadd)"
    ),
    r"\btimezone\s*\(": "timezone() (use aura_local_timestamp)",
    r"\bregexp_matches\s*\(": "regexp_matches (use aura_regexp_matches)",
    r"\brange\s*\(|\bgenerate_series\s*\(": "range()/generate_series (use aura_numbers)",
}


def _strip_comments(sql: str) -> str:
    sql = re.sub(r"\{#.*?#\}", "", sql, flags=re.S)
    return re.sub(r"--[^\n]*", "", sql)


def _window_bodies(sql: str) -> list[str]:
    bodies = []
    for match in re.finditer(r"\bover\s*\(", sql, flags=re.I):
        depth, i = 1, match.end()
        while i < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        bodies.append(sql[match.end(): i - 1])
    return bodies


def check_model(path: Path) -> list[str]:
    raw = path.read_text()
    sql = _strip_comments(raw).lower()
    problems = []
    for pattern, what in FORBIDDEN.items():
        if re.search(pattern, sql):
            problems.append(f"{path}: engine-specific SQL: {what}")
    for body in _window_bodies(sql):
        if "order by" in body:
            order_part = body.split("order by", 1)[1]
            terms = [t for t in re.split(r",(?![^()]*\))", order_part) if t.strip()]
            if any("nulls" not in t for t in terms):
                problems.append(
                    f"{path}: window 'over ({' '.join(body.split())[:60]}...)' orders without "
                    "'nulls first' / 'nulls last' on every term"
                )
    if not path.with_suffix(".yml").exists():
        problems.append(f"{path}: no YAML beside the model ({path.with_suffix('.yml').name})")
    return problems


def main() -> int:
    problems = []
    for path in sorted((REPO / "models").rglob("*.sql")):
        problems += check_model(path)
    for p in problems:
        print(p)
    print(f"sql_lint: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
