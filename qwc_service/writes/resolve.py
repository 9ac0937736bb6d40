"""An operator settles a write whose outcome QuickBooks could not tell.

A write in ``outcome_unknown`` is settled this way once the person has looked in
QuickBooks: ``done`` records that it is there (and, given its TxnID or ListID, reads the
record back into the result); ``resend`` sends it again under a new message-set ID. A write
that ``failed`` may be sent again too, once what QuickBooks refused is fixed there (an
account added, a feature turned on): QuickBooks applied nothing of it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.queue.models import Job, JobStatus
from qwc_service.queue.payload import load_payload, store_payload
from qwc_service.queue.service import get_job
from qwc_service.writes.models import Write, WriteStatus
from qwc_service.writes.resolution import Resolution
from qwc_service.writes.service import WriteNotFound, WriteNotResolvable, write_of_job

__all__ = ["Resolution", "resolve_write"]


def resolve_write(
    db: Session, connection_id: str, job_id: int, action: Resolution, *, qb_id: str | None = None
) -> Job:
    """Settle the write of job ``job_id``; returns its job."""
    job = get_job(db, connection_id, job_id)
    write = write_of_job(db, job)
    if write is None:
        raise WriteNotFound(f"job {job_id} carries no write")
    allowed = {WriteStatus.OUTCOME_UNKNOWN} | (
        {WriteStatus.FAILED} if action is Resolution.RESEND else set()
    )
    if write.status not in allowed:
        raise WriteNotResolvable(
            f"the write of job {job_id} is {write.status}; only a write whose outcome is "
            "unknown is marked done, and only such a write or a failed one is sent again"
        )
    now = utcnow()
    payload = load_payload(job)
    if action is Resolution.DONE and not qb_id:
        write.status = WriteStatus.DONE
        write.error = "marked done by an operator"
        write.completed_at = now
        job.status = JobStatus.DONE
        job.error = None
        job.completed_at = now
        return job
    if action is Resolution.DONE:
        assert qb_id is not None
        payload.update(phase="fetch", id_name=_id_name(write), qb_id=qb_id.strip())
        write.status = WriteStatus.SENT
        write.qb_id = qb_id.strip()
    else:
        payload.update(phase="send")
        for name in ("id_name", "qb_id", "purpose"):
            payload.pop(name, None)
        write.status = WriteStatus.QUEUED
        write.probes = write.lookups = 0
        payload["busy"] = 0
    write.error = None
    write.completed_at = None
    store_payload(job, payload)
    job.status = JobStatus.QUEUED
    job.error = None
    job.completed_at = None
    job.session_id = None
    job.leased_until = None
    job.not_before = None
    return job


def _id_name(write: Write) -> str:
    # A list element's Add answers with a ListID; everything else here is a transaction.
    return "ListID" if '"ListID"' in write.fields or '"Name"' in write.fields else "TxnID"
