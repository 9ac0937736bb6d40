"""Daily sync windows and the time zones they are read in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qwc_service.connections.models import Connection
from qwc_service.sync.models import SyncDefinition

__all__ = ["InvalidWindow", "Window", "parse_timestamp", "window_of", "zone_of"]


class InvalidWindow(ValueError):
    """A daily window that is not ``HH:MM-HH:MM`` with two different times."""


@dataclass(frozen=True)
class Window:
    """A daily window of local wall-clock time; it wraps midnight when start > end."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Window:
        """Read ``"HH:MM-HH:MM"`` (e.g. ``"19:00-07:00"``); InvalidWindow otherwise."""
        first, sep, second = text.strip().partition("-")
        if not sep:
            raise InvalidWindow(f"window {text!r} is not HH:MM-HH:MM")
        window = cls(_clock(first, text), _clock(second, text))
        if window.start == window.end:
            raise InvalidWindow(
                f"window {text!r} starts and ends at the same time; leave it out to sync "
                "at any time of day"
            )
        return window

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: time) -> bool:
        """Whether a local time of day falls inside (start included, end excluded)."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def next_opening(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The earliest moment at or after ``now`` that lies inside the window."""
        local = now.astimezone(zone)
        if self.contains(local.time()):
            return now
        opening = datetime.combine(local.date(), self.start, tzinfo=zone)
        if opening <= local:
            opening = datetime.combine(local.date() + timedelta(days=1), self.start, tzinfo=zone)
        return opening.astimezone(now.tzinfo)


def _clock(part: str, whole: str) -> time:
    hours, sep, minutes = part.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise InvalidWindow(f"window {whole!r} is not HH:MM-HH:MM")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise InvalidWindow(f"window {whole!r} has a time outside 00:00-23:59")
    return time(int(hours), int(minutes))


def parse_timestamp(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date or date-time; one without an offset is read in ``zone``.

    A bare date means the start of that day. Raises ValueError naming the expected form.
    """
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a timestamp; use e.g. 2026-12-01T08:00 or 2026-12-01T08:00+01:00"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def zone_of(connection: Connection) -> ZoneInfo:
    """The connection's time zone; UTC when it names none that this system knows."""
    try:
        return ZoneInfo(connection.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def window_of(definition: SyncDefinition) -> Window | None:
    """A definition's daily window, if it has one."""
    if definition.window_start is None or definition.window_end is None:
        return None
    return Window.parse(f"{definition.window_start}-{definition.window_end}")
