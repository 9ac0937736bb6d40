"""Writes as JSON-ready data, alone and on the job that carries them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from qwc_service.clock import isoformat
from qwc_service.queue.models import Job, JobKind
from qwc_service.writes.models import Write

__all__ = ["job_write_members", "write_view"]


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def write_view(write: Write) -> dict[str, Any]:
    """A write: what was asked, where it stands, and how it ended."""
    return {
        "write_id": write.id,
        "connection_id": write.connection_id,
        "job_id": write.job_id,
        "request": write.request,
        "fields": _json(write.fields),
        "idempotency_key": write.idempotency_key,
        "status": write.status,
        "message_set_id": write.message_set_id,
        "external_guid": write.external_guid,
        "ref_number": write.ref_number,
        "qb_id": write.qb_id,
        "sends": write.sends,
        "probes": write.probes,
        "lookups": write.lookups,
        "status_code": write.status_code,
        "error": write.error,
        "created_at": isoformat(write.created_at),
        "sent_at": isoformat(write.sent_at),
        "completed_at": isoformat(write.completed_at),
    }


def job_write_members(job: Job, db: Session | None = None) -> dict[str, Any]:
    """What a job's JSON shows of its write: ``write``, ``result`` and ``conflict``, and for
    a write job its ``status`` is the write's (queued, sent, done, failed, outcome_unknown,
    conflict); a payment's also ``unused_payment``, the amount left as a credit."""
    members: dict[str, Any] = {
        "write": None,
        "result": None,
        "conflict": None,
        "unused_payment": None,
    }
    if job.kind != JobKind.WRITE:
        return members
    db = db or object_session(job)
    if db is None:
        return members
    write = db.scalar(select(Write).where(Write.job_id == job.id))
    if write is None:
        return members
    result = _json(write.result)
    members.update(
        write=write_view(write),
        result=result,
        conflict=_json(write.conflict),
        status=write.status,
    )
    if write.request == "ReceivePaymentAdd":
        # What was paid beyond the invoices applied to: the customer's credit from now on.
        unused = result.get("UnusedPayment") if isinstance(result, dict) else None
        members["unused_payment"] = unused if isinstance(unused, str) else None
    return members
