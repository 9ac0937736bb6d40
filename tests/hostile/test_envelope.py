"""Headers, envelopes and parameters that do not fit the contract: clean answers, nothing stored."""

from __future__ import annotations

from lxml import etree

from qwc_service.simulator import wire
from qwc_service.soap import xmlguard
from tests.hostile.harness import (
    NS,
    SOAP11,
    SOAP12,
    Case,
    Target,
    call,
    environ,
    judge,
    run_corpus,
    soap_headers,
)

XSI = wire.XSI
CLIENT = "fault:Client"
SERVER_VERSION = wire.envelope("serverVersion", [])


def envelope(inner: str, namespace: str = SOAP11, header: str = "") -> bytes:
    """A SOAP envelope around ``inner`` (the Body's content), with an optional Header."""
    head = f"<soap:Header>{header}</soap:Header>" if header else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{namespace}" '
        f'xmlns:xsi="{XSI}">{head}<soap:Body>{inner}</soap:Body></soap:Envelope>'
    ).encode()


def operation(method: str, inner: str = "", namespace: str = NS) -> str:
    """The wrapper element of ``method`` around ``inner``."""
    return f'<{method} xmlns="{namespace}">{inner}</{method}>'


def send_request(major: str = "13", minor: str = "0", extra: str = "") -> bytes:
    """A sendRequestXML envelope with the version elements as given (raw text)."""
    inner = (
        "<ticket>forged</ticket><strHCPResponse /><strCompanyFileName>C:\\A.QBW"
        "</strCompanyFileName><qbXMLCountry>US</qbXMLCountry>"
        f"<qbXMLMajorVers>{major}</qbXMLMajorVers><qbXMLMinorVers>{minor}</qbXMLMinorVers>{extra}"
    )
    return envelope(operation("sendRequestXML", inner))


def test_content_type_and_soap_action(target: Target) -> None:
    """Only XML media types in UTF-8 get in; a SOAPAction naming another operation is refused."""

    def headers(**changes: str | None) -> dict[str, str]:
        return soap_headers("serverVersion", **changes)

    mismatch = xmlguard.ACTION_MISMATCH
    cases = [
        Case("no Content-Type", SERVER_VERSION, "http:415", headers=headers(Content_Type=None)),
        Case("json", SERVER_VERSION, "http:415", headers=headers(Content_Type="application/json")),
        Case("text/plain", SERVER_VERSION, "http:415", headers=headers(Content_Type="text/plain")),
        Case(
            "form",
            SERVER_VERSION,
            "http:415",
            headers=headers(Content_Type="application/x-www-form-urlencoded"),
        ),
        Case(
            "latin-1 charset",
            SERVER_VERSION,
            "http:415",
            headers=headers(Content_Type="text/xml; charset=iso-8859-1"),
        ),
        Case("bare text/xml", SERVER_VERSION, "ok", headers=headers(Content_Type="text/xml")),
        Case("upper case", SERVER_VERSION, "ok", headers=headers(Content_Type="TEXT/XML")),
        Case(
            "soap+xml",
            SERVER_VERSION,
            "ok",
            headers=headers(Content_Type="application/soap+xml; charset=utf-8"),
        ),
        Case("no SOAPAction", SERVER_VERSION, "ok", headers=headers(SOAPAction=None)),
        Case("empty SOAPAction", SERVER_VERSION, "ok", headers=headers(SOAPAction='""')),
        Case("unquoted", SERVER_VERSION, "ok", headers=headers(SOAPAction=NS + "serverVersion")),
        Case("bare name", SERVER_VERSION, "ok", headers=headers(SOAPAction="serverVersion")),
        Case(
            "another operation",
            SERVER_VERSION,
            CLIENT,
            mismatch,
            headers=headers(SOAPAction=f'"{NS}authenticate"'),
        ),
        Case("garbage", SERVER_VERSION, CLIENT, mismatch, headers=headers(SOAPAction="'; DROP")),
        Case(
            "case differs",
            SERVER_VERSION,
            CLIENT,
            mismatch,
            headers=headers(SOAPAction=f'"{NS}ServerVersion"'),
        ),
    ]
    tally = run_corpus(target, cases, "requests with odd headers")
    assert tally.kinds["http:415"] == 5


def test_operation_is_chosen_by_the_body_not_the_soap_action(target: Target) -> None:
    """Without SOAPAction the Body decides; a mismatching one never reroutes the Body."""
    body = wire.envelope("getLastError", [("ticket", "x")])
    answered = call(target.app, environ(body, soap_headers("getLastError", SOAPAction=None)))
    assert judge(answered) == "ok"
    root = etree.fromstring(answered.body)
    assert root.find(f".//{{{NS}}}getLastErrorResponse") is not None
    rerouted = call(
        target.app, environ(body, soap_headers("getLastError", SOAPAction=f"{NS}closeConnection"))
    )
    assert rerouted.fault() == ("Client", xmlguard.ACTION_MISMATCH)
    assert target.stored() == 0
    target.assert_healthy()
    print(
        "SOAPAction: absent -> getLastErrorResponse; closeConnection on a getLastError body -> "
        "Client fault; 0 stored, server healthy"
    )


def test_http_methods_and_lengths(target: Target) -> None:
    """Other HTTP methods get 405 and an unreadable Content-Length 400, with plain short bodies."""
    kinds = []
    for method in ("GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"):
        kinds.append(judge(call(target.app, environ(SERVER_VERSION, method=method))))
    for length in ("abc", "-5", "1e3", "0x10"):
        kinds.append(judge(call(target.app, environ(SERVER_VERSION, content_length=length))))
    assert kinds == ["http:405"] * 6 + ["http:400"] * 4
    wsdl = call(target.app, {**environ(method="GET"), "QUERY_STRING": "wsdl"})
    assert wsdl.status == 200 and b"http://developer.intuit.com/" in wsdl.body
    assert target.stored() == 0
    target.assert_healthy()
    print(
        f"sent {len(kinds)} requests with other methods or bad lengths: {kinds.count('http:405')}"
        f" x 405, {kinds.count('http:400')} x 400, ?wsdl still served; 0 stored, server healthy"
    )


def test_envelope_shapes(target: Target) -> None:
    """SOAP 1.2 gets VersionMismatch; other shapes get a Client fault; harmless headers pass."""
    server_version = operation("serverVersion")
    must = '<x:Auth xmlns:x="urn:x" soap:mustUnderstand="1">secret</x:Auth>'
    cases = [
        Case(
            "SOAP 1.2, its own type",
            envelope(server_version, SOAP12),
            "fault:VersionMismatch",
            xmlguard.WRONG_VERSION,
            method="serverVersion",
            headers={"Content-Type": "application/soap+xml; charset=utf-8"},
        ),
        Case(
            "SOAP 1.2 as text/xml",
            envelope(server_version, SOAP12),
            "fault:VersionMismatch",
            xmlguard.WRONG_VERSION,
            method="serverVersion",
        ),
        Case(
            "other envelope namespace",
            SERVER_VERSION.replace(f'xmlns:soap="{SOAP11}"'.encode(), b'xmlns:soap="urn:nothing"'),
            "fault:VersionMismatch",
            method="serverVersion",
        ),
        Case("not an envelope", b"<serverVersion/>", CLIENT, xmlguard.NOT_ENVELOPE),
        Case(
            "no body",
            envelope("").replace(b"<soap:Body></soap:Body>", b""),
            CLIENT,
            xmlguard.NO_BODY,
        ),
        Case(
            "header only",
            envelope("", header="<x:h xmlns:x='urn:x'/>").replace(b"<soap:Body></soap:Body>", b""),
            CLIENT,
            xmlguard.NO_BODY,
        ),
        Case("empty body", envelope(""), CLIENT, xmlguard.UNKNOWN_OPERATION),
        Case(
            "two operations",
            envelope(server_version * 2),
            CLIENT,
            xmlguard.ONE_OPERATION,
            method="serverVersion",
        ),
        Case(
            "a fault",
            envelope("<soap:Fault><faultcode>x</faultcode></soap:Fault>"),
            CLIENT,
            xmlguard.UNKNOWN_OPERATION,
        ),
        Case(
            "unknown operation",
            envelope(operation("dropTables")),
            CLIENT,
            xmlguard.UNKNOWN_OPERATION,
            headers=soap_headers(SOAPAction=None),
        ),
        Case(
            "wrong namespace",
            envelope(operation("serverVersion", namespace="urn:x")),
            CLIENT,
            xmlguard.UNKNOWN_OPERATION,
            method="serverVersion",
        ),
        Case(
            "no namespace",
            envelope("<serverVersion/>"),
            CLIENT,
            xmlguard.UNKNOWN_OPERATION,
            method="serverVersion",
        ),
        Case(
            "other case",
            envelope(operation("ServerVersion")),
            CLIENT,
            xmlguard.UNKNOWN_OPERATION,
            headers=soap_headers(SOAPAction=None),
        ),
        Case(
            "mustUnderstand header",
            envelope(server_version, header=must),
            "fault:MustUnderstand",
            xmlguard.NOT_UNDERSTOOD,
            method="serverVersion",
        ),
        Case(
            "optional header",
            envelope(server_version, header=must.replace('"1"', '"0"')),
            "ok",
            method="serverVersion",
        ),
        Case(
            "text around the body",
            envelope(server_version).replace(b"<soap:Body>", b"junk<soap:Body>"),
            "ok",
            method="serverVersion",
        ),
    ]
    run_corpus(target, cases, "odd envelopes")


def test_missing_repeated_and_mistyped_parameters(target: Target) -> None:
    """Missing parameters get the protocol's answers; repeats, elements and bad ints are refused."""
    ticket = "<ticket>forged</ticket>"
    not_int = xmlguard.NOT_INTEGER.format(name="qbXMLMajorVers", bits=32)
    multiref = '<ticket href="#t"/><x id="t"><ticket href="#t"/></x>'
    cases = [
        Case("getLastError without ticket", envelope(operation("getLastError")), "ok"),
        Case(
            "sendRequestXML without any",
            envelope(operation("sendRequestXML")),
            "ok",
            method="sendRequestXML",
        ),
        Case(
            "receiveResponseXML without any",
            envelope(operation("receiveResponseXML")),
            "ok",
            method="receiveResponseXML",
        ),
        Case(
            "closeConnection without ticket",
            envelope(operation("closeConnection")),
            "ok",
            method="closeConnection",
        ),
        Case("nil ticket", envelope(operation("getLastError", '<ticket xsi:nil="true"/>')), "ok"),
        Case(
            "typed ticket",
            envelope(operation("getLastError", '<ticket xsi:type="xsd:int">1</ticket>')),
            "ok",
        ),
        Case(
            "unknown parameter",
            envelope(operation("getLastError", ticket + "<evil>1</evil>")),
            "ok",
        ),
        Case(
            "unqualified parameter",
            envelope(operation("getLastError", '<ticket xmlns="">forged</ticket>')),
            "ok",
        ),
        Case(
            "CDATA and comment",
            envelope(operation("getLastError", "<ticket><![CDATA[for]]><!-- x -->ged</ticket>")),
            "ok",
        ),
        Case("multiref", envelope(operation("getLastError", multiref)), "ok"),
        Case(
            "repeated ticket",
            envelope(operation("getLastError", ticket * 2)),
            CLIENT,
            xmlguard.REPEATED.format(name="ticket"),
        ),
        Case(
            "element in ticket",
            envelope(operation("getLastError", "<ticket><a/></ticket>")),
            CLIENT,
            xmlguard.NOT_TEXT.format(name="ticket"),
        ),
        Case(
            "repeated version",
            send_request(extra="<qbXMLMajorVers>2</qbXMLMajorVers>"),
            CLIENT,
            xmlguard.REPEATED.format(name="qbXMLMajorVers"),
            method="sendRequestXML",
        ),
        *[
            Case(
                f"version {raw!r}",
                send_request(major=raw),
                CLIENT,
                not_int,
                method="sendRequestXML",
            )
            for raw in ("abc", "1.5", "1e3", "0x10", "2147483648", "-2147483649", "9" * 40, "١٣")
        ],
        *[
            Case(f"version {raw!r}", send_request(major=raw), "ok", method="sendRequestXML")
            for raw in (
                " 13 ",
                "",
                "+13",
                "-0",
                "2147483647",
                "-999999999",
                "0013",
                "-2147483648",
                "-1000000000",
            )
        ],
    ]
    run_corpus(target, cases, "calls with odd parameters")
