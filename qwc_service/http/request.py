"""One request as the applications here read it, over the WSGI environ.

The body is read at most once, and never past a cap: the JSON API parses it as JSON, the
admin pages as a form.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import parse_qs

from qwc_service.http.errors import HttpError, invalid

__all__ = ["Request"]

_CHUNK = 64 * 1024
# Browsers send a few kilobytes of cookies at most; a longer header is read as none.
_MAX_COOKIE_HEADER = 8 * 1024


class Request:
    """Method, path, query, headers, cookies and a bounded body of one WSGI request.

    ``path`` is PATH_INFO as the server decoded it (percent-escapes already undone).
    """

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method = str(environ.get("REQUEST_METHOD") or "GET").upper()
        self.path = str(environ.get("PATH_INFO") or "/")
        self.query_string = str(environ.get("QUERY_STRING") or "")
        self._body: bytes | None = None

    @cached_property
    def query(self) -> dict[str, list[str]]:
        """Every query parameter with all its values, blank ones kept."""
        return parse_qs(self.query_string, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """A request header by its HTTP name, or None."""
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            value = self.environ.get(key)
        else:
            value = self.environ.get(f"HTTP_{key}")
        return None if value is None else str(value)

    def media_type(self) -> str:
        """The Content-Type without parameters, lower case ('' when absent)."""
        return (self.header("Content-Type") or "").split(";", 1)[0].strip().lower()

    def charset(self) -> str | None:
        """The charset parameter of the Content-Type, lower case, if any."""
        for part in (self.header("Content-Type") or "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return None

    def cookie(self, name: str) -> str | None:
        """The value of one cookie, or None (a malformed Cookie header reads as no cookies)."""
        header = self.header("Cookie") or ""
        if len(header) > _MAX_COOKIE_HEADER:
            return None
        for part in header.split(";"):
            key, sep, value = part.strip().partition("=")
            if sep and key == name:
                return value.strip().strip('"') or None
        return None

    def read_body(self, max_bytes: int) -> bytes:
        """The body, at most ``max_bytes``; 413 for more, 400 for a broken length.

        A declared length over the cap is refused before anything is read; a body without
        a length (chunked) is read up to the cap and no further. The stream can be read
        only once, so later calls return what the first one read.
        """
        if self._body is None:
            self._body = self._read_body(max_bytes)
        return self._body

    def _read_body(self, max_bytes: int) -> bytes:
        stream = self.environ.get("wsgi.input")
        declared = self.header("Content-Length")
        if declared is not None and declared.strip() != "":
            try:
                length = int(declared)
            except ValueError:
                raise invalid("Content-Length", "Content-Length is not a number") from None
            if length < 0:
                raise invalid("Content-Length", "Content-Length is negative")
            if length > max_bytes:
                raise _too_large(max_bytes)
            return b"" if stream is None or length == 0 else _read(stream, length)
        if stream is None or not self.environ.get("wsgi.input_terminated"):
            return b""
        data = _read(stream, max_bytes + 1)
        if len(data) > max_bytes:
            raise _too_large(max_bytes)
        return data


def _too_large(max_bytes: int) -> HttpError:
    return HttpError(413, "body_too_large", f"the request body is larger than {max_bytes} bytes")


def _read(stream: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
