"""A login that was verified becomes a session, if its connection has work.

Starting a session reaches across domains: the connection's lease (sessions), jobs whose
lease ran out (queue) and the schedules that are due (sync).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from qwc_service.connections.models import Connection, Machine
from qwc_service.qbwc.operations import end_session
from qwc_service.queue.service import release_expired, take_stock
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.service import (
    AuthOutcome,
    AuthStatus,
    Login,
    open_session,
    rejected,
)
from qwc_service.sessions.tickets import idle_ticket
from qwc_service.sync.schedule import enqueue_due, read_plan

__all__ = ["SEEN_PRECISION", "note_check_in", "start_session"]

#: How stale a machine's last_seen_at may be: writing it on every poll would make each
#: idle poll a write for a change no one reads to the second.
SEEN_PRECISION = timedelta(minutes=1)


# Built once, as every login runs it. The lock serialises logins of one connection.
_CONNECTION_FOR_UPDATE = (
    select(Connection).where(Connection.id == bindparam("connection_id")).with_for_update()
)


def start_session(
    db: Session, login: Login, *, now: datetime, ttl_seconds: int, busy_retry_seconds: int
) -> AuthOutcome:
    """Start a session for a machine whose password was verified, if it has work.

    One session per connection: another machine's live session makes this one ``busy``;
    this machine's own earlier session is superseded (a Web Connector runs one update at
    a time, so a new login means the old one died). Jobs whose lease ran out go back to
    the queue before a session starts, so nothing handed to a dead session is lost. An
    idle poll reads the schedules once and the queue once, and writes nothing.
    """
    machine = login.machine or db.get(Machine, login.machine_id)
    if (
        machine is None
        or machine.revoked_at is not None
        or machine.password_hash != login.password_hash
    ):
        # Revoked or given a new password while we were verifying the old one.
        return rejected()
    connection = db.scalar(_CONNECTION_FOR_UPDATE, {"connection_id": machine.connection_id})
    assert connection is not None
    if connection.disabled_at is not None:
        return AuthOutcome(
            ticket=idle_ticket(),
            status=AuthStatus.NONE,
            machine=machine,
            min_run_seconds=connection.min_poll_seconds,
        )

    if connection.active_session_id is not None:
        active = db.get(WcSession, connection.active_session_id)
        if active is not None and active.is_live(now):
            if active.machine_id != machine.id:
                wait = int((active.expires_at - now).total_seconds())
                return AuthOutcome(
                    ticket=idle_ticket(),
                    status=AuthStatus.BUSY,
                    postpone_seconds=max(30, min(wait, busy_retry_seconds)),
                    machine=machine,
                    min_run_seconds=connection.min_poll_seconds,
                )
            end_session(db, active, now=now, reason="superseded")
        elif active is not None and active.closed_at is None:
            end_session(db, active, now=now, reason="expired")
        connection.active_session_id = None

    # Due syncs become work now: no scheduler process is needed.
    plan = read_plan(db, connection, now)
    if enqueue_due(db, connection, now, plan):
        release_expired(db, connection.id, now)
    elif not take_stock(db, connection.id, now):
        return AuthOutcome(
            ticket=idle_ticket(),
            status=AuthStatus.NONE,
            postpone_seconds=plan.next_due_seconds or None,
            machine=machine,
            min_run_seconds=connection.min_poll_seconds,
        )

    ticket, wc_session = open_session(db, machine, connection, now=now, ttl_seconds=ttl_seconds)
    return AuthOutcome(
        ticket=ticket,
        status=AuthStatus.WORK,
        company_file=connection.company_file or "",
        session=wc_session,
        machine=machine,
        min_run_seconds=connection.min_poll_seconds,
    )


def note_check_in(machine: Machine, status: AuthStatus, now: datetime) -> bool:
    """Record that ``machine`` checked in and what it was answered, writing only what changed.

    Returns whether the check-in is worth an audit event: the machine's first, a session
    with work, or an answer that differs from the last one (work found, none, busy).
    An idle poll like the one before it changes nothing but, once a minute, last_seen_at.
    """
    first = machine.last_seen_at is None
    changed = machine.last_answer != status.value
    if first or now - machine.last_seen_at >= SEEN_PRECISION:  # type: ignore[operator]
        machine.last_seen_at = now
    if changed:
        machine.last_answer = status.value
    return first or changed or status is AuthStatus.WORK
