"""Waiting for a job to finish, holding no pooled database connection between checks.

Each check is a unit of work of its own that reads the job's status and gives its
connection back. Between checks, on PostgreSQL, the waiter sleeps on a connection of its
own (autocommit, outside the pool) that LISTENs on the job's channel and holds a shared
advisory lock on the job, so the transaction that finishes it NOTIFYs
(:mod:`qwc_service.queue.notify`); a check also runs every :data:`RECHECK_SECONDS`, in
case a notification was lost. On SQLite, or when that connection cannot be had, the
waiter checks every :data:`POLL_SECONDS`.

The listener is opened per wait rather than shared by a worker's waits: it costs one
connection set-up (about 8 ms on a local server) and one PostgreSQL connection for the
length of a wait, which the caller bounds, and it needs no thread of its own, nothing to
re-establish after a failure, and its lock goes away with it whatever happens to the
process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic, sleep
from typing import Any

import psycopg
import structlog
from psycopg import sql
from sqlalchemy import Engine, select

from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.queue.models import FINISHED, Job
from qwc_service.queue.notify import WAIT_LOCKS, channel
from qwc_service.queue.service import JobNotFound, get_job

__all__ = ["POLL_SECONDS", "RECHECK_SECONDS", "wait_for_job"]

log = structlog.get_logger("qwc_service.queue")

#: Between checks without notifications (SQLite): short, since each is a primary-key read.
POLL_SECONDS = 0.2
#: Between checks on PostgreSQL when no notification came: only a safety net.
RECHECK_SECONDS = 5.0


def wait_for_job(
    session_factory: SessionFactory, connection_id: str, job_id: int, seconds: float
) -> Job:
    """The job once it has finished, or as it is when ``seconds`` have passed.

    Finished is done, error or cancelled. Raises JobNotFound when there is no such job of
    the connection (or it was deleted, with its connection, during the wait).
    """
    deadline = monotonic() + seconds
    with _signal(session_factory, job_id, seconds) as signal:
        # The listener is in place before the first check, so a job that finishes after
        # that check is announced to it.
        while _status(session_factory, connection_id, job_id) not in FINISHED:
            remaining = deadline - monotonic()
            if remaining <= 0:
                break
            signal.wait(remaining)
    with unit_of_work(session_factory) as db:
        return get_job(db, connection_id, job_id)


def _status(session_factory: SessionFactory, connection_id: str, job_id: int) -> str:
    query = select(Job.status).where(Job.id == job_id, Job.connection_id == connection_id)
    with unit_of_work(session_factory) as db:
        status = db.scalar(query)
    if status is None:
        raise JobNotFound(f"no job {job_id} for connection {connection_id!r}")
    return status


class _Signal:
    """What a waiter sleeps on between checks: a listening connection, or the clock."""

    def __init__(self, listener: psycopg.Connection[Any] | None, job_id: int) -> None:
        self.listener = listener
        self.job_id = job_id

    def wait(self, remaining: float) -> None:
        """Return on the job's notification, or after the interval between checks."""
        if self.listener is None:
            sleep(min(remaining, POLL_SECONDS))
            return
        try:
            for _ in self.listener.notifies(timeout=min(remaining, RECHECK_SECONDS), stop_after=1):
                pass
        except psycopg.Error as exc:
            # The database went away or cut the connection: poll for the rest of the wait.
            log.warning("job_wait_listener_lost", job_id=self.job_id, error=str(exc))
            self.close()

    def close(self) -> None:
        """Close the listening connection, which also drops its LISTEN and its lock."""
        if self.listener is not None:
            self.listener.close()
            self.listener = None


@contextmanager
def _signal(session_factory: SessionFactory, job_id: int, seconds: float) -> Iterator[_Signal]:
    db = session_factory()
    try:
        engine = db.get_bind().engine
    finally:
        db.close()
    signal = _Signal(_listen(engine, job_id, seconds), job_id)
    try:
        yield signal
    finally:
        signal.close()


def _listen(engine: Engine, job_id: int, seconds: float) -> psycopg.Connection[Any] | None:
    """A connection listening for the job and holding the waiter's lock, or None (poll)."""
    if engine.dialect.name != "postgresql":
        return None
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    listener: psycopg.Connection[Any] | None = None
    try:
        listener = psycopg.connect(*args, **kwargs, autocommit=True)
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel(job_id))))
        # The lock waits while a transaction that is finishing this job holds it (then the
        # first check sees it finished); never for longer than the wait itself.
        timeout_ms = max(1, int(seconds * 1000))
        listener.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(timeout_ms)))
        lock = "SELECT pg_advisory_lock_shared(%s::integer, %s::integer)"
        listener.execute(lock, (WAIT_LOCKS, job_id))
    except psycopg.Error as exc:
        log.warning("job_wait_listener_unavailable", job_id=job_id, error=str(exc))
        if listener is not None:
            listener.close()
        return None
    return listener
