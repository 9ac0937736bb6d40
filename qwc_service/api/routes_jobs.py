"""Jobs: queue raw qbXML, read one with its response (waiting for it, if asked), list,
cancel, retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qwc_service.api.common import AFTER, CONNECTION_ID, JOB_ID, LIMIT
from qwc_service.api.fields import Field
from qwc_service.api.http import json_reply
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.api.waits import WAIT, JobWait
from qwc_service.http.errors import HttpError, invalid
from qwc_service.http.reply import Reply
from qwc_service.queue import operations as job_ops
from qwc_service.queue import service
from qwc_service.queue.models import FINISHED, Job, JobKind, JobStatus
from qwc_service.queue.service import MAX_PRIORITY, Enqueued, JobNotFound
from qwc_service.queue.views import job_view
from qwc_service.writes.views import job_write_members

DEPENDS_ON = Field(
    "depends_on",
    "integer",
    "A job of this connection that must be done before this one is sent.",
    nullable=True,
    minimum=1,
)


def job_data(job: Job, *, include_payloads: bool = True) -> dict[str, Any]:
    """A job as the API shows it: the queue's view, with its kind and dependency."""
    view = job_view(job, include_payloads=include_payloads)
    view["kind"] = job.kind
    view["depends_on"] = job.depends_on_id
    view.update(job_write_members(job))
    return view


def _enqueued(result: Enqueued) -> Reply:
    data = {"job": job_data(result.job), "deduplicated": result.deduplicated}
    return json_reply(200 if result.deduplicated else 201, data)


def _waited_for(call: Call, job: Job, reply: Callable[[Job], Any]) -> Any:
    """``reply`` for the job now, or a JobWait when the call asked to wait for it to finish."""
    seconds = call.query["wait"]
    if not seconds or job.status in FINISHED:
        return reply(job)
    return JobWait(job.connection_id, job.id, seconds, reply)


def enqueue_job(call: Call) -> Any:
    """Queue a qbXML request set; with a dedup_key already queued, that job is returned.

    With ``wait``, the answer comes once the job has finished, or when the wait ends.
    """
    body = call.body
    try:
        result = service.enqueue(
            call.db,
            call.params["connection_id"],
            body["qbxml"],
            priority=body["priority"],
            dedup_key=body.get("dedup_key"),
            depends_on=body.get("depends_on"),
        )
    except JobNotFound:
        # The only job enqueue looks up is the one named in depends_on.
        raise invalid("depends_on", "depends_on names no job of this connection") from None
    deduplicated = result.deduplicated
    return _waited_for(call, result.job, lambda job: _enqueued(Enqueued(job, deduplicated)))


def list_jobs(call: Call) -> Any:
    """A page of the connection's jobs in id order, without request and response documents."""
    jobs, next_after = job_ops.job_page(
        call.db,
        call.params["connection_id"],
        status=call.query["status"],
        kind=call.query["kind"],
        after=call.query["after"],
        limit=call.query["limit"],
    )
    return {"data": [job_data(j, include_payloads=False) for j in jobs], "next_after": next_after}


def get_job(call: Call) -> Any:
    """One job with its status, the request, QuickBooks' response and the error.

    With ``wait``, the answer comes once the job has finished, or when the wait ends.
    """
    job = service.get_job(call.db, call.params["connection_id"], call.params["job_id"])
    return _waited_for(call, job, job_data)


def cancel_job(call: Call) -> Any:
    """Cancel a queued job; jobs that depend on it fail."""
    connection_id, job_id = call.params["connection_id"], call.params["job_id"]
    job = service.get_job(call.db, connection_id, job_id)
    if job.status != JobStatus.QUEUED:
        raise HttpError(
            409,
            "job_not_cancellable",
            f"job {job_id} is {job.status}; only queued jobs can be cancelled",
        )
    return job_data(service.cancel_job(call.db, connection_id, job_id))


def retry_job(call: Call) -> Any:
    """Queue a new copy of a raw job that failed or was cancelled (the original stays)."""
    connection_id, job_id = call.params["connection_id"], call.params["job_id"]
    service.get_job(call.db, connection_id, job_id)
    try:
        result = job_ops.retry_job(
            call.db, connection_id, job_id, depends_on=call.body.get("depends_on")
        )
    except JobNotFound:
        # The retried job was found above, so the missing one is the dependency.
        raise invalid("depends_on", "depends_on names no job of this connection") from None
    return _enqueued(result)


TAG = "jobs"
JOBS = "/api/connections/{connection_id}/jobs"
JOB = JOBS + "/{job_id}"
_ENQUEUED_ALSO = {200: "A queued job with the same dedup_key already existed; it is returned."}
ROUTES = [
    Operation(
        "POST",
        JOBS,
        enqueue_job,
        "Queue a qbXML request set",
        TAG,
        ref("Enqueued"),
        status=201,
        also=_ENQUEUED_ALSO,
        params=(CONNECTION_ID,),
        query=(WAIT,),
        body=(
            Field(
                "qbxml",
                "string",
                "A qbXML request message set (QBXML > QBXMLMsgsRq with at least one request).",
                required=True,
                min_length=1,
            ),
            Field(
                "priority",
                "integer",
                "Higher runs first; FIFO within a priority.",
                minimum=-MAX_PRIORITY,
                maximum=MAX_PRIORITY,
                default=0,
            ),
            Field(
                "dedup_key",
                "string",
                "While a job with this key is queued, queuing another returns it instead.",
                nullable=True,
                max_length=200,
            ),
            DEPENDS_ON,
        ),
        errors=(400, 404, 409, 413, 415, 429),
    ),
    Operation(
        "GET",
        JOBS,
        list_jobs,
        "List a connection's jobs",
        TAG,
        ref("JobPage"),
        params=(CONNECTION_ID,),
        query=(
            Field(
                "status",
                "string",
                "Only jobs in this status.",
                enum=tuple(s.value for s in JobStatus),
            ),
            Field(
                "kind", "string", "Only jobs of this kind.", enum=tuple(k.value for k in JobKind)
            ),
            LIMIT,
            AFTER,
        ),
        errors=(400, 404),
    ),
    Operation(
        "GET",
        JOB,
        get_job,
        "Read a job with its response and error",
        TAG,
        ref("Job"),
        params=(CONNECTION_ID, JOB_ID),
        query=(WAIT,),
        errors=(400, 404, 429),
    ),
    Operation(
        "POST",
        JOB + "/cancel",
        cancel_job,
        "Cancel a queued job",
        TAG,
        ref("Job"),
        params=(CONNECTION_ID, JOB_ID),
        errors=(404, 409),
    ),
    Operation(
        "POST",
        JOB + "/retry",
        retry_job,
        "Queue a new copy of a failed or cancelled raw job",
        TAG,
        ref("Enqueued"),
        status=201,
        also=_ENQUEUED_ALSO,
        params=(CONNECTION_ID, JOB_ID),
        body=(DEPENDS_ON,),
        errors=(400, 404, 409, 413, 415),
        description=(
            "The copy gets a new id and keeps the request, priority and dedup_key; the "
            "original stays as it was. Only raw jobs are retried: syncs run again on their "
            "schedule, and a write is sent again through POST .../jobs/{job_id}/resolve."
        ),
    ),
]
