"""How the simulated Web Connector reaches a server: real HTTP, or a WSGI app in-process."""

from __future__ import annotations

import http.client
import io
import ssl
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit

#: .NET's SoapHttpClientProtocol.Timeout default, in seconds.
DEFAULT_TIMEOUT = 100.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class TransportError(Exception):
    """The request never got an HTTP answer (connection refused, reset, timeout, TLS failure)."""


@dataclass(frozen=True)
class HttpReply:
    """What came back: status code, Content-Type header ("" when absent) and the body."""

    status: int
    content_type: str
    body: bytes


class HttpTransport(Protocol):
    """Sends the Web Connector's requests; one instance serves one session."""

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        """POST ``body`` to ``url`` and return the reply, or raise :class:`TransportError`."""
        ...

    def get(self, url: str) -> HttpReply:
        """GET ``url`` (the AppSupport check), or raise :class:`TransportError`."""
        ...

    def close(self) -> None:
        """Release any kept-alive connection."""
        ...


class HttpClientTransport:
    """Real HTTP/1.1 over ``http.client``, keeping one connection alive per host as .NET does."""

    def __init__(
        self, *, timeout: float = DEFAULT_TIMEOUT, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._timeout = timeout
        self._ssl_context = ssl_context
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def _connection(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        conn = self._connections.get(key)
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(
                    host, port, timeout=self._timeout, context=self._ssl_context
                )
            else:
                conn = http.client.HTTPConnection(host, port, timeout=self._timeout)
            self._connections[key] = conn
        return conn

    def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> HttpReply:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"not an http(s) URL: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (parts.scheme, parts.hostname, port)
        # A kept-alive connection the server has since closed fails on first use; retry that
        # once on a fresh connection, as .NET does, but never a request on a fresh one.
        for attempt in (1, 2):
            reused = key in self._connections and self._connections[key].sock is not None
            conn = self._connection(*key)
            try:
                conn.request(method, target, body=body, headers=dict(headers))
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self._drop(key)
                if reused and attempt == 1:
                    continue
                raise TransportError(f"{type(exc).__name__}: {exc}") from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop(key)
                raise TransportError(f"{type(exc).__name__}: {exc}") from exc
            if response.will_close:
                self._drop(key)
            return HttpReply(response.status, response.getheader("Content-Type", ""), data)
        raise AssertionError("unreachable")

    def _drop(self, key: tuple[str, str, int]) -> None:
        conn = self._connections.pop(key, None)
        if conn is not None:
            conn.close()

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        """POST over a kept-alive connection (reconnecting once if the server dropped it)."""
        return self._send("POST", url, headers, body)

    def get(self, url: str) -> HttpReply:
        """GET, as QBWC does for AppSupport when an application is added."""
        return self._send("GET", url, {}, None)

    def close(self) -> None:
        """Close every kept-alive connection."""
        for key in list(self._connections):
            self._drop(key)


class WsgiTransport:
    """Calls a WSGI application in-process with the same bytes and headers real HTTP carries."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app

    def _environ(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> dict[str, Any]:
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        host = parts.hostname or "localhost"
        port = parts.port or (443 if scheme == "https" else 80)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path or "/",
            "QUERY_STRING": parts.query,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": parts.netloc or host,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ[f"HTTP_{key}"] = value
        return environ

    def _call(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        started: list[tuple[str, list[tuple[str, str]]]] = []
        chunks: list[bytes] = []

        def start_response(
            status: str, response_headers: list[tuple[str, str]], exc_info: _ExcInfo | None = None
        ) -> Callable[[bytes], None]:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [(status, response_headers)]
            return chunks.append

        result = self._app(self._environ(method, url, headers, body), start_response)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if not started:
            raise TransportError("the WSGI application never called start_response")
        status, response_headers = started[0]
        content_type = next(
            (value for name, value in response_headers if name.lower() == "content-type"), ""
        )
        return HttpReply(int(status.split(" ", 1)[0]), content_type, b"".join(chunks))

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        """Run the app on a POST environ built from ``url``, ``headers`` and ``body``."""
        return self._call("POST", url, headers, body)

    def get(self, url: str) -> HttpReply:
        """Run the app on a GET environ for ``url``."""
        return self._call("GET", url, {}, b"")

    def close(self) -> None:
        """Nothing to release."""
