"""Tests for the simulator's HTTP transports: in-process WSGI and real keep-alive HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from qwc_service.simulator import wire
from qwc_service.simulator.transport import HttpClientTransport, TransportError, WsgiTransport


class _Body(list[bytes]):
    """A WSGI response iterable that notes whether close() was called."""

    closed = False

    def close(self) -> None:
        """Record the call."""
        self.closed = True


def test_wsgi_transport_builds_the_environ_and_reads_the_reply() -> None:
    """Method, path, query, SOAP headers and body reach the app; status, type and body come back."""
    seen: dict[str, Any] = {}
    body = _Body([b"<a/>", b"<b/>"])

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.update(environ)
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("500 Internal Server Error", [("Content-Type", "text/xml; charset=utf-8")])
        return body

    envelope = wire.envelope("getLastError", [("ticket", "t")])
    reply = WsgiTransport(app).post(
        "https://qbwc.example.com:8443/qbwc?x=1", wire.headers("getLastError"), envelope
    )
    assert (reply.status, reply.content_type, reply.body) == (
        500,
        "text/xml; charset=utf-8",
        b"<a/><b/>",
    )
    assert body.closed
    assert seen["REQUEST_METHOD"] == "POST"
    assert (seen["PATH_INFO"], seen["QUERY_STRING"]) == ("/qbwc", "x=1")
    assert (seen["SERVER_NAME"], seen["SERVER_PORT"], seen["HTTP_HOST"]) == (
        "qbwc.example.com",
        "8443",
        "qbwc.example.com:8443",
    )
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["CONTENT_TYPE"] == "text/xml; charset=utf-8"
    assert seen["HTTP_SOAPACTION"] == '"http://developer.intuit.com/getLastError"'
    assert seen["HTTP_USER_AGENT"] == wire.USER_AGENT
    assert seen["body"] == envelope


def test_wsgi_transport_get_has_no_body() -> None:
    """A GET (the AppSupport check) carries an empty body."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        assert environ["REQUEST_METHOD"] == "GET"
        assert environ["CONTENT_LENGTH"] == "0"
        start_response("202 Accepted", [])
        return [b""]

    reply = WsgiTransport(app).get("http://localhost/support")
    assert (reply.status, reply.content_type, reply.body) == (202, "", b"")


def test_wsgi_app_that_never_starts_a_response_is_a_transport_error() -> None:
    """No start_response call means no HTTP answer at all."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return []

    with pytest.raises(TransportError):
        WsgiTransport(app).post("http://localhost/qbwc", {}, b"")


class _KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 handler that notes each request's client port and can drop idle connections."""

    protocol_version = "HTTP/1.1"
    drop_after_reply = False
    ports: list[int] = []

    def do_POST(self) -> None:
        """Echo the request body back as text/xml."""
        data = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).ports.append(self.client_address[1])
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        # Closing without "Connection: close" is what an idle-timeout on the server looks like.
        self.close_connection = type(self).drop_after_reply

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


@pytest.fixture
def keepalive_server() -> Iterator[tuple[str, type[_KeepAliveHandler]]]:
    """A threaded HTTP/1.1 server on 127.0.0.1 with a fresh handler class."""
    handler = type("Handler", (_KeepAliveHandler,), {"ports": [], "drop_after_reply": False})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/qbwc", handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_http_transport_keeps_the_connection_alive(
    keepalive_server: tuple[str, type[_KeepAliveHandler]],
) -> None:
    """Consecutive calls of a session reuse one TCP connection, as .NET does."""
    url, handler = keepalive_server
    transport = HttpClientTransport(timeout=5)
    replies = [
        transport.post(url, {"Content-Type": "text/xml"}, f"<n{i}/>".encode()) for i in range(3)
    ]
    transport.close()
    assert [r.body for r in replies] == [b"<n0/>", b"<n1/>", b"<n2/>"]
    assert len(set(handler.ports)) == 1


def test_http_transport_reconnects_when_the_server_dropped_the_connection(
    keepalive_server: tuple[str, type[_KeepAliveHandler]],
) -> None:
    """A kept-alive connection the server closed is replaced and the request sent again once."""
    url, handler = keepalive_server
    handler.drop_after_reply = True
    transport = HttpClientTransport(timeout=5)
    first = transport.post(url, {"Content-Type": "text/xml"}, b"<one/>")
    second = transport.post(url, {"Content-Type": "text/xml"}, b"<two/>")
    transport.close()
    assert (first.body, second.body) == (b"<one/>", b"<two/>")
    assert len(set(handler.ports)) == 2
    assert len(handler.ports) == 2


def test_http_transport_refuses_non_http_urls() -> None:
    """Only http and https URLs with a host are sent anywhere."""
    with pytest.raises(TransportError):
        HttpClientTransport().post("ftp://example.com/qbwc", {}, b"")
