"""Asking before an action that stops something working.

The question is a page of its own, answered by the same form with ``confirm=yes`` added:
the server, not a script, decides that an unconfirmed POST changes nothing, so a stray
click, a replayed request or a browser without JavaScript gets the question again.
"""

from __future__ import annotations

from dataclasses import dataclass

from qwc_service.admin.context import Ctx
from qwc_service.http.reply import Reply

__all__ = ["CONFIRM_FIELD", "CONFIRM_VALUE", "Question", "ask", "confirmed"]

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


@dataclass(frozen=True)
class Question:
    """What is about to happen, what will stop working, and where each answer goes."""

    title: str
    #: Sentences about what stops working, first the one that matters most.
    consequences: tuple[str, ...]
    #: The form's address: the action itself.
    action: str
    button: str
    #: Where "Cancel" goes.
    back: str


def confirmed(ctx: Ctx) -> bool:
    """Whether the POSTed form carries the confirmation."""
    return ctx.form.get(CONFIRM_FIELD) == CONFIRM_VALUE


def ask(ctx: Ctx, question: Question) -> Reply:
    """The question page; answering it POSTs the action again, confirmed."""
    return ctx.page(
        "confirm.html",
        question=question,
        confirm_field=CONFIRM_FIELD,
        confirm_value=CONFIRM_VALUE,
    )
