"""What reaches the SOAP stack: allowed methods, a body size cap, the client address."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_CHUNK = 64 * 1024


def _reply(
    start_response: StartResponse, status: str, message: str, *extra: tuple[str, str]
) -> list[bytes]:
    body = (message + "\n").encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *extra,
    ]
    start_response(status, headers)
    return [body]


def guard_soap(app: WsgiApp, *, max_body_bytes: int) -> WsgiApp:
    """Wrap the SOAP application: refuse what it should never have to parse."""

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            if environ.get("QUERY_STRING", "").lower() not in ("wsdl", "wsdl="):
                return _reply(
                    start_response,
                    "405 Method Not Allowed",
                    "POST SOAP requests here; GET ?wsdl for the service description",
                    ("Allow", "GET, POST"),
                )
            return app(environ, start_response)
        if method != "POST":
            return _reply(
                start_response,
                "405 Method Not Allowed",
                "only POST is accepted",
                ("Allow", "GET, POST"),
            )
        length_header = environ.get("CONTENT_LENGTH") or ""
        if length_header:
            try:
                length = int(length_header)
            except ValueError:
                return _reply(start_response, "400 Bad Request", "invalid Content-Length")
            if length > max_body_bytes:
                # Refused before reading: the body never reaches memory.
                return _reply(
                    start_response,
                    "413 Content Too Large",
                    f"request body over {max_body_bytes} bytes",
                )
        else:
            # No length (chunked): read up to the cap, and no further.
            stream = environ["wsgi.input"]
            data = bytearray()
            while len(data) <= max_body_bytes:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                data.extend(chunk)
            if len(data) > max_body_bytes:
                return _reply(
                    start_response,
                    "413 Content Too Large",
                    f"request body over {max_body_bytes} bytes",
                )
            environ["wsgi.input"] = io.BytesIO(bytes(data))
            environ["CONTENT_LENGTH"] = str(len(data))
        return app(environ, start_response)

    return handle
