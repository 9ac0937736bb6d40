"""The admin pages' side of HTTP: forms, query filters and the sign-in cookie."""

from __future__ import annotations

from urllib.parse import parse_qs

from qwc_service.admin.context import PageError
from qwc_service.http.request import Request

__all__ = [
    "FORM_TYPE",
    "MAX_FORM_BYTES",
    "cleared_cookie",
    "query_of",
    "read_form",
    "sign_in_cookie",
]

FORM_TYPE = "application/x-www-form-urlencoded"
# The largest form here is a name and a file path; nothing legitimate comes near this.
MAX_FORM_BYTES = 64 * 1024
_MAX_FIELDS = 100


def read_form(request: Request) -> dict[str, str]:
    """The urlencoded body of a POST (first value of each field).

    413 for a body over MAX_FORM_BYTES, 415 for another media type, 400 for bad UTF-8 or
    too many fields.
    """
    raw = request.read_body(MAX_FORM_BYTES)
    if not raw:
        return {}
    if request.media_type() != FORM_TYPE:
        raise PageError(415, "the page sent something other than a form")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PageError(400, "the form is not UTF-8") from None
    fields = _first_values(text)
    if fields is None:
        raise PageError(400, "the form has too many fields")
    return fields


def query_of(request: Request) -> dict[str, str]:
    """The query's filters (first value of each); a query this long is not from these
    pages, so it reads as no filters at all."""
    return _first_values(request.query_string) or {}


def _first_values(text: str) -> dict[str, str] | None:
    try:
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:
        return None
    return {key: values[0] for key, values in parsed.items() if values}


def sign_in_cookie(name: str, value: str, *, secure: bool, max_age: int) -> str:
    """The Set-Cookie value for a sign-in: scripts cannot read it, other sites cannot send it."""
    flags = f"; Max-Age={max_age}; Path=/admin; HttpOnly; SameSite=Strict"
    return f"{name}={value}{flags}{'; Secure' if secure else ''}"


def cleared_cookie(name: str, *, secure: bool) -> str:
    """The Set-Cookie value that removes the sign-in cookie."""
    return sign_in_cookie(name, "", secure=secure, max_age=0)
