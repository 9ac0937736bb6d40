"""The company file's clock: strictly increasing, second-resolution timestamps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo


class Clock:
    """Hands out ``TimeModified`` values that never go backwards.

    By default time is synthetic (each ``tick`` moves it one second on), so a generated
    company and everything done to it stay reproducible. Pass ``wall`` (e.g. a function
    returning ``datetime.now(tz)``) to follow real time instead, never repeating a second.
    """

    def __init__(self, start: datetime, wall: Callable[[], datetime] | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware start time")
        self._now = start.replace(microsecond=0)
        self._tz: tzinfo = start.tzinfo
        self._wall = wall

    @property
    def tz(self) -> tzinfo:
        """The company's fixed UTC offset: the time zone every TimeModified is written in."""
        return self._tz

    def now(self) -> datetime:
        """The last time handed out (or the start time)."""
        return self._now

    def tick(self, seconds: int = 1) -> datetime:
        """Move on by at least ``seconds`` (and at least one second) and return the new time."""
        candidate = self._now + timedelta(seconds=max(1, seconds))
        if self._wall is not None:
            wall = self._wall().astimezone(self._tz).replace(microsecond=0)
            candidate = max(candidate, wall)
        self._now = candidate
        return self._now

    def advance_to(self, at: datetime) -> None:
        """Jump forward to ``at`` if it is later than now (used while generating data)."""
        if at > self._now:
            self._now = at.replace(microsecond=0)
