"""Tests for the simulator's SOAP wire format, against the reference captures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from qwc_service.simulator import wire
from tests.reference_files import RECONSTRUCTED_REQUESTS, SOAP_SAMPLE

#: Reads the payload of a file in captures/ by name.
Capture = Callable[[str], bytes]

TICKET = "354f40b4-b661-4472-a13f-8abf13a743c3"
QBXML_REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n<QBXML>'
    '<QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq requestID="1">'
    "<MaxReturned>10</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
)


def reply(
    body: bytes, *, status: int = 200, content_type: str = "text/xml"
) -> tuple[int, str, bytes]:
    """Arguments for parse_reply after the method name."""
    return status, content_type, body


def soap(inner: str, *, envelope_ns: str = wire.SOAP11) -> bytes:
    """A minimal reply envelope around ``inner``."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{envelope_ns}" '
        f'xmlns:xsi="{wire.XSI}"><soap:Body>{inner}</soap:Body></soap:Envelope>'
    ).encode()


def wrapper_params(body: bytes) -> tuple[str, list[wire.Param]]:
    """The method name and (name, text) parameters of a captured request envelope."""
    method_element = etree.fromstring(body)[0][0]
    params: list[wire.Param] = []
    for child in method_element:
        name = etree.QName(child).localname
        text = child.text or ""
        params.append((name, int(text) if name.startswith("qbXMLM") else text))
    return etree.QName(method_element).localname, params


# -- envelope() --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "receiveResponseXML-request-flowlink-item_inventory_query_rs_raw.xml",
        "receiveResponseXML-request-flowlink-sales_order_add_rs_raw.xml",
    ],
)
def test_envelope_reproduces_real_qbwc_capture_byte_for_byte(capture: Capture, name: str) -> None:
    """envelope() rebuilds a real QBWC receiveResponseXML body exactly from its qbXML."""
    # The fixture file ends with the newline git keeps at end of file; .NET sends none.
    captured = capture(name).removesuffix(b"\n")
    method, params = wrapper_params(captured)
    assert method == "receiveResponseXML"
    assert dict(params)["ticket"] == TICKET
    assert wire.envelope(method, params) == captured


def test_envelope_reproduces_consolibyte_test_request(qbxml_sample: Callable[[str], bytes]) -> None:
    """The QBWC-format request kept by consolibyte (double-escaped quotes) is rebuilt exactly."""
    data = qbxml_sample(SOAP_SAMPLE)
    envelope_bytes = data[data.index(b"<soap:Envelope") :].removesuffix(b"\n")
    method, params = wrapper_params(envelope_bytes)
    built = wire.envelope(method, params)
    assert built.endswith(envelope_bytes)
    assert b"&amp;quot;" in built


@pytest.mark.parametrize("name", RECONSTRUCTED_REQUESTS)
def test_envelope_matches_reconstructed_requests(capture: Capture, name: str) -> None:
    """envelope() agrees with each reconstructed request (built from the same byte pattern)."""
    expected = capture(name).removesuffix(b"\n")
    method, params = wrapper_params(expected)
    assert wire.envelope(method, params) == expected


def test_server_version_envelope_is_an_empty_wrapper() -> None:
    """serverVersion takes no parameters and is written as a self-closing wrapper."""
    body = wire.envelope("serverVersion", [])
    assert body.endswith(
        b'<soap:Body><serverVersion xmlns="http://developer.intuit.com/" /></soap:Body>'
        b"</soap:Envelope>"
    )


def test_envelope_writes_empty_strings_short_and_omits_nulls() -> None:
    """ "" becomes ``<x />`` and None leaves the element out, as XmlSerializer does."""
    body = wire.envelope(
        "receiveResponseXML",
        [("ticket", "t"), ("response", None), ("hresult", ""), ("message", "")],
    ).decode()
    assert "<ticket>t</ticket><hresult /><message /></receiveResponseXML>" in body
    assert "<response" not in body


def test_envelope_escapes_text_like_xmltextwriter() -> None:
    """&, < and > are escaped, quotes are not, CR stays raw and C0 controls become references."""
    body = wire.envelope(
        "connectionError",
        [("ticket", "t"), ("hresult", "0x1"), ("message", "a&b <c> \"d\" 'e'\r\n\x01\x1f")],
    ).decode()
    assert "<message>a&amp;b &lt;c&gt; \"d\" 'e'\r\n&#x1;&#x1F;</message>" in body


def test_envelope_writes_ints_as_decimal_text() -> None:
    """The xsd:int version parameters are written as plain numbers."""
    body = wire.envelope(
        "sendRequestXML",
        [
            ("ticket", "t"),
            ("strHCPResponse", ""),
            ("strCompanyFileName", "C:\\a.QBW"),
            ("qbXMLCountry", "US"),
            ("qbXMLMajorVers", 13),
            ("qbXMLMinorVers", 0),
        ],
    ).decode()
    assert "<qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>" in body


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("authenticate", [("strPassword", "p"), ("strUserName", "u")]),
        ("authenticate", [("strUserName", "u")]),
        ("closeConnection", [("ticket", 5)]),
        ("getLastError", [("wcTicket", "t")]),
        ("noSuchMethod", []),
    ],
)
def test_envelope_refuses_parameters_outside_the_wsdl(
    method: str, params: list[wire.Param]
) -> None:
    """Wrong order, missing or misnamed parameters, wrong types and unknown methods are refused."""
    with pytest.raises(ValueError):
        wire.envelope(method, params)


def test_envelope_refuses_a_null_int() -> None:
    """qbXMLMajorVers is a non-nullable xsd:int."""
    with pytest.raises(ValueError):
        wire.envelope(
            "sendRequestXML",
            [
                ("ticket", "t"),
                ("strHCPResponse", ""),
                ("strCompanyFileName", ""),
                ("qbXMLCountry", "US"),
                ("qbXMLMajorVers", None),
                ("qbXMLMinorVers", 0),
            ],
        )


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r")))
def test_envelope_text_round_trips_through_an_xml_parser(text: str) -> None:
    """Whatever text goes in, a server's parser reads the same text back (XML-legal chars)."""
    legal = "".join(ch for ch in text if ch in "\t\n" or (ord(ch) >= 0x20 and ord(ch) < 0xFFFE))
    root = etree.fromstring(wire.envelope("closeConnection", [("ticket", legal)]))
    ticket = root[0][0][0]
    assert (ticket.text or "") == legal


def test_headers_match_dotnet_soap_client() -> None:
    """Content-Type, quoted SOAPAction and the .NET web-services User-Agent are sent."""
    sent = wire.headers("sendRequestXML")
    assert sent["Content-Type"] == "text/xml; charset=utf-8"
    assert sent["SOAPAction"] == '"http://developer.intuit.com/sendRequestXML"'
    assert sent["User-Agent"].startswith("Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services")


# -- parse_reply(): replies QBWC accepted --------------------------------------------------------

CONSOLIBYTE_REPLIES = [
    ("serverVersion", "serverVersion-response-RENDERED-consolibyte-builtin.xml",
     "PHP QuickBooks SOAP Server v3.0 at /qbwc"),
    ("clientVersion", "clientVersion-response-RENDERED-consolibyte-builtin.xml", ""),
    ("authenticate", "authenticate-response-RENDERED-consolibyte-builtin.xml",
     ["e0b7a1c4-1f2a-4d3b-9c8d-0123456789ab", ""]),
    ("authenticate", "authenticate-response-RENDERED-consolibyte-builtin-2.xml", ["", "nvu"]),
    ("receiveResponseXML", "receiveResponseXML-response-RENDERED-consolibyte-builtin.xml", 100),
    ("connectionError", "connectionError-response-RENDERED-consolibyte-builtin.xml", "done"),
    ("getLastError", "getLastError-response-RENDERED-consolibyte-builtin.xml", "NoOp"),
    ("closeConnection", "closeConnection-response-RENDERED-consolibyte-builtin.xml", "Complete!"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "name", "expected"), CONSOLIBYTE_REPLIES)
def test_consolibyte_rendered_replies_are_accepted(
    capture: Capture, method: str, name: str, expected: object
) -> None:
    """Every reply the consolibyte server renders (prefixes, tabs, newlines) parses to its value."""
    assert wire.parse_reply(method, *reply(capture(name))) == expected


def test_consolibyte_send_request_reply_yields_the_qbxml(capture: Capture) -> None:
    """The escaped qbXML inside sendRequestXMLResult comes back as the request text."""
    body = capture("sendRequestXML-response-RENDERED-consolibyte-builtin.xml")
    result = wire.parse_reply("sendRequestXML", *reply(body, content_type="text/xml;charset=UTF-8"))
    assert isinstance(result, str)
    assert result.startswith('<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>')
    assert '<CustomerQueryRq requestID="1">' in result


FLOWLINK_REPLIES = [
    ("authenticate", "authenticate-response-flowlink-erb-template.xml", {"{result}": ""},
     [TICKET, ""]),
    ("authenticate", "authenticate-response-flowlink-erb-template.xml", {"{result}": "none"},
     [TICKET, "none"]),
    ("clientVersion", "clientVersion-response-flowlink-erb-template.xml", {"{version}": ""}, ""),
    ("closeConnection", "closeConnection-response-flowlink-erb-template.xml", {},
     "Connection closed"),
    ("sendRequestXML", "sendRequestXML-response-flowlink-erb-template.xml",
     {"{qbxml_fast_xs}": wire.escape_text(QBXML_REQUEST)}, QBXML_REQUEST),
]  # fmt: skip


@pytest.mark.parametrize(("method", "name", "values", "expected"), FLOWLINK_REPLIES)
def test_flowlink_soap11_templates_are_accepted(
    capture: Capture, method: str, name: str, values: dict[str, str], expected: object
) -> None:
    """The SOAP 1.1 reply templates QBWC accepted in production parse, placeholders filled in."""
    text = capture(name).decode()
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    assert wire.parse_reply(method, *reply(text.encode())) == expected


def test_flowlink_server_version_template_is_accepted_once_rendered(capture: Capture) -> None:
    """serverVersion's template parses once the newline its ERB block left is dropped."""
    text = capture("serverVersion-response-flowlink-erb-template.xml").decode()
    rendered = text.replace("{version}", "1.0").lstrip()
    assert wire.parse_reply("serverVersion", *reply(rendered.encode())) == "1.0"


def test_whitespace_before_the_xml_declaration_is_rejected(capture: Capture) -> None:
    """An XML declaration that is not at the very start fails, as in .NET's XmlReader."""
    text = capture("serverVersion-response-flowlink-erb-template.xml").decode()
    assert text.startswith("\n<?xml")
    with pytest.raises(wire.ProtocolViolation):
        wire.parse_reply("serverVersion", *reply(text.encode()))


# -- parse_reply(): replies QBWC rejects ---------------------------------------------------------


def test_wcf_authenticate_reply_is_rejected_with_qbwc1012(capture: Capture) -> None:
    """<string> items in WCF's Arrays namespace leave QBWC an empty array: index out of range."""
    body = capture("authenticate-response-REJECTED-by-QBWC-WCF-pastebin-LiD07kF9.xml")
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("authenticate", *reply(body))
    assert caught.value.qbwc_code == "QBWC1012"
    assert str(caught.value) == "QBWC1012: Index was outside the bounds of the array."


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("connectionError", "connectionError-response-flowlink-erb-template.xml"),
        ("getLastError", "getLastError-response-flowlink-erb-template.xml"),
        ("receiveResponseXML", "receiveResponseXML-response-flowlink-erb-template.xml"),
    ],
)
def test_soap12_envelopes_are_rejected(capture: Capture, method: str, name: str) -> None:
    """The flowlink templates in the SOAP 1.2 namespace fail with .NET's version-mismatch error."""
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply(method, *reply(capture(name)))
    assert "SOAP version mismatch" in caught.value.detail
    assert caught.value.qbwc_code == wire.QBWC_CODES[method]


def test_rpc_encoded_reply_is_rejected_for_document_style(capture: Capture) -> None:
    """An RPC/encoded reply (urn:ActionWebService) is not the Document-style response element."""
    body = capture("serverVersion-response-RPCstyle-quickbooksdesktopapi-simulator.xml")
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("serverVersion", *reply(body))
    assert "was not expected" in caught.value.detail


@pytest.mark.parametrize(
    ("result", "detail"),
    [
        ("<authenticateResult><string>only-ticket</string></authenticateResult>",
         wire.INDEX_OUT_OF_RANGE),
        ("<authenticateResult />", wire.INDEX_OUT_OF_RANGE),
        ('<authenticateResult><string xmlns="">t</string><string xmlns="">x</string>'
         "</authenticateResult>", wire.INDEX_OUT_OF_RANGE),
        ("", wire.NULL_REFERENCE),
        ('<authenticateResult xsi:nil="true" />', wire.NULL_REFERENCE),
        ('<authenticateResult><string xsi:nil="true" /><string /></authenticateResult>',
         wire.NULL_REFERENCE),
    ],
)  # fmt: skip
def test_malformed_authenticate_results_raise_qbwc1012(result: str, detail: str) -> None:
    """Fewer than two strings, foreign namespaces or null parts fail the way QBWC fails."""
    body = soap(f'<authenticateResponse xmlns="{wire.NS}">{result}</authenticateResponse>')
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("authenticate", *reply(body))
    assert caught.value.qbwc_code == "QBWC1012"
    assert caught.value.detail == detail


def test_authenticate_reads_optional_strings_and_prefixes_freely() -> None:
    """Any prefix works, items 3 and 4 come through and a nil optional item reads as ""."""
    body = soap(
        f'<q:authenticateResponse xmlns:q="{wire.NS}"><q:authenticateResult>'
        "<q:string>t</q:string><q:string>none</q:string><q:string>60</q:string>"
        '<q:string xsi:nil="true"/></q:authenticateResult></q:authenticateResponse>'
    )
    assert wire.parse_reply("authenticate", *reply(body)) == ["t", "none", "60", ""]


@pytest.mark.parametrize("text", ["abc", "", "1.5", "99999999999", "0x10"])
def test_receive_response_result_must_be_an_int32(text: str) -> None:
    """receiveResponseXMLResult is xsd:int: anything else is QBWC1042."""
    body = soap(
        f'<receiveResponseXMLResponse xmlns="{wire.NS}"><receiveResponseXMLResult>{text}'
        "</receiveResponseXMLResult></receiveResponseXMLResponse>"
    )
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("receiveResponseXML", *reply(body))
    assert caught.value.qbwc_code == "QBWC1042"


def test_receive_response_result_tolerates_whitespace_and_sign() -> None:
    """Surrounding whitespace and a sign are fine, as for XmlConvert.ToInt32."""
    body = soap(
        f'<receiveResponseXMLResponse xmlns="{wire.NS}"><receiveResponseXMLResult>\n -101 \t'
        "</receiveResponseXMLResult></receiveResponseXMLResponse>"
    )
    assert wire.parse_reply("receiveResponseXML", *reply(body)) == -101


def test_missing_receive_response_result_is_rejected() -> None:
    """A missing int result is refused rather than silently read as 0 % (an endless loop)."""
    body = soap(f'<receiveResponseXMLResponse xmlns="{wire.NS}" />')
    with pytest.raises(wire.ProtocolViolation):
        wire.parse_reply("receiveResponseXML", *reply(body))


def test_missing_or_nil_string_results_read_as_null() -> None:
    """A string method whose result is absent or nil gives None; an empty element gives ""."""
    missing = soap(f'<getLastErrorResponse xmlns="{wire.NS}" />')
    nil = soap(
        f'<getLastErrorResponse xmlns="{wire.NS}"><getLastErrorResult xsi:nil="true" />'
        "</getLastErrorResponse>"
    )
    empty = soap(
        f'<getLastErrorResponse xmlns="{wire.NS}"><getLastErrorResult /></getLastErrorResponse>'
    )
    assert wire.parse_reply("getLastError", *reply(missing)) is None
    assert wire.parse_reply("getLastError", *reply(nil)) is None
    assert wire.parse_reply("getLastError", *reply(empty)) == ""


def test_result_in_the_wrong_namespace_is_not_found() -> None:
    """An unqualified result element is unknown to XmlSerializer and reads as null."""
    body = soap(
        f'<closeConnectionResponse xmlns="{wire.NS}"><closeConnectionResult xmlns="">OK'
        "</closeConnectionResult></closeConnectionResponse>"
    )
    assert wire.parse_reply("closeConnection", *reply(body)) is None


def test_string_result_with_element_content_is_rejected() -> None:
    """qbXML sent as child elements instead of escaped text is refused (QBWC1041)."""
    body = soap(
        f'<sendRequestXMLResponse xmlns="{wire.NS}"><sendRequestXMLResult><QBXML/>'
        "</sendRequestXMLResult></sendRequestXMLResponse>"
    )
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("sendRequestXML", *reply(body))
    assert caught.value.qbwc_code == "QBWC1041"


def test_string_result_keeps_whitespace_and_skips_comments() -> None:
    """String results keep their whitespace; comments inside are not part of the value."""
    body = soap(
        f'<getLastErrorResponse xmlns="{wire.NS}"><getLastErrorResult> a<!-- x -->b '
        "</getLastErrorResult></getLastErrorResponse>"
    )
    assert wire.parse_reply("getLastError", *reply(body)) == " ab "


def test_response_for_another_method_is_rejected(capture: Capture) -> None:
    """The body's first child must be <methodResponse> in the Intuit namespace."""
    body = capture("closeConnection-response-RENDERED-consolibyte-builtin.xml")
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("getLastError", *reply(body))
    assert caught.value.detail == (
        "<closeConnectionResponse xmlns='http://developer.intuit.com/'> was not expected."
    )


def test_response_without_namespace_is_rejected() -> None:
    """A response wrapper outside http://developer.intuit.com/ is refused."""
    body = soap("<closeConnectionResponse><closeConnectionResult>OK</closeConnectionResult>"
                "</closeConnectionResponse>")  # fmt: skip
    with pytest.raises(wire.ProtocolViolation):
        wire.parse_reply("closeConnection", *reply(body))


@pytest.mark.parametrize("status", [200, 500])
def test_soap_fault_raises_soap_fault(status: int) -> None:
    """A SOAP 1.1 Fault (with HTTP 500 or 200) raises SoapFault with its code and string."""
    body = soap(
        "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault>"
    )
    with pytest.raises(wire.SoapFault) as caught:
        wire.parse_reply("sendRequestXML", *reply(body, status=status))
    assert (caught.value.faultcode, caught.value.faultstring) == ("soap:Server", "boom")
    assert caught.value.qbwc_code == "QBWC1041"


@pytest.mark.parametrize("status", [404, 302, 503])
def test_non_200_status_raises_http_status_error(capture: Capture, status: int) -> None:
    """Any status but 200 (or a 500 carrying a fault) is an HTTP failure."""
    body = capture("closeConnection-response-RENDERED-consolibyte-builtin.xml")
    with pytest.raises(wire.HttpStatusError) as caught:
        wire.parse_reply("closeConnection", *reply(body, status=status))
    assert caught.value.status == status


def test_500_without_fault_is_an_http_failure() -> None:
    """A 500 whose body is not a SOAP fault is reported as the HTTP status."""
    with pytest.raises(wire.HttpStatusError):
        wire.parse_reply("closeConnection", *reply(b"oops", status=500, content_type="text/plain"))


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/soap+xml; charset=utf-8", "", "application/xml"]
)
def test_content_type_other_than_text_xml_is_rejected(capture: Capture, content_type: str) -> None:
    """Only text/xml (any parameters) is read, as by a SOAP 1.1 .NET client."""
    body = capture("closeConnection-response-RENDERED-consolibyte-builtin.xml")
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("closeConnection", *reply(body, content_type=content_type))
    assert f"Client found response content type of '{content_type}'" in caught.value.detail


@pytest.mark.parametrize(
    "content_type", ["text/xml", "text/xml; charset=utf-8", "TEXT/XML;charset=UTF-8"]
)
def test_text_xml_with_parameters_is_accepted(capture: Capture, content_type: str) -> None:
    """text/xml is matched on its media type, case-insensitively, with or without charset."""
    body = capture("closeConnection-response-RENDERED-consolibyte-builtin.xml")
    assert (
        wire.parse_reply("closeConnection", *reply(body, content_type=content_type)) == "Complete!"
    )


def test_empty_body_is_rejected_with_the_dotnet_message() -> None:
    """An empty body gives the famous "but expected 'text/xml'" message QBWC users see."""
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("sendRequestXML", *reply(b""))
    assert caught.value.detail == (
        "Client found response content type of 'text/xml', but expected 'text/xml'. "
        "The request failed with an empty response."
    )


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'/>",
        b"<Envelope><Body/></Envelope>",
        b"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body/>"
        b"</soap:Envelope>",
    ],
)
def test_bodies_that_are_not_a_soap11_envelope_are_rejected(body: bytes) -> None:
    """Non-XML, a missing Body, a non-SOAP root or an empty Body are all refused."""
    with pytest.raises(wire.ProtocolViolation):
        wire.parse_reply("closeConnection", *reply(body))


def test_doctype_is_refused_and_entities_are_not_expanded() -> None:
    """A reply carrying a DTD (e.g. an entity bomb) is refused before anything is expanded."""
    body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<closeConnectionResponse xmlns="http://developer.intuit.com/"><closeConnectionResult>'
        b"&b;</closeConnectionResult></closeConnectionResponse></soap:Body></soap:Envelope>"
    )
    with pytest.raises(wire.ProtocolViolation) as caught:
        wire.parse_reply("closeConnection", *reply(body))
    assert caught.value.detail == "DTD is prohibited in this XML document."


def test_soap_header_before_body_is_allowed() -> None:
    """A SOAP Header element ahead of the Body is skipped."""
    body = (
        f'<s:Envelope xmlns:s="{wire.SOAP11}"><s:Header/><s:Body>'
        f'<closeConnectionResponse xmlns="{wire.NS}"><closeConnectionResult>OK'
        "</closeConnectionResult></closeConnectionResponse></s:Body></s:Envelope>"
    ).encode()
    assert wire.parse_reply("closeConnection", *reply(body)) == "OK"


def test_huge_text_result_is_read() -> None:
    """A result over 10 MB (a large qbXML request) parses with the hardened parser."""
    big = "x" * (11 * 1024 * 1024)
    body = soap(
        f'<sendRequestXMLResponse xmlns="{wire.NS}"><sendRequestXMLResult>{big}'
        "</sendRequestXMLResult></sendRequestXMLResponse>"
    )
    result = wire.parse_reply("sendRequestXML", *reply(body))
    assert isinstance(result, str)
    assert len(result) == len(big)
