"""A connection's health: whether its Web Connectors check in, what they reported, its queue.

The report reads across domains (connections, machines, sessions, the queue), so it lives
above them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qwc_service.clock import isoformat, utcnow
from qwc_service.config import Settings
from qwc_service.connections.queries import get_connection
from qwc_service.connections.service import list_machines
from qwc_service.connections.views import error_unresolved
from qwc_service.queue.models import Job, JobStatus
from qwc_service.queue.service import count_queued
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.service import recent_sessions
from qwc_service.sessions.views import session_view

__all__ = ["connection_health"]


def connection_health(
    session: Session, settings: Settings, connection_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """Whether a connection's Web Connectors check in, what they reported, and its queue.

    ``connected`` means a machine that is not revoked authenticated within twice the run
    interval written into the .qwc files: the Web Connector should have come back by then.
    """
    now = now or utcnow()
    connection = get_connection(session, connection_id)
    machines = list_machines(session, connection_id)
    seen = [m.last_seen_at for m in machines if not m.is_revoked and m.last_seen_at is not None]
    last_check_in = max(seen) if seen else None
    window = timedelta(minutes=2 * settings.run_every_minutes)
    connected = (
        connection.disabled_at is None
        and last_check_in is not None
        and now - last_check_in <= window
    )
    in_flight = session.scalar(
        select(func.count()).where(Job.connection_id == connection_id, Job.status == JobStatus.SENT)
    )
    active = (
        session.get(WcSession, connection.active_session_id)
        if connection.active_session_id is not None
        else None
    )
    latest = recent_sessions(session, connection_id, limit=1)
    return {
        "connection_id": connection.id,
        "connected": connected,
        "disabled": connection.disabled_at is not None,
        "run_every_minutes": settings.run_every_minutes,
        "last_check_in_at": isoformat(last_check_in),
        "machines": [
            {
                "machine_id": m.id,
                "username": m.username,
                "label": m.label,
                "revoked": m.is_revoked,
                "last_seen_at": isoformat(m.last_seen_at),
                "qbwc_version": m.qbwc_version,
            }
            for m in machines
        ],
        "company_name": connection.company_name or connection.lock_company_name,
        "company_file": connection.last_company_file or connection.lock_file_path,
        "product_name": connection.product_name,
        "qbxml_version": connection.qbxml_version,
        "last_error": connection.last_error,
        "last_error_at": isoformat(connection.last_error_at),
        "last_error_unresolved": error_unresolved(connection),
        "last_success_at": isoformat(connection.last_success_at),
        "queue_depth": count_queued(session, connection_id),
        "jobs_in_flight": int(in_flight or 0),
        "session_active": active is not None and active.is_live(now),
        "last_session": session_view(latest[0]) if latest else None,
    }
