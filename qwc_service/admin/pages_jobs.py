"""A connection's jobs, filtered by status and kind, a page at a time; cancel and retry,
and settle a write whose outcome is unknown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from qwc_service.admin.context import Ctx, PageError
from qwc_service.connections.queries import get_connection
from qwc_service.connections.views import connection_view
from qwc_service.http.reply import Reply, redirect
from qwc_service.qbwc.kinds import JOB_KINDS
from qwc_service.qbxml.explain import explain_hresult, explain_status, format_for_person
from qwc_service.queue import operations as job_ops
from qwc_service.queue import service as queue
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.queue.views import job_view
from qwc_service.writes.models import WriteStatus
from qwc_service.writes.resolve import Resolution, resolve_write
from qwc_service.writes.views import job_write_members

__all__ = ["PAGE_SIZE", "cancel", "jobs_page", "resolve", "retry"]

PAGE_SIZE = 50
# Job ids are 32-bit integers in the database; a larger number names no job.
MAX_ID = 2**31 - 1
STATUSES = tuple(s.value for s in JobStatus)
KINDS = tuple(k.value for k in JobKind)


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise PageError(400, f"Unknown {what}; choose one of {', '.join(allowed)}.")
    return value


def _id(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)


def _jobs_path(connection_id: str, status: str | None, kind: str | None, **more: Any) -> str:
    query = {k: v for k, v in {"status": status, "kind": kind, **more}.items() if v}
    path = f"/admin/connections/{connection_id}/jobs"
    return path + ("?" + urlencode(query) if query else "")


def explanation(job: Job) -> str | None:
    """What went wrong with a job, in words: its stored error, else its code explained."""
    if job.error:
        return job.error
    if job.hresult:
        return format_for_person(explain_hresult(job.hresult))
    if job.status_code is not None and job.status_code >= 500:
        return format_for_person(explain_status(job.status_code, job.status_message or ""))
    return None


def _row(job: Job) -> dict[str, Any]:
    view = job_view(job, include_payloads=False)
    view["kind"] = job.kind
    view["code"] = job.hresult or (None if job.status_code is None else str(job.status_code))
    view["explanation"] = explanation(job)
    view["can_cancel"] = job.status == JobStatus.QUEUED
    view["can_retry"] = job.kind == JobKind.RAW and job.status in job_ops.RETRYABLE
    view.update(job_write_members(job))
    # A write in doubt waits for a person who has looked in QuickBooks.
    view["can_mark_done"] = view["status"] == WriteStatus.OUTCOME_UNKNOWN
    view["can_resend"] = job.kind == JobKind.WRITE and view["status"] in (
        WriteStatus.OUTCOME_UNKNOWN,
        WriteStatus.FAILED,
    )
    return view


def jobs_page(ctx: Ctx) -> Reply:
    """One page of jobs in id order, with each failure's code and explanation."""
    connection_id = ctx.params["connection_id"]
    connection = get_connection(ctx.db, connection_id)
    status = _choice(ctx.query.get("status"), STATUSES, "status")
    kind = _choice(ctx.query.get("kind"), KINDS, "kind")
    after = _id(ctx.query.get("after"))
    jobs, next_after = job_ops.job_page(
        ctx.db, connection_id, status=status, kind=kind, after=after, limit=PAGE_SIZE
    )
    return ctx.page(
        "jobs.html",
        connection=connection_view(connection),
        jobs=[_row(job) for job in jobs],
        status=status,
        kind=kind,
        statuses=STATUSES,
        kinds=KINDS,
        kind_specs=JOB_KINDS,
        first_page=_jobs_path(connection_id, status, kind) if after is not None else None,
        next_page=None
        if next_after is None
        else _jobs_path(connection_id, status, kind, after=next_after),
    )


def _job_id(ctx: Ctx) -> int:
    job_id = _id(ctx.params["job_id"])
    if job_id is None:
        raise PageError(404, "There is no such job.")
    return job_id


def _back(ctx: Ctx) -> Reply:
    status = _choice(ctx.form.get("status"), STATUSES, "status")
    kind = _choice(ctx.form.get("kind"), KINDS, "kind")
    return redirect(_jobs_path(ctx.params["connection_id"], status, kind))


def cancel(ctx: Ctx) -> Reply:
    """Cancel a queued job; jobs that depend on it fail."""
    connection_id, job_id = ctx.params["connection_id"], _job_id(ctx)
    job = queue.get_job(ctx.db, connection_id, job_id)
    if job.status != JobStatus.QUEUED:
        raise PageError(409, f"Job {job_id} is {job.status}; only queued jobs can be cancelled.")
    queue.cancel_job(ctx.db, connection_id, job_id)
    return _back(ctx)


def retry(ctx: Ctx) -> Reply:
    """Queue a new copy of a raw job that failed or was cancelled (the original stays)."""
    connection_id, job_id = ctx.params["connection_id"], _job_id(ctx)
    queue.get_job(ctx.db, connection_id, job_id)
    job_ops.retry_job(ctx.db, connection_id, job_id)
    return _back(ctx)


def resolve(ctx: Ctx) -> Reply:
    """Settle a write: it is in QuickBooks (with its TxnID or ListID), or send it again."""
    connection_id, job_id = ctx.params["connection_id"], _job_id(ctx)
    action = _choice(ctx.form.get("action"), tuple(r.value for r in Resolution), "action")
    if action is None:
        raise PageError(400, "Say whether the write is in QuickBooks or should be sent again.")
    qb_id = (ctx.form.get("qb_id") or "").strip()[:40] or None
    resolve_write(ctx.db, connection_id, job_id, Resolution(action), qb_id=qb_id)
    return _back(ctx)
