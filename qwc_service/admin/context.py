"""What a page handler gets (the unit of work, settings, the request) and how it fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.admin.render import render
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.failures import known_failure
from qwc_service.http.errors import HttpError
from qwc_service.http.reply import Headers, Reply, html_reply
from qwc_service.http.request import Request

__all__ = ["Ctx", "PageError", "form_int", "user_errors"]


class PageError(HttpError):
    """A failure the operator is told about on an error page: a status and a sentence."""

    def __init__(self, status: int, message: str, *, headers: Headers = ()) -> None:
        super().__init__(status, "page_error", message, headers=headers)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a service's ValueError about the operator's input into a 400 page.

    Services word their ValueErrors for a person (an empty name, an interval out of range);
    exceptions the failure table knows keep their own status.
    """
    try:
        yield
    except ValueError as exc:
        known = known_failure(exc)
        if known is not None:
            raise known from None
        raise PageError(400, str(exc.args[0]) if exc.args else "that input is not valid") from None


def form_int(value: str | None, what: str, *, minimum: int, maximum: int) -> int:
    """A whole number typed into a form, within bounds; a 400 page naming ``what`` otherwise."""
    text = (value or "").strip()
    if not text.isdigit() or not minimum <= int(text) <= maximum:
        raise PageError(400, f"{what} must be a whole number from {minimum} to {maximum}")
    return int(text)


@dataclass
class Ctx:
    """One request to a page: the unit of work, the server's settings and who is asking.

    ``query`` holds the query's filters and ``form`` the POSTed form (empty for a GET).
    """

    db: Session
    settings: Settings
    hashing: PasswordHashing
    request: Request
    params: dict[str, str]
    nonce: str
    csrf: str = ""
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)

    def page(self, template: str, http_status: int = 200, **values: Any) -> Reply:
        """A rendered page; the base layout gets the nonce and the CSRF value for its forms."""
        html = render(
            template, nonce=self.nonce, csrf=self.csrf, signed_in=bool(self.csrf), **values
        )
        return html_reply(http_status, html)
