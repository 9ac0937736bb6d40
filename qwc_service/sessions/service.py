"""Web Connector sessions: logins, tickets, the connection lease, and their ends."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, literal, select
from sqlalchemy.orm import Session, contains_eager

from qwc_service.connections.models import Connection, Machine
from qwc_service.sessions import throttle
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.tickets import MAX_TICKET_LENGTH, hash_ticket, idle_ticket, new_ticket

MAX_USERNAME_LENGTH = 64
#: The message of a ``login`` audit event starts with this, then the status answered.
LOGIN_ANSWERED = "authenticated: "


class AuthStatus(enum.StrEnum):
    """The second string of authenticate's answer."""

    WORK = "work"  # sent as "" or as the connection's company file path
    NONE = "none"
    NVU = "nvu"
    BUSY = "busy"


class TicketInvalid(LookupError):
    """The ticket names no session: unknown, forged or malformed."""


class TicketExpired(TicketInvalid):
    """The ticket's session was idle longer than the ticket lifetime."""


class TicketClosed(TicketInvalid):
    """The ticket's session has ended (closeConnection, superseded or revoked)."""


@dataclass(frozen=True)
class Login:
    """A machine that may log in, as read at the start of its login."""

    machine_id: int
    connection_id: str
    password_hash: str | None
    last_address: str | None
    #: The row itself, held so the rest of the unit of work finds it without a query.
    machine: Machine | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AuthOutcome:
    """What authenticate answers: the ticket, the status and optional wait hints."""

    ticket: str
    status: AuthStatus
    company_file: str = ""
    postpone_seconds: int | None = None
    session: WcSession | None = None
    machine: Machine | None = None
    #: MinimumRunEveryNSeconds: the Web Connector raises its run interval to at least this.
    min_run_seconds: int | None = None

    def wire_strings(self) -> list[str]:
        """The string array the Web Connector expects: two strings, three or four.

        The third is the postpone hint, the fourth the minimum run interval; the fourth
        needs the third, sent empty when there is no hint. Never more: a fifth string
        makes the Web Connector fail the update (QBWC1012).
        """
        second = self.company_file if self.status is AuthStatus.WORK else self.status.value
        strings = [self.ticket, second]
        if self.postpone_seconds is not None or self.min_run_seconds is not None:
            strings.append("" if self.postpone_seconds is None else str(self.postpone_seconds))
        if self.min_run_seconds is not None:
            strings.append(str(self.min_run_seconds))
        return strings


# Built once, as every login runs it: the machine and the throttle rows of the attempt in
# one query. The one-row derived table keeps a row coming when neither exists (an unknown
# username is throttled like a known one).
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
_LOGIN_AND_THROTTLE = (
    select(Machine, throttle.LoginThrottle)
    .select_from(_ONE_ROW)
    .outerjoin(Machine, Machine.username == bindparam("username"))
    .outerjoin(
        throttle.LoginThrottle,
        throttle.LoginThrottle.key.in_(bindparam("keys", expanding=True)),
    )
)


def find_login(
    db: Session, username: str, address: str, now: datetime
) -> tuple[Login | None, throttle.Gate]:
    """The credentials of an active machine with ``username`` (or None), and what the login
    throttle says about this attempt from ``address``, read together.

    The machine is loaded whole, so the rest of the login finds it in the unit of work
    without asking the database again.
    """
    valid = bool(username) and len(username) <= MAX_USERNAME_LENGTH
    params = {"username": username if valid else "", "keys": throttle.check_keys(username, address)}
    machine: Machine | None = None
    rows: list[throttle.LoginThrottle] = []
    for found, row in db.execute(_LOGIN_AND_THROTTLE, params):
        machine = machine or found
        if row is not None:
            rows.append(row)
    login = None
    if valid and machine is not None and machine.revoked_at is None:
        login = Login(
            machine.id,
            machine.connection_id,
            machine.password_hash,
            machine.last_login_address,
            machine,
        )
    # A machine's usual address is never locked out by attempts on its username elsewhere.
    known = bool(address) and login is not None and login.last_address == address
    return login, throttle.gate_of(rows, username, now, known_address=known)


def rejected() -> AuthOutcome:
    """The answer to a bad login; its ticket looks like any other answer's without a session."""
    return AuthOutcome(ticket=idle_ticket(), status=AuthStatus.NVU)


def open_session(
    db: Session, machine: Machine, connection: Connection, *, now: datetime, ttl_seconds: int
) -> tuple[str, WcSession]:
    """A new session for ``machine``, holding its connection's lease; the ticket is returned
    once, and only its hash is stored."""
    ticket = new_ticket()
    wc_session = WcSession(
        ticket_hash=hash_ticket(ticket),
        machine_id=machine.id,
        connection_id=connection.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    db.add(wc_session)
    db.flush()
    connection.active_session_id = wc_session.id
    return ticket, wc_session


#: How stale a live session's last_seen_at (and so its expiry) may be, at most a tenth of
#: the ticket's lifetime.
TOUCH_PRECISION = timedelta(seconds=5)


# Built once, as it runs on every call of a session; the connection comes in the same
# query, because every call needs it next.
_BY_TICKET = (
    select(WcSession)
    .join(WcSession.connection)
    .options(contains_eager(WcSession.connection))
    .where(WcSession.ticket_hash == bindparam("ticket_hash"))
)


def find_session(db: Session, ticket: str) -> WcSession:
    """The session a ticket names, whatever its state; TicketInvalid if none."""
    if not ticket or len(ticket) > MAX_TICKET_LENGTH:
        raise TicketInvalid("no such ticket")
    wc_session = db.scalar(_BY_TICKET, {"ticket_hash": hash_ticket(ticket)})
    if wc_session is None:
        raise TicketInvalid("no such ticket")
    return wc_session


def resolve(db: Session, ticket: str, *, now: datetime, ttl_seconds: int) -> WcSession:
    """The live session a ticket names, with its idle timer restarted.

    Raises TicketInvalid, TicketExpired or TicketClosed.
    """
    wc_session = find_session(db, ticket)
    if wc_session.closed_at is not None:
        raise TicketClosed("the session has ended")
    if wc_session.expires_at <= now:
        raise TicketExpired("the session expired")
    # A sync makes several calls a second; restarting the idle timer on each would write the
    # session row twice per round trip for a change of milliseconds on a half-hour timer.
    ttl = timedelta(seconds=ttl_seconds)
    if now - wc_session.last_seen_at >= min(TOUCH_PRECISION, ttl / 10):
        wc_session.last_seen_at = now
        wc_session.expires_at = now + ttl
    return wc_session


def close_session(db: Session, wc_session: WcSession, *, now: datetime, reason: str) -> None:
    """Mark a session ended and release its connection's lease (its jobs are the caller's)."""
    if wc_session.closed_at is None:
        wc_session.closed_at = now
        wc_session.close_reason = reason
    connection = db.get(Connection, wc_session.connection_id)
    if connection is not None and connection.active_session_id == wc_session.id:
        connection.active_session_id = None


def open_sessions(
    db: Session, *, machine_id: int | None = None, connection_id: str | None = None
) -> list[WcSession]:
    """The sessions not yet closed, of one machine or of one connection."""
    query = select(WcSession).where(WcSession.closed_at.is_(None))
    if machine_id is not None:
        query = query.where(WcSession.machine_id == machine_id)
    if connection_id is not None:
        query = query.where(WcSession.connection_id == connection_id)
    return list(db.scalars(query))


def recent_sessions(db: Session, connection_id: str, limit: int = 10) -> list[WcSession]:
    """A connection's latest sessions, newest first."""
    query = select(WcSession).where(WcSession.connection_id == connection_id)
    return list(db.scalars(query.order_by(WcSession.id.desc()).limit(limit)))
