"""What a page handler gets (the unit of work, settings, the request) and how it fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.admin.http import AdminRequest, Reply
from qwc_service.admin.render import render
from qwc_service.api.errors import as_api_error
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing

__all__ = ["Ctx", "PageError", "as_page_error", "form_int", "user_errors"]


class PageError(Exception):
    """A failure the operator is told about on an error page: a status and a sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def as_page_error(exc: Exception) -> PageError | None:
    """The page error for a known domain exception (the API's table), or None."""
    if isinstance(exc, PageError):
        return exc
    known = as_api_error(exc)
    if known is None:
        return None
    return PageError(known.status, known.message)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a service's ValueError about the operator's input into a 400 page.

    Services word their ValueErrors for a person (an empty name, an interval out of range);
    exceptions the API's table knows keep their own status.
    """
    try:
        yield
    except ValueError as exc:
        known = as_page_error(exc)
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
    """One request to a page: the unit of work, the server's settings and who is asking."""

    db: Session
    settings: Settings
    hashing: PasswordHashing
    request: AdminRequest
    params: dict[str, str]
    nonce: str
    csrf: str = ""

    @property
    def form(self) -> dict[str, str]:
        """The POSTed form."""
        return self.request.form()

    def page(self, template: str, http_status: int = 200, **values: Any) -> Reply:
        """A rendered page; the base layout gets the nonce and the CSRF value for its forms."""
        html = render(
            template, nonce=self.nonce, csrf=self.csrf, signed_in=bool(self.csrf), **values
        )
        return Reply(http_status, html)
