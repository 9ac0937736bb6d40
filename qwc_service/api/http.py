"""Requests and responses of the JSON API: reading a WSGI environ, writing JSON replies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

JSON_TYPE = "application/json"
_CHUNK = 64 * 1024


class ApiError(Exception):
    """A failure the client is told about: an HTTP status and a stable error code.

    ``message`` is written for a person and never carries internals; ``field`` names the
    input (body field, query or path parameter) at fault, when there is one.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers

    def document(self) -> dict[str, Any]:
        """The error as the JSON body every failure has."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}


def invalid(field_name: str, message: str, code: str = "invalid_field") -> ApiError:
    """A 400 naming the input at fault."""
    return ApiError(400, code, message, field=field_name)


@dataclass(frozen=True)
class Response:
    """A complete reply: status, body and the headers beyond length and caching."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()

    def send(self, start_response: StartResponse) -> list[bytes]:
        """Hand the reply to the WSGI server."""
        phrase = HTTPStatus(self.status).phrase
        start_response(
            f"{self.status} {phrase}",
            [
                ("Content-Type", self.content_type),
                ("Content-Length", str(len(self.body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                *self.headers,
            ],
        )
        return [self.body]


def json_response(status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """``data`` as a JSON reply."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, JSON_TYPE, headers)


def error_response(error: ApiError) -> Response:
    """The JSON reply for an :class:`ApiError`."""
    return json_response(error.status, error.document(), error.headers)


@dataclass
class Request:
    """The parts of a WSGI request the API reads."""

    environ: dict[str, Any]
    method: str = field(init=False)
    path: str = field(init=False)
    query: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.method = str(self.environ.get("REQUEST_METHOD") or "GET").upper()
        self.path = str(self.environ.get("PATH_INFO") or "/")
        self.query = parse_qs(str(self.environ.get("QUERY_STRING") or ""), keep_blank_values=True)

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

    def read_body(self, max_bytes: int) -> bytes:
        """The body, at most ``max_bytes``; 413 for more, 400 for a broken length.

        A declared length over the cap is refused before anything is read; a body without
        a length (chunked) is read up to the cap and no further.
        """
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


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "body_too_large", f"the request body is larger than {max_bytes} bytes")


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
