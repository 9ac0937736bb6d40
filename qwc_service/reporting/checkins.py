"""A connection's check-ins summed up: the latest, what it was answered, and since when
check-ins have found no work.

A Web Connector logs in every run interval; a login answered ``none`` (no work) or
``busy`` (another machine's session runs) starts no session. Such a poll writes nothing
but, at most once a minute, the machine's ``last_seen_at``; the machine keeps what it was
answered last (``last_answer``), and a ``login`` audit event marks each change of answer.
So idle polling neither buries the sessions that did something nor fills the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.audit.models import AuditEvent
from qwc_service.connections.models import Machine
from qwc_service.sessions.service import LOGIN_ANSWERED, AuthStatus

__all__ = ["IDLE_ANSWERS", "CheckInSummary", "check_in_summary"]

#: The answers that start no session.
IDLE_ANSWERS = (AuthStatus.NONE.value, AuthStatus.BUSY.value)


@dataclass(frozen=True)
class CheckInSummary:
    """The latest check-in, what it was answered, and since when check-ins found no work."""

    #: The latest check-in (to the minute: last_seen_at is written at most once a minute).
    last_at: datetime | None
    machine_id: int | None
    #: What authenticate answered the latest check-in: ``work``, ``none`` or ``busy``.
    answer: str | None
    #: When that machine's check-ins began to find no work (``none`` or ``busy``); None
    #: when its latest check-in started a session.
    idle_since: datetime | None


def check_in_summary(db: Session, connection_id: str) -> CheckInSummary:
    """The check-ins of a connection, from its machines and their ``login`` audit events."""
    latest = db.execute(
        select(Machine.id, Machine.last_seen_at, Machine.last_answer)
        .where(Machine.connection_id == connection_id, Machine.last_seen_at.is_not(None))
        .order_by(Machine.last_seen_at.desc(), Machine.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return CheckInSummary(None, None, None, None)
    idle_since = None
    if latest.last_answer in IDLE_ANSWERS:
        # The audit event written when the answer last changed is when idling began.
        idle_since = db.scalar(
            select(AuditEvent.created_at)
            .where(
                AuditEvent.machine_id == latest.id,
                AuditEvent.kind == "login",
                AuditEvent.message == LOGIN_ANSWERED + latest.last_answer,
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(1)
        )
    return CheckInSummary(latest.last_seen_at, latest.id, latest.last_answer, idle_since)
