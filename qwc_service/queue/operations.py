"""Job operations beyond the queue itself: paging with filters, and retrying a failed job."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.connections.queries import get_connection
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.queue.service import Enqueued, enqueue, get_job

__all__ = ["JobNotRetryable", "job_page", "retry_job"]

RETRYABLE = (JobStatus.ERROR, JobStatus.CANCELLED)


class JobNotRetryable(ValueError):
    """The job is not finished with an error or cancelled, or is not a raw qbXML job."""


def job_page(
    db: Session,
    connection_id: str,
    *,
    status: str | None = None,
    kind: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> tuple[list[Job], int | None]:
    """One page of a connection's jobs in id order, and the cursor of the next page.

    The cursor is the last id of this page, or None when there is nothing after it; the
    same cursor read later also returns jobs queued since, so a client can follow the queue.
    """
    get_connection(db, connection_id)
    query = select(Job).where(Job.connection_id == connection_id)
    if status is not None:
        query = query.where(Job.status == JobStatus(status))
    if kind is not None:
        query = query.where(Job.kind == JobKind(kind))
    if after is not None:
        query = query.where(Job.id > after)
    rows = list(db.scalars(query.order_by(Job.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def retry_job(
    db: Session, connection_id: str, job_id: int, *, depends_on: int | None = None
) -> Enqueued:
    """Queue a new copy of a raw job that failed or was cancelled; the original stays.

    The copy keeps the request, priority and de-duplication key, and gets a new id; it
    depends on ``depends_on`` when given (a job it waited for was retried too). Sync and
    write jobs are not retried this way: a sync is queued again by its schedule (or
    "sync now"), and a write is settled or sent again through its own resolution, which
    never makes a second copy.
    """
    job = get_job(db, connection_id, job_id)
    if job.kind != JobKind.RAW:
        raise JobNotRetryable(
            f"job {job_id} is a {job.kind} job; only raw qbXML jobs can be retried "
            "(syncs run again on their schedule; a write is sent again with resolve-write)"
        )
    if job.status not in RETRYABLE:
        raise JobNotRetryable(
            f"job {job_id} is {job.status}; only jobs that failed or were cancelled can be retried"
        )
    return enqueue(
        db,
        connection_id,
        job.qbxml,
        priority=job.priority,
        dedup_key=job.dedup_key,
        depends_on=depends_on,
    )
