"""What an operator found out about a write whose outcome QuickBooks could not tell.

Kept apart from the resolving itself so the command line can offer the choices without
loading the database layer.
"""

from __future__ import annotations

import enum

__all__ = ["Resolution"]


class Resolution(enum.StrEnum):
    """What the operator found."""

    DONE = "done"
    RESEND = "resend"
