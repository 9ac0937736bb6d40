"""Operations that end Web Connector sessions, and so hand their jobs back to the queue.

Ending a session touches two domains: the session and its connection's lease (sessions),
and the jobs it held (queue). Revoking a machine and disabling a connection end sessions
too, so they are completed here rather than in the connections domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.connections import lifecycle, service
from qwc_service.connections.models import Connection, Machine
from qwc_service.queue.service import release_session_jobs
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.service import close_session, open_sessions

__all__ = [
    "MachineRevocation",
    "end_machine_sessions",
    "end_session",
    "revoke_machine",
    "set_disabled",
]


@dataclass(frozen=True)
class MachineRevocation:
    """A revoked machine and how many of its open sessions the revocation ended."""

    machine: Machine
    sessions_ended: int


def end_session(db: Session, wc_session: WcSession, *, now: datetime, reason: str) -> int:
    """End a session: release the connection lease and requeue its unanswered jobs."""
    close_session(db, wc_session, now=now, reason=reason)
    return release_session_jobs(db, wc_session.id)


def end_machine_sessions(db: Session, machine_id: int, *, now: datetime, reason: str) -> int:
    """End every open session of a machine; how many there were."""
    ended = open_sessions(db, machine_id=machine_id)
    for wc_session in ended:
        end_session(db, wc_session, now=now, reason=reason)
    return len(ended)


def revoke_machine(db: Session, username: str) -> MachineRevocation:
    """Revoke a machine: its logins get ``nvu`` and its live sessions end."""
    machine = service.revoke_machine(db, username)
    ended = end_machine_sessions(db, machine.id, now=utcnow(), reason="revoked")
    db.flush()
    return MachineRevocation(machine=machine, sessions_ended=ended)


def set_disabled(db: Session, connection_id: str, disabled: bool) -> Connection:
    """Disable a connection (no new work, machines, or sessions) or enable it again.

    Disabling ends the session in progress, if any: its unanswered jobs go back to the queue
    and stay there until the connection is enabled.
    """
    connection = lifecycle.set_disabled(db, connection_id, disabled)
    if connection.disabled_at is not None:
        for wc_session in open_sessions(db, connection_id=connection.id):
            end_session(db, wc_session, now=utcnow(), reason="disabled")
        db.flush()
    return connection
