"""One huge response: every invoice of a company in a single receiveResponseXML.

The response answers the first page of an invoice sync, so the ingest is the real parse
and upsert. The worker's peak resident memory (VmHWM, reset just before the session) shows
what the ingest costs in memory next to the size of what was posted.

The same response is then parsed once more in the benchmark's own process, with no database:
the SOAP envelope as the request guard parses it, and the qbXML read into records as the sync
handler reads it. A worker does both in one process, under one GIL, before and beside any
storing, so invoices / (envelope + reading) bounds what one worker could ingest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from sqlalchemy import func, select

from bench.before import OtherTree, empty_database, other_tree
from bench.client import RECEIVE, connector
from bench.config import Run
from bench.cpu import CpuProbe, load_average, used
from bench.env import Database, backend_of
from bench.quickbooks import UnlimitedQuickBooks
from bench.report import Row, Section, verdict
from bench.server import memory_of, reset_peak
from bench.targets import BIG_RESPONSE_BEFORE_PER_S
from bench.workload import queue_invoice_sync
from qwc_service.db import unit_of_work
from qwc_service.records.models import StoredRecord
from qwc_service.records.parse import ParseProblem, ResponseReader
from qwc_service.serving import ServerProcess
from qwc_service.simulator import wire
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.qwcfile import QwcFile
from qwc_service.soap.xmlguard import parse_body

TARGET_MEMORY_FACTOR = 4.0
MB = 1024.0 * 1024.0


@dataclass(frozen=True)
class Alone:
    """The big response parsed in the benchmark's process, one thread, no database."""

    envelope_s: float
    reading_s: float
    records: int


def read_alone(response: str) -> Alone:
    """Time the request guard's parse of the envelope carrying ``response``, then the
    record reader over ``response`` (the sync handler's reader, given the same str)."""
    params = [("ticket", "alone"), ("response", response), ("hresult", ""), ("message", "")]
    body = wire.envelope(RECEIVE, params)
    started = time.perf_counter()
    parse_body(body)
    parsed = time.perf_counter()
    del body
    records = sum(1 for item in ResponseReader(response) if not isinstance(item, ParseProblem))
    return Alone(parsed - started, time.perf_counter() - parsed, records)


@dataclass(frozen=True)
class Ingest:
    """What one big receiveResponseXML cost."""

    outcome: str
    seconds: float
    invoices: int
    lines: int
    response_mb: float
    envelope_mb: float
    worker_rss_mb: float
    worker_peak_mb: float
    stored: int | None
    peak_reset: bool
    alone: Alone | None
    worker_cpu_s: float = float("nan")


def _queue_invoices(database: Database, connection_id: str) -> None:
    with unit_of_work(database.factory) as db:
        queue_invoice_sync(db, connection_id)


def _stored_invoices(database: Database, connection_id: str) -> int | None:
    with unit_of_work(database.factory) as db:
        query = select(func.count()).where(
            StoredRecord.connection_id == connection_id, StoredRecord.record_type == "Invoice"
        )
        return int(db.scalar(query) or 0)


def ingest(run: Run, database_url: str, invoices: int, *, alone: bool = False) -> Ingest:
    """Post ``invoices`` invoices (with lines) in one response and measure the worker; with
    ``alone``, then time the same response's parses here, once the server has stopped."""
    settings = run.settings(database_url)
    database = Database(settings)
    try:
        tenant = database.add_tenants(1, prefix="big")[0]
        _queue_invoices(database, tenant.connection_id)
        server = run.server(settings, f"big-{backend_of(database_url)}")
        result = _post(server, tenant.qwc, tenant.password, invoices, alone=alone)
        return replace(result, stored=_stored_invoices(database, tenant.connection_id))
    finally:
        database.close()


def ingest_before(run: Run, tree: OtherTree, backend: str, invoices: int) -> Ingest:
    """The same response posted to the other tree's server, on a database it migrated."""
    with empty_database(run, backend, f"big_{backend}") as url:
        tenant = tree.sync_tenants(url, run, "invoices", [1])[0]
        server = tree.server(run, url, f"before-big-{backend}")
        return _post(server, tenant.qwc, tenant.password, invoices, alone=False)


def _post(
    server: ServerProcess, qwc: QwcFile, password: str, invoices: int, *, alone: bool
) -> Ingest:
    quickbooks = UnlimitedQuickBooks(
        generate_company(customers=500, items=50, invoices=invoices, payments=0)
    )
    with server:
        pids = server.worker_pids()
        resets = [reset_peak(pid) for pid in pids]
        before = {pid: memory_of(pid) for pid in pids}
        probe = CpuProbe(server.worker_pids, "sqlite://")
        try:
            start = probe.sample()
            web_connector, transport = connector(qwc, password, quickbooks, f"{server.url}/qbwc")
            web_connector.add_application()
            result = web_connector.run_session()
            worker_cpu_s, _ = used(start, probe.sample())
        finally:
            probe.close()
        after = {pid: memory_of(pid) for pid in pids}
    busiest = max(pids, key=lambda pid: after[pid].hwm_mb - before[pid].rss_mb)
    receives = [t for t in transport.timings if t.method == RECEIVE]
    biggest = max(receives, key=lambda t: t.request_bytes)
    return Ingest(
        outcome=result.outcome,
        seconds=biggest.ms / 1000.0,
        invoices=quickbooks.invoices,
        lines=quickbooks.lines,
        response_mb=quickbooks.response_bytes / MB,
        envelope_mb=biggest.request_bytes / MB,
        worker_rss_mb=before[busiest].rss_mb,
        worker_peak_mb=after[busiest].hwm_mb,
        stored=None,
        peak_reset=all(resets),
        alone=read_alone(quickbooks.biggest) if alone else None,
        worker_cpu_s=worker_cpu_s,
    )


def measure(run: Run, databases: dict[str, str]) -> Section:
    """The big response on every backend in ``databases``."""
    invoices = run.scale.big_invoices
    section = Section(
        f"Big response ({invoices:,} invoices in one receiveResponseXML, "
        "sync page, parsed and upserted)"
    )
    for index, (backend, url) in enumerate(databases.items()):
        started = time.perf_counter()
        result = ingest(run, url, invoices, alone=index == 0)
        _rows(section, backend, result)
        if result.alone is not None:
            _alone_rows(section, result.invoices, result.alone)
        section.notes.append(
            f"{backend}: session {result.outcome}; response {result.response_mb:.1f} MiB "
            f"qbXML ({result.invoices:,} invoices, {result.lines:,} lines), "
            f"{result.envelope_mb:.1f} MiB SOAP envelope; stored invoices: "
            f"{'n/a' if result.stored is None else f'{result.stored:,}'}; benchmark took "
            f"{time.perf_counter() - started:.0f} s; 1-min load average {load_average():.1f}"
        )
        if not result.peak_reset:
            section.notes.append(f"{backend}: VmHWM could not be reset; growth is an upper bound")
    tree = other_tree(run)
    if tree is not None:
        _before(run, section, tree, list(databases), invoices)
    section.notes.append(
        "time: wall time of the receiveResponseXML POST carrying the response (upload over "
        "loopback included); memory: VmHWM after minus VmRSS before, of the worker that grew most"
    )
    section.notes.append(
        "without a database: the same response parsed again in the benchmark's process, one "
        "thread, after the server stopped; a worker does both parses under one GIL, so "
        "invoices / (envelope + reading) is the most one worker could ingest"
    )
    return section


def _before(
    run: Run, section: Section, tree: OtherTree, backends: list[str], invoices: int
) -> None:
    unusable = tree.missing()
    if unusable is not None:
        section.notes.append(f"before not run: {unusable}")
        return
    section.notes.append(f"before: the server of {tree.describe()}, the same response")
    for backend in backends:
        try:
            result = ingest_before(run, tree, backend, invoices)
        except Exception as exc:  # the other tree failing must not lose this tree's figures
            section.notes.append(f"before on {backend} failed: {exc!r}")
            continue
        key = "before_" if backend == "postgresql" else f"before_{backend}_"
        _rows(section, f"before: {backend}", result, key)
        section.notes.append(f"before: {backend}: session {result.outcome}")


def _alone_rows(section: Section, invoices: int, alone: Alone) -> None:
    reading_rate = alone.records / alone.reading_s if alone.reading_s > 0 else 0.0
    both = alone.envelope_s + alone.reading_s
    bound = invoices / both if both > 0 else 0.0
    section.rows += [
        Row("without a database: SOAP envelope parse", alone.envelope_s, "s"),
        Row(
            "without a database: reading the records",
            reading_rate,
            "invoices/s",
            f"{alone.reading_s:.2f} s for {alone.records:,} records",
        ),
        Row(
            "without a database: bound for one worker",
            bound,
            "invoices/s",
            f"envelope + reading, {both:.2f} s",
        ),
    ]
    section.values.update(
        {
            "big_response_envelope_parse_s": alone.envelope_s,
            "big_response_read_only_s": alone.reading_s,
            "big_response_read_only_records": alone.records,
            "big_response_read_only_records_per_s": reading_rate,
            "big_response_one_worker_bound_records_per_s": bound,
        }
    )


def _rows(section: Section, backend: str, result: Ingest, key: str | None = None) -> None:
    """The rows of one server run; ``key`` prefixes its JSON keys (default: by backend)."""
    main = backend == "postgresql"
    rate = result.invoices / result.seconds if result.seconds > 0 else 0.0
    growth = result.worker_peak_mb - result.worker_rss_mb
    factor = growth / result.response_mb if result.response_mb else float("nan")
    cpu_ms = 1e6 * result.worker_cpu_s / result.invoices if result.invoices else float("nan")
    rate_target = f">= {BIG_RESPONSE_BEFORE_PER_S:,.0f}/s (before)" if main else ""
    mem_target = f"<= {TARGET_MEMORY_FACTOR:g}x response" if main else ""
    section.rows += [
        Row(f"{backend}: ingest time", result.seconds, "s"),
        Row(
            f"{backend}: records per second",
            rate,
            "invoices/s",
            "",
            None,
            rate_target,
            verdict(rate >= BIG_RESPONSE_BEFORE_PER_S) if main else "",
        ),
        Row(
            f"{backend}: worker CPU per 1,000 invoices",
            cpu_ms,
            "ms",
            f"{result.worker_cpu_s:.2f} s for the session",
        ),
        Row(
            f"{backend}: worker peak RSS",
            result.worker_peak_mb,
            "MiB",
            f"RSS before {result.worker_rss_mb:.0f} MiB",
        ),
        Row(
            f"{backend}: worker memory growth",
            growth,
            "MiB",
            f"{factor:.1f}x the {result.response_mb:.1f} MiB response",
            None,
            mem_target,
            verdict(factor <= TARGET_MEMORY_FACTOR) if main else "",
        ),
    ]
    prefix = ("" if main else f"{backend}_") if key is None else key
    section.values.update(
        {
            f"{prefix}big_response_invoices": result.invoices,
            f"{prefix}big_response_seconds": result.seconds,
            f"{prefix}big_response_records_per_s": rate,
            f"{prefix}big_response_worker_cpu_ms_per_1k": cpu_ms,
            f"{prefix}big_response_peak_rss_mb": result.worker_peak_mb,
            f"{prefix}big_response_rss_before_mb": result.worker_rss_mb,
            f"{prefix}big_response_growth_mb": growth,
            f"{prefix}big_response_growth_factor": factor,
            f"{prefix}big_response_mb": result.response_mb,
            f"{prefix}big_response_envelope_mb": result.envelope_mb,
            f"{prefix}big_response_outcome": result.outcome,
            f"{prefix}big_response_stored": result.stored,
        }
    )
