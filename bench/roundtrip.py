"""Round trips: server time per sendRequestXML + receiveResponseXML pair, against the floor."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.before import OtherTree, empty_database, other_tree
from bench.client import FLOOR_PASSWORD, RECEIVE, SEND, connector, floor_qwc, pair_times
from bench.config import Run
from bench.cpu import CpuProbe, CpuSample, load_average, used
from bench.env import Database, backend_of
from bench.report import Row, Section
from bench.stats import summarize
from bench.workload import RawWorkload, Workload
from qwc_service.db import unit_of_work
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import CallRecord
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import QwcFile

#: Builds the n-th session of so many pages: the .qwc, its password, and its QuickBooks.
SessionMaker = Callable[[int, int], tuple[QwcFile, str, FakeQuickBooks]]


@dataclass
class SessionTimes:
    """Pair times (ms), single call times (ms), session wall times (s) and CPU per pair (ms)."""

    pairs_ms: list[float] = field(default_factory=list)
    send_ms: list[float] = field(default_factory=list)
    receive_ms: list[float] = field(default_factory=list)
    sessions_s: list[float] = field(default_factory=list)
    worker_cpu_ms: list[float] = field(default_factory=list)
    database_cpu_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    load: list[float] = field(default_factory=list)


class _PagesWindow:
    """CPU samples taken after authenticate and after the last page (progress 100)."""

    def __init__(self, probe: CpuProbe) -> None:
        self.probe = probe
        self.start: CpuSample | None = None
        self.end: CpuSample | None = None

    def __call__(self, record: CallRecord) -> None:
        if record.method == "authenticate":
            self.start = self.probe.sample()
        elif record.method == RECEIVE and record.result == "100":
            self.end = self.probe.sample()


def run_sessions(url: str, make: SessionMaker, run: Run, probe: CpuProbe) -> SessionTimes:
    """Run the unmeasured warm-up sessions, then the measured ones, one after another."""
    times = SessionTimes()
    warmup = run.scale.warmup_sessions
    for index in range(warmup + run.scale.sessions):
        pages = run.scale.warmup_pages if index < warmup else run.scale.pages
        qwc, password, quickbooks = make(index, pages)
        window = _PagesWindow(probe)
        web_connector, transport = connector(qwc, password, quickbooks, url, window)
        web_connector.add_application()
        started = time.perf_counter()
        result = web_connector.run_session()
        elapsed = time.perf_counter() - started
        if result.outcome != "completed":
            times.failures.append(f"{result.outcome}: {result.last_error}")
        if index < warmup:
            continue
        pairs = pair_times(transport.timings)
        times.sessions_s.append(elapsed)
        times.pairs_ms += pairs
        times.send_ms += [t.ms for t in transport.timings if t.method == SEND]
        times.receive_ms += [t.ms for t in transport.timings if t.method == RECEIVE]
        times.load.append(load_average())
        if window.start is not None and window.end is not None and pairs:
            workers, database = used(window.start, window.end)
            times.worker_cpu_ms.append(1000.0 * workers / len(pairs))
            times.database_cpu_ms.append(1000.0 * database / len(pairs))
    return times


def floor_times(run: Run, workload: Workload) -> SessionTimes:
    """The same sessions against the floor application."""
    quickbooks = workload.company(run.scale.pages)
    with run.floor() as floor:
        origin = f"http://localhost:{floor.port}"

        def make(index: int, pages: int) -> tuple[QwcFile, str, FakeQuickBooks]:
            return floor_qwc(origin, f"floor {index}", pages), FLOOR_PASSWORD, quickbooks

        return _measured(run, floor, "sqlite://", make)


def _measured(
    run: Run, server: ServerProcess, database_url: str, make: SessionMaker
) -> SessionTimes:
    probe = CpuProbe(server.worker_pids, database_url)
    try:
        return run_sessions(f"{server.url}/qbwc", make, run, probe)
    finally:
        probe.close()


def server_times(run: Run, database_url: str, workload: Workload) -> SessionTimes:
    """Sessions of the configured number of pages against the server on ``database_url``."""
    settings = run.settings(database_url)
    database = Database(settings)
    companies: dict[int, FakeQuickBooks] = {}
    try:
        with run.server(settings, f"roundtrip-{backend_of(database_url)}") as server:

            def make(index: int, pages: int) -> tuple[QwcFile, str, FakeQuickBooks]:
                tenant = database.add_tenants(1, prefix=f"roundtrip {index}")[0]
                with unit_of_work(database.factory) as db:
                    workload.queue_pages(db, tenant.connection_id, pages)
                if pages not in companies:
                    # A sync reads the whole company: its size sets the number of pages.
                    companies[pages] = workload.company(pages)
                return tenant.qwc, tenant.password, companies[pages]

            return _measured(run, server, database_url, make)
    finally:
        database.close()


def before_times(run: Run, tree: OtherTree, backend: str, workload: Workload) -> SessionTimes:
    """The same sessions against the other tree's server, on a database it migrated."""
    warmup = run.scale.warmup_sessions
    pages = [run.scale.warmup_pages] * warmup + [run.scale.pages] * run.scale.sessions
    companies = {count: workload.company(count) for count in set(pages)}
    with empty_database(run, backend, f"rt_{backend}") as url:
        tenants = tree.sync_tenants(url, run, "pages", pages)
        with tree.server(run, url, f"before-roundtrip-{backend}") as server:

            def make(index: int, count: int) -> tuple[QwcFile, str, FakeQuickBooks]:
                return tenants[index].qwc, tenants[index].password, companies[count]

            return _measured(run, server, url, make)


def _cpu_rows(section: Section, name: str, times: SessionTimes) -> None:
    section.summary_row(f"{name}: worker CPU per pair", summarize(times.worker_cpu_ms), "ms")
    if any(times.database_cpu_ms):
        section.summary_row(
            f"{name}: PostgreSQL CPU per pair", summarize(times.database_cpu_ms), "ms"
        )


def measure(run: Run, databases: dict[str, str], workload: Workload) -> Section:
    """Round trips on every backend in ``databases``, and the floor, as one section."""
    section = Section(f"Round trip ({run.scale.pages}-page sessions, {workload.name})")
    floor = floor_times(run, workload)
    floor_pairs = summarize(floor.pairs_ms)
    section.summary_row("floor: send+receive pair", floor_pairs, "ms")
    _cpu_rows(section, "floor", floor)
    section.summary_row("floor: whole session", summarize(floor.sessions_s), "s")
    section.values.update(
        floor_round_trip_ms_median=floor_pairs.median,
        floor_round_trip_ms_p99=floor_pairs.p99,
        floor_session_s_median=summarize(floor.sessions_s).median,
        floor_worker_cpu_ms_per_pair=summarize(floor.worker_cpu_ms).median,
    )
    loads = list(floor.load)
    for backend, url in databases.items():
        times = server_times(run, url, workload)
        loads += times.load
        _backend_rows(
            section,
            backend,
            times,
            floor_pairs.median,
            "" if backend == "postgresql" else f"{backend}_",
        )
    tree = other_tree(run)
    if tree is not None:
        _before_rows(run, section, tree, list(databases), workload, floor_pairs.median)
    if "postgresql" in databases:
        raw = server_times(run, databases["postgresql"], RawWorkload())
        loads += raw.load
        _backend_rows(section, "postgresql, raw jobs", raw, floor_pairs.median, "raw_")
        section.notes.append(
            "raw jobs: the same 100-customer page as one raw job per round trip, its response "
            "stored whole on the job; no records are read or stored, so the difference from "
            "the sync rows is what reading and storing 100 records costs"
        )
    section.notes.append(
        "client-observed wall time per HTTP POST over loopback, one kept-alive connection "
        "per session; QuickBooks' own processing between the calls is not counted; "
        f"{run.scale.sessions} sessions after {run.scale.warmup_sessions} warm-up; "
        f"1-min load average during the sessions: {min(loads):.1f}-{max(loads):.1f}"
    )
    section.notes.append(
        "CPU per pair: CPU seconds the gunicorn workers (and PostgreSQL backends) used from "
        "after authenticate to the last page, divided by the pages"
    )
    section.values["round_trip_workload"] = workload.name
    return section


def _before_rows(
    run: Run,
    section: Section,
    tree: OtherTree,
    backends: list[str],
    workload: Workload,
    floor_ms: float,
) -> None:
    unusable = tree.missing()
    if unusable is not None:
        section.notes.append(f"before not run: {unusable}")
        return
    section.notes.append(f"before: the server of {tree.describe()}, the same sessions")
    for backend in backends:
        try:
            times = before_times(run, tree, backend, workload)
        except Exception as exc:  # the other tree failing must not lose this tree's figures
            section.notes.append(f"before on {backend} failed: {exc!r}")
            continue
        prefix = "before_" if backend == "postgresql" else f"before_{backend}_"
        _backend_rows(section, f"before: {backend}", times, floor_ms, prefix)


def _backend_rows(
    section: Section, backend: str, times: SessionTimes, floor_ms: float, prefix: str
) -> None:
    """The rows of one server run; ``prefix`` names its JSON keys ("" for the main run)."""
    pairs = summarize(times.pairs_ms)
    ratio = pairs.median / floor_ms
    # The targets (worker CPU against the floor's, raw jobs against the peer's) are read in
    # the Targets table, from these figures.
    section.summary_row(f"{backend}: send+receive pair", pairs, "ms")
    section.rows.append(Row(f"{backend}: pair / floor pair", ratio, "x", "ratio of medians"))
    section.summary_row(f"{backend}: sendRequestXML", summarize(times.send_ms), "ms")
    section.summary_row(f"{backend}: receiveResponseXML", summarize(times.receive_ms), "ms")
    _cpu_rows(section, backend, times)
    section.summary_row(f"{backend}: whole session", summarize(times.sessions_s), "s")
    section.values.update(
        {
            f"{prefix}round_trip_ms_median": pairs.median,
            f"{prefix}round_trip_ms_p99": pairs.p99,
            f"{prefix}send_ms_median": summarize(times.send_ms).median,
            f"{prefix}receive_ms_median": summarize(times.receive_ms).median,
            f"{prefix}session_s_median": summarize(times.sessions_s).median,
            f"{prefix}floor_ratio": ratio,
            f"{prefix}worker_cpu_ms_per_pair": summarize(times.worker_cpu_ms).median,
            f"{prefix}database_cpu_ms_per_pair": summarize(times.database_cpu_ms).median,
            f"{prefix}round_trip_failures": len(times.failures),
        }
    )
    section.notes += [f"{backend} session failed: {f}" for f in times.failures[:3]]
