"""Posting hostile requests through the WSGI app and judging the answers.

A reply is *clean* when it is one of:

* HTTP 200 with a well-formed SOAP 1.1 envelope holding the operation's response element;
* HTTP 500 with a SOAP 1.1 Fault whose faultstring is one of the server's fixed messages;
* a 4xx with a short plain-text body;

and, whatever it is, carries no traceback, library or path names, or planted secrets.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy import func, select

from qwc_service.app import QwcApp
from qwc_service.db import Base, unit_of_work
from qwc_service.queue import service as queue
from qwc_service.simulator import wire
from qwc_service.soap import guard, xmlguard
from tests.factories import MachineCredentials, customer_response, enqueue, request_id_of
from tests.soap_client import SoapClient

NS = wire.NS
SOAP11 = wire.SOAP11
SOAP12 = wire.SOAP12

#: Words no reply may carry: they reveal internals (tracebacks, libraries, paths).
FORBIDDEN = (
    "traceback",
    'file "',
    "spyne",
    "lxml",
    "libxml",
    "sqlalchemy",
    "psycopg",
    "sqlite",
    "site-packages",
    ".py",
    "/work/",
    "/tmp/",
    "exception",
    "syntaxerror",
    "line 1",
)


def _fault_messages() -> frozenset[str]:
    fixed = [
        value
        for name, value in vars(xmlguard).items()
        if name.isupper() and isinstance(value, str) and value.endswith(".")
    ]
    per_parameter = [xmlguard.REPEATED, xmlguard.NOT_TEXT, xmlguard.NOT_INTEGER]
    names = {p for params in wire.PARAMETERS.values() for p, _ in params}
    formatted = [t.format(name=n, bits=32) for t in per_parameter for n in names]
    return frozenset([*fixed, *formatted, guard.CLIENT_FAULT, guard.SERVER_FAULT])


#: Every faultstring the server may send.
FAULT_MESSAGES = _fault_messages()


@dataclass(frozen=True)
class Reply:
    """One HTTP answer from the WSGI app."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The Content-Type header, "" when absent."""
        return self.headers.get("content-type", "")

    def fault(self) -> tuple[str, str] | None:
        """(faultcode without prefix, faultstring) when the body is a SOAP 1.1 Fault."""
        try:
            root = etree.fromstring(self.body, xmlguard.reply_parser())
        except etree.XMLSyntaxError:
            return None
        found = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
        if found is None:
            return None
        code = (found.findtext("faultcode") or "").rpartition(":")[2]
        return code, found.findtext("faultstring") or ""


def soap_headers(method: str = "serverVersion", **changes: str | None) -> dict[str, str]:
    """The Web Connector's headers for ``method``, with some replaced or (None) removed."""
    headers = wire.headers(method)
    for name, value in changes.items():
        key = name.replace("_", "-")
        headers.pop(key, None)
        if value is not None:
            headers[key] = value
    return headers


def environ(
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    method: str = "POST",
    path: str = "/qbwc",
    stream: Any = None,
    content_length: str | None = "auto",
    remote_addr: str = "127.0.0.1",
) -> dict[str, Any]:
    """A WSGI environ as a server builds it; ``content_length=None`` means a chunked body."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": remote_addr,
        "HTTP_HOST": "localhost",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": stream if stream is not None else io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_length == "auto":
        env["CONTENT_LENGTH"] = str(len(body))
    elif content_length is not None:
        env["CONTENT_LENGTH"] = content_length
    for name, value in (headers if headers is not None else soap_headers()).items():
        key = name.upper().replace("-", "_")
        env["CONTENT_TYPE" if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return env


def call(app: Any, env: dict[str, Any]) -> Reply:
    """Run the WSGI app once; an exception escaping it fails the test by propagating."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, headers))
        return lambda data: None

    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    assert len(started) == 1, "start_response must be called exactly once"
    status, headers = started[0]
    return Reply(int(status.split()[0]), {k.lower(): v for k, v in headers}, body)


def post(
    app: Any,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    **options: Any,
) -> Reply:
    """POST ``body`` to /qbwc with the Web Connector's headers (or ``headers``)."""
    return call(app, environ(body, headers, **options))


def judge(reply: Reply, secrets: Iterable[str] = ()) -> str:
    """Assert that ``reply`` is clean; return its kind: "ok", "fault:<code>" or "http:<status>"."""
    lowered = reply.body.decode("utf-8", "replace").lower()
    for word in (*FORBIDDEN, *(s.lower() for s in secrets)):
        assert word not in lowered, f"reply reveals {word!r}: {reply.body[:300]!r}"
    if 400 <= reply.status < 500:
        assert reply.content_type.startswith("text/plain"), reply
        assert len(reply.body) < 200, reply
        return f"http:{reply.status}"
    assert reply.status in (200, 500), reply
    assert reply.content_type.split(";")[0].strip() == "text/xml", reply
    root = etree.fromstring(reply.body, xmlguard.reply_parser())
    assert root.tag == f"{{{SOAP11}}}Envelope", reply.body[:300]
    body = root.find(f"{{{SOAP11}}}Body")
    assert body is not None and len(body) == 1, reply.body[:300]
    fault = reply.fault()
    if reply.status == 500:
        assert fault is not None, reply.body[:300]
        assert fault[1] in FAULT_MESSAGES, f"unexpected faultstring {fault[1]!r}"
        return f"fault:{fault[0]}"
    assert fault is None and body[0].tag.startswith(f"{{{NS}}}"), reply.body[:300]
    assert body[0].tag.endswith("Response"), reply.body[:300]
    return "ok"


def row_counts(app: QwcApp) -> dict[str, int]:
    """How many rows every table holds."""
    with app.engine.connect() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


@dataclass
class Tally:
    """What a test sent and what came back, for its one-line report."""

    what: str
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str) -> None:
        """Count one clean answer of ``kind``."""
        self.kinds[kind] += 1

    @property
    def sent(self) -> int:
        """How many requests were judged."""
        return sum(self.kinds.values())

    def report(self, stored: int, healthy: bool = True) -> str:
        """The line a test prints: what it tried and what it found."""
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.kinds.items()))
        health = "server healthy" if healthy else "server NOT checked"
        return (
            f"sent {self.sent} {self.what}: {self.sent} answered cleanly ({kinds}), "
            f"{stored} stored, {health}"
        )


@dataclass
class Target:
    """The app under attack, a machine of a connection, and the row counts before the attack."""

    app: QwcApp
    machine: MachineCredentials
    before: dict[str, int]

    def post(self, body: bytes, headers: Mapping[str, str] | None = None, **options: Any) -> Reply:
        """POST to this target's /qbwc."""
        return post(self.app, body, headers, **options)

    def stored(self, allowed: Iterable[str] = ()) -> int:
        """Rows added since setup, outside the ``allowed`` tables."""
        after = row_counts(self.app)
        skip = set(allowed)
        return sum(after[t] - self.before[t] for t in after if t not in skip)

    def assert_healthy(self) -> None:
        """A complete normal session: queued jobs (and a new one) go out, come back, are done."""
        job_id = enqueue(self.app, self.machine.connection_id)
        client = SoapClient(self.app)
        assert client.call("serverVersion").startswith("qwc-service ")
        ticket, status = client.authenticate(self.machine.username, self.machine.password)[:2]
        assert status == "", status
        progress = 0
        while progress < 100:
            request = client.send_request(ticket)
            assert request, "the session ran out of work before its job"
            progress = client.receive_response(ticket, customer_response(request_id_of(request)))
            assert progress >= 0
        assert client.call("closeConnection", ticket)
        with unit_of_work(self.app.session_factory) as db:
            assert queue.get_job(db, self.machine.connection_id, job_id).status == "done"


@dataclass(frozen=True)
class Case:
    """One bad request and the clean answer it must get ("ok", "fault:<code>", "http:<n>").

    Without ``headers`` it is posted with the Web Connector's headers for ``method``.
    """

    label: str
    body: bytes
    expect: str
    message: str | None = None
    headers: Mapping[str, str] | None = None
    method: str = "getLastError"


def run_corpus(target: Target, cases: Iterable[Case], what: str) -> Tally:
    """Send every case, judge every answer, check nothing was stored and the server works."""
    tally = Tally(what)
    for case in cases:
        headers = case.headers if case.headers is not None else soap_headers(case.method)
        reply = target.post(case.body, headers)
        kind = judge(reply)
        assert kind == case.expect, f"{case.label}: wanted {case.expect}, got {reply!r}"
        if case.message is not None:
            fault = reply.fault()
            assert fault is not None and fault[1] == case.message, f"{case.label}: {fault}"
        tally.add(kind)
    stored = target.stored()
    assert stored == 0, f"{what}: {stored} rows stored"
    target.assert_healthy()
    print(tally.report(stored))
    return tally
