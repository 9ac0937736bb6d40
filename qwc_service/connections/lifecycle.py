"""Changing a connection after it was created: its details, disabling it."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from qwc_service.audit.service import record_event
from qwc_service.clock import utcnow
from qwc_service.connections.models import Connection
from qwc_service.connections.polling import MAX_POLL_SECONDS
from qwc_service.connections.queries import get_connection

__all__ = [
    "MAX_POLL_SECONDS",
    "InvalidTimezone",
    "check_poll_seconds",
    "set_disabled",
    "update_connection",
]

UNSET: Any = object()


class InvalidTimezone(ValueError):
    """The name is not an IANA time zone this system knows."""


def update_connection(
    db: Session,
    connection_id: str,
    *,
    name: str | None = UNSET,
    company_file: str | None = UNSET,
    timezone: str = UNSET,
    min_poll_seconds: int | None = UNSET,
    qwc_run_seconds: int | None = UNSET,
) -> Connection:
    """Change a connection's details; UNSET leaves one as it is, None clears a number.

    The company file is what authenticate hands the Web Connector to open (None: whatever
    file is open). The time zone is the one sync windows are read in.
    ``min_poll_seconds`` is the shortest interval its Web Connectors may run at: every
    authenticate answer carries it (MinimumRunEveryNSeconds) and the Web Connector raises
    its schedule to it, so polling slows down without anyone touching a computer.
    ``qwc_run_seconds`` makes its .qwc files ask for RunEveryNSeconds ("Real Time") instead
    of ``QWC_RUN_EVERY_MINUTES``, for connections that need answers within seconds.
    """
    connection = get_connection(db, connection_id)
    changed: list[str] = []
    if name is not UNSET:
        cleaned = (name or "").strip()
        if not cleaned:
            raise ValueError("a connection needs a non-empty name")
        connection.name = cleaned
        changed.append("name")
    if company_file is not UNSET:
        connection.company_file = (company_file or "").strip() or None
        changed.append("company file")
    if timezone is not UNSET:
        connection.timezone = check_timezone(timezone)
        changed.append("time zone")
    if min_poll_seconds is not UNSET:
        connection.min_poll_seconds = check_poll_seconds(min_poll_seconds, "minimum poll interval")
        changed.append("minimum poll interval")
    if qwc_run_seconds is not UNSET:
        connection.qwc_run_seconds = check_poll_seconds(qwc_run_seconds, ".qwc run interval")
        changed.append(".qwc run interval")
    if changed:
        record_event(
            db,
            "connection_updated",
            f"connection changed: {', '.join(changed)}",
            connection_id=connection.id,
        )
    db.flush()
    return connection


def check_timezone(name: str) -> str:
    """``name`` if it is a known IANA time zone, else InvalidTimezone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimezone(f"{name!r} is not a known time zone, e.g. America/Chicago") from None
    return name


def check_poll_seconds(seconds: int | None, what: str) -> int | None:
    """``seconds`` if it is a usable interval (None: not set), else ValueError."""
    if seconds is not None and not 1 <= seconds <= MAX_POLL_SECONDS:
        raise ValueError(f"the {what} must be between 1 and {MAX_POLL_SECONDS} seconds")
    return seconds


def set_disabled(db: Session, connection_id: str, disabled: bool) -> Connection:
    """Disable a connection (no new work, machines, or sessions) or enable it again.

    Ending the sessions in progress is :func:`qwc_service.qbwc.operations.set_disabled`'s
    part.
    """
    connection = get_connection(db, connection_id)
    now = utcnow()
    if disabled and connection.disabled_at is None:
        connection.disabled_at = now
        record_event(db, "connection_disabled", "connection disabled", connection_id=connection.id)
    elif not disabled and connection.disabled_at is not None:
        connection.disabled_at = None
        record_event(db, "connection_enabled", "connection enabled", connection_id=connection.id)
    db.flush()
    return connection
