"""The outbox: webhook events written in the caller's transaction, one per matching endpoint.

An event is a row added to the caller's unit of work; it becomes visible to the deliverer
only when that unit of work commits, and disappears with it when it rolls back. So no
event is lost (the change and its event commit together) and none is sent for a change
that never happened.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from qwc_service.clock import isoformat, utcnow
from qwc_service.connections.lock import CompanySeen
from qwc_service.connections.models import Connection, Machine
from qwc_service.queue.models import Job, JobStatus
from qwc_service.tokens.models import ApiToken
from qwc_service.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class EventKind(enum.StrEnum):
    """What happened; the ``type`` of the delivered JSON and the QWC-Event-Type header."""

    JOB_DONE = "job.done"
    JOB_FAILED = "job.failed"
    FIRST_SYNC = "connection.first_sync"
    COMPANY_MISMATCH = "connection.company_mismatch"
    MACHINE_INSTALLED = "machine.installed"


class EventStatus(enum.StrEnum):
    """Where an event is in its delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


# Built once: every finished job asks for its connection's endpoints.
_ENDPOINTS_FOR = (
    select(WebhookEndpoint)
    .outerjoin(ApiToken, ApiToken.id == WebhookEndpoint.api_token_id)
    .where(
        WebhookEndpoint.disabled_at.is_(None),
        or_(
            and_(WebhookEndpoint.api_token_id.is_not(None), ApiToken.revoked_at.is_(None)),
            and_(
                WebhookEndpoint.connection_id.is_not(None),
                WebhookEndpoint.connection_id == bindparam("connection_id"),
            ),
        ),
    )
    .order_by(WebhookEndpoint.id)
)


def endpoints_for(db: Session, connection_id: str | None) -> list[WebhookEndpoint]:
    """The active endpoints that receive a connection's events.

    An endpoint registered for the connection, and every endpoint of a live API token (a
    token's application sees all connections).
    """
    return list(db.scalars(_ENDPOINTS_FOR, {"connection_id": connection_id}))


def emit_event(
    db: Session,
    kind: str,
    connection_id: str | None,
    data: dict[str, Any],
    *,
    now: datetime | None = None,
) -> list[WebhookEvent]:
    """Add one pending event per matching endpoint to the caller's unit of work.

    Nothing is committed here: the events share the fate of the caller's transaction.
    """
    kind = EventKind(kind)
    at = now or utcnow()
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True, default=str)
    events = [
        WebhookEvent(
            endpoint_id=endpoint.id,
            connection_id=connection_id,
            kind=kind.value,
            payload=payload,
            status=EventStatus.PENDING.value,
            attempts=0,
            next_attempt_at=at,
            created_at=at,
        )
        for endpoint in endpoints_for(db, connection_id)
    ]
    db.add_all(events)
    return events


def event_body(event: WebhookEvent) -> bytes:
    """The JSON body POSTed for an event; the same bytes on every attempt."""
    document = {
        "id": event.id,
        "type": event.kind,
        "created_at": isoformat(event.created_at),
        "connection_id": event.connection_id,
        "data": json.loads(event.payload),
    }
    return json.dumps(document, separators=(",", ":")).encode()


# -- the events the server emits ------------------------------------------------------------


def emit_job_finished(db: Session, job: Job, *, now: datetime | None = None) -> list[WebhookEvent]:
    """``job.done`` or ``job.failed`` for a job that has just ended; nothing otherwise.

    A job put back in the queue (a retry, an iterator's next page) has not ended. When the
    job failed, the jobs that depended on it and were failed with it at ``now`` (by
    ``fail_dependants``, called first) get their own ``job.failed``.
    """
    if job.status == JobStatus.DONE:
        return emit_event(db, EventKind.JOB_DONE, job.connection_id, _job_data(job), now=now)
    if job.status != JobStatus.ERROR:
        return []
    emitted: list[WebhookEvent] = []
    for failed in [job, *_failed_with(db, job, now)]:
        emitted += emit_event(
            db, EventKind.JOB_FAILED, failed.connection_id, _job_data(failed), now=now
        )
    return emitted


def _job_data(job: Job) -> dict[str, Any]:
    # The response itself can be megabytes; receivers fetch it through the API.
    return {
        "job_id": job.id,
        "kind": job.kind,
        "status": str(job.status),
        "request_names": job.request_names.split(",") if job.request_names else [],
        "status_code": job.status_code,
        "status_severity": job.status_severity,
        "status_message": job.status_message,
        "hresult": job.hresult,
        "error": job.error,
        "attempts": job.attempts,
        "depends_on": job.depends_on_id,
        "completed_at": isoformat(job.completed_at),
    }


def _failed_with(db: Session, job: Job, now: datetime | None) -> list[Job]:
    if now is None:
        return []
    found: list[Job] = []
    frontier = [job.id]
    while frontier:
        dependants = list(
            db.scalars(
                select(Job)
                .where(
                    Job.connection_id == job.connection_id,
                    Job.depends_on_id.in_(frontier),
                    Job.status == JobStatus.ERROR,
                    Job.completed_at == now,
                )
                .order_by(Job.id)
            )
        )
        found += dependants
        frontier = [d.id for d in dependants]
    return found


def emit_first_sync(
    db: Session,
    connection: Connection,
    *,
    job_id: int | None = None,
    now: datetime | None = None,
) -> list[WebhookEvent]:
    """``connection.first_sync``: the connection completed its first job and locked its company.

    Sent each time the connection locks to a company file: after its first completed job,
    and again after an operator released the lock and the next job completed.
    """
    data = {
        "company_name": connection.lock_company_name,
        "company_file": connection.lock_file_path,
        "locked_at": isoformat(connection.locked_at),
        "job_id": job_id,
    }
    return emit_event(db, EventKind.FIRST_SYNC, connection.id, data, now=now)


def emit_company_mismatch(
    db: Session,
    connection: Connection,
    seen: CompanySeen,
    *,
    message: str,
    machine_id: int | None = None,
    now: datetime | None = None,
) -> list[WebhookEvent]:
    """``connection.company_mismatch``: a session opened another company file and was refused."""
    data = {
        "expected": {
            "company_name": connection.lock_company_name,
            "company_file": connection.lock_file_path,
        },
        "seen": {"company_name": seen.company_name, "company_file": seen.file_path},
        "machine_id": machine_id,
        "message": message,
    }
    return emit_event(db, EventKind.COMPANY_MISMATCH, connection.id, data, now=now)


def emit_machine_installed(
    db: Session, machine: Machine, *, now: datetime | None = None
) -> list[WebhookEvent]:
    """``machine.installed``: someone added their own machine through the installation link."""
    data = {
        "machine_id": machine.id,
        "username": machine.username,
        "label": machine.label,
    }
    return emit_event(db, EventKind.MACHINE_INSTALLED, machine.connection_id, data, now=now)


# -- reading the outbox ---------------------------------------------------------------------


def list_events(
    db: Session,
    *,
    endpoint_id: int | None = None,
    status: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[WebhookEvent]:
    """Events, newest first, optionally of one endpoint, in one status, or older than an id."""
    query = select(WebhookEvent)
    if endpoint_id is not None:
        query = query.where(WebhookEvent.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookEvent.status == status)
    if before is not None:
        query = query.where(WebhookEvent.id < before)
    return list(db.scalars(query.order_by(WebhookEvent.id.desc()).limit(limit)))


def deliveries_by_event(db: Session, event_ids: list[int]) -> dict[int, list[WebhookDelivery]]:
    """The delivery attempts of several events in one query, oldest first per event."""
    found: dict[int, list[WebhookDelivery]] = {event_id: [] for event_id in event_ids}
    if not event_ids:
        return found
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.event_id.in_(event_ids))
        .order_by(WebhookDelivery.event_id, WebhookDelivery.id)
    )
    for delivery in db.scalars(query):
        found[delivery.event_id].append(delivery)
    return found
