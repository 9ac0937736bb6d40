"""Many machines: N simulated Web Connectors on N connections syncing at once.

The clients run in a few processes with many threads each, so the client side has more
than one GIL. Every machine first logs in (an HMAC check of its password); all of them
then wait at a barrier and start their pages together, so the measured window is the
syncing itself, not the login storm before it.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bench.client import FLOOR_PASSWORD, RECEIVE, SEND, connector, floor_qwc, pair_times
from bench.config import Run
from bench.cpu import CpuProbe, load_average, used
from bench.env import Database
from bench.quickbooks import SlowQuickBooks
from bench.report import Row, Section, verdict
from bench.stats import summarize
from bench.workload import Workload, page_workload
from qwc_service.db import unit_of_work
from qwc_service.simulator.connector import CallRecord
from qwc_service.simulator.qwcfile import QwcFile

#: The server's pair p99 may be at most this multiple of the floor's under the same load.
TARGET_P99_FLOOR_RATIO = 2.0
BARRIER_TIMEOUT = 600.0


@dataclass(frozen=True)
class MachineSpec:
    """What a client process needs to run one machine (picklable)."""

    qwc: QwcFile
    password: str
    url: str
    seed: int
    pages: int
    think_ms: float


@dataclass
class MachineResult:
    """One machine's session, as its client saw it."""

    outcome: str
    last_error: str
    pairs_ms: list[float]
    calls_ms: list[float]
    authenticate_ms: float
    released: float
    last_ended: float


@dataclass
class ProcessResult:
    """A client process's machines and the CPU time it used while syncing."""

    machines: list[MachineResult] = field(default_factory=list)
    cpu_seconds: float = 0.0


def _machine(spec: MachineSpec, workload: Workload, barrier: Any, out: list[MachineResult]) -> None:
    released = [0.0]

    def at_barrier() -> None:
        try:
            barrier.wait(BARRIER_TIMEOUT)
        finally:
            released[0] = time.perf_counter()

    def on_event(record: CallRecord) -> None:
        if record.method == "authenticate":
            at_barrier()

    try:
        quickbooks = SlowQuickBooks(
            workload.company_data(spec.pages, seed=spec.seed), spec.think_ms
        )
        web_connector, transport = connector(
            spec.qwc, spec.password, quickbooks, spec.url, on_event
        )
        result = web_connector.run_session()
        outcome: str = result.outcome
        last_error = result.last_error or ""
    except Exception as exc:  # a broken client must not hang the others at the barrier
        outcome, last_error, transport = "client_error", repr(exc), None
    if not released[0]:
        # This machine never got to authenticate; its place at the barrier is still open.
        at_barrier()
    timings = transport.timings if transport is not None else []
    logins = [t.ms for t in timings if t.method == "authenticate"]
    paging = [t for t in timings if t.method in (SEND, RECEIVE)]
    out.append(
        MachineResult(
            outcome=outcome,
            last_error=last_error,
            pairs_ms=pair_times(timings),
            calls_ms=[t.ms for t in paging],
            authenticate_ms=logins[0] if logins else 0.0,
            released=released[0],
            last_ended=max((t.ended for t in paging), default=released[0]),
        )
    )


def client_process(specs: list[MachineSpec], barrier: Any, results: Any) -> None:
    """Run one thread per machine; put a ProcessResult on ``results``."""
    workload = page_workload()
    out: list[MachineResult] = []
    threads = [
        threading.Thread(target=_machine, args=(spec, workload, barrier, out)) for spec in specs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(ProcessResult(out, time.process_time()))


@dataclass(frozen=True)
class Outcome:
    """Everything one many-machines run measured."""

    machines: list[MachineResult]
    window_s: float
    client_cpu_s: float
    worker_cpu_s: float
    database_cpu_s: float
    login_storm_s: float
    load: float


def _run_clients(run: Run, specs: list[MachineSpec], probe: CpuProbe) -> Outcome:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(specs) + 1)
    results = context.Queue()
    count = max(1, min(run.scale.client_processes, len(specs)))
    processes = [
        context.Process(target=client_process, args=(specs[i::count], barrier, results))
        for i in range(count)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    barrier.wait(BARRIER_TIMEOUT)
    released = time.perf_counter()
    before = probe.sample()
    collected = [results.get(timeout=BARRIER_TIMEOUT) for _ in processes]
    after = probe.sample()
    for process in processes:
        process.join()
    machines = [m for r in collected for m in r.machines]
    ends = [m.last_ended for m in machines if m.pairs_ms]
    window = (max(ends) if ends else released) - released
    workers, database = used(before, after)
    return Outcome(
        machines=machines,
        window_s=window,
        client_cpu_s=sum(r.cpu_seconds for r in collected),
        worker_cpu_s=workers,
        database_cpu_s=database,
        login_storm_s=released - started,
        load=load_average(),
    )


def run_machines(
    run: Run, database_url: str, workload: Workload, count: int, think_ms: float
) -> Outcome:
    """``count`` machines on ``count`` connections, each syncing ``machine_pages`` pages."""
    pages = run.scale.machine_pages
    settings = run.settings(database_url)
    database = Database(settings)
    try:
        tenants = database.add_tenants(count, prefix="machine")
        with unit_of_work(database.factory) as db:
            for tenant in tenants:
                workload.queue_pages(db, tenant.connection_id, pages)
        with run.server(settings, f"machines-{count}-{think_ms:g}") as server:
            url = f"{server.url}/qbwc"
            specs = [
                MachineSpec(t.qwc, t.password, url, i + 1, pages, think_ms)
                for i, t in enumerate(tenants)
            ]
            probe = CpuProbe(server.worker_pids, database_url)
            try:
                return _run_clients(run, specs, probe)
            finally:
                probe.close()
    finally:
        database.close()


def run_floor_machines(run: Run, count: int, think_ms: float) -> Outcome:
    """The same machines against the floor: what this machine's cores allow at best."""
    pages = run.scale.machine_pages
    with run.floor() as floor:
        origin = f"http://localhost:{floor.port}"
        specs = [
            MachineSpec(
                floor_qwc(origin, f"floor machine {i}", pages),
                FLOOR_PASSWORD,
                f"{origin}/qbwc",
                i + 1,
                pages,
                think_ms,
            )
            for i in range(count)
        ]
        probe = CpuProbe(floor.worker_pids, "sqlite://")
        try:
            return _run_clients(run, specs, probe)
        finally:
            probe.close()


def measure(run: Run, database_url: str, workload: Workload) -> Section:
    """Many machines with no think time (saturation); with ``--think-ms``, once more with it.

    Each run is repeated against the floor, whose latency under the same load is the least
    any server could show on this machine.
    """
    count = run.scale.machines
    section = Section(f"Many machines ({count} machines on {count} connections, {workload.name})")
    think = [0.0] + ([run.scale.think_ms] if run.scale.think_ms > 0 else [])
    for think_ms in think:
        tag = f"think {think_ms:g} ms" if think_ms else ""
        server = run_machines(run, database_url, workload, count, think_ms)
        floor = run_floor_machines(run, count, think_ms)
        server_p99 = _report(section, server, tag, floor=False)
        floor_p99 = _report(section, floor, tag, floor=True)
        _compare(section, server_p99, floor_p99, tag)
    per_process = -(-count // max(1, min(run.scale.client_processes, count)))
    section.notes.append(
        f"clients: {min(run.scale.client_processes, count)} processes x up to {per_process} "
        "threads, one simulated Web Connector (own FakeQuickBooks, own kept-alive HTTP "
        f"connection) per thread; {run.scale.machine_pages} pages per machine; server: "
        f"gunicorn {run.workers} workers x {run.threads} threads (gthread); floor: the "
        "round-trip benchmark's floor under the same gunicorn settings and the same clients"
    )
    section.notes.append(
        "latency is per send+receive pair as each client saw it; with no think time every "
        "machine sends its next call at once, so this is a closed loop at saturation: "
        "latency ~ machines / throughput (Little's law)"
        + (
            f"; the think-time run waits {run.scale.think_ms:g} ms per page inside QuickBooks"
            if run.scale.think_ms > 0
            else "; --think-ms N adds a run where QuickBooks takes N ms per page"
        )
    )
    return section


def _compare(section: Section, server_p99: float, floor_p99: float, tag: str) -> None:
    """The server's p99 as a multiple of the floor's under the same load."""
    ratio = server_p99 / floor_p99 if floor_p99 > 0 else float("nan")
    label = f" ({tag})" if tag else " (no think time)"
    section.rows.append(
        Row(
            f"pair p99 / floor pair p99{label}",
            ratio,
            "x",
            "ratio of p99s",
            None,
            f"<= {TARGET_P99_FLOOR_RATIO:g}x",
            verdict(ratio <= TARGET_P99_FLOOR_RATIO),
        )
    )
    key = "machines_200_think" if tag else "machines_200"
    section.values[f"{key}_p99_floor_ratio"] = ratio


def _report(section: Section, outcome: Outcome, tag: str, *, floor: bool) -> float:
    """Add one run's rows and JSON values; return its pair p99 (ms)."""
    machines = outcome.machines
    pairs = [ms for m in machines for ms in m.pairs_ms]
    errors = [m for m in machines if m.outcome != "completed"]
    rps = len(pairs) / outcome.window_s if outcome.window_s > 0 else 0.0
    latency = summarize(pairs)
    label = f" ({tag})" if tag else " (no think time)"
    who = "floor: " if floor else ""
    section.rows.append(
        Row(
            f"{who}round trips per second{label}",
            rps,
            "pairs/s",
            f"{len(pairs)} pairs in {outcome.window_s:.1f} s",
            None,
        )
    )
    section.summary_row(f"{who}pair latency{label}", latency, "ms")
    section.summary_row(
        f"{who}single call latency{label}",
        summarize([c for m in machines for c in m.calls_ms]),
        "ms",
    )
    section.rows.append(
        Row(
            f"{who}errors{label}",
            float(len(errors)),
            "sessions",
            "",
            len(machines),
            "" if floor else "0",
            "" if floor else verdict(not errors),
        )
    )
    section.summary_row(
        f"{who}authenticate during login storm{label}",
        summarize([m.authenticate_ms for m in machines]),
        "ms",
    )
    cores = max(1, multiprocessing.cpu_count())
    window = max(outcome.window_s, 1e-9)
    section.notes.append(
        f"{who}{tag or 'no think time'}: login storm {outcome.login_storm_s:.1f} s; while syncing, "
        f"CPU used: clients {outcome.client_cpu_s:.1f} s (whole client processes), gunicorn "
        f"workers {outcome.worker_cpu_s:.1f} s, PostgreSQL {outcome.database_cpu_s:.1f} s "
        f"over {window:.1f} s x {cores} cores; 1-min load average {outcome.load:.1f}"
    )
    section.notes += [f"error: {m.outcome}: {m.last_error[:200]}" for m in errors[:3]]
    key = ("floor_" if floor else "") + ("machines_200_think" if tag else "machines_200")
    section.values.update(
        {
            f"{key}_count": len(machines),
            f"{key}_rps": rps,
            f"{key}_p50_ms": latency.median,
            f"{key}_p99_ms": latency.p99,
            f"{key}_errors": len(errors),
            f"{key}_worker_cpu_ms_per_pair": 1000.0 * outcome.worker_cpu_s / max(1, len(pairs)),
        }
    )
    return latency.p99
