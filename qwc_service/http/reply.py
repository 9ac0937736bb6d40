"""One complete reply, and how it is handed to the WSGI server.

Each application adds the headers all its replies carry when it sends one (the API's
``no-store``, the pages' security headers with their nonce); a reply holds only its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

__all__ = [
    "HTML_TYPE",
    "TEXT_TYPE",
    "Headers",
    "Reply",
    "StartResponse",
    "WsgiApp",
    "attachment",
    "html_reply",
    "redirect",
    "text_reply",
]

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Headers = tuple[tuple[str, str], ...]

HTML_TYPE = "text/html; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """Status, body, content type and the headers beyond type and length.

    Cookies are ``Set-Cookie`` headers like any other.
    """

    status: int
    body: bytes = b""
    content_type: str = TEXT_TYPE
    headers: Headers = ()

    def send(
        self,
        start_response: StartResponse,
        *,
        common: Iterable[tuple[str, str]] = (),
        head: bool = False,
    ) -> list[bytes]:
        """Hand the reply to the WSGI server: type, length, ``common``, then its own headers.

        With ``head`` the headers are those of the full reply and the body is left out.
        """
        start_response(
            f"{self.status} {HTTPStatus(self.status).phrase}",
            [
                ("Content-Type", self.content_type),
                ("Content-Length", str(len(self.body))),
                *common,
                *self.headers,
            ],
        )
        return [] if head else [self.body]


def html_reply(status: int, html: str, headers: Headers = ()) -> Reply:
    """An HTML page, UTF-8."""
    return Reply(status, html.encode("utf-8"), HTML_TYPE, headers)


def text_reply(status: int, text: str) -> Reply:
    """A line of plain text, UTF-8."""
    return Reply(status, (text + "\n").encode("utf-8"), TEXT_TYPE)


def redirect(location: str, *, cookies: Iterable[str] = ()) -> Reply:
    """A 303 to a path of this server (after a POST the browser GETs it), setting ``cookies``."""
    headers = (("Location", location), *(("Set-Cookie", cookie) for cookie in cookies))
    return Reply(303, b"", HTML_TYPE, headers)


# RFC 5987 attr-char: what filename* may carry without percent-encoding.
_ATTR_CHARS = "!#$&+-.^_`|~"


def _ascii_fallback(filename: str) -> str:
    """``filename`` in ASCII for clients that read only ``filename=``: accents dropped,
    anything else non-ASCII (and quote, backslash, control characters) as ``_``."""
    decomposed = unicodedata.normalize("NFKD", filename)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in plain)


def attachment(filename: str) -> tuple[str, str]:
    """The Content-Disposition header that saves a reply as ``filename`` (RFC 6266).

    A name beyond ASCII also goes in ``filename*`` as UTF-8, which browsers prefer; the
    plain ``filename`` carries an ASCII stand-in for the others.
    """
    fallback = _ascii_fallback(filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}"
    return ("Content-Disposition", value)
