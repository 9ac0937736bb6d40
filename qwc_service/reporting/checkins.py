"""A connection's check-ins summed up: the latest, and how many found nothing to do.

A Web Connector logs in every run interval; a login answered ``none`` (no work) or
``busy`` (another machine's session runs) starts no session, so it leaves only the
machine's ``last_seen_at`` and a ``login`` audit event. Those events are counted here
rather than listed, so idle polling does not bury the sessions that did something.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qwc_service.audit.models import AuditEvent
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.service import LOGIN_ANSWERED, AuthStatus

__all__ = ["IDLE_COUNT_LIMIT", "CheckInSummary", "check_in_summary"]

#: Idle check-ins are counted up to this many; a page says "at least" beyond it.
IDLE_COUNT_LIMIT = 999
_IDLE = (LOGIN_ANSWERED + AuthStatus.NONE.value, LOGIN_ANSWERED + AuthStatus.BUSY.value)


@dataclass(frozen=True)
class CheckInSummary:
    """The latest check-in, what it was answered, and the idle ones since the last session."""

    last_at: datetime | None
    machine_id: int | None
    #: What authenticate answered the latest check-in: ``work``, ``none`` or ``busy``.
    answer: str | None
    #: Check-ins answered ``none`` or ``busy`` since the latest session started (or ever,
    #: without sessions), counted up to IDLE_COUNT_LIMIT.
    idle: int
    #: When the latest session started; None when there has been none.
    since: datetime | None

    @property
    def idle_capped(self) -> bool:
        """Whether there were more idle check-ins than were counted."""
        return self.idle > IDLE_COUNT_LIMIT


def check_in_summary(db: Session, connection_id: str) -> CheckInSummary:
    """The check-ins of a connection, summed up from its ``login`` audit events."""
    latest = db.execute(
        select(AuditEvent.created_at, AuditEvent.machine_id, AuditEvent.message)
        .where(AuditEvent.connection_id == connection_id, AuditEvent.kind == "login")
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    since = db.scalar(
        select(WcSession.created_at)
        .where(WcSession.connection_id == connection_id)
        .order_by(WcSession.id.desc())
        .limit(1)
    )
    idle_query = select(AuditEvent.id).where(
        AuditEvent.connection_id == connection_id,
        AuditEvent.kind == "login",
        AuditEvent.message.in_(_IDLE),
    )
    if since is not None:
        # The login that started the session is stamped with the session's start.
        idle_query = idle_query.where(AuditEvent.created_at > since)
    # Counting stops one past the limit: a connection that has polled idle for a year has
    # hundreds of thousands, and the page needs to say only "at least".
    bounded = idle_query.limit(IDLE_COUNT_LIMIT + 1).subquery()
    idle = int(db.scalar(select(func.count()).select_from(bounded)) or 0)
    if latest is None:
        return CheckInSummary(None, None, None, idle, since)
    answer = latest.message.removeprefix(LOGIN_ANSWERED)
    return CheckInSummary(latest.created_at, latest.machine_id, answer, idle, since)
