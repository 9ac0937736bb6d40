"""The durable per-connection queue: enqueue, claim under a lease, complete, release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from qwc_service.clock import utcnow
from qwc_service.connections.queries import ConnectionDisabled, get_connection
from qwc_service.qbxml.requests import validate_request
from qwc_service.queue.models import Job, JobKind, JobStatus

MAX_PRIORITY = 1_000_000


class JobNotFound(LookupError):
    """No job with this id exists for this connection."""


@dataclass(frozen=True)
class Enqueued:
    """The result of an enqueue: the job, and whether an existing one was returned instead."""

    job: Job
    deduplicated: bool


def enqueue(
    db: Session,
    connection_id: str,
    qbxml: str,
    *,
    priority: int = 0,
    dedup_key: str | None = None,
    depends_on: int | None = None,
) -> Enqueued:
    """Queue a qbXML request set for a connection.

    The document must be well-formed qbXML with a ``QBXMLMsgsRq``. With ``dedup_key``, a
    second enqueue while a job with that key is still queued creates nothing and returns
    the queued job (``deduplicated=True``).
    """
    connection = get_connection(db, connection_id)
    if connection.disabled_at is not None:
        raise ConnectionDisabled(f"connection {connection_id!r} is disabled")
    if not -MAX_PRIORITY <= priority <= MAX_PRIORITY:
        raise ValueError(f"priority must be between {-MAX_PRIORITY} and {MAX_PRIORITY}")
    request_set = validate_request(qbxml)
    if depends_on is not None:
        get_job(db, connection_id, depends_on)
    if dedup_key is not None:
        dedup_key = dedup_key.strip() or None
    if dedup_key is not None:
        existing = db.scalar(
            select(Job).where(
                Job.connection_id == connection_id,
                Job.dedup_key == dedup_key,
                Job.status == JobStatus.QUEUED,
            )
        )
        if existing is not None:
            return Enqueued(existing, deduplicated=True)
    job = Job(
        connection_id=connection_id,
        qbxml=qbxml,
        priority=priority,
        dedup_key=dedup_key,
        request_names=",".join(request_set.request_names)[:500],
        status=JobStatus.QUEUED,
        kind=JobKind.RAW,
        depends_on_id=depends_on,
    )
    db.add(job)
    db.flush()
    return Enqueued(job, deduplicated=False)


def get_job(db: Session, connection_id: str, job_id: int) -> Job:
    """One job of a connection, or JobNotFound."""
    job = db.get(Job, job_id)
    if job is None or job.connection_id != connection_id:
        raise JobNotFound(f"no job {job_id} for connection {connection_id!r}")
    return job


def list_jobs(
    db: Session,
    connection_id: str,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 1000,
) -> list[Job]:
    """A connection's jobs in queue order (priority, then FIFO), optionally by status and kind."""
    get_connection(db, connection_id)
    query = select(Job).where(Job.connection_id == connection_id)
    if status is not None:
        query = query.where(Job.status == JobStatus(status))
    if kind is not None:
        query = query.where(Job.kind == JobKind(kind))
    return list(db.scalars(query.order_by(Job.priority.desc(), Job.id).limit(limit)))


_RELEASED = {
    "status": JobStatus.QUEUED,
    "session_id": None,
    "leased_until": None,
    "pinned_session_id": None,
}

# Built once: it runs at every login, idle ones included.
_RELEASE_EXPIRED = (
    update(Job)
    .where(
        Job.connection_id == bindparam("of_connection"),
        Job.status == JobStatus.SENT,
        Job.leased_until < bindparam("now"),
    )
    .values(_RELEASED)
    # Nothing at login has loaded a job (earlier steps update jobs by statement only), so
    # there are no objects in the unit of work to bring up to date.
    .execution_options(synchronize_session=False)
)


def release_expired(db: Session, connection_id: str, now: datetime) -> int:
    """Put a connection's jobs whose lease ran out back in the queue; returns how many."""
    result = db.execute(_RELEASE_EXPIRED, {"of_connection": connection_id, "now": now})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_session_jobs(db: Session, session_id: int, *, ended: bool = True) -> int:
    """Put the jobs a session holds but never answered back in the queue.

    When the session has ended, the jobs pinned to it (the next page of an iterator) are
    unpinned too, so any session may take them (and their handler restarts them). While the
    session lives, they stay its own.
    """
    values = (
        dict(_RELEASED)
        if ended
        else {k: v for k, v in _RELEASED.items() if k != "pinned_session_id"}
    )
    result = db.execute(
        update(Job).where(Job.session_id == session_id, Job.status == JobStatus.SENT).values(values)
    )
    if ended:
        db.execute(
            update(Job).where(Job.pinned_session_id == session_id).values(pinned_session_id=None)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


_DEPENDENCY = aliased(Job)

#: The condition for a job a session may take now: queued, not pinned to another session,
#: not waiting for a retry delay, and not waiting for a job it depends on. Parameters:
#: ``connection_id``, ``session_id`` and ``now``.
_CLAIMABLE = and_(
    Job.connection_id == bindparam("connection_id"),
    Job.status == JobStatus.QUEUED,
    or_(Job.pinned_session_id.is_(None), Job.pinned_session_id == bindparam("session_id")),
    or_(Job.not_before.is_(None), Job.not_before <= bindparam("now")),
    or_(
        Job.depends_on_id.is_(None),
        exists().where(_DEPENDENCY.id == Job.depends_on_id, _DEPENDENCY.status == JobStatus.DONE),
    ),
)
# The statements of every round trip are built once: building and cache-keying a statement
# costs more CPU than PostgreSQL spends running it.
_UNITS_REMAINING = select(func.coalesce(func.sum(Job.units_remaining), 0)).where(_CLAIMABLE)
_ANY_CLAIMABLE = select(Job.id).where(_CLAIMABLE).limit(1)
_NEXT_JOB = (
    select(Job)
    .where(_CLAIMABLE)
    .order_by(Job.priority.desc(), Job.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)
_SENT_JOB = (
    select(Job)
    .where(Job.session_id == bindparam("session_id"), Job.status == JobStatus.SENT)
    .order_by(Job.sent_at.desc())
    .limit(1)
)


def _claimable_params(connection_id: str, session_id: int, now: datetime) -> dict[str, object]:
    return {"connection_id": connection_id, "session_id": session_id, "now": now}


def units_remaining(db: Session, connection_id: str, session_id: int, now: datetime) -> int:
    """Round trips still ahead for this session: one per job, more for unfinished iterators."""
    params = _claimable_params(connection_id, session_id, now)
    return int(db.scalar(_UNITS_REMAINING, params) or 0)


def fail_dependants(db: Session, job: Job, now: datetime) -> int:
    """Fail every queued job that depends (directly or not) on a failed job."""
    failed = 0
    frontier = [job.id]
    while frontier:
        dependants = list(
            db.scalars(
                select(Job).where(Job.depends_on_id.in_(frontier), Job.status == JobStatus.QUEUED)
            )
        )
        for dependant in dependants:
            dependant.status = JobStatus.ERROR
            dependant.error = f"not sent: job {job.id}, which it depends on, failed"
            dependant.completed_at = now
        failed += len(dependants)
        frontier = [d.id for d in dependants]
    return failed


def has_queued(db: Session, connection_id: str, now: datetime | None = None) -> bool:
    """Whether a new session of the connection would find work it can take now."""
    params = _claimable_params(connection_id, 0, now or utcnow())
    return db.scalar(_ANY_CLAIMABLE, params) is not None


# Built once: the idle login's one look at the queue. A job a new session could take, or
# one whose lease ran out (its session died), whichever the database finds first.
_WORK_OR_LAPSED = (
    select(Job.status)
    .where(
        or_(
            _CLAIMABLE,
            and_(
                Job.connection_id == bindparam("connection_id"),
                Job.status == JobStatus.SENT,
                Job.leased_until < bindparam("now"),
            ),
        )
    )
    .limit(1)
)


def take_stock(db: Session, connection_id: str, now: datetime) -> bool:
    """Whether a new session of the connection would find work, once jobs whose lease ran
    out are back in the queue.

    An idle connection answers with one read and writes nothing; the lease release runs
    only when there is work or a lapsed lease to release.
    """
    found = db.scalar(_WORK_OR_LAPSED, _claimable_params(connection_id, 0, now))
    if found is None:
        return False
    released = release_expired(db, connection_id, now)
    return found == JobStatus.QUEUED or (released > 0 and has_queued(db, connection_id, now))


def count_queued(db: Session, connection_id: str) -> int:
    """How many jobs wait for the connection."""
    query = select(func.count()).where(
        Job.connection_id == connection_id, Job.status == JobStatus.QUEUED
    )
    return int(db.scalar(query) or 0)


def claim_next(
    db: Session,
    connection_id: str,
    session_id: int,
    leased_until: datetime,
    now: datetime | None = None,
) -> Job | None:
    """Hand the connection's next job to a session under a lease, or None when idle.

    Highest priority first, FIFO within a priority. On PostgreSQL the row is locked with
    ``FOR UPDATE SKIP LOCKED`` so two claimers can never take the same job.
    """
    job = db.scalar(_NEXT_JOB, _claimable_params(connection_id, session_id, now or utcnow()))
    if job is None:
        return None
    job.status = JobStatus.SENT
    job.session_id = session_id
    job.leased_until = leased_until
    job.attempts += 1
    job.request_id = f"{job.id}-{job.attempts}"
    job.sent_at = utcnow()
    # No flush: the row is locked, and the handler's changes to it go out in one UPDATE.
    return job


def sent_job_of_session(db: Session, session_id: int) -> Job | None:
    """The job a session has been handed and not yet answered, if any."""
    return db.scalar(_SENT_JOB, {"session_id": session_id})


def cancel_job(db: Session, connection_id: str, job_id: int) -> Job:
    """Cancel a queued job; a job already handed out or finished cannot be cancelled."""
    job = get_job(db, connection_id, job_id)
    if job.status != JobStatus.QUEUED:
        raise ValueError(f"job {job_id} is {job.status}; only queued jobs can be cancelled")
    job.status = JobStatus.CANCELLED
    job.completed_at = utcnow()
    fail_dependants(db, job, job.completed_at)
    db.flush()
    return job
