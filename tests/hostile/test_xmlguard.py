"""The guard's parts on their own: byte screen, reading a call, the rebuilt envelope, faults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.simulator import wire
from qwc_service.soap import guard, xmlguard
from qwc_service.soap.service import ServerError
from qwc_service.soap.xmlguard import Contract, EnvelopeRefused, Operation
from tests.hostile.harness import NS, SOAP11, call, environ, judge

CONTRACT = Contract(
    NS,
    {
        "getLastError": Operation("getLastError", ("ticket",)),
        "sendRequestXML": Operation(
            "sendRequestXML", ("ticket", "qbXMLMajorVers"), {"qbXMLMajorVers": 32}
        ),
    },
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", xmlguard.EMPTY_BODY),
        (b"\xff\xfe<\x00a\x00/\x00>\x00", xmlguard.NOT_UTF8),
        (b"<a>\x00</a>", xmlguard.NOT_UTF8),
        (b"<?xml version='1.0' encoding='latin-1'?><a/>", xmlguard.NOT_UTF8),
        (b"<!DOCTYPE a><a/>", xmlguard.DECLARATIONS),
        (b"<a><!ENTITY x 'y'></a>", xmlguard.DECLARATIONS),
        (b"<!-- <!DOCTYPE a> --><a/>", xmlguard.DECLARATIONS),
        (b"<a " + b" ".join(b'x%d=""' % i for i in range(64)) + b"/>", xmlguard.TOO_MANY),
    ],
)
def test_screen_refuses_without_parsing(body: bytes, message: str) -> None:
    """The byte screen refuses encodings, declarations and crowded tags by itself."""
    with pytest.raises(EnvelopeRefused) as refused:
        xmlguard.screen_bytes(body)
    assert refused.value.message == message and refused.value.faultcode == "Client"


def test_screen_lets_ordinary_markup_through() -> None:
    """Comments, CDATA, 63 attributes and escaped DOCTYPE text are not refused by the screen."""
    attributes = b" ".join(b'x%d=""' % i for i in range(63))
    for body in (
        b"<!-- note --><a><![CDATA[x]]></a>",
        b"<a " + attributes + b"/>",
        b"<a>&lt;!DOCTYPE a&gt;</a>",
        wire.envelope("getLastError", [("ticket", "t")]),
    ):
        xmlguard.screen_bytes(body)


def test_read_call_keeps_text_exactly_and_orders_parameters() -> None:
    """Parameter text survives intact (markup characters, spaces, CR/LF) and in WSDL order."""
    text = " <QBXML a=\"1\"> & 'x' \r\n\t🧾 "
    body = (
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><sendRequestXML xmlns="{NS}">'
        f"<qbXMLMajorVers> 13 </qbXMLMajorVers><ticket>{wire.escape_text(text)}</ticket>"
        f"</sendRequestXML></s:Body></s:Envelope>"
    ).encode()
    parsed = xmlguard.read_call(body, CONTRACT)
    assert parsed.arguments == {"ticket": text.replace("\r\n", "\n"), "qbXMLMajorVers": "13"}
    rebuilt = etree.fromstring(xmlguard.canonical_envelope(parsed, NS))
    values = [(etree.QName(e).localname, e.text) for e in rebuilt[0][0]]
    assert values == [("ticket", text.replace("\r\n", "\n")), ("qbXMLMajorVers", "13")]


def test_canonical_envelope_leaves_out_nil_parameters_and_everything_else() -> None:
    """Only the Envelope, Body, wrapper and non-nil parameters remain; no attributes, no header."""
    body = (
        f'<s:Envelope xmlns:s="{SOAP11}" xmlns:i="{wire.XSI}" s:encodingStyle="x">'
        f'<s:Header><h xmlns="urn:h">x</h></s:Header><s:Body id="b"><getLastError xmlns="{NS}" '
        f'a="1"><!-- c --><ticket i:nil="true"/><other>o</other></getLastError></s:Body>'
        "</s:Envelope>"
    ).encode()
    rebuilt = xmlguard.canonical_envelope(xmlguard.read_call(body, CONTRACT), NS)
    assert rebuilt.endswith(
        f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><getLastError xmlns="{NS}"/>'
        "</soap:Body></soap:Envelope>".encode()
    )


def test_contract_is_read_from_the_soap_application(app: QwcApp) -> None:
    """Every operation of the WSDL, in its namespace, with the two int parameters as 32 bits."""
    soap = guard.contract_of(_soap_app(app))
    assert soap.namespace == NS
    assert set(soap.operations) == set(wire.PARAMETERS)
    for name, operation in soap.operations.items():
        assert operation.parameters == tuple(p for p, _ in wire.PARAMETERS[name])
    assert soap.operations["sendRequestXML"].integer_bits == {
        "qbXMLMajorVers": 32,
        "qbXMLMinorVers": 32,
    }


def test_soap_stack_reads_huge_text_nodes_without_entities(app: QwcApp) -> None:
    """Behind the guard, the SOAP stack's own parser still lifts the 10 MB limit, safely."""
    options = _soap_app(app).app.in_protocol.parser_kwargs
    assert options["huge_tree"] is True
    assert options["resolve_entities"] is False and options["load_dtd"] is False
    assert options["no_network"] is True


def _soap_app(app: QwcApp) -> Any:
    from qwc_service.soap.application import build_soap_app

    return build_soap_app(app.exchange, app.settings.soap_url)


def test_soap_action_forms() -> None:
    """Absent, empty, quoted, bare and namespaced actions fit; others do not."""
    fits = [None, "", '""', " ", "getLastError", f'"{NS}getLastError"', f"{NS}getLastError"]
    assert all(CONTRACT.accepts_soap_action(a, "getLastError") for a in fits)
    misfits = ["closeConnection", f'"{NS}closeConnection"', "urn:getLastError", "GETLASTERROR"]
    assert not any(CONTRACT.accepts_soap_action(a, "getLastError") for a in misfits)


def test_server_fault_text_matches_the_services_own() -> None:
    """The guard's Server fault says exactly what the service's ServerError says."""
    assert ServerError().faultstring == guard.SERVER_FAULT


def _failing_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    raise RuntimeError("/srv/secret/path.py exploded")


def _silent_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    return [b"no start_response"]


def _leaky_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    body = guard.fault_envelope("Client.Oops", "lxml: /usr/lib/python3/site-packages/x.py")
    start_response("500 Internal Server Error", [("Content-Type", "text/xml")])
    return [body]


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        (_failing_app, ("Server", guard.SERVER_FAULT)),
        (_silent_app, ("Server", guard.SERVER_FAULT)),
        (_leaky_app, ("Client", guard.CLIENT_FAULT)),
    ],
)
def test_soap_stack_failures_become_fixed_faults(inner: Any, expected: tuple[str, str]) -> None:
    """An exception, a missing response or a revealing fault from inside becomes a fixed fault."""
    wrapped = guard.guard_soap(inner, max_body_bytes=1 << 20, contract=CONTRACT)
    body = wire.envelope("getLastError", [("ticket", "t")])
    reply = call(wrapped, environ(body, wire.headers("getLastError")))
    assert judge(reply) == f"fault:{expected[0]}" and reply.fault() == expected
