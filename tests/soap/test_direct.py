"""The calls of an idle poll answered without the SOAP stack: the same bytes as through it,
the same shape as replies the Web Connector is known to accept."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from qwc_service.app import QwcApp
from qwc_service.connections.lifecycle import update_connection
from qwc_service.db import unit_of_work
from qwc_service.qbwc.exchange import WebConnectorExchange
from qwc_service.qbwc.kinds import build_handlers
from qwc_service.simulator import wire
from qwc_service.simulator.transport import WsgiTransport
from qwc_service.soap.application import build_soap_app
from qwc_service.soap.direct import ANSWERS, direct_answers
from qwc_service.soap.guard import guard_soap
from tests.factories import customer_query, enqueue, make_connection, make_machine
from tests.soap_client import SoapClient

_TICKET = re.compile(rb"(<tns:authenticateResult><tns:string>)[^<]*(</tns:string>)")


def _through_the_stack(exchange: WebConnectorExchange) -> SoapClient:
    """The endpoint as it was before: every call answered by Spyne."""
    spyne = build_soap_app(exchange, exchange.settings.soap_url)
    return SoapClient(WsgiTransport(guard_soap(spyne, max_body_bytes=1 << 20)))


def _same_bytes(app: QwcApp, calls: list[tuple[str, tuple[Any, ...]]]) -> None:
    direct, stack = SoapClient(app), _through_the_stack(app.exchange)
    for method, values in calls:
        names = [method, *map(str, values)]
        replies = []
        for client in (direct, stack):
            params = list(zip([n for n, _ in wire.PARAMETERS[method]], values, strict=True))
            reply = client.transport.post(
                client.url, wire.headers(method), wire.envelope(method, params)
            )
            # Tickets are random: everything else must match byte for byte.
            replies.append((reply.status, reply.content_type, _TICKET.sub(rb"\1T\2", reply.body)))
        assert replies[0] == replies[1], names


def test_direct_answers_match_the_soap_stack(app: QwcApp) -> None:
    """serverVersion, clientVersion, authenticate (every answer) and closeConnection."""
    connection_id = make_connection(app, company_file=r"C:\Books\Smith & Sons <Ltd>.QBW")
    machine = make_machine(app, connection_id)
    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("serverVersion", ()),
        ("clientVersion", ("2.3.0.215",)),
        ("clientVersion", ("1.0.0.0",)),
        ("clientVersion", (None,)),
        ("clientVersion", ("",)),
        ("authenticate", (machine.username, "wrong & <wrong>")),
        ("authenticate", (None, None)),
        ("authenticate", (machine.username, machine.password)),
        ("closeConnection", ("~no-session",)),
        ("closeConnection", ("unknown",)),
        ("closeConnection", (None,)),
    ]
    _same_bytes(app, calls)
    with unit_of_work(app.session_factory) as db:
        update_connection(db, connection_id, min_poll_seconds=600)
    _same_bytes(app, [("authenticate", (machine.username, machine.password))])
    enqueue(app, connection_id)
    # A session with work: the company file path, escaped; the first one is superseded.
    _same_bytes(
        app,
        [
            ("authenticate", (machine.username, machine.password)),
            ("authenticate", (machine.username, machine.password)),
        ],
    )


def test_session_calls_match_the_soap_stack(app: QwcApp) -> None:
    """sendRequestXML, receiveResponseXML, connectionError, getLastError and the interactive
    calls: the same bytes on both paths, for a live session and for tickets it does not know."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("sendRequestXML", ("unknown", "", "", "US", 13, 0)),
        ("sendRequestXML", (None, None, None, None, 0, 0)),
        ("receiveResponseXML", ("unknown", "<QBXML/>", "", "")),
        ("receiveResponseXML", ("~no-session", None, "0x80040400", "x & <y>")),
        ("connectionError", ("unknown", "0x80040408", "Could not start QuickBooks.")),
        ("getLastError", ("unknown",)),
        ("getLastError", ("~no-session",)),
        ("getInteractiveURL", ("t", "s")),
        ("interactiveDone", ("t",)),
        ("isInteractiveDone", ("t",)),
        ("interactiveRejected", ("t", "no")),
    ]
    _same_bytes(app, calls)
    # A live session on each path, in the same state: the same calls, the same replies.
    sequence = [
        ("sendRequestXML", ("", "", "US", 13, 0)),
        ("receiveResponseXML", ("not qbXML", "", "")),
        ("connectionError", ("0x80040408", "Could not start QuickBooks.")),
        ("connectionError", ("0x80040408", "Could not start QuickBooks.")),
        ("getLastError", ()),
        ("closeConnection", ()),
    ]
    replies = []
    for client in (SoapClient(app), _through_the_stack(app.exchange)):
        machine = make_machine(app, make_connection(app))
        enqueue(app, machine.connection_id, customer_query())
        ticket = client.authenticate(machine.username, machine.password)[0]
        bodies = []
        for method, values in sequence:
            params = list(
                zip([n for n, _ in wire.PARAMETERS[method]], (ticket, *values), strict=True)
            )
            reply = client.transport.post(
                client.url, wire.headers(method), wire.envelope(method, params)
            )
            # Request ids carry the job's number, which differs between the two connections.
            bodies.append((reply.status, re.sub(rb"requestID=\"[0-9-]+\"", b"ID", reply.body)))
        replies.append(bodies)
    assert replies[0] == replies[1]


def _broken(app: QwcApp) -> WebConnectorExchange:
    def no_database() -> Session:
        raise RuntimeError("the database is gone")

    return WebConnectorExchange(app.settings, no_database, build_handlers(), app.hashing)  # type: ignore[arg-type]


def test_a_failure_is_the_same_bare_fault_on_both_paths(app: QwcApp) -> None:
    """An exchange that raises gives the same Server fault whichever path answers."""
    exchange = _broken(app)
    spyne = build_soap_app(exchange, app.settings.soap_url)
    direct = SoapClient(
        WsgiTransport(guard_soap(spyne, max_body_bytes=1 << 20, direct=direct_answers(exchange)))
    )
    stack = _through_the_stack(exchange)
    for client in (direct, stack):
        reply = client.raw(
            b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap='
            b'"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><authenticate xmlns='
            b'"http://developer.intuit.com/"><strUserName>u</strUserName><strPassword>p'
            b"</strPassword></authenticate></soap:Body></soap:Envelope>",
            {"Content-Type": "text/xml; charset=utf-8"},
        )
        assert reply.status == 500
        assert b"The server could not process this call." in reply.body
        assert b"database is gone" not in reply.body


def _shape(body: bytes) -> list[tuple[str, int]]:
    """Every element's namespace-qualified name and depth; text and prefixes left out."""
    root = etree.fromstring(body.strip())

    def walk(element: Any, depth: int) -> Iterator[tuple[str, int]]:
        yield element.tag, depth
        for child in element:
            if isinstance(child.tag, str):
                yield from walk(child, depth + 1)

    return list(walk(root, 0))


@pytest.mark.parametrize(
    ("capture_name", "method", "values"),
    [
        ("serverVersion-response-RENDERED-consolibyte-builtin.xml", "serverVersion", ()),
        ("clientVersion-response-RENDERED-consolibyte-builtin.xml", "clientVersion", ("2.3",)),
        ("authenticate-response-RENDERED-consolibyte-builtin-2.xml", "authenticate", ("u", "p")),
        ("closeConnection-response-RENDERED-consolibyte-builtin.xml", "closeConnection", ("t",)),
    ],
)
def test_direct_answers_have_the_shape_the_web_connector_accepts(
    app: QwcApp,
    capture: Callable[[str], bytes],
    capture_name: str,
    method: str,
    values: tuple[str, ...],
) -> None:
    """Element names and namespaces as in replies the real Web Connector takes."""
    assert method in ANSWERS
    ours = SoapClient(app)
    params = list(zip([n for n, _ in wire.PARAMETERS[method]], values, strict=True))
    reply = ours.transport.post(ours.url, wire.headers(method), wire.envelope(method, params))
    assert reply.status == 200 and reply.content_type.startswith("text/xml")
    assert _shape(reply.body) == _shape(capture(capture_name))


def test_every_operation_of_the_service_is_answered_directly(app: QwcApp) -> None:
    """The SOAP service declares the operations; each has a direct answer, and no other."""
    from qwc_service.soap.guard import contract_of

    spyne = build_soap_app(app.exchange, app.settings.soap_url)
    operations = set(contract_of(spyne).operations)
    assert len(operations) == 12 and set(ANSWERS) == operations
