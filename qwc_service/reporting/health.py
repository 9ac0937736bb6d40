"""A connection's health: whether its Web Connectors check in, what they reported, its queue.

The report reads across domains (connections, machines, sessions, the queue), so it lives
above them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qwc_service.clock import isoformat, utcnow
from qwc_service.config import Settings
from qwc_service.connections.models import Machine
from qwc_service.connections.queries import get_connection
from qwc_service.connections.service import list_machines
from qwc_service.connections.views import error_unresolved
from qwc_service.queue.models import Job, JobStatus
from qwc_service.queue.service import count_queued
from qwc_service.reporting.states import ConnectionState, StateFacts, judge, stale_after
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.service import recent_sessions
from qwc_service.sessions.views import session_view

__all__ = ["ConnectionHealth", "MachineCheckIn", "connection_health"]


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, MachineCheckIn):
        return value.to_payload()
    if isinstance(value, tuple):
        return [_json_ready(item) for item in value]
    return value


@dataclass(frozen=True)
class MachineCheckIn:
    """When one of the connection's machines last checked in, and with which Web Connector."""

    machine_id: int
    username: str
    label: str
    revoked: bool
    last_seen_at: datetime | None
    qbwc_version: str | None

    @classmethod
    def of(cls, machine: Machine) -> MachineCheckIn:
        """The check-in of ``machine``."""
        return cls(
            machine_id=machine.id,
            username=machine.username,
            label=machine.label,
            revoked=machine.is_revoked,
            last_seen_at=machine.last_seen_at,
            qbwc_version=machine.qbwc_version,
        )

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready data: one member per field, times as ISO 8601 text."""
        return {f.name: _json_ready(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class ConnectionHealth:
    """Whether a connection's Web Connectors check in, what they last reported, its queue."""

    connection_id: str
    connected: bool = field(
        metadata={"description": "A machine checked in within twice the .qwc run interval."}
    )
    disabled: bool
    run_every_minutes: int
    last_check_in_at: datetime | None
    machines: tuple[MachineCheckIn, ...]
    company_name: str | None
    company_file: str | None
    product_name: str | None
    qbxml_version: str | None
    last_error: str | None
    last_error_at: datetime | None
    # The error came after the last success: nothing has worked since.
    last_error_unresolved: bool
    last_success_at: datetime | None
    queue_depth: int
    jobs_in_flight: int
    session_active: bool
    # The latest session as :func:`~qwc_service.sessions.views.session_view` writes it.
    last_session: dict[str, Any] | None
    state: ConnectionState = field(
        metadata={
            "description": "One word for the connection's health; the rules are in "
            "qwc_service/reporting/states.py."
        }
    )
    state_reason: str = field(
        metadata={"description": "Why the connection is in that state, in one sentence."}
    )

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready data: one member per field, times as ISO 8601 text."""
        return {f.name: _json_ready(getattr(self, f.name)) for f in fields(self)}


def connection_health(
    db: Session, settings: Settings, connection_id: str, now: datetime | None = None
) -> ConnectionHealth:
    """Whether a connection's Web Connectors check in, what they reported, and its queue.

    ``connected`` means a machine that is not revoked authenticated within twice the run
    interval written into the .qwc files: the Web Connector should have come back by then.
    ``state`` says more: it is ``connected`` only once QuickBooks has also answered a request.
    """
    now = now or utcnow()
    connection = get_connection(db, connection_id)
    machines = list_machines(db, connection_id)
    seen = [m.last_seen_at for m in machines if not m.is_revoked and m.last_seen_at is not None]
    last_check_in = max(seen) if seen else None
    window = stale_after(settings, connection.min_poll_seconds, connection.qwc_run_seconds)
    connected = (
        connection.disabled_at is None
        and last_check_in is not None
        and now - last_check_in <= window
    )
    in_flight = db.scalar(
        select(func.count()).where(Job.connection_id == connection_id, Job.status == JobStatus.SENT)
    )
    active = (
        db.get(WcSession, connection.active_session_id)
        if connection.active_session_id is not None
        else None
    )
    latest = recent_sessions(db, connection_id, limit=1)
    verdict = judge(
        StateFacts(
            disabled=connection.disabled_at is not None,
            machines=sum(1 for m in machines if not m.is_revoked),
            last_check_in_at=last_check_in,
            last_success_at=connection.last_success_at,
            last_error_at=connection.last_error_at,
            last_session_refused=latest[0].refused if latest else None,
            sessions_started=bool(latest),
            company_seen=connection.company_name or connection.last_company_file,
        ),
        now=now,
        window=window,
    )
    return ConnectionHealth(
        connection_id=connection.id,
        connected=connected,
        disabled=connection.disabled_at is not None,
        run_every_minutes=settings.run_every_minutes,
        last_check_in_at=last_check_in,
        machines=tuple(MachineCheckIn.of(m) for m in machines),
        company_name=connection.company_name or connection.lock_company_name,
        company_file=connection.last_company_file or connection.lock_file_path,
        product_name=connection.product_name,
        qbxml_version=connection.qbxml_version,
        last_error=connection.last_error,
        last_error_at=connection.last_error_at,
        last_error_unresolved=error_unresolved(connection),
        last_success_at=connection.last_success_at,
        queue_depth=count_queued(db, connection_id),
        jobs_in_flight=int(in_flight or 0),
        session_active=active is not None and active.is_live(now),
        last_session=session_view(latest[0]) if latest else None,
        state=verdict.state,
        state_reason=verdict.reason,
    )
