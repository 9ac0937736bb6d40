"""Telling a waiter that its job finished: a PostgreSQL NOTIFY, sent only while one waits.

A waiter LISTENs on the job's channel and holds a shared advisory lock on the job from
that same connection (:mod:`qwc_service.queue.waiting`). The transaction that finishes the
job tries the lock exclusively: when it gets it, nobody waits and nothing is sent; when it
cannot, it NOTIFYs, and PostgreSQL delivers that when the transaction commits, so a waiter
never hears of a status it cannot read yet.

The guard is there because a transaction that has NOTIFYed takes a database-wide lock
while it commits: notifying on every finished job would serialise the commits of every
answer the Web Connector sends (six writing connections on a 2-core machine: about 1,100
commits a second without it, 230 with it, 850 with the guard and nobody waiting).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["WAIT_LOCKS", "announce_finished", "channel"]

#: The first key of the two-key advisory locks waiters hold; the second is the job's id.
WAIT_LOCKS = 7_300_001

_ANNOUNCE = text(
    "SELECT CASE WHEN pg_try_advisory_xact_lock(CAST(:locks AS integer), CAST(:job AS integer))"
    " THEN NULL ELSE pg_notify(:channel, :status) END"
)


def channel(job_id: int) -> str:
    """The channel a job's waiters listen on."""
    return f"qwc_job_{job_id}"


def announce_finished(connection: Connection, job_id: int, status: str) -> None:
    """NOTIFY the job's waiters, if any, when this transaction commits (PostgreSQL only).

    SQLite has no notifications: its waiters read the job again at short intervals.
    """
    if connection.dialect.name != "postgresql":
        return
    params = {"locks": WAIT_LOCKS, "job": job_id, "channel": channel(job_id), "status": status}
    connection.execute(_ANNOUNCE, params)
