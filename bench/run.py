"""Benchmark: `dbt build` on generated Shopify stores against an independent pandas baseline.

    python -m bench.run [--sizes 10000,100000,1000000] [--keep] [--out bench/results.md]

For each size: generate a store (``python -m aura.demo``; timed apart), run ``dbt build``
(models and tests) on it in a fresh DuckDB file, run the pandas baseline
(``python -m bench.pandas_baseline``) on the same files, both as subprocesses measured
the same way (wall time, peak RSS), check that the two agree, and write a markdown
report. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from bench.pandas_baseline import daily_path

ROOT = Path(__file__).resolve().parent.parent
TIME_BIN = Path("/usr/bin/time")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
GOAL_ORDERS = 1_000_000
GOAL_SECONDS = 60.0
GOAL_RSS_BYTES = 4 * 1024**3
GOAL_SPEEDUP = 5.0
CENT = Decimal("0.005")  # agreement "to the cent": differences below half a cent
DAILY_FIELDS = ("orders", "units", "net_sales", "new_customer_orders", "returning_customer_orders")
SLOWEST_SHOWN = 8
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "pyarrow", "numpy")


# ------------------------------------------------------------------------------------
# Measuring a subprocess
# ------------------------------------------------------------------------------------


@dataclass
class Measured:
    """One subprocess: wall time, peak resident memory, exit code and output."""

    seconds: float
    peak_rss: int | None  # bytes
    returncode: int
    stdout: str
    stderr: str
    rss_method: str
    cpu_percent: int | None = None  # CPU time / wall time (time -v only); 200 = two cores busy


def _parse_time_v(report: str) -> tuple[int | None, int | None]:
    """Peak RSS (bytes) and CPU percent from a `/usr/bin/time -v` report."""
    rss = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", report)
    cpu = re.search(r"Percent of CPU this job got:\s*(\d+)%", report)
    return (
        int(rss.group(1)) * 1024 if rss else None,
        int(cpu.group(1)) if cpu else None,
    )


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants now."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s*(\d+) kB", status, re.MULTILINE)
        total += int(match.group(1)) * 1024 if match else 0
        stack += _children(pid)
    return total


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run `cmd`, timing it and taking its peak RSS: `/usr/bin/time -v` when present (the
    maximum RSS of the process, or of its largest descendant), else polling /proc every
    20 ms for the RSS of the whole process tree."""
    if TIME_BIN.is_file():
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
            start = time.perf_counter()
            proc = subprocess.run(
                [str(TIME_BIN), "-v", "-o", report.name, *cmd],
                cwd=cwd, env=env, capture_output=True, text=True, check=False,
            )
            seconds = time.perf_counter() - start
            peak, cpu = _parse_time_v(Path(report.name).read_text())
        return Measured(
            seconds, peak, proc.returncode, proc.stdout, proc.stderr, "time -v", cpu
        )

    start = time.perf_counter()
    popen = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(popen.pid))
            done.wait(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out, err = popen.communicate()
    seconds = time.perf_counter() - start
    done.set()
    poller.join()
    return Measured(seconds, peak or None, popen.returncode, out, err, "/proc polling")


def _check(step: str, measured: Measured) -> None:
    if measured.returncode != 0:
        tail = "\n".join((measured.stdout + measured.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"{step} failed (exit {measured.returncode}):\n{tail}")


# ------------------------------------------------------------------------------------
# One size
# ------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    requested: int
    work_dir: Path
    generate: Measured | None = None
    dbt: Measured | None = None
    pandas: Measured | None = None
    sql_path: Measured | None = None  # bench.sql_path: loader + fct_orders + daily KPIs
    orders: int | None = None  # built by dbt (fct_orders rows)
    line_rows: int | None = None  # built by dbt (fct_order_lines rows)
    dbt_elapsed: float | None = None  # run_results.json: execution after parsing
    slowest: list[tuple[str, float]] = field(default_factory=list)
    time_by_type: dict[str, float] = field(default_factory=dict)
    # Data-test time by the model tested: (model, materialization, tests, summed seconds).
    tests_by_model: list[tuple[str, str, int, float]] = field(default_factory=list)
    pandas_timings: dict[str, float] = field(default_factory=dict)
    agreement: list[str] = field(default_factory=list)  # differences; empty = agree
    error: str | None = None
    load_before: float | None = None  # 1-minute load average when the size started

    @property
    def size(self) -> int:
        """Orders built (requested ones until the build ran)."""
        return self.orders if self.orders is not None else self.requested

    @property
    def agrees(self) -> bool | None:
        if self.error or self.pandas is None:
            return None
        return not self.agreement

    @property
    def ratio(self) -> float | None:
        if self.dbt and self.pandas and self.dbt.seconds:
            return self.pandas.seconds / self.dbt.seconds
        return None

    @property
    def sql_ratio(self) -> float | None:
        if self.sql_path and self.pandas and self.sql_path.seconds:
            return self.pandas.seconds / self.sql_path.seconds
        return None


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def _dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise RuntimeError("dbt not found beside the Python interpreter or on PATH")
    return found


def generate(n: int, out: Path, scenario: str, seed: int) -> Measured:
    cmd = [
        sys.executable, "-m", "aura.demo", "--scenario", scenario,
        "--orders", str(n), "--out", str(out), "--seed", str(seed),
    ]
    measured = measure(cmd, _env(), ROOT)
    _check("generation (python -m aura.demo)", measured)
    return measured


def dbt_build(input_dir: Path, work: Path, timezone: str) -> Measured:
    variables = {
        "aura_input_format": "shopify",
        "aura_input_dir": str(input_dir),
        "aura_timezone": timezone,
    }
    cmd = [
        _dbt_executable(), "build",
        "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
        "--vars", json.dumps(variables),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]
    measured = measure(cmd, _env(AURA_DB=str(work / "aura.duckdb")), ROOT)
    _check("dbt build", measured)
    return measured


def run_pandas(input_dir: Path, work: Path, timezone: str) -> Measured:
    cmd = [
        sys.executable, "-m", "bench.pandas_baseline", str(input_dir),
        str(work / "pandas_orders.parquet"), "--timezone", timezone,
    ]
    measured = measure(cmd, _env(), ROOT)
    _check("pandas baseline", measured)
    return measured


def run_sql_path(input_dir: Path, work: Path, timezone: str) -> Measured:
    """The same SQL as the build for fct_orders and the daily KPIs, without dbt."""
    (work / "sql_path").mkdir(exist_ok=True)
    cmd = [
        sys.executable, "-m", "bench.sql_path", str(input_dir),
        str(work / "target" / "compiled" / "aura" / "models"),
        str(work / "sql_path" / "aura.duckdb"), "--timezone", timezone,
    ]
    measured = measure(cmd, _env(), ROOT)
    _check("SQL path (python -m bench.sql_path)", measured)
    return measured


def read_run_results(result: SizeResult) -> None:
    """Execution time and the slowest nodes from dbt's run_results.json."""
    path = result.work_dir / "target" / "run_results.json"
    data = json.loads(path.read_text())
    result.dbt_elapsed = float(data.get("elapsed_time", 0.0))
    nodes = [
        (str(r["unique_id"]), float(r.get("execution_time") or 0.0)) for r in data["results"]
    ]
    nodes.sort(key=lambda item: item[1], reverse=True)
    result.slowest = nodes[:SLOWEST_SHOWN]
    by_type: dict[str, float] = {}
    for unique_id, seconds in nodes:
        kind = unique_id.split(".", 1)[0]
        by_type[kind] = by_type.get(kind, 0.0) + seconds
    result.time_by_type = by_type

    manifest = json.loads((result.work_dir / "target" / "manifest.json").read_text())
    manifest_nodes: dict[str, Any] = manifest.get("nodes", {})
    per_model: dict[str, list[float]] = {}
    for unique_id, seconds in nodes:
        node = manifest_nodes.get(unique_id, {})
        if node.get("resource_type") != "test":
            continue
        tested = node.get("attached_node") or next(
            iter(node.get("depends_on", {}).get("nodes", [])), "?"
        )
        per_model.setdefault(tested, []).append(seconds)
    ranked = sorted(per_model.items(), key=lambda item: sum(item[1]), reverse=True)
    result.tests_by_model = [
        (
            model.rsplit(".", 1)[-1],
            str(manifest_nodes.get(model, {}).get("config", {}).get("materialized", "?")),
            len(times),
            sum(times),
        )
        for model, times in ranked[:SLOWEST_SHOWN]
    ]


def compare(result: SizeResult) -> None:
    """Counts, total net sales and daily figures: dbt's marts against the pandas files."""
    con = duckdb.connect(str(result.work_dir / "aura.duckdb"), read_only=True)
    try:
        row = con.execute(
            "select count(*), count(*) filter (where is_counted_order), "
            "coalesce(sum(net_sales) filter (where is_counted_order), 0) from fct_orders"
        ).fetchone()
        lines = con.execute("select count(*) from fct_order_lines").fetchone()
        dbt_daily = con.execute(
            f"select kpi_date, {', '.join(DAILY_FIELDS)} from fct_daily_kpis"
        ).df()
    finally:
        con.close()
    assert row is not None and lines is not None
    dbt_orders, dbt_counted, dbt_net = int(row[0]), int(row[1]), Decimal(row[2])
    result.orders, result.line_rows = dbt_orders, int(lines[0])

    orders_file = result.work_dir / "pandas_orders.parquet"
    orders = pd.read_parquet(orders_file, columns=["order_id", "is_counted_order", "net_sales"])
    daily = pd.read_parquet(daily_path(orders_file), columns=["kpi_date", *DAILY_FIELDS])
    pd_counted = orders[orders["is_counted_order"]]
    pd_net = Decimal(str(round(float(pd_counted["net_sales"].sum()), 4)))

    diffs: list[str] = []
    if dbt_orders != len(orders):
        diffs.append(f"orders: dbt {dbt_orders:,}, pandas {len(orders):,}")
    if dbt_counted != len(pd_counted):
        diffs.append(f"counted orders: dbt {dbt_counted:,}, pandas {len(pd_counted):,}")
    if abs(dbt_net - pd_net) >= CENT:
        diffs.append(f"total net sales: dbt {dbt_net:,.2f}, pandas {pd_net:,.2f}")
    baseline_lines = result.pandas_timings.get("line_rows")
    if baseline_lines is not None and int(baseline_lines) != result.line_rows:
        diffs.append(f"line rows: dbt {result.line_rows:,}, pandas {int(baseline_lines):,}")

    dbt_daily["kpi_date"] = pd.to_datetime(dbt_daily["kpi_date"])
    daily["kpi_date"] = pd.to_datetime(daily["kpi_date"])
    both = dbt_daily.merge(daily, on="kpi_date", how="outer", suffixes=("_dbt", "_pd"))
    both = both.sort_values("kpi_date")
    for name in DAILY_FIELDS:
        left = both[f"{name}_dbt"].astype("float64")
        right = both[f"{name}_pd"].astype("float64")
        tolerance = float(CENT) if name == "net_sales" else 0.0
        bad = both[~((left - right).abs() <= tolerance)]
        if len(bad):
            examples = "; ".join(
                f"{d:%Y-%m-%d}: dbt {a}, pandas {b}"
                for d, a, b in bad[["kpi_date", f"{name}_dbt", f"{name}_pd"]].head(3).itertuples(
                    index=False
                )
            )
            diffs.append(f"daily {name}: {len(bad)} of {len(both)} days differ ({examples})")
    result.agreement = diffs


def run_size(
    n: int, args: argparse.Namespace, base: Path, input_dir: Path | None = None
) -> SizeResult:
    work = Path(tempfile.mkdtemp(prefix=f"size-{n}-", dir=base))
    result = SizeResult(requested=n, work_dir=work, load_before=os.getloadavg()[0])
    tag = f"[{n:,}]" if input_dir is None else f"[{input_dir.name}]"
    try:
        if input_dir is None:
            input_dir = work / "store"
            _log(f"{tag} generating {args.scenario} (seed {args.seed}) into {input_dir}")
            result.generate = generate(n, input_dir, args.scenario, args.seed)
            _log(f"{tag} generated in {result.generate.seconds:.1f} s")
        _log(f"{tag} dbt build")
        result.dbt = dbt_build(input_dir, work, args.timezone)
        read_run_results(result)
        _log(f"{tag} dbt build: {result.dbt.seconds:.1f} s, {_gib(result.dbt.peak_rss)}")
        _log(f"{tag} SQL path alone")
        result.sql_path = run_sql_path(input_dir, work, args.timezone)
        _log(f"{tag} SQL path: {result.sql_path.seconds:.1f} s, {_gib(result.sql_path.peak_rss)}")
        _log(f"{tag} pandas baseline")
        result.pandas = run_pandas(input_dir, work, args.timezone)
        summary = json.loads(result.pandas.stdout.strip().splitlines()[-1])
        result.pandas_timings = {**summary["timings"], "line_rows": summary["line_rows"]}
        _log(f"{tag} pandas: {result.pandas.seconds:.1f} s, {_gib(result.pandas.peak_rss)}")
        compare(result)
        if result.agreement:
            _log(f"{tag} MISMATCH between pandas and dbt:\n  " + "\n  ".join(result.agreement))
        else:
            _log(
                f"{tag} OK: pandas and dbt agree: {result.orders:,} orders, total net sales "
                f"to the cent, net sales, orders, units, new and returning orders on every day"
            )
    except (RuntimeError, OSError, duckdb.Error, ValueError, KeyError) as exc:
        result.error = str(exc)
        _log(f"{tag} ERROR: {exc}")
    finally:
        if not args.keep:
            shutil.rmtree(work / "store", ignore_errors=True)
    return result


# ------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _gib(value: int | None) -> str:
    if value is None:
        return "n/a"
    if value >= 1024**3:
        return f"{value / 1024**3:.2f} GiB"
    return f"{value / 1024**2:.0f} MiB"


def _secs(measured: Measured | None) -> str:
    return f"{measured.seconds:.1f}" if measured else "n/a"


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text()
        match = re.search(r"^model name\s*:\s*(.+)$", info, re.MULTILINE)
        cpu = match.group(1).strip() if match else cpu
    except OSError:
        pass
    ram = "unknown"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        match = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
        if match:
            ram = f"{int(match.group(1)) / 1024**2:.1f} GiB"
    except OSError:
        pass
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    threads = _dbt_threads()
    return {
        "cpu": f"{os.cpu_count()} logical cores ({cpu})",
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": ", ".join(versions),
        "dbt threads": threads,
    }


def _dbt_threads() -> str:
    match = re.search(r"^\s*threads:\s*(\d+)", (ROOT / "profiles.yml").read_text(), re.MULTILINE)
    return match.group(1) if match else "?"


def _goal_lines(results: list[SizeResult]) -> list[str]:
    target = next((r for r in results if r.size >= GOAL_ORDERS and r.dbt), None)
    goals = [
        (f"dbt build of {GOAL_ORDERS:,} orders in < {GOAL_SECONDS:.0f} s",
         lambda r: (r.dbt.seconds < GOAL_SECONDS, f"{r.dbt.seconds:.1f} s")),
        (f"peak RSS < 4 GB ({GOAL_RSS_BYTES / 1024**3:.0f} GiB)",
         lambda r: (r.dbt.peak_rss is not None and r.dbt.peak_rss < GOAL_RSS_BYTES,
                    _gib(r.dbt.peak_rss))),
        (f"SQL path >= {GOAL_SPEEDUP:.0f}x faster than pandas (pandas time / SQL path time)",
         lambda r: (r.sql_ratio is not None and r.sql_ratio >= GOAL_SPEEDUP,
                    f"{r.sql_ratio:.2f}x" if r.sql_ratio is not None else "n/a")),
    ]
    lines = []
    for text, check in goals:
        if target is None:
            lines.append(f"- {text}: **not measured** (no {GOAL_ORDERS:,}-order run)")
            continue
        met, value = check(target)
        lines.append(f"- {text}: **{'met' if met else 'not met'}** ({value})")
    return lines


def report(results: list[SizeResult], info: dict[str, str], args: argparse.Namespace) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Aura benchmark: dbt build vs pandas baseline",
        "",
        f"Run {when}; scenario `{args.scenario}`, seed {args.seed}; "
        f"timezone {args.timezone}.",
        "",
        f"- Machine: {info['cpu']}, {info['ram']} RAM; {info['os']}",
        f"- Python {info['python']}; {info['versions']}; dbt threads: {info['dbt threads']}",
        f"- Peak RSS measured with {_rss_method(results)}",
        "",
        "| orders | line rows | generate (s) | dbt build (s) | dbt peak RSS "
        "| SQL path (s) | SQL path peak RSS | pandas (s) | pandas peak RSS "
        "| pandas / dbt build | pandas / SQL path | results agree |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|",
    ]
    for r in results:
        orders = f"{r.orders:,}" if r.orders is not None else f"{r.requested:,} (requested)"
        lines = f"{r.line_rows:,}" if r.line_rows is not None else "n/a"
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "n/a"
        sql_ratio = f"{r.sql_ratio:.2f}x" if r.sql_ratio is not None else "n/a"
        agree = {True: "yes", False: "**no**", None: "n/a"}[r.agrees]
        if r.error:
            agree = "error"
        out.append(
            f"| {orders} | {lines} | {_secs(r.generate)} | {_secs(r.dbt)} "
            f"| {_gib(r.dbt.peak_rss if r.dbt else None)} | {_secs(r.sql_path)} "
            f"| {_gib(r.sql_path.peak_rss if r.sql_path else None)} | {_secs(r.pandas)} "
            f"| {_gib(r.pandas.peak_rss if r.pandas else None)} | {ratio} | {sql_ratio} | {agree} |"
        )
    out += ["", "## Goals", "", *_goal_lines(results), ""]

    out += ["## Where the time goes", ""]
    for r in results:
        if r.dbt is None:
            continue
        overhead = r.dbt.seconds - r.dbt_elapsed if r.dbt_elapsed is not None else None
        parts = ", ".join(f"{kind}s {secs:.1f} s" for kind, secs in sorted(r.time_by_type.items()))
        out.append(
            f"**{r.size:,} orders.** dbt: {r.dbt.seconds:.1f} s wall = "
            f"{overhead:.1f} s start-up and parsing + {r.dbt_elapsed:.1f} s running nodes "
            f"(summed node time: {parts}; {info['dbt threads']} threads; load average "
            f"{r.load_before:.2f} before the size started{_cpu(r.dbt)}). Slowest nodes:"
            if overhead is not None and r.dbt_elapsed is not None
            else f"**{r.size:,} orders.** Slowest nodes:"
        )
        out.append("")
        out += [f"- `{uid}` {secs:.2f} s" for uid, secs in r.slowest]
        if r.tests_by_model:
            out += ["", "Data-test time by the model tested (a test on a view re-runs the view):", ""]
            out += [
                f"- `{model}` ({materialized}): {count} tests, {secs:.2f} s"
                for model, materialized, count, secs in r.tests_by_model
            ]
        if r.pandas_timings:
            phases = ", ".join(
                f"{k} {v:.2f} s" for k, v in r.pandas_timings.items() if k != "line_rows"
            )
            out += ["", f"pandas phases: {phases} (plus interpreter and import start-up)."]
        out.append("")

    problems = [r for r in results if r.error or r.agreement]
    if problems:
        out += ["## Problems", ""]
        for r in problems:
            for line in ([r.error] if r.error else []) + r.agreement:
                out.append(f"- {r.size:,} orders: {line}")
        out.append("")
    return "\n".join(out)


def _cpu(measured: Measured) -> str:
    if measured.cpu_percent is None:
        return ""
    return f"; the build used {measured.cpu_percent}% CPU, {os.cpu_count()}00% = all cores"


def _rss_method(results: list[SizeResult]) -> str:
    for r in results:
        if r.dbt is not None:
            return (
                "`/usr/bin/time -v` (maximum resident set size of the process; dbt-duckdb "
                "runs DuckDB inside the dbt process)"
                if r.dbt.rss_method == "time -v"
                else "polling /proc every 20 ms (RSS summed over the process tree)"
            )
    return "n/a"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"sizes must be integers: {text!r}") from exc
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES),
                        help="orders per generated store, comma separated "
                             "(default 10000,100000,1000000)")
    parser.add_argument("--scenario", default="healthy_beauty")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timezone", default="America/New_York",
                        help="the shop's timezone (passed to dbt as aura_timezone)")
    parser.add_argument("--input-dir", type=Path,
                        help="benchmark this existing store instead of generating (no sizes)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the temporary folders go (default: the system temp dir)")
    parser.add_argument("--keep", action="store_true",
                        help="keep generated stores, DuckDB files and dbt targets")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args(argv)

    base = Path(tempfile.mkdtemp(prefix="aura-bench-", dir=args.workdir))
    _log(f"work folder: {base}")
    info = machine()
    results: list[SizeResult] = []
    try:
        if args.input_dir is not None:
            store = args.input_dir.resolve()
            results.append(run_size(0, args, base, input_dir=store))
        else:
            for n in args.sizes:
                results.append(run_size(n, args, base))
                # Written after every size, so a long run leaves what it measured so far.
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(report(results, info, args) + "\n")
        text = report(results, info, args)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
        print(text)
        _log(f"report written to {args.out}")
    finally:
        if args.keep:
            _log(f"kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    failed = any(r.error or r.agreement for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
