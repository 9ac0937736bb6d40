"""The benchmark command: ``python bench/run.py [--quick] [--json]``.

Starts the server under gunicorn against PostgreSQL (and SQLite where it applies), drives it
over real HTTP with the shipped Web Connector simulator, and prints one table — or, with
``--json``, one JSON object. Every database it creates is dropped at the end. Nothing here
asserts on a timing: these are measurements, read against the targets in the README.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

if __package__ in (None, ""):
    # Run as a script: make the repository importable (bench.*, qwc_service.*).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import auth, bigresponse, deepqueue, fleet, machines, mixed, roundtrip
from bench.before import OtherTree
from bench.compare import compare_section
from bench.config import FULL, QUICK, Run
from bench.cpu import load_average
from bench.env import postgres_database, postgres_template, postgres_version, sqlite_database
from bench.report import Section, render_json, render_table
from bench.targets import before_values, cli_help_cpu_s, targets_section
from bench.workload import page_workload
from qwc_service import gunicorn_conf
from qwc_service.config import Settings

BENCHMARKS = ("roundtrip", "idle", "auth", "machines", "big", "deep", "mixed")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smaller run (under two minutes)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--threads",
        type=int,
        default=int(gunicorn_conf.threads),
        help=f"threads per worker (default {gunicorn_conf.threads}, from gunicorn_conf)",
    )
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"comma list of: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="also run the machines with QuickBooks taking this many ms per page",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    parser.add_argument(
        "--compare-with",
        type=Path,
        default=None,
        metavar="PATH",
        help="another checkout (with its own .venv) whose server runs the idle polls too, "
        "for a before column",
    )
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    return args


def _meta(run: Run, args: argparse.Namespace, pg_version: str) -> dict[str, Any]:
    defaults = Settings()
    return {
        "mode": "quick" if args.quick else "full",
        "cores": multiprocessing.cpu_count(),
        "load_average_1m_start": load_average(),
        "python": platform.python_version(),
        "gunicorn_worker_class": gunicorn_conf.worker_class,
        "gunicorn_workers": run.workers,
        "gunicorn_threads": run.threads,
        "db_pool_size": defaults.db_pool_size,
        "log_level": defaults.log_level,
        "postgresql": pg_version,
        "sqlite": sqlite3.sqlite_version if run.sqlite else None,
        "workload": page_workload().name,
    }


def _header(meta: dict[str, Any]) -> list[str]:
    return [
        f"qwc-service benchmarks ({meta['mode']}) - {meta['cores']} cores, "
        f"1-min load average at start {meta['load_average_1m_start']:.1f}, "
        f"Python {meta['python']}",
        f"server: gunicorn {meta['gunicorn_worker_class']}, {meta['gunicorn_workers']} workers x "
        f"{meta['gunicorn_threads']} threads, default Settings (DB pool "
        f"{meta['db_pool_size']}, log level "
        f"{meta['log_level']})",
        f"databases: PostgreSQL {meta['postgresql']}"
        + (f", SQLite {meta['sqlite']}" if meta["sqlite"] else "")
        + f"; workload: {meta['workload']}",
        "times are medians with p10 / p90 / p99 / max; targets are read, not asserted",
    ]


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _stopped(signum: int, frame: object) -> NoReturn:
    # Unwind through the context managers: servers stop, databases are dropped.
    raise SystemExit(128 + signum)


def run_all(run: Run, chosen: set[str], template: str) -> list[Section]:
    """Run the chosen benchmarks, each on databases of its own (copies of ``template``)."""
    workload = page_workload()
    sections: list[Section] = []

    def step(name: str, tag: str, body: Callable[[str, dict[str, str]], Section]) -> None:
        if name not in chosen:
            return
        _say(f"{name} ...")
        started = time.perf_counter()
        try:
            with postgres_database(tag, template) as pg:
                databases = {"postgresql": pg}
                if run.sqlite and name in run.scale.sqlite_for:
                    databases["sqlite"] = sqlite_database(run.workdir, tag)
                sections.append(body(pg, databases))
        except Exception as exc:  # one broken benchmark must not lose the others' figures
            _say(f"{name} failed: {exc!r}")
            sections.append(Section(name, notes=[f"failed: {exc!r}"]))
            return
        _say(f"{name} done in {time.perf_counter() - started:.0f} s")

    step("roundtrip", "rt", lambda pg, dbs: roundtrip.measure(run, dbs, workload))
    step("idle", "idle", lambda pg, dbs: fleet.measure(run, pg))
    step("auth", "auth", lambda pg, dbs: auth.measure(run, pg))
    step("machines", "machines", lambda pg, dbs: machines.measure(run, pg, workload))
    step("big", "big", lambda pg, dbs: bigresponse.measure(run, dbs))
    step("deep", "deep", lambda pg, dbs: deepqueue.measure(run, dbs))
    step("mixed", "mixed", lambda pg, dbs: mixed.measure(run, dbs))
    return sections


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the report."""
    args = _arguments(argv)
    signal.signal(signal.SIGTERM, _stopped)
    workdir = Path(tempfile.mkdtemp(prefix="qwc-bench-"))
    scale = replace(QUICK if args.quick else FULL, think_ms=args.think_ms)
    run = Run(
        scale,
        args.workers,
        args.threads,
        workdir,
        sqlite=not args.no_sqlite,
        compare_with=args.compare_with.resolve() if args.compare_with else None,
    )
    started = time.perf_counter()
    try:
        meta = _meta(run, args, postgres_version())
        with postgres_template() as template:
            sections = run_all(run, set(args.only.split(",")), template)
    finally:
        if args.keep:
            _say(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    meta["cli_help_cpu_s"] = cli_help_cpu_s()
    before = OtherTree(args.compare_with) if args.compare_with else None
    if before is not None and before.missing() is None:
        meta["before_cli_help_cpu_s"] = cli_help_cpu_s(str(before.python), before.root)
    values: dict[str, Any] = dict(meta)
    for section in sections:
        values.update(section.values)
    sections.append(targets_section(values, before_values(values) if before else None))
    compared = compare_section(values) if before else None
    if compared is not None:
        sections.append(compared)
    meta["load_average_1m_end"] = load_average()
    meta["elapsed_s"] = time.perf_counter() - started
    if args.json:
        print(render_json(meta, sections))
    else:
        footer = f"\nelapsed {meta['elapsed_s']:.0f} s; 1-min load average at end "
        print(render_table(_header(meta), sections) + footer + f"{meta['load_average_1m_end']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
