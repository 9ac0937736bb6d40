"""Requests and replies of the admin pages: forms, the sign-in cookie, HTML with safe headers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from qwc_service.api.http import ApiError, Request
from qwc_service.http.html import page_headers

__all__ = [
    "FORM_TYPE",
    "MAX_FORM_BYTES",
    "AdminRequest",
    "FormRefused",
    "Reply",
    "cleared_cookie",
    "redirect",
    "send",
    "session_cookie",
]

StartResponse = Callable[..., Any]

FORM_TYPE = "application/x-www-form-urlencoded"
# The largest form here is a name and a file path; nothing legitimate comes near this.
MAX_FORM_BYTES = 64 * 1024
_MAX_FIELDS = 100
_MAX_COOKIE_HEADER = 8 * 1024


class FormRefused(Exception):
    """A POST body that is not a form this server reads: too large, another type, not UTF-8."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class AdminRequest:
    """The parts of a WSGI request the admin pages read."""

    environ: dict[str, Any]
    method: str = field(init=False)
    path: str = field(init=False)
    query: dict[str, str] = field(init=False)
    _form: dict[str, str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.method = str(self.environ.get("REQUEST_METHOD") or "GET").upper()
        path = str(self.environ.get("PATH_INFO") or "/")
        self.path = path.rstrip("/") or "/"
        try:
            self.query = _single(str(self.environ.get("QUERY_STRING") or ""))
        except FormRefused:
            # A query this long is not from these pages: read it as no filters at all.
            self.query = {}

    def cookie(self, name: str) -> str | None:
        """The value of one cookie, or None (a malformed Cookie header reads as no cookies)."""
        header = str(self.environ.get("HTTP_COOKIE") or "")
        if len(header) > _MAX_COOKIE_HEADER:
            return None
        for part in header.split(";"):
            key, sep, value = part.strip().partition("=")
            if sep and key == name:
                return value.strip().strip('"') or None
        return None

    def form(self) -> dict[str, str]:
        """The urlencoded body of a POST (first value of each field), read once.

        Raises FormRefused for a body over MAX_FORM_BYTES, another media type or bad UTF-8.
        """
        if self._form is None:
            self._form = self._read_form()
        return self._form

    def _read_form(self) -> dict[str, str]:
        request = Request(self.environ)
        try:
            raw = request.read_body(MAX_FORM_BYTES)
        except ApiError as exc:
            raise FormRefused(exc.status, exc.message) from None
        if not raw:
            return {}
        if request.media_type() != FORM_TYPE:
            raise FormRefused(415, "the page sent something other than a form")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FormRefused(400, "the form is not UTF-8") from None
        return _single(text)


def _single(text: str) -> dict[str, str]:
    try:
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:
        raise FormRefused(400, "the form has too many fields") from None
    return {key: values[0] for key, values in parsed.items() if values}


@dataclass(frozen=True)
class Reply:
    """A page (status and HTML) or a redirect, with the cookies to set."""

    status: int
    html: str = ""
    location: str | None = None
    cookies: tuple[str, ...] = ()


def redirect(location: str, *, cookies: tuple[str, ...] = ()) -> Reply:
    """A 303 to a path of this server (after a POST, the browser GETs it)."""
    return Reply(303, location=location, cookies=cookies)


def session_cookie(name: str, value: str, *, secure: bool, max_age: int) -> str:
    """The Set-Cookie value for a sign-in: scripts cannot read it, other sites cannot send it."""
    flags = f"; Max-Age={max_age}; Path=/admin; HttpOnly; SameSite=Strict"
    return f"{name}={value}{flags}{'; Secure' if secure else ''}"


def cleared_cookie(name: str, *, secure: bool) -> str:
    """The Set-Cookie value that removes the sign-in cookie."""
    return session_cookie(name, "", secure=secure, max_age=0)


def send(reply: Reply, start_response: StartResponse, nonce: str) -> list[bytes]:
    """Hand a reply to the WSGI server with the headers every admin reply carries."""
    body = reply.html.encode("utf-8")
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *page_headers(nonce),
    ]
    if reply.location is not None:
        headers.append(("Location", reply.location))
    headers.extend(("Set-Cookie", cookie) for cookie in reply.cookies)
    start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", headers)
    return [body]
