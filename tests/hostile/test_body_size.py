"""The body cap in-process: refused before reading, chunked bodies cut off, big text still fine."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from qwc_service.app import QwcApp, create_app
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.simulator import wire
from qwc_service.soap import xmlguard
from tests.factories import customer_response, enqueue, request_id_of
from tests.hostile.harness import Tally, Target, call, environ, judge, soap_headers
from tests.soap_client import SoapClient

CAP = 64 * 1024


class CountingStream(io.RawIOBase):
    """An endless request body that counts what the server reads of it."""

    def __init__(self, pattern: bytes = b"<a>") -> None:
        self.pattern = pattern
        self.read_bytes = 0
        self.calls = 0

    def readable(self) -> bool:
        """It is an input stream."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Any number of bytes (a bounded amount when ``size`` is -1)."""
        self.calls += 1
        size = 1 << 20 if size is None or size < 0 else size
        data = (self.pattern * (size // len(self.pattern) + 1))[:size]
        self.read_bytes += len(data)
        return data


@contextmanager
def capped(target: Target, cap: int = CAP) -> Iterator[QwcApp]:
    """The same server and database with a smaller body cap."""
    app = create_app(target.app.settings.with_overrides(max_body_bytes=cap))
    try:
        yield app
    finally:
        app.engine.dispose()


def test_declared_length_over_the_cap_is_refused_unread(target: Target) -> None:
    """Content-Length over the cap gets 413 and the body is never read; at the cap it is read."""
    tally = Tally("bodies declared over the cap")
    with capped(target) as app:
        for declared in (CAP + 1, 10 * CAP, 2**40, 10**30):
            stream = CountingStream()
            reply = call(app, environ(stream=stream, content_length=str(declared)))
            tally.add(judge(reply))
            assert reply.status == 413 and stream.calls == 0
        padding = b" " * (CAP - len(wire.envelope("serverVersion", [])))
        exact = wire.envelope("serverVersion", []) + padding
        assert len(exact) == CAP
        assert judge(call(app, environ(exact, soap_headers()))) == "ok"
        over = exact + b" "
        assert judge(call(app, environ(over, soap_headers()))) == "http:413"
        tally.add("http:413")
    assert target.stored() == 0
    target.assert_healthy()
    print(tally.report(0) + "; none of the declared bodies was read, one at the cap was served")


def test_chunked_bodies_are_cut_off_at_the_cap(target: Target) -> None:
    """Without Content-Length the body is read to the cap and no further, then refused."""
    tally = Tally("endless chunked bodies")
    with capped(target) as app:
        for pattern in (b"<a>", b"x", b"<!DOCTYPE "):
            stream = CountingStream(pattern)
            reply = call(app, environ(stream=stream, content_length=None))
            tally.add(judge(reply))
            assert reply.status == 413
            assert stream.read_bytes <= CAP + 1, stream.read_bytes
        small = wire.envelope("serverVersion", [])
        assert judge(call(app, environ(small, content_length=None))) == "ok"
    assert target.stored() == 0
    target.assert_healthy()
    print(tally.report(0) + f"; each read stopped at the cap of {CAP} bytes")


def test_truncated_and_padded_bodies(target: Target) -> None:
    """A body shorter than its Content-Length is malformed; extra bytes past it are not read."""
    body = wire.envelope("getLastError", [("ticket", "x")])
    headers = soap_headers("getLastError")
    short = call(target.app, environ(body[:100], headers, content_length=str(len(body))))
    assert judge(short) == "fault:Client" and short.fault() == ("Client", xmlguard.MALFORMED)
    stream = io.BytesIO(body + b"<trailing garbage that must not be read")
    padded = call(
        target.app, environ(headers=headers, stream=stream, content_length=str(len(body)))
    )
    assert judge(padded) == "ok"
    assert target.stored() == 0
    target.assert_healthy()
    print(
        "sent 1 truncated and 1 over-long body: truncated -> Client fault, over-long read only "
        "to its Content-Length -> answered; 0 stored, server healthy"
    )


def test_text_node_over_10_mb_inside_the_cap_is_stored(target: Target) -> None:
    """A receiveResponseXML carrying a 12 MB memo completes its job with the memo intact."""
    memo = ("Zoë's memo, line of text. " * 500_000)[: 12 * 1024 * 1024]
    job_id = enqueue(target.app, target.machine.connection_id)
    client = SoapClient(target.app)
    ticket = client.authenticate(target.machine.username, target.machine.password)[0]
    request_id = request_id_of(client.send_request(ticket))
    response = customer_response(request_id).replace(
        "<Name>Ann</Name>", f"<Name>Ann</Name><Notes>{memo}</Notes>"
    )
    body = wire.envelope(
        "receiveResponseXML",
        [("ticket", ticket), ("response", response), ("hresult", ""), ("message", "")],
    )
    assert len(body) > 12 * 1024 * 1024
    reply = call(target.app, environ(body, soap_headers("receiveResponseXML")))
    assert judge(reply) == "ok"
    assert (
        wire.parse_reply("receiveResponseXML", reply.status, reply.content_type, reply.body) == 100
    )
    with unit_of_work(target.app.session_factory) as db:
        job = queue.get_job(db, target.machine.connection_id, job_id)
        assert job.status == "done" and job.response is not None and memo in job.response
    with capped(target, 1024 * 1024) as small:
        refused = call(small, environ(body, soap_headers("receiveResponseXML")))
        assert judge(refused) == "http:413"
    target.assert_healthy()
    print(
        f"a {len(body) / 2**20:.1f} MB receiveResponseXML with a 12 MB memo: accepted and "
        "stored intact; with a 1 MB cap: 413; server healthy"
    )
