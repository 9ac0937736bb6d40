"""Time in one place, so every timestamp is aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """An ISO 8601 string with offset, or None."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")
