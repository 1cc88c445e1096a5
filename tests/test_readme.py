"""The README's contract tables are generated from aura/inputs/contract.py."""

from __future__ import annotations

from aura.inputs.contract import CANONICAL_FILES, SHARED_FILES, SHOPIFY_FILES, markdown_tables

from conftest import REPO


def test_readme_documents_every_input_column() -> None:
    readme = (REPO / "README.md").read_text()
    for files in (SHOPIFY_FILES, CANONICAL_FILES, SHARED_FILES):
        assert markdown_tables(files) in readme, "README contract tables are stale: regenerate"


def test_readme_quickstart_is_the_two_make_targets() -> None:
    readme = (REPO / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci
