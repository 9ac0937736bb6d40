"""The admin pages' templates: one Jinja environment, every value HTML-escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qwc_service.clock import utcnow
from qwc_service.http.html import template_environment

__all__ = ["ago", "render", "when"]


def _moment(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC)


def when(value: datetime | str | None) -> str:
    """A timestamp (ISO text or datetime) as ``2026-11-26 14:05 UTC``, or a dash."""
    moment = _moment(value)
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def ago(value: datetime | str | None, now: datetime | None = None) -> str:
    """How long ago (or from now) a timestamp is, in the largest whole unit."""
    moment = _moment(value)
    if moment is None:
        return "never"
    seconds = int(((now or utcnow()) - moment).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "in under a minute" if future else "just now"
    unit, size = next((u, s) for u, s in (("day", 86400), ("h", 3600), ("min", 60)) if seconds >= s)
    count = seconds // size
    text = f"{count} {unit}{'s' if unit == 'day' and count > 1 else ''}"
    return f"in {text}" if future else f"{text} ago"


_ENV = template_environment("admin/templates")
_ENV.filters["when"] = when
_ENV.filters["ago"] = ago


def render(template: str, **values: Any) -> str:
    """Render one template of ``admin/templates`` with ``values``."""
    return _ENV.get_template(template).render(**values)
