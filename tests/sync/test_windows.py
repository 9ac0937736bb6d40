"""Daily sync windows: parsing, wrap-around, openings in the connection's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from qwc_service.connections.models import Connection
from qwc_service.sync.windows import InvalidWindow, Window, parse_timestamp, zone_of

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_window_parses_and_prints_hh_mm() -> None:
    """Window 7:05-19:30 reads as 07:05 to 19:30 and prints zero-padded."""
    window = Window.parse(" 7:05-19:30 ")
    assert (window.start, window.end) == (time(7, 5), time(19, 30))
    assert str(window) == "07:05-19:30"


@pytest.mark.parametrize(
    "text",
    ["", "19:00", "19:00-", "24:00-07:00", "19:60-07:00", "7-9", "ab:cd-07:00", "08:00-08:00"],
)
def test_malformed_windows_are_refused(text: str) -> None:
    """Anything but two different HH:MM times is an InvalidWindow."""
    with pytest.raises(InvalidWindow):
        Window.parse(text)


def test_day_window_includes_start_and_excludes_end() -> None:
    """09:00-17:00 holds 09:00 and 16:59 but not 17:00 or 08:59."""
    window = Window.parse("09:00-17:00")
    assert window.contains(time(9, 0)) and window.contains(time(16, 59))
    assert not window.contains(time(17, 0)) and not window.contains(time(8, 59))


def test_night_window_wraps_midnight() -> None:
    """19:00-07:00 holds late evening and early morning, not the day."""
    window = Window.parse("19:00-07:00")
    assert window.contains(time(19, 0)) and window.contains(time(23, 59))
    assert window.contains(time(0, 0)) and window.contains(time(6, 59))
    assert not window.contains(time(7, 0)) and not window.contains(time(12, 0))


def test_next_opening_is_in_the_connections_time_zone() -> None:
    """At 12:00 UTC (07:00 in New York) a 19:00-07:00 New York window opens at 00:00 UTC."""
    window = Window.parse("19:00-07:00")
    opening = window.next_opening(NOON, NEW_YORK)
    assert opening == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    # Inside the window (06:00 in New York) the answer is the moment itself.
    assert window.next_opening(datetime(2026, 3, 2, 11, 0, tzinfo=UTC), NEW_YORK) == datetime(
        2026, 3, 2, 11, 0, tzinfo=UTC
    )
    assert window.next_opening(NOON, UTC_ZONE) == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)


def test_next_opening_after_the_days_start_is_tomorrow() -> None:
    """A day window that has closed for today opens tomorrow, across a DST change too."""
    window = Window.parse("09:00-10:00")
    # 2026-03-07 evening in New York (EST); the next morning is after the switch to EDT.
    evening = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)
    assert window.next_opening(evening, NEW_YORK) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


def test_unknown_time_zone_falls_back_to_utc() -> None:
    """A connection naming a zone this system lacks is scheduled in UTC."""
    assert zone_of(Connection(timezone="Mars/Olympus_Mons")).key == "UTC"
    assert zone_of(Connection(timezone="Europe/Paris")).key == "Europe/Paris"


def test_timestamps_without_offset_are_read_in_the_zone() -> None:
    """--until 2026-12-01T08:00 in New York is 13:00 UTC; an offset is kept as given."""
    assert parse_timestamp("2026-12-01T08:00", NEW_YORK) == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    assert parse_timestamp("2026-12-01T08:00+00:00", NEW_YORK) == datetime(
        2026, 12, 1, 8, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="not a timestamp"):
        parse_timestamp("next tuesday", NEW_YORK)
