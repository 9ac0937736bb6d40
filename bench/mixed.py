"""A mixed full sync: a company holding every record type, every type scheduled at once.

The company has some of every object the registry knows (lists, item kinds, transactions,
the two single documents), each connection syncs them all (what ``sync add --all``
schedules), and the simulated Web Connector runs sessions against the server until it
finds no more work. What it costs per stored record: wall time, requests, worker CPU and
worker memory. Every response QuickBooks gave is then read again in the benchmark's own
process, with no database, as the parse-only figure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import func, select

from bench.client import RECEIVE, SEND, connector
from bench.config import Run
from bench.cpu import CpuProbe, load_average, used
from bench.env import Database, backend_of
from bench.report import Row, Section
from bench.server import memory_of, reset_peak
from bench.workload import PAGE_SIZE
from qwc_service.db import unit_of_work
from qwc_service.queue.enums import JobStatus
from qwc_service.queue.models import Job
from qwc_service.records.models import StoredRecord
from qwc_service.records.parse import ParseProblem, ResponseReader
from qwc_service.simulator.dataset import EVERY_TYPE, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.company import Company
from qwc_service.sync import schedule

#: Sessions run at most (each drains the queue; a few more catch syncs queued meanwhile).
MAX_SESSIONS = 20


class RecordingQuickBooks(FakeQuickBooks):
    """QuickBooks that keeps every response it gave, for the parse-only figure."""

    def __init__(self, company: Company) -> None:
        super().__init__(company)
        self.responses: list[str] = []

    def process(self, request_xml: str) -> str:
        """Answer, and remember the answer."""
        response = super().process(request_xml)
        self.responses.append(response)
        return response


def mixed_company(per_type: int) -> Company:
    """``per_type`` records of every generated object, and of the four hand-built ones."""
    return generate_company(
        customers=per_type * 5,
        items=per_type * 2,
        invoices=per_type * 5,
        payments=per_type * 2,
        counts={name: per_type for name in EVERY_TYPE},
    )


@dataclass
class MixedSync:
    """What syncing the whole company cost on one backend."""

    wall_s: float = 0.0
    sessions: int = 0
    requests: int = 0
    post_ms: list[float] = field(default_factory=list)
    stored: int = 0
    types_stored: int = 0
    jobs_failed: int = 0
    worker_cpu_s: float = 0.0
    database_cpu_s: float = 0.0
    worker_rss_mb: float = 0.0
    worker_peak_mb: float = 0.0
    worker_rss_after_mb: float = 0.0
    outcomes: list[str] = field(default_factory=list)


def _schedule_everything(database: Database, connection_id: str) -> int:
    with unit_of_work(database.factory) as db:
        added = schedule.add_every_sync(db, connection_id, max_returned=PAGE_SIZE)
        schedule.sync_now(db, connection_id)
        return len(added.added)


def _stored(database: Database, connection_id: str) -> tuple[int, int, int]:
    with unit_of_work(database.factory) as db:
        mine = StoredRecord.connection_id == connection_id
        stored = int(db.scalar(select(func.count()).where(mine)) or 0)
        types = db.scalar(select(func.count(func.distinct(StoredRecord.record_type))).where(mine))
        failed = db.scalar(
            select(func.count()).where(
                Job.connection_id == connection_id, Job.status == JobStatus.ERROR
            )
        )
        return stored, int(types or 0), int(failed or 0)


def sync_everything(run: Run, database_url: str, quickbooks: FakeQuickBooks) -> MixedSync:
    """Schedule every type for a new connection and run sessions until none finds work."""
    settings = run.settings(database_url)
    database = Database(settings)
    result = MixedSync()
    try:
        tenant = database.add_tenants(1, prefix="mixed")[0]
        _schedule_everything(database, tenant.connection_id)
        with run.server(settings, f"mixed-{backend_of(database_url)}") as server:
            probe = CpuProbe(server.worker_pids, database_url)
            try:
                pids = server.worker_pids()
                for pid in pids:
                    reset_peak(pid)
                before = {pid: memory_of(pid) for pid in pids}
                start = probe.sample()
                started = time.perf_counter()
                for _ in range(MAX_SESSIONS):
                    web_connector, transport = connector(
                        tenant.qwc, tenant.password, quickbooks, f"{server.url}/qbwc"
                    )
                    web_connector.add_application()
                    session = web_connector.run_session()
                    result.sessions += 1
                    result.outcomes.append(session.outcome)
                    posts = [t for t in transport.timings if t.method in (SEND, RECEIVE)]
                    result.requests += sum(1 for t in posts if t.method == RECEIVE)
                    result.post_ms += [t.ms for t in posts]
                    if session.outcome != "completed" or session.requests_processed == 0:
                        break
                result.wall_s = time.perf_counter() - started
                result.worker_cpu_s, result.database_cpu_s = used(start, probe.sample())
                after = {pid: memory_of(pid) for pid in pids}
            finally:
                probe.close()
        busiest = max(pids, key=lambda pid: after[pid].hwm_mb - before[pid].rss_mb)
        result.worker_rss_mb = before[busiest].rss_mb
        result.worker_peak_mb = after[busiest].hwm_mb
        result.worker_rss_after_mb = after[busiest].rss_mb
        result.stored, result.types_stored, result.jobs_failed = _stored(
            database, tenant.connection_id
        )
        return result
    finally:
        database.close()


def read_alone(responses: list[str]) -> tuple[float, int]:
    """Seconds the record reader takes over every response, and the records it read."""
    started = time.perf_counter()
    records = 0
    for response in responses:
        records += sum(1 for item in ResponseReader(response) if not isinstance(item, ParseProblem))
    return time.perf_counter() - started, records


def measure(run: Run, databases: dict[str, str]) -> Section:
    """The mixed full sync on every backend in ``databases``, then the parse-only figure."""
    per_type = run.scale.mixed_per_type
    company = mixed_company(per_type)
    section = Section(
        f"Mixed full sync (every record type, {per_type} or more of each, "
        f"{PAGE_SIZE} records a page)"
    )
    responses: list[str] = []
    for backend, url in databases.items():
        quickbooks = RecordingQuickBooks(company)
        result = sync_everything(run, url, quickbooks)
        responses = responses or quickbooks.responses
        _rows(section, backend, result)
        section.notes.append(
            f"{backend}: {result.sessions} session(s) ({', '.join(result.outcomes)}); "
            f"{result.types_stored} types stored; {result.jobs_failed} job(s) failed; "
            f"1-min load average {load_average():.1f}"
        )
    if responses:
        seconds, records = read_alone(responses)
        rate = records / seconds if seconds > 0 else 0.0
        section.rows.append(
            Row(
                "without a database: reading the records",
                rate,
                "records/s",
                f"{seconds:.2f} s for {records:,} records in {len(responses)} responses",
            )
        )
        section.values.update(
            mixed_sync_read_only_records=records, mixed_sync_read_only_records_per_s=rate
        )
    section.notes.append(
        "wall time: from the first session's serverVersion until a session found no work; "
        "requests: receiveResponseXML calls; CPU: gunicorn workers (and PostgreSQL backends) "
        "over that time, per stored record; memory: VmHWM after minus VmRSS before, of the "
        "worker that grew most"
    )
    return section


def _rows(section: Section, backend: str, result: MixedSync) -> None:
    rate = result.stored / result.wall_s if result.wall_s > 0 else 0.0
    cpu_ms = 1000.0 * result.worker_cpu_s / result.stored if result.stored else float("nan")
    db_ms = 1000.0 * result.database_cpu_s / result.stored if result.stored else float("nan")
    growth = result.worker_peak_mb - result.worker_rss_mb
    section.rows += [
        Row(f"{backend}: records per second", rate, "records/s", f"{result.stored:,} records"),
        Row(f"{backend}: wall time", result.wall_s, "s", f"{result.sessions} session(s)"),
        Row(f"{backend}: requests", result.requests, "requests", "receiveResponseXML"),
        Row(f"{backend}: worker CPU per record", cpu_ms, "ms"),
        Row(
            f"{backend}: worker memory growth",
            growth,
            "MiB",
            f"RSS before {result.worker_rss_mb:.0f}, peak {result.worker_peak_mb:.0f}, "
            f"after {result.worker_rss_after_mb:.0f} MiB",
        ),
    ]
    if backend == "postgresql":
        section.rows.append(Row(f"{backend}: PostgreSQL CPU per record", db_ms, "ms"))
    prefix = "mixed_sync_" if backend == "postgresql" else f"{backend}_mixed_sync_"
    section.values.update(
        {
            f"{prefix}records_per_s": rate,
            f"{prefix}records": result.stored,
            f"{prefix}types": result.types_stored,
            f"{prefix}wall_s": result.wall_s,
            f"{prefix}sessions": result.sessions,
            f"{prefix}requests": result.requests,
            f"{prefix}worker_cpu_ms_per_record": cpu_ms,
            f"{prefix}database_cpu_ms_per_record": db_ms,
            f"{prefix}growth_mb": growth,
            f"{prefix}peak_rss_mb": result.worker_peak_mb,
            f"{prefix}jobs_failed": result.jobs_failed,
            f"{prefix}outcome": result.outcomes[-1] if result.outcomes else "not run",
        }
    )
