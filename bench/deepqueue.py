"""Deep queue: the queue queries with 1,000 and with 1,000,000 jobs over 10,000 connections.

Rows go straight into the schema ``alembic upgrade head`` made: one connection and one job
are created through the services, then cloned server-side (INSERT ... SELECT over a
generated series), so every column the models fill gets a real value. Each measurement
runs the service functions themselves in a transaction that is rolled back, so every
claim sees the same queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session

from bench.config import Run
from bench.env import Database, backend_of
from bench.report import Row, Section, verdict
from bench.stats import summarize
from bench.workload import CUSTOMER_PAGE
from qwc_service.clock import utcnow
from qwc_service.connections import service as connections
from qwc_service.connections.models import Connection as ConnectionRow
from qwc_service.connections.models import Machine
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.queue.models import Job, JobStatus
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.tickets import hash_ticket, new_ticket

TARGET_FACTOR = 2.0
SAMPLE_CONNECTIONS = 100
# closeConnection's release may scan the whole table; fewer rounds of it are enough.
CLOSE_ROUNDS = 100
WARMUP_ROUNDS = 20
PREFIX = "dq"
_SERIES = (
    "WITH RECURSIVE g(n) AS "
    "(SELECT CAST(:first AS integer) UNION ALL SELECT n + 1 FROM g WHERE n < :last) "
)


def _columns(table: Any, skip: set[str]) -> list[str]:
    return [c.name for c in table.columns if c.name not in skip]


def _seed(database: Database, count: int) -> int:
    """``count`` connections named dq0.. and a template job; returns the template job's id."""
    with unit_of_work(database.factory) as db:
        template = connections.create_connection(db, name="deep queue template")
        job_id = queue.enqueue(db, template.id, CUSTOMER_PAGE).job.id
        # The template itself is not part of any measured queue.
        queue.cancel_job(db, template.id, job_id)
        other = _columns(ConnectionRow.__table__, {"id", "name", "file_id"})
        db.execute(
            text(
                f"INSERT INTO connections (id, name, file_id, {', '.join(other)}) {_SERIES}"
                f"SELECT '{PREFIX}' || g.n, 'deep ' || g.n, '{{DQ-' || g.n || '}}', "
                f"{', '.join('t.' + c for c in other)} FROM g CROSS JOIN connections t "
                "WHERE t.id = :template"
            ),
            {"first": 0, "last": count - 1, "template": template.id},
        )
    return job_id


def _add_jobs(database: Database, template: int, first: int, last: int, spread: int) -> None:
    """Clone the template job as jobs number first..last, job n on connection n % spread."""
    cols = _columns(Job.__table__, {"id", "connection_id", "status"})
    with unit_of_work(database.factory) as db:
        db.execute(
            text(
                f"INSERT INTO jobs (connection_id, status, {', '.join(cols)}) {_SERIES}"
                f"SELECT '{PREFIX}' || (g.n % :spread), :queued, "
                f"{', '.join('t.' + c for c in cols)} "
                "FROM g CROSS JOIN jobs t WHERE t.id = :template ORDER BY g.n"
            ),
            {
                "first": first,
                "last": last,
                "spread": spread,
                "template": template,
                "queued": JobStatus.QUEUED.value,
            },
        )
    if backend_of(database.settings.database_url) == "postgresql":
        # Autovacuum keeps PostgreSQL's statistics current in production; SQLite has none
        # unless someone runs ANALYZE, so it is measured without.
        with database.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _sessions(database: Database, ids: list[str]) -> dict[str, int]:
    """A machine and a live Web Connector session for each of ``ids``."""
    with unit_of_work(database.factory) as db:
        rows = {}
        for connection_id in ids:
            machine = Machine(
                connection_id=connection_id,
                label="deep",
                username=f"{connection_id}-deep",
                password_hash="-",
            )
            db.add(machine)
            db.flush()
            wc = WcSession(
                ticket_hash=hash_ticket(new_ticket()),
                machine_id=machine.id,
                connection_id=connection_id,
                expires_at=utcnow() + timedelta(hours=2),
            )
            db.add(wc)
            rows[connection_id] = wc
        db.flush()
        return {cid: wc.id for cid, wc in rows.items()}


@dataclass
class QueueTimes:
    """ms per call of each queue query, over many connections."""

    authenticate: list[float] = field(default_factory=list)  # take_stock
    claim: list[float] = field(default_factory=list)  # claim_next
    send: list[float] = field(default_factory=list)  # release_session_jobs(ended=False) + claim
    progress: list[float] = field(default_factory=list)  # units_remaining
    close: list[float] = field(default_factory=list)  # release_session_jobs (session ended)


def _timed(out: list[float], fn: Callable[[], object]) -> None:
    started = time.perf_counter()
    fn()
    out.append((time.perf_counter() - started) * 1000.0)


def _measure_once(db: Session, times: QueueTimes, cid: str, sid: int, *, close: bool) -> None:
    now = utcnow()
    lease = now + timedelta(minutes=30)

    def auth() -> None:
        queue.take_stock(db, cid, now)

    def send() -> None:
        queue.release_session_jobs(db, sid, ended=False)
        _timed(times.claim, lambda: queue.claim_next(db, cid, sid, lease, now))

    _timed(times.authenticate, auth)
    _timed(times.send, send)
    _timed(times.progress, lambda: queue.units_remaining(db, cid, sid, now))
    if close:
        _timed(times.close, lambda: queue.release_session_jobs(db, sid))


def measure_queries(database: Database, sessions: dict[str, int], claims: int) -> QueueTimes:
    """Run the queue queries ``claims`` times, round-robin over the sampled connections."""
    times = QueueTimes()
    pairs = list(sessions.items())
    for index in range(claims + WARMUP_ROUNDS):
        cid, sid = pairs[index % len(pairs)]
        db = database.factory()
        try:
            _measure_once(db, times, cid, sid, close=index < CLOSE_ROUNDS + WARMUP_ROUNDS)
        finally:
            db.rollback()
            db.close()
        if index == WARMUP_ROUNDS - 1:  # the first rounds warm caches and the statement cache
            times = QueueTimes()
    return times


def explain_claim(database: Database, cid: str, sid: int) -> str:
    """The database's plan for the claim query exactly as claim_next sends it."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Connection, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "ORDER BY" in statement:
            captured.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", capture)
    db = database.factory()
    try:
        now = utcnow()
        queue.claim_next(db, cid, sid, now + timedelta(minutes=30), now)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
        db.rollback()
        db.close()
    statement, params = captured[0]
    pg = backend_of(database.settings.database_url) == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
    with database.engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, params).fetchall()
        conn.rollback()
    return "\n".join(" | ".join(str(v) for v in row) if not pg else str(row[0]) for row in rows)


@dataclass(frozen=True)
class Depth:
    """Queue query times at one queue depth."""

    jobs: int
    times: QueueTimes


def run_depths(run: Run, database_url: str) -> tuple[Depth, Depth, str, float]:
    """Measure at the small depth, grow the queue, measure again; also the claim's plan."""
    scale = run.scale
    spread = scale.deep_connections
    database = Database(run.settings(database_url))
    try:
        started = time.perf_counter()
        template = _seed(database, spread)
        _add_jobs(database, template, 0, scale.deep_small - 1, spread)
        step = max(1, min(scale.deep_small, spread) // SAMPLE_CONNECTIONS)
        ids = [f"{PREFIX}{n}" for n in range(0, min(scale.deep_small, spread), step)]
        sessions = _sessions(database, ids[:SAMPLE_CONNECTIONS])
        small = Depth(scale.deep_small, measure_queries(database, sessions, scale.claims))
        _add_jobs(database, template, scale.deep_small, scale.deep_large - 1, spread)
        large = Depth(scale.deep_large, measure_queries(database, sessions, scale.claims))
        first = next(iter(sessions.items()))
        plan = explain_claim(database, *first)
        return small, large, plan, time.perf_counter() - started
    finally:
        database.close()


_QUERIES = (
    ("claim_next", "claim"),
    ("sendRequestXML's queue work (release + claim)", "send"),
    ("authenticate's look at the queue (take_stock)", "authenticate"),
    ("receiveResponseXML's units_remaining", "progress"),
    ("closeConnection's release_session_jobs", "close"),
)


def measure(run: Run, databases: dict[str, str]) -> Section:
    """Deep-queue figures on every backend in ``databases``."""
    scale = run.scale
    section = Section(
        f"Deep queue ({scale.deep_small:,} vs {scale.deep_large:,} queued jobs over "
        f"{scale.deep_connections:,} connections)"
    )
    for backend, url in databases.items():
        small, large, plan, took = run_depths(run, url)
        main = backend == "postgresql"
        for label, attr in _QUERIES:
            low = summarize(getattr(small.times, attr))
            high = summarize(getattr(large.times, attr))
            ratio = high.median / low.median if low.median else float("nan")
            headline = main and attr == "claim"
            section.rows.append(
                Row(
                    f"{backend}: {label} at {large.jobs:,}",
                    high.median,
                    "ms",
                    f"{small.jobs:,}: {low.median:.3f} ms (ratio {ratio:.2f}); "
                    f"p90 {high.p90:.3f} / p99 {high.p99:.3f}",
                    high.n,
                    f"<= {TARGET_FACTOR:g}x at {small.jobs:,}" if headline else "",
                    verdict(ratio <= TARGET_FACTOR) if headline else "",
                )
            )
            prefix = "" if main else f"{backend}_"
            section.values[f"{prefix}{attr}_ms_1k"] = low.median
            section.values[f"{prefix}{attr}_ms_1m"] = high.median
            section.values[f"{prefix}{attr}_ratio"] = ratio
        section.values[f"{'' if main else backend + '_'}claim_explain_1m"] = plan
        section.notes.append(
            f"{backend}: medians over {scale.claims} rounds ({min(CLOSE_ROUNDS, scale.claims)} "
            f"for closeConnection's) on {SAMPLE_CONNECTIONS} connections, each round in a "
            "rolled-back transaction; statistics: "
            f"{'ANALYZE after loading' if main else 'none (no ANALYZE)'}; setup and measuring took "
            f"{took:.0f} s; claim plan at {large.jobs:,} jobs:\n      "
            + plan.replace("\n", "\n      ")
        )
    section.values["deep_queue_small_jobs"] = scale.deep_small
    section.values["deep_queue_large_jobs"] = scale.deep_large
    return section
