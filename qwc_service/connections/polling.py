"""The bounds of a connection's polling settings, light enough for the command line to read."""

from __future__ import annotations

__all__ = ["MAX_POLL_SECONDS"]

#: The longest polling interval an operator may set, in seconds (a day).
MAX_POLL_SECONDS = 24 * 60 * 60
