"""The connections at a glance: each one's state, counted, filtered and sorted by the database.

A list of thousands of connections cannot build a health report per connection, so the
rules of :mod:`qwc_service.reporting.states` are written here once more as one SQL ``CASE``
over the connection row and its machines' latest check-in. Counting, filtering and sorting
by state is then one scan of ``connections`` joined to an aggregate of ``machines``; the
latest session is looked up only where the rules need it (connections in error) and for
the rows of the page shown. The tests hold the two versions of the rules to each other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, Subquery

from qwc_service.clock import utcnow
from qwc_service.config import Settings
from qwc_service.connections.models import Connection, Machine
from qwc_service.connections.service import search_clause
from qwc_service.queue.models import Job, JobStatus
from qwc_service.reporting.states import (
    ATTENTION_ORDER,
    ConnectionState,
    StateFacts,
    judge,
    stale_after,
)
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.outcomes import COMPANY_MISMATCH

__all__ = [
    "ConnectionSummary",
    "ListOrder",
    "OverviewPage",
    "connection_page",
    "state_counts",
]


class ListOrder(enum.StrEnum):
    """How the list is sorted: by name, or the connections that need attention first."""

    NAME = "name"
    ATTENTION = "attention"


@dataclass(frozen=True)
class ConnectionSummary:
    """One row of the list: a connection, its state and why, and what it last did."""

    connection_id: str
    name: str
    state: ConnectionState
    state_reason: str
    company_name: str | None
    last_check_in_at: datetime | None
    last_success_at: datetime | None
    queue_depth: int
    #: Machines that are not revoked.
    machines: int


@dataclass(frozen=True)
class OverviewPage:
    """A page of the list and the ``after`` value of the next one (None on the last)."""

    rows: tuple[ConnectionSummary, ...]
    next_after: str | None


def _checkins() -> Subquery:
    """Per connection: the latest check-in of a machine that is not revoked, and how many."""
    return (
        select(
            Machine.connection_id.label("connection_id"),
            func.max(Machine.last_seen_at).label("last_check_in_at"),
            func.count(Machine.id).label("machines"),
        )
        .where(Machine.revoked_at.is_(None))
        .group_by(Machine.connection_id)
        .subquery("checkins")
    )


def _latest_session_refused() -> Any:
    return (
        select(WcSession.refused)
        .where(WcSession.connection_id == Connection.id)
        .order_by(WcSession.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _error_unresolved() -> ColumnElement[bool]:
    success = Connection.last_success_at
    return and_(
        Connection.last_error_at.is_not(None),
        or_(success.is_(None), success < Connection.last_error_at),
    )


def _in_error() -> Subquery:
    """The connections whose last error came after their last success, with the refusal of
    their latest session.

    A derived table rather than a lookup in the CASE: the planner then counts the lookup
    once per connection in error, not once per connection, and does not take a list of
    thousands for a query worth compiling (PostgreSQL's JIT would double its time).
    """
    return (
        select(Connection.id.label("connection_id"), _latest_session_refused().label("refused"))
        .where(_error_unresolved())
        .subquery("in_error")
    )


def _recent(
    db: Session, settings: Settings, now: datetime, check_in: ColumnElement[Any]
) -> ColumnElement[bool]:
    """Whether ``check_in`` is within its connection's window, as SQL.

    Most connections use the server's interval; the few polling settings operators chose
    are read first (a handful of distinct pairs), so each window is one comparison with a
    time computed here rather than date arithmetic that SQLite and PostgreSQL write apart.
    """
    custom = db.execute(
        select(Connection.min_poll_seconds, Connection.qwc_run_seconds)
        .where(
            or_(Connection.min_poll_seconds.is_not(None), Connection.qwc_run_seconds.is_not(None))
        )
        .distinct()
    ).all()
    default = check_in >= now - stale_after(settings)
    if not custom:
        return default
    whens = [
        (
            and_(_same(Connection.min_poll_seconds, poll), _same(Connection.qwc_run_seconds, run)),
            check_in >= now - stale_after(settings, poll, run),
        )
        for poll, run in custom
    ]
    return case(*whens, else_=default)


def _same(column: Any, value: int | None) -> Any:
    return column.is_(None) if value is None else column == value


@dataclass(frozen=True)
class _Listing:
    """Every connection (matching a search) joined to what its state is decided from."""

    checkins: Subquery
    in_error: Subquery
    matches: ColumnElement[bool] | None
    #: Whether a connection's latest check-in is within its own window.
    recent: ColumnElement[bool]

    @classmethod
    def of(cls, db: Session, settings: Settings, now: datetime, search: str) -> _Listing:
        checkins = _checkins()
        recent = _recent(db, settings, now, checkins.c.last_check_in_at)
        return cls(checkins, _in_error(), search_clause(search), recent)

    def select(self, *columns: Any) -> Select[Any]:
        query = (
            select(*columns)
            .select_from(Connection)
            .outerjoin(self.checkins, self.checkins.c.connection_id == Connection.id)
            .outerjoin(self.in_error, self.in_error.c.connection_id == Connection.id)
        )
        return query if self.matches is None else query.where(self.matches)

    @property
    def state(self) -> ColumnElement[str]:
        """The rules of :mod:`~qwc_service.reporting.states`, in their order, as SQL."""
        success = Connection.last_success_at
        check_in = self.checkins.c.last_check_in_at
        return case(
            (Connection.disabled_at.is_not(None), ConnectionState.DISABLED.value),
            (
                self.in_error.c.connection_id.is_not(None),
                case(
                    (
                        self.in_error.c.refused == COMPANY_MISMATCH,
                        ConnectionState.WRONG_COMPANY_FILE.value,
                    ),
                    else_=ConnectionState.ERROR.value,
                ),
            ),
            (
                and_(success.is_not(None), self.recent),
                ConnectionState.CONNECTED.value,
            ),
            (success.is_not(None), ConnectionState.STALE.value),
            (check_in.is_not(None), ConnectionState.WAITING_FOR_QUICKBOOKS.value),
            else_=ConnectionState.WAITING_FOR_FIRST_SYNC.value,
        )

    @property
    def rank(self) -> ColumnElement[int]:
        """The state's place in the attention order."""
        order = {s.value: i for i, s in enumerate(ATTENTION_ORDER)}
        return case(order, value=self.state, else_=0)


def state_counts(
    db: Session, settings: Settings, *, search: str = "", now: datetime | None = None
) -> dict[ConnectionState, int]:
    """How many connections (matching ``search``) are in each state; every state is a key."""
    listing = _Listing.of(db, settings, now or utcnow(), search)
    states = listing.select(listing.state.label("state")).subquery("states")
    counts = dict.fromkeys(ConnectionState, 0)
    for state, count in db.execute(select(states.c.state, func.count()).group_by(states.c.state)):
        counts[ConnectionState(state)] = int(count)
    return counts


def connection_page(
    db: Session,
    settings: Settings,
    *,
    search: str = "",
    state: ConnectionState | None = None,
    order: ListOrder = ListOrder.NAME,
    after: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> OverviewPage:
    """A page of connections (matching ``search``, in ``state``) in ``order``.

    ``after`` is the Connection ID of the last row of the page before: the next page starts
    after that connection's place in the order. An ``after`` that names no connection
    starts at the beginning.
    """
    now = now or utcnow()
    listing = _Listing.of(db, settings, now, search)
    sort_name = func.lower(Connection.name)
    attention = order is ListOrder.ATTENTION
    query = listing.select(
        Connection,
        listing.checkins.c.last_check_in_at,
        func.coalesce(listing.checkins.c.machines, 0),
    )
    if state is not None:
        query = query.where(listing.state == state.value)
    if after is not None:
        cursor = db.execute(
            listing.select(listing.rank, sort_name).where(Connection.id == after)
        ).first()
        if cursor is not None:
            rank, name = cursor
            later = or_(sort_name > name, and_(sort_name == name, Connection.id > after))
            if attention:
                later = or_(listing.rank > rank, and_(listing.rank == rank, later))
            query = query.where(later)
    keys = [listing.rank] if attention else []
    query = query.order_by(*keys, sort_name, Connection.id).limit(limit + 1)
    found = db.execute(query).all()
    more = len(found) > limit
    found = found[:limit]
    details = _page_details(db, [row[0].id for row in found])
    rows = tuple(
        _summary(
            connection,
            check_in,
            machines,
            details.get(connection.id),
            now,
            stale_after(settings, connection.min_poll_seconds, connection.qwc_run_seconds),
        )
        for connection, check_in, machines in found
    )
    return OverviewPage(rows, found[-1][0].id if more else None)


@dataclass(frozen=True)
class _Details:
    last_session_refused: str | None
    sessions_started: bool
    queue_depth: int


def _page_details(db: Session, ids: list[str]) -> dict[str, _Details]:
    """The latest session and the queue of the connections of one page (a bounded list)."""
    if not ids:
        return {}
    started = exists().where(WcSession.connection_id == Connection.id)
    sessions = db.execute(
        select(Connection.id, _latest_session_refused(), started).where(Connection.id.in_(ids))
    ).all()
    queued = dict(
        db.execute(
            select(Job.connection_id, func.count())
            .where(Job.connection_id.in_(ids), Job.status == JobStatus.QUEUED)
            .group_by(Job.connection_id)
        ).all()
    )
    return {
        connection_id: _Details(refused, bool(has_sessions), int(queued.get(connection_id, 0)))
        for connection_id, refused, has_sessions in sessions
    }


def _summary(
    connection: Connection,
    last_check_in_at: datetime | None,
    machines: int,
    details: _Details | None,
    now: datetime,
    window: timedelta,
) -> ConnectionSummary:
    details = details or _Details(None, False, 0)
    verdict = judge(
        StateFacts(
            disabled=connection.disabled_at is not None,
            machines=int(machines),
            last_check_in_at=last_check_in_at,
            last_success_at=connection.last_success_at,
            last_error_at=connection.last_error_at,
            last_session_refused=details.last_session_refused,
            sessions_started=details.sessions_started,
            company_seen=connection.company_name or connection.last_company_file,
        ),
        now=now,
        window=window,
    )
    return ConnectionSummary(
        connection_id=connection.id,
        name=connection.name,
        state=verdict.state,
        state_reason=verdict.reason,
        company_name=connection.company_name or connection.lock_company_name,
        last_check_in_at=last_check_in_at,
        last_success_at=connection.last_success_at,
        queue_depth=details.queue_depth,
        machines=int(machines),
    )
