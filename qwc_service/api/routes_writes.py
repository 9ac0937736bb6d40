"""Writes: queue any Add, Mod, Void or Delete at most once per idempotency key, and settle
one whose outcome QuickBooks could not tell."""

from __future__ import annotations

from typing import Any

from qwc_service.api.common import CONNECTION_ID
from qwc_service.api.fields import Field
from qwc_service.api.http import json_reply
from qwc_service.api.routes_jobs import DEPENDS_ON, job_data
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.api.waits import WAIT, JobWait
from qwc_service.http.errors import invalid
from qwc_service.queue.models import FINISHED, Job
from qwc_service.queue.service import JobNotFound, get_job
from qwc_service.writes import service
from qwc_service.writes.resolve import Resolution, resolve_write
from qwc_service.writes.service import Submitted


def submit_write(call: Call) -> Any:
    """Queue a write; the same key and fields return the first job (200)."""
    body = call.body
    try:
        submitted = service.submit_write(
            call.db,
            call.params["connection_id"],
            request=body["request"],
            fields=body["fields"],
            idempotency_key=body["idempotency_key"],
            depends_on=body.get("depends_on"),
        )
    except JobNotFound:
        raise invalid("depends_on", "depends_on names no job of this connection") from None
    return submitted_reply(call, submitted)


def submitted_reply(call: Call, submitted: Submitted) -> Any:
    """The job of a write just submitted: 201 for a new write, 200 for the first job of a
    repeated key; with ``wait``, once the job ended or the wait ran out."""
    job = get_job(call.db, call.params["connection_id"], submitted.write.job_id or 0)
    status = 201 if submitted.created else 200
    seconds = call.query["wait"]
    if not seconds or job.status in FINISHED:
        return json_reply(status, job_data(job))
    return JobWait(job.connection_id, job.id, seconds, lambda j: json_reply(status, job_data(j)))


def resolve(call: Call) -> Any:
    """Settle a write whose outcome is unknown: it is done (with its id), or send it again."""
    body = call.body
    job: Job = resolve_write(
        call.db,
        call.params["connection_id"],
        call.params["job_id"],
        Resolution(body["action"]),
        qb_id=body.get("qb_id"),
    )
    return job_data(job)


TAG = "writes"
ROUTES = [
    Operation(
        "POST",
        "/api/connections/{connection_id}/writes",
        submit_write,
        "Queue a write (Add, Mod, Void or Delete), at most once per idempotency key",
        TAG,
        ref("Job"),
        status=201,
        also={200: "The idempotency key was used before with the same fields: its job."},
        params=(CONNECTION_ID,),
        query=(WAIT,),
        body=(
            Field(
                "request",
                "string",
                "The request without Rq: ReceivePaymentAdd, CustomerMod, TxnVoid...",
                required=True,
                min_length=1,
                max_length=60,
            ),
            Field(
                "fields",
                "object",
                "The request's fields named as in qbXML: leaves as strings, aggregates as "
                "objects, repeated elements as lists.",
                required=True,
            ),
            Field(
                "idempotency_key",
                "string",
                "The same key always means the same write: a retried call returns the first "
                "job; the same key with other fields is refused (409).",
                required=True,
                min_length=1,
                max_length=service.MAX_KEY_LENGTH,
            ),
            DEPENDS_ON,
        ),
        errors=(400, 404, 409, 413, 415, 429),
    ),
    Operation(
        "POST",
        "/api/connections/{connection_id}/jobs/{job_id}/resolve",
        resolve,
        "Settle a write whose outcome is unknown",
        TAG,
        ref("Job"),
        params=(CONNECTION_ID, Field("job_id", "integer", "The write's job.", minimum=1)),
        body=(
            Field(
                "action",
                "string",
                "done: QuickBooks has it (give qb_id to read it back); resend: it is not in "
                "QuickBooks, send it again.",
                required=True,
                enum=("done", "resend"),
            ),
            Field(
                "qb_id",
                "string",
                "The TxnID or ListID of the record, to read it back into the job's result.",
                nullable=True,
                max_length=40,
            ),
        ),
        errors=(400, 404, 409),
    ),
]
