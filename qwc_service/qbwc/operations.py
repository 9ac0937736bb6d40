"""Operations that end Web Connector sessions, and so hand their jobs back to the queue.

Ending a session touches two domains: the session and its connection's lease (sessions),
and the jobs it held (queue). Revoking a machine and disabling a connection end sessions
too, so they are completed here rather than in the connections domain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.connections import lifecycle, service
from qwc_service.connections.models import Connection, Machine
from qwc_service.queue.service import release_session_jobs
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.service import close_session, open_sessions

__all__ = ["end_machine_sessions", "end_session", "revoke_machine", "set_disabled"]


def end_session(session: Session, wc_session: WcSession, *, now: datetime, reason: str) -> int:
    """End a session: release the connection lease and requeue its unanswered jobs."""
    close_session(session, wc_session, now=now, reason=reason)
    return release_session_jobs(session, wc_session.id)


def end_machine_sessions(session: Session, machine_id: int, *, now: datetime, reason: str) -> None:
    """End every open session of a machine."""
    for wc_session in open_sessions(session, machine_id=machine_id):
        end_session(session, wc_session, now=now, reason=reason)


def revoke_machine(session: Session, username: str) -> Machine:
    """Revoke a machine: its logins get ``nvu`` and its live sessions end."""
    machine = service.revoke_machine(session, username)
    end_machine_sessions(session, machine.id, now=utcnow(), reason="revoked")
    session.flush()
    return machine


def set_disabled(session: Session, connection_id: str, disabled: bool) -> Connection:
    """Disable a connection (no new work, machines, or sessions) or enable it again.

    Disabling ends the session in progress, if any: its unanswered jobs go back to the queue
    and stay there until the connection is enabled.
    """
    connection = lifecycle.set_disabled(session, connection_id, disabled)
    if connection.disabled_at is not None:
        for wc_session in open_sessions(session, connection_id=connection.id):
            end_session(session, wc_session, now=utcnow(), reason="disabled")
        session.flush()
    return connection
