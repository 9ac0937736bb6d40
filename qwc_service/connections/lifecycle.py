"""Changing a connection after it was created: its details, disabling it."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from qwc_service.audit.service import record_event
from qwc_service.clock import utcnow
from qwc_service.connections.models import Connection
from qwc_service.connections.queries import get_connection

__all__ = ["InvalidTimezone", "set_disabled", "update_connection"]

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
) -> Connection:
    """Change a connection's name, company file path or time zone; UNSET leaves one as it is.

    The company file is what authenticate hands the Web Connector to open (None: whatever
    file is open). The time zone is the one sync windows are read in.
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
