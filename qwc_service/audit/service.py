"""Recording and listing audit events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.audit.models import AuditEvent
from qwc_service.clock import utcnow


def record_event(
    db: Session,
    kind: str,
    message: str,
    *,
    connection_id: str | None = None,
    machine_id: int | None = None,
    username: str | None = None,
    client_address: str | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Record one event; the caller never passes a password or a ticket."""
    event = AuditEvent(
        kind=kind,
        message=message[:2000],
        connection_id=connection_id,
        machine_id=machine_id,
        username=(username or None) and username[:64],
        client_address=(client_address or None) and client_address[:64],
        created_at=now or utcnow(),
    )
    db.add(event)
    return event


def list_events(
    db: Session,
    *,
    connection_id: str | None = None,
    since: datetime | None = None,
    kinds: tuple[str, ...] = (),
    limit: int = 500,
) -> list[AuditEvent]:
    """Events, newest first, optionally for one connection, since a time, of some kinds."""
    query = select(AuditEvent)
    if connection_id is not None:
        query = query.where(AuditEvent.connection_id == connection_id)
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if kinds:
        query = query.where(AuditEvent.kind.in_(kinds))
    return list(db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
