"""The bad-input corpus (tests/fixtures/bad_inputs): each case fails with a message that
names the file, the row and the column, or carries on with a recorded flag; a failed
build never replaces the published result."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from aura.inputs import loader
from aura.pipeline import BuildFailed, build_and_publish
from aura.serving import store

from conftest import FIXTURES, built

BAD = FIXTURES / "bad_inputs"


def load_error(case: str) -> str:
    with pytest.raises(loader.InputError) as info:
        loader.load("orders_export", BAD / case, "America/New_York").table()
    return str(info.value)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing_required_column",
         r"missing_required_column/orders_export_1\.csv, row 1 \(header\): missing required "
         r"column 'Lineitem price'"),
        ("non_numeric_amount",
         r"orders_export_1\.csv, row 4, column 'Subtotal': 'fifty' is not a number"),
        ("unparseable_date",
         r"orders_export_1\.csv, row 2, column 'Created at': '06/12/2025 10:37' is not a timestamp"),
        ("two_currencies",
         r"orders_export_1\.csv, row 7, column 'Currency': 'EUR', but the store's other rows say 'USD'"),
        ("empty_file", r"empty_file/orders_export_1\.csv: the file is empty"),
        ("not_csv", r"not_csv/orders_export_1\.csv: not a CSV text file"),
    ],
)
def test_bad_file_is_named_with_row_and_column(case: str, expected: str) -> None:
    assert re.search(expected, load_error(case)), load_error(case)


def test_missing_folder_and_missing_required_input(tmp_path: Path) -> None:
    with pytest.raises(loader.InputError, match="input folder does not exist"):
        loader.load("orders_export", tmp_path / "nope", "UTC")
    with pytest.raises(loader.InputError, match=r"no file matches 'orders_export\*\.csv'"):
        loader.load("orders_export", tmp_path, "UTC")


def test_order_without_created_at_on_its_first_row(tmp_path: Path) -> None:
    text = (FIXTURES / "shopify_small" / "orders_export_1.csv").read_text()
    (tmp_path / "orders_export_1.csv").write_text(text.replace("2025-12-20 23:30:00 -0500,1,", ",1,"))
    with pytest.raises(loader.InputError, match=r"row 4, column 'Created at': is empty on the first row "
                       r"of order '#1002'"):
        loader.load("orders_export", tmp_path, "UTC")


def test_header_matching_ignores_case_and_spaces(tmp_path: Path) -> None:
    text = (FIXTURES / "shopify_small" / "orders_export_1.csv").read_text()
    header, rest = text.split("\n", 1)
    header = header.replace("Lineitem price", " lineitem PRICE ")
    (tmp_path / "orders_export_1.csv").write_text(header + "\n" + rest)
    table = loader.load("orders_export", tmp_path, "UTC").table()
    assert table.num_rows == 6
    assert table.column("Lineitem price").to_pylist()[0] == 40


def test_duplicate_order_rows_are_dropped_and_flagged(tmp_path: Path) -> None:
    query = built(tmp_path / "dup.duckdb", BAD / "duplicate_order_rows")
    # Same figures as the clean export: the copy and the re-export are not counted twice.
    assert query("select count(*), sum(net_sales) from fct_orders where is_counted_order")[0] == (
        4, pytest.approx(120),
    )
    issues = {
        r[0]: r[1:]
        for r in query(
            "select issue_type, rows_affected, first_file, first_row from mart_input_issues "
            "where input_name = 'orders_export'"
        )
    }
    assert issues == {
        "duplicate_row": (1, "orders_export_1.csv", 3),
        "overlapping_export": (1, "orders_export_2.csv", 2),
    }


def test_failed_build_names_the_problem_and_keeps_the_published_result(tmp_path: Path) -> None:
    publish_root = tmp_path / "published"
    # The published result the failed build must leave alone (a stand-in database: what is
    # checked is that nothing replaces it; tests/test_publish.py publishes real builds).
    staged = store.new_run_dir("acme", publish_root)
    with duckdb.connect(str(staged / store.DB_FILE)) as con:
        con.execute("create table mart_briefing as select 'acme' as brand")
    good = store.publish_run(staged, "acme", date(2026, 1, 3), root=publish_root)
    before = good.db_path.read_bytes()
    bad_dir = tmp_path / "bad"
    shutil.copytree(BAD / "non_numeric_amount", bad_dir)
    with pytest.raises(BuildFailed) as info:
        build_and_publish("acme", bad_dir, publish_root=publish_root, quiet=True)
    message = str(info.value)
    assert "orders_export_1.csv, row 4, column 'Subtotal': 'fifty' is not a number" in message
    assert "last published result is unchanged" in message
    assert good.db_path.read_bytes() == before
    assert store.latest_run("acme", root=publish_root) == good
    assert [r.run_id for r in store.list_runs("acme", publish_root)] == [good.run_id]
    assert list(publish_root.joinpath("acme", "runs").iterdir()) == [good.directory]
    assert not list(publish_root.joinpath("acme", "staging").glob("run-*"))


def test_unknown_line_type_is_named(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "canonical_small", tmp_path / "data")
    lines = tmp_path / "data" / "order_lines.csv"
    text = lines.read_text().replace("A4,2,POST,Postage,1,4.00,,shipping,", "A4,2,TIP,Tip,1,4.00,,tip,")
    lines.write_text(text)
    with pytest.raises(loader.InputError, match=r"order_lines\.csv, row 6, column 'line_type': 'tip' is not "
                       r"one of product, shipping, fee, discount, adjustment"):
        loader.load("order_lines", tmp_path / "data", "UTC")


def test_database_file_name_must_be_an_identifier(tmp_path: Path) -> None:
    from conftest import dbt_build

    proc = dbt_build(tmp_path / "acme-store.duckdb", FIXTURES / "shopify_small")
    assert proc.returncode != 0
    assert "The DuckDB file name must be letters, digits and underscores" in proc.stdout
