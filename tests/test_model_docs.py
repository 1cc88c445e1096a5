"""Every model's YAML documents exactly the columns the built relation has, each with a
description, so an analyst finds every column's meaning beside its model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import REPO


def _documented() -> dict[str, tuple[Path, dict[str, str]]]:
    docs = {}
    for path in sorted((REPO / "models").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            cols = {c["name"]: (c.get("description") or "").strip() for c in model.get("columns", [])}
            docs[model["name"]] = (path, model.get("description", "").strip(), cols)
    return docs


def _check(query, fmt: str) -> list[str]:  # type: ignore[no-untyped-def]
    built_cols: dict[str, set[str]] = {}
    for table, column in query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'main'"
    ):
        built_cols.setdefault(table, set()).add(column)
    problems = []
    for name, (path, description, cols) in _documented().items():
        if name not in built_cols:
            continue  # disabled for this input format
        if not description:
            problems.append(f"{path}: model {name} has no description")
        missing = built_cols[name] - set(cols)
        extra = set(cols) - built_cols[name]
        empty = [c for c, d in cols.items() if not d]
        if missing:
            problems.append(f"{path}: undocumented columns {sorted(missing)} ({fmt})")
        if extra:
            problems.append(f"{path}: documented columns not in the model {sorted(extra)} ({fmt})")
        if empty:
            problems.append(f"{path}: columns without a description {empty}")
    models = {p.stem for p in (REPO / "models").rglob("*.sql")}
    problems += [f"model {m} has no YAML entry" for m in sorted(models - set(_documented()))]
    return problems


@pytest.mark.parametrize("store", ["small_store", "canonical_store"])
def test_every_column_is_documented(store: str, request: pytest.FixtureRequest) -> None:
    problems = _check(request.getfixturevalue(store), store)
    assert not problems, "\n".join(problems)
