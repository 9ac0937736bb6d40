"""The body cap and hostile bodies over real HTTP, against gunicorn, with raw sockets."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.serving import ServerProcess
from qwc_service.simulator import wire
from qwc_service.simulator.transport import HttpClientTransport
from tests.factories import (
    customer_response,
    enqueue,
    make_connection,
    make_machine,
    request_id_of,
)
from tests.hostile.harness import Reply, judge, row_counts
from tests.soap_client import SoapClient

pytestmark = pytest.mark.gunicorn

CAP = 256 * 1024
CHUNK = 16 * 1024


@pytest.fixture
def capped_server(settings: Settings, tmp_path: Path) -> Iterator[ServerProcess]:
    """gunicorn with one worker and a 256 KB body cap."""
    process = ServerProcess(
        settings.with_overrides(max_body_bytes=CAP), workers=1, log_path=tmp_path / "gunicorn.log"
    )
    with process:
        yield process


@pytest.fixture
def capped_app(capped_server: ServerProcess) -> Iterator[QwcApp]:
    """The composition root on the capped server's settings, for data and row counts."""
    application = create_app(capped_server.settings)
    yield application
    application.engine.dispose()


def _head(headers: dict[str, str]) -> bytes:
    """The request line and headers of a POST to /qbwc, without a body."""
    lines = ["POST /qbwc HTTP/1.1", "Host: localhost", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_reply(sock: socket.socket) -> Reply:
    """Read one HTTP response (headers and a Content-Length body) from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a full reply: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the reply body"
        body += chunk
    return Reply(int(status_line.split()[1]), headers, body[:length])


def _assert_healthy(server: ServerProcess, app: QwcApp) -> None:
    """A whole normal session over HTTP on the same server."""
    machine = make_machine(app, make_connection(app, name="After the attack"))
    job_id = enqueue(app, machine.connection_id)
    client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
    assert client.call("serverVersion").startswith("qwc-service ")
    ticket = client.authenticate(machine.username, machine.password)[0]
    request = client.send_request(ticket)
    assert request_id_of(request) == f"{job_id}-1"
    assert client.receive_response(ticket, customer_response(request_id_of(request))) == 100
    assert client.call("closeConnection", ticket)


def test_declared_length_over_the_cap_gets_413_before_the_body_is_sent(
    capped_server: ServerProcess, capped_app: QwcApp
) -> None:
    """gunicorn answers 413 to the headers alone: the client never sends a byte of the body."""
    before = row_counts(capped_app)
    statuses = []
    for declared in (CAP + 1, 100 * CAP, 2**40):
        headers = {**wire.headers("serverVersion"), "Content-Length": str(declared)}
        with socket.create_connection(("127.0.0.1", capped_server.port), timeout=20) as sock:
            sock.sendall(_head(headers))
            reply = _read_reply(sock)  # nothing of the body has been sent
        statuses.append(reply.status)
        assert judge(reply) == "http:413"
    assert row_counts(capped_app) == before
    _assert_healthy(capped_server, capped_app)
    print(
        f"declared {len(statuses)} bodies over the {CAP}-byte cap and sent none of them: "
        f"statuses {statuses}; 0 stored, server healthy"
    )


def test_chunked_body_over_the_cap_is_cut_off(
    capped_server: ServerProcess, capped_app: QwcApp
) -> None:
    """A chunked body is refused once it passes the cap; the reply arrives before it ends."""
    before = row_counts(capped_app)
    headers = {**wire.headers("serverVersion"), "Transfer-Encoding": "chunked"}
    sent = 0
    with socket.create_connection(("127.0.0.1", capped_server.port), timeout=20) as sock:
        sock.sendall(_head(headers))
        payload = b"<a>" * (CHUNK // 3)
        frame = f"{len(payload):x}\r\n".encode() + payload + b"\r\n"
        # Keep sending until the server answers, up to ten times the cap.
        while sent < 10 * CAP:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(payload)
        reply = _read_reply(sock)
    assert judge(reply) == "http:413"
    assert row_counts(capped_app) == before
    _assert_healthy(capped_server, capped_app)
    print(
        f"streamed a chunked body ({sent} bytes sent, no final chunk) at a {CAP}-byte cap: "
        f"{reply.status}; 0 stored, server healthy"
    )


def test_hostile_bodies_over_http(
    server: ServerProcess, served_app: QwcApp, tmp_path: Path
) -> None:
    """DOCTYPE, entity bombs, deep nesting, SOAP 1.2 and broken bytes, answered by gunicorn."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7c1d")
    valid = wire.envelope("clientVersion", [("strVersion", "X")])
    xxe = valid.replace(
        b"?>", f'?><!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'.encode(), 1
    )
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bodies = [
        b"",
        valid[:70],
        xxe.replace(b">X<", b">&e;<"),
        valid.replace(b"?>", f'?><!DOCTYPE x [<!ENTITY l0 "lol">{laughs}]>'.encode(), 1),
        valid.replace(b">X<", b">" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"<"),
        valid.replace(wire.SOAP11.encode(), wire.SOAP12.encode()),
        valid.replace(b">X<", b">\xff\xfe\x00<"),
    ]
    before = row_counts(served_app)
    transport = HttpClientTransport()
    kinds = []
    for body in bodies:
        reply = transport.post(f"{server.url}/qbwc", wire.headers("clientVersion"), body)
        kinds.append(
            judge(
                Reply(reply.status, {"content-type": reply.content_type}, reply.body),
                ["TOP-SECRET-7c1d"],
            )
        )
    transport.close()
    assert all(kind.startswith("fault:") for kind in kinds), kinds
    assert row_counts(served_app) == before
    _assert_healthy(server, served_app)
    print(
        f"sent {len(bodies)} hostile bodies over HTTP: {len(kinds)} answered cleanly "
        f"({', '.join(sorted(set(kinds)))}), 0 stored, server healthy"
    )
