"""Read a brand's input files, validate them against the contract, return typed rows.

Everything a user can get wrong in a file is caught here, before any model runs, and
reported with the file, the row (spreadsheet numbering: the header is row 1) and the
column. Problems where carrying on is right (duplicate rows, overlapping exports) are
not errors: every row keeps `source_file` and `source_row`, and the models flag them.

The work is set-based: files are read by DuckDB (an in-memory connection of the
loader's own), checked with one aggregate query per file set, and handed on as an
Arrow stream. This module imports nothing from dbt.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from aura.inputs.contract import ALL_FILES, Column, InputFile

MAX_REPORTED = 20  # problems listed in one error message
EXAMPLES_PER_COLUMN = 3

# Contract type -> (engine type of the typed column, SQL parsing `v` (trimmed text) or NULL)
_TIMESTAMP_FORMATS = (
    "'%Y-%m-%d %H:%M:%S %z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S%z', "
    "'%Y-%m-%d %H:%M %z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S.%f%z'"
)
_LOCAL_FORMATS = (
    "'%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', "
    "'%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d'"
)
_BOOLEAN_TRUE = ("true", "yes", "y", "1", "t")
_BOOLEAN_FALSE = ("false", "no", "n", "0", "f")
TYPE_HINTS = {
    "number": "a number such as 12.50 (no currency sign, no thousands separator)",
    "integer": "a whole number",
    "timestamp": "a timestamp such as 2025-12-06 10:37:33 -0500",
    "date": "a date such as 2025-12-06",
    "boolean": "yes/no or true/false",
}


class InputError(Exception):
    """A problem in the brand's input files; the message names file, row and column."""


@dataclass(frozen=True)
class FoundFile:
    path: Path
    kind: str  # csv | parquet
    columns: dict[str, str]  # contract column name -> name in the file


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parse_expression(col: Column, text: str, timezone: str) -> str:
    """SQL turning trimmed text `text` into the column's type; NULL when it does not parse."""
    if col.type == "number":
        return f"try_cast({text} AS DECIMAL(18, 4))"
    if col.type == "integer":
        return f"try_cast({text} AS BIGINT)"
    if col.type == "date":
        return f"try_strptime({text}, '%Y-%m-%d')::DATE"
    if col.type == "boolean":
        low = f"lower({text})"
        true_list = ", ".join(_sql_str(v) for v in _BOOLEAN_TRUE)
        false_list = ", ".join(_sql_str(v) for v in _BOOLEAN_FALSE)
        return (
            f"CASE WHEN {low} IN ({true_list}) THEN true "
            f"WHEN {low} IN ({false_list}) THEN false END"
        )
    if col.type == "timestamp":
        # An explicit offset wins; without one the value is local time in the shop's zone.
        z_fixed = f"regexp_replace({text}, 'Z$', '+0000')"
        return (
            f"coalesce(try_strptime({z_fixed}, [{_TIMESTAMP_FORMATS}]), "
            f"timezone({_sql_str(timezone)}, try_strptime({text}, [{_LOCAL_FORMATS}])))"
        )
    return text


def _is_binary(path: Path) -> bool:
    head = path.open("rb").read(65536)
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start < len(head) - 4
    return False


def _csv_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    return next(csv.reader(io.StringIO(first)), [])


def _match_columns(spec: InputFile, path: Path, header: list[str]) -> dict[str, str]:
    """Map contract columns onto the file's header (case and surrounding spaces ignored)."""
    seen: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if key in seen:
            raise InputError(
                f"{path}, row 1 (header): column {name.strip()!r} appears twice; "
                "each column name must be unique."
            )
        seen[key] = name
    mapping = {c.name: seen[c.name.lower()] for c in spec.columns if c.name.lower() in seen}
    missing = [c for c in spec.required_columns if c not in mapping]
    if missing:
        found = ", ".join(repr(h) for h in header[:40]) or "nothing"
        raise InputError(
            f"{path}, row 1 (header): missing required column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)}. "
            f"The header has: {found}. See the input contract in README.md."
        )
    return mapping


def find_files(spec: InputFile, input_dir: Path) -> list[FoundFile]:
    """The files of one input kind, checked to be non-empty, textual and headed right."""
    if not input_dir.is_dir():
        raise InputError(f"{input_dir}: the input folder does not exist (aura_input_dir).")
    paths = sorted(
        p for p in input_dir.glob(spec.pattern)
        if p.is_file() and p.suffix.lower() in {".csv", ".parquet"}
    )
    if not paths and spec.required:
        raise InputError(
            f"{input_dir}: no file matches {spec.pattern!r}; this input is required "
            "(check aura_input_dir and aura_input_format)."
        )
    found: list[FoundFile] = []
    for path in paths:
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty; expected a header row and data rows.")
        if path.suffix.lower() == ".parquet":
            try:
                names = pq.read_schema(path).names
            except Exception as exc:  # noqa: BLE001 - any reader failure means the same
                raise InputError(f"{path}: not a readable Parquet file ({exc}).") from exc
            found.append(FoundFile(path, "parquet", _match_columns(spec, path, names)))
            continue
        if _is_binary(path):
            raise InputError(
                f"{path}: not a CSV text file (it holds binary or non-UTF-8 data); "
                "export it again as CSV (UTF-8)."
            )
        header = _csv_header(path)
        if not any(h.strip() for h in header):
            raise InputError(f"{path}, row 1: the header row is empty.")
        found.append(FoundFile(path, "csv", _match_columns(spec, path, header)))
    return found


def _file_select(spec: InputFile, f: FoundFile) -> tuple[str, int]:
    """SELECT of one file as text columns named by the contract; and its first data row's
    number (spreadsheet numbering: a CSV header is row 1)."""
    if f.kind == "csv":
        reader = (
            f"read_csv({_sql_str(str(f.path))}, header = true, all_varchar = true, "
            "delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
            "columns = {" + ", ".join(
                f"{_sql_str(n)}: 'VARCHAR'" for n in _csv_header(f.path)
            ) + "})"
        )
        first_row = 2
    else:
        reader = f"read_parquet({_sql_str(str(f.path))})"
        first_row = 1
    cols = []
    for c in spec.columns:
        if c.name in f.columns:
            cols.append(f"nullif(trim(CAST({_ident(f.columns[c.name])} AS VARCHAR)), '')")
        else:
            cols.append("CAST(NULL AS VARCHAR)")
        cols[-1] += f" AS {_ident(c.name)}"
    return "SELECT " + ", ".join(cols) + f" FROM {reader}", first_row


def _read_files(con: duckdb.DuckDBPyConnection, spec: InputFile, files: list[FoundFile]) -> None:
    """One table per file, then the view `raw` over all of them with file and row.

    The row number is the table's rowid: DuckDB keeps the file's order on insert
    (preserve_insertion_order), and rowid needs no single-threaded window.
    """
    parts = []
    for i, f in enumerate(files):
        select, first_row = _file_select(spec, f)
        con.execute(f"CREATE TABLE file_{i} AS {select}")
        parts.append(
            f"SELECT {_sql_str(f.path.name)} AS source_file, "
            f"CAST(rowid + {first_row} AS BIGINT) AS source_row, * FROM file_{i}"
        )
    con.execute("CREATE VIEW raw AS " + " UNION ALL ".join(parts))


def _cell_conditions(spec: InputFile, c: Column, text: str, parsed: str) -> list[str]:
    """SQL conditions, each true on a cell of column `c` that breaks the contract."""
    conditions = []
    if c.type != "text":
        conditions.append(f"{text} IS NOT NULL AND {parsed} IS NULL")
    if c.required and c.name not in spec.order_level:
        conditions.append(f"{text} IS NULL")
    if c.values:
        allowed = ", ".join(_sql_str(a) for a in c.values)
        conditions.append(f"{text} IS NOT NULL AND lower({text}) NOT IN ({allowed})")
    return conditions


def _check_cells(
    con: duckdb.DuckDBPyConnection, spec: InputFile, timezone: str
) -> list[str]:
    """Every unparseable typed cell and every empty required cell, by file, row and column."""
    checks = [
        (c, cond)
        for c in spec.columns
        for cond in _cell_conditions(
            spec, c, _ident(c.name), parse_expression(c, _ident(c.name), timezone)
        )
    ]
    problems: list[str] = []
    if not checks:
        return problems
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond in checks)
        + " FROM raw"
    ).fetchone()
    assert counts is not None
    for (col, cond), n_bad in zip(checks, counts, strict=True):
        if not n_bad:
            continue
        rows = con.execute(
            f"SELECT source_file, source_row, {_ident(col.name)} FROM raw WHERE {cond} "
            f"ORDER BY source_file, source_row LIMIT {EXAMPLES_PER_COLUMN}"
        ).fetchall()
        for file, row, value in rows:
            if value is None:
                what = "is empty, but this column is required"
            elif col.values and col.type == "text":
                what = f"{value!r} is not one of {', '.join(col.values)}"
            else:
                what = f"{value!r} is not {TYPE_HINTS[col.type]}"
            problems.append(f"{file}, row {row}, column {col.name!r}: {what}")
        if n_bad > len(rows):
            problems.append(f"  ... and {n_bad - len(rows)} more rows with {col.name!r} like that")
    return problems


def _check_order_level_required(con: duckdb.DuckDBPyConnection, spec: InputFile) -> list[str]:
    """Required order-level columns (Shopify) must be filled on each order's first row."""
    problems: list[str] = []
    for name in spec.required_columns:
        if name not in spec.order_level:
            continue
        v = _ident(name)
        position = "source_file || '|' || lpad(CAST(source_row AS VARCHAR), 12, '0')"
        rows = con.execute(
            f"""
            WITH first_rows AS (
                SELECT min({position}) AS first_position FROM raw GROUP BY "Name"
            )
            SELECT source_file, source_row, "Name" FROM raw
            WHERE {v} IS NULL AND {position} IN (SELECT first_position FROM first_rows)
            ORDER BY source_file, source_row LIMIT {EXAMPLES_PER_COLUMN + 1}
            """
        ).fetchall()
        for file, row, order in rows[:EXAMPLES_PER_COLUMN]:
            problems.append(
                f"{file}, row {row}, column {name!r}: is empty on the first row of order "
                f"{order!r}, where Shopify writes the order's fields"
            )
        if len(rows) > EXAMPLES_PER_COLUMN:
            problems.append(f"  ... and more orders without {name!r}")
    return problems


def _check_single_valued(con: duckdb.DuckDBPyConnection, spec: InputFile) -> list[str]:
    problems = []
    for name in spec.single_valued:
        v = _ident(name)
        rows = con.execute(
            f"SELECT upper({v}) AS value, min(source_file || ', row ' || source_row) AS first_seen, "
            f"count(*) AS n FROM raw WHERE {v} IS NOT NULL GROUP BY 1 ORDER BY n DESC"
        ).fetchall()
        if len(rows) > 1:
            main_value, main_where, main_n = rows[0]
            for value, where, n in rows[1:]:
                problems.append(
                    f"{where}, column {name!r}: {value!r}, but the store's other rows say "
                    f"{main_value!r} ({main_n} rows, first at {main_where}); {n} row(s) say "
                    f"{value!r}. One store has one {name.lower()}: Aura does not convert "
                    "currencies, so split the stores or convert first."
                )
    return problems


def _raise(spec: InputFile, problems: list[str]) -> None:
    if not problems:
        return
    shown = problems[:MAX_REPORTED]
    more = len(problems) - len(shown)
    raise InputError(
        f"The {spec.pattern} input has {len(problems)} problem(s) "
        "(rows count from the header, which is row 1):\n  "
        + "\n  ".join(shown)
        + (f"\n  ... and {more} more" if more > 0 else "")
    )


GUARD_MESSAGE = "aura: a cell breaks the input contract"


def _typed_select(spec: InputFile, timezone: str) -> str:
    """The typed rows. Every cell is parsed once; a cell that breaks the contract stops
    the stream (the detailed report is then made by `_check_cells`), so valid input is
    read in one pass instead of a checking pass plus a reading pass."""
    inner = ["source_file", "source_row"]
    outer = ["source_file", "source_row"]
    guards = []
    for i, c in enumerate(spec.columns):
        inner.append(f"{_ident(c.name)} AS t{i}")
        inner.append(f"{parse_expression(c, _ident(c.name), timezone)} AS p{i}")
        outer.append(f"p{i} AS {_ident(c.name)}")
        guards += _cell_conditions(spec, c, f"t{i}", f"p{i}")
    where = ""
    if guards:
        where = (
            f" WHERE CASE WHEN ({') OR ('.join(guards)}) "
            f"THEN error({_sql_str(GUARD_MESSAGE)}) ELSE true END"
        )
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM raw){where}"


def _empty_select(spec: InputFile, timezone: str) -> str:
    """A typed, empty result with the contract's columns (an absent optional input)."""
    cols = ["CAST(NULL AS VARCHAR) AS source_file", "CAST(NULL AS BIGINT) AS source_row"]
    for c in spec.columns:
        expr = parse_expression(c, "CAST(NULL AS VARCHAR)", timezone)
        cols.append(f"{expr} AS {_ident(c.name)}")
    return "SELECT " + ", ".join(cols) + " WHERE false"


class LoadedInput:
    """A validated input as an Arrow stream. The loader's connection (and the text copy
    of the files it holds) is closed as soon as the stream has been read."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sql: str, files: list[FoundFile]):
        self.files = files
        inner = con.execute(sql).to_arrow_reader(100_000)

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                yield from inner
            finally:
                con.close()

        self.reader = pa.RecordBatchReader.from_batches(inner.schema, batches())

    def table(self) -> pa.Table:
        return self.reader.read_all()


def load(
    key: str, input_dir: str | Path, timezone: str, memory_limit: str | None = None
) -> LoadedInput:
    """Validate and read input `key` (a contract key such as 'orders_export')."""
    spec = ALL_FILES[key]
    files = find_files(spec, Path(input_dir))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'; SET preserve_insertion_order = true")
    if memory_limit:
        con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
    if not files:
        return LoadedInput(con, _empty_select(spec, timezone), files)
    try:
        _read_files(con, spec, files)
    except duckdb.Error as exc:
        raise InputError(
            f"Input {spec.pattern!r} in {input_dir}: a file could not be read as CSV: {exc}"
        ) from exc
    _raise(spec, _check_order_level_required(con, spec) + _check_single_valued(con, spec))
    try:
        con.execute(f"CREATE TABLE typed AS {_typed_select(spec, timezone)}")
    except duckdb.Error as exc:
        if GUARD_MESSAGE not in str(exc):
            raise
        _raise(spec, _check_cells(con, spec, timezone))
        raise  # the guard fired, so the detailed check finds something; never reached
    con.execute("DROP VIEW raw")
    for i in range(len(files)):
        con.execute(f"DROP TABLE file_{i}")  # frees the text copy before the stream
    return LoadedInput(con, "SELECT * FROM typed", files)


def describe_files(files: Iterable[FoundFile]) -> str:
    return ", ".join(f.path.name for f in files) or "none"
