"""Schedule defaults, light enough for the command line's help to read."""

from __future__ import annotations

__all__ = ["DEFAULT_EVERY_MINUTES"]

#: How often a sync scheduled along with every other type runs unless told.
DEFAULT_EVERY_MINUTES = 60
