"""The published store: where validated builds live and how readers find them.

Layout under the publish root (default `published/`, or `AURA_PUBLISHED_DIR`):

    <brand>/runs/<run_id>/aura.duckdb     one validated build, never written again
    <brand>/runs/<run_id>/briefing.html   its shareable briefing (when rendered)
    <brand>/runs/<run_id>/run.json        what was built: as-of date, inputs, checks
    <brand>/index.json                    the runs readers may open, newest first
    <brand>/aura.duckdb, briefing.html    hard links to the latest run, for analysts

Publishing moves a finished run directory into `runs/` with one rename, then replaces
`index.json` with another: a reader sees the old index or the new one, and every run an
index names is complete. Readers open run files read-only and never the file dbt writes.
Old runs are pruned after the new index is in place, keeping the latest run of each month,
the previous latest run (a reader holding the old index can still open it) and the run
just published. A backfill (an earlier as-of date published later) joins its month without
becoming the latest. Run files are made read-only (0444) when published; the brand-level
links share their inode, so open them read-only too.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent.parent
INDEX = "index.json"
RUN_FILE = "run.json"
DB_FILE = "aura.duckdb"
HTML_FILE = "briefing.html"
BRAND_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def publish_root(root: Path | None = None) -> Path:
    """The publish root: the argument, else `AURA_PUBLISHED_DIR`, else `published/`."""
    if root is not None:
        return Path(root)
    return Path(os.environ.get("AURA_PUBLISHED_DIR") or REPO / "published")


def check_brand(brand: str) -> str:
    """A brand names a folder: letters, digits, `_`, `.` and `-` only."""
    if not BRAND_PATTERN.match(brand):
        raise ValueError(
            f"brand {brand!r} must start with a letter or digit and hold only letters, digits, "
            "'_', '.' and '-' (at most 64 characters): it names the brand's publish folder"
        )
    return brand


@dataclass(frozen=True)
class PublishedRun:
    """One published, validated build of one brand."""

    brand: str
    run_id: str
    as_of: date
    published_at: datetime
    directory: Path
    meta: dict[str, object]

    @property
    def month(self) -> str:
        """The as-of month, `YYYY-MM`: the briefing's month."""
        return self.as_of.strftime("%Y-%m")

    @property
    def db_path(self) -> Path:
        return self.directory / DB_FILE

    @property
    def html_path(self) -> Path | None:
        path = self.directory / HTML_FILE
        return path if path.exists() else None

    @property
    def input_dir(self) -> Path | None:
        value = self.meta.get("input_dir")
        return Path(str(value)) if value else None

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the run's marts."""
        return duckdb.connect(str(self.db_path), read_only=True)


def _read_json(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_json_atomic(path: Path, payload: dict[str, object]) -> None:
    """Write through a temporary file in the same folder and rename over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, sort_keys=True, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # readers may run as another user (mkstemp makes it 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _run_from_meta(brand_dir: Path, meta: dict[str, object]) -> PublishedRun:
    return PublishedRun(
        brand=str(meta["brand"]),
        run_id=str(meta["run_id"]),
        as_of=date.fromisoformat(str(meta["as_of"])),
        published_at=datetime.fromisoformat(str(meta["published_at"])),
        directory=brand_dir / "runs" / str(meta["run_id"]),
        meta=meta,
    )


def list_brands(root: Path | None = None) -> list[str]:
    """Brands with at least one published run, sorted."""
    base = publish_root(root)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / INDEX).is_file())


def list_runs(brand: str, root: Path | None = None) -> list[PublishedRun]:
    """The brand's published runs, latest as-of date first (then latest published)."""
    brand_dir = publish_root(root) / check_brand(brand)
    index_path = brand_dir / INDEX
    if not index_path.is_file():
        return []
    index = _read_json(index_path)
    return [_run_from_meta(brand_dir, dict(meta)) for meta in index.get("runs", [])]  # type: ignore[union-attr]


def list_months(brand: str, root: Path | None = None) -> list[str]:
    """The as-of months with a published run, newest first."""
    return sorted({run.month for run in list_runs(brand, root)}, reverse=True)


def latest_run(brand: str, month: str | None = None, root: Path | None = None) -> PublishedRun | None:
    """The newest run of the brand (of that as-of month, `YYYY-MM`, when given)."""
    for run in list_runs(brand, root):
        if month is None or run.month == month:
            return run
    return None


def _link_latest(brand_dir: Path, run_dir: Path, name: str) -> None:
    """Point `<brand>/<name>` at the run's file with a hard link swapped in by rename."""
    source = run_dir / name
    target = brand_dir / name
    if not source.exists():
        target.unlink(missing_ok=True)
        return
    tmp = brand_dir / f".{name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:  # a filesystem without hard links: copy instead
        shutil.copy2(source, tmp)
    os.replace(tmp, target)


def new_run_dir(brand: str, root: Path | None = None) -> Path:
    """A private staging folder, on the publish root's filesystem, for a run to be published;
    fill it with `aura.duckdb` (and optionally `briefing.html`), then `publish_run` it."""
    staging = publish_root(root) / check_brand(brand) / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="run-", dir=staging))


def publish_run(
    staged: Path, brand: str, as_of: date, meta: dict[str, object] | None = None,
    root: Path | None = None,
) -> PublishedRun:
    """Publish a staged run folder (see `new_run_dir`) holding a validated `aura.duckdb`."""
    brand_dir = publish_root(root) / check_brand(brand)
    if not (staged / DB_FILE).is_file():
        raise FileNotFoundError(f"{staged / DB_FILE} is missing: nothing to publish")
    for name in (DB_FILE, HTML_FILE):  # a published run is never written again
        if (staged / name).is_file():
            os.chmod(staged / name, 0o444)
    os.chmod(staged, 0o755)  # private while staged (mkdtemp: 0700), readable once published
    runs_dir = brand_dir / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    # one publisher of a brand at a time, so two builds finishing together both land
    with open(brand_dir / ".publish.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        now = datetime.now(UTC)
        run_id = f"{as_of.isoformat()}_{now.strftime('%Y%m%dT%H%M%S%fZ')}"
        while (runs_dir / run_id).exists():  # two publishes within one microsecond
            run_id += "x"
        record: dict[str, object] = {
            **(meta or {}), "brand": brand, "run_id": run_id, "as_of": as_of.isoformat(),
            "published_at": now.isoformat(),
        }
        _write_json_atomic(staged / RUN_FILE, record)
        _move_into(staged, runs_dir / run_id)  # the run appears complete or not at all
        runs = sorted([record, *(r.meta for r in list_runs(brand, root))],
                      key=lambda r: (str(r["as_of"]), str(r["published_at"])), reverse=True)
        keep = _runs_to_keep(runs) | {run_id}
        _write_json_atomic(brand_dir / INDEX,
                           {"brand": brand, "runs": [r for r in runs if r["run_id"] in keep]})
        for name in (DB_FILE, HTML_FILE):  # the latest as-of date, not always this run
            _link_latest(brand_dir, runs_dir / str(runs[0]["run_id"]), name)
        for child in runs_dir.iterdir():
            if child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)
    return _run_from_meta(brand_dir, record)


def _move_into(staged: Path, run_dir: Path) -> None:
    """Rename the staged folder to `run_dir`; from another filesystem, copy it next to
    `run_dir` first, so the final step is still one rename."""
    try:
        os.rename(staged, run_dir)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=run_dir.parent))
        try:
            shutil.copytree(staged, incoming, dirs_exist_ok=True)
            os.rename(incoming, run_dir)
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise
        shutil.rmtree(staged, ignore_errors=True)


def _runs_to_keep(runs: list[dict[str, object]]) -> set[str]:
    """The two latest runs and the latest run of every as-of month (`runs` sorted latest
    first)."""
    keep = {str(r["run_id"]) for r in runs[:2]}
    seen_months: set[str] = set()
    for r in runs:
        month = str(r["as_of"])[:7]
        if month not in seen_months:
            seen_months.add(month)
            keep.add(str(r["run_id"]))
    return keep
