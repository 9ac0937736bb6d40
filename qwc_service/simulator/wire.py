"""SOAP 1.1 requests byte for byte as the Web Connector sends them; replies read as it reads them.

The Web Connector is a .NET ``SoapHttpClientProtocol`` client generated from the Intuit WSDL
(document/literal wrapped, every element in ``http://developer.intuit.com/``). Requests are
serialised the way .NET's ``XmlTextWriter`` does it: one line, ``soap``/``xsi``/``xsd`` prefixes
in that order, a default namespace on the wrapper, ``<x />`` for an empty string, an omitted
element for a null string, and ``&``, ``<``, ``>`` escaped in text while ``"`` is not.

Replies are checked as strictly as that client checks them. Whatever it would turn into an
exception raises a :class:`ReplyRejected` here, carrying the QBWC code the user would see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from http import HTTPStatus
from types import MappingProxyType
from typing import Final

from lxml import etree

NS: Final = "http://developer.intuit.com/"
SOAP11: Final = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12: Final = "http://www.w3.org/2003/05/soap-envelope"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
XSD: Final = "http://www.w3.org/2001/XMLSchema"

#: .NET ``HttpWebClientProtocol.UserAgentDefault`` on the 4.x runtime QBWC 2.2+ runs on.
USER_AGENT: Final = (
    "Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services Client Protocol 4.0.30319.42000)"
)

#: Request parameters of every method, in WSDL sequence order, with their XML Schema type.
PARAMETERS: Final = MappingProxyType(
    {
        "serverVersion": (),
        "clientVersion": (("strVersion", str),),
        "authenticate": (("strUserName", str), ("strPassword", str)),
        "sendRequestXML": (
            ("ticket", str),
            ("strHCPResponse", str),
            ("strCompanyFileName", str),
            ("qbXMLCountry", str),
            ("qbXMLMajorVers", int),
            ("qbXMLMinorVers", int),
        ),
        "receiveResponseXML": (
            ("ticket", str),
            ("response", str),
            ("hresult", str),
            ("message", str),
        ),
        "connectionError": (("ticket", str), ("hresult", str), ("message", str)),
        "getLastError": (("ticket", str),),
        "closeConnection": (("ticket", str),),
        # Interactive mode: names from Intuit's C# samples; no WSDL carries them.
        "getInteractiveURL": (("wcTicket", str), ("sessionID", str)),
        "interactiveDone": (("wcTicket", str),),
        "isInteractiveDone": (("wcTicket", str),),
        "interactiveRejected": (("wcTicket", str), ("reason", str)),
    }
)

#: The QBWC code shown when a call to the method fails (PG2.0 Appendix A). serverVersion has none.
QBWC_CODES: Final = MappingProxyType(
    {
        "clientVersion": "QBWC1036",
        "authenticate": "QBWC1012",
        "sendRequestXML": "QBWC1041",
        "receiveResponseXML": "QBWC1042",
        "getLastError": "QBWC1043",
        "closeConnection": "QBWC1044",
        "connectionError": "QBWC1045",
    }
)

NULL_REFERENCE: Final = "Object reference not set to an instance of an object."
INDEX_OUT_OF_RANGE: Final = "Index was outside the bounds of the array."
MAX_AUTH_STRINGS: Final = 4
TOO_MANY_STRINGS: Final = "authenticate returned more than four strings."

_ENVELOPE_OPEN: Final = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<soap:Envelope xmlns:soap="{SOAP11}" xmlns:xsi="{XSI}" xmlns:xsd="{XSD}"><soap:Body>'
)
_ENVELOPE_CLOSE: Final = "</soap:Body></soap:Envelope>"
# Characters XmlTextWriter writes as numeric references: C0 controls other than TAB/LF/CR,
# and the two non-characters at the top of the BMP.
_CHAR_REFS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_INT32: Final = re.compile(r"[+-]?[0-9]+")
_XML_SPACE: Final = " \t\r\n"

Param = tuple[str, str | int | None]
Reply = str | int | list[str] | None


class ReplyRejected(Exception):
    """A reply the Web Connector would not accept; ``qbwc_code`` is what it shows the user."""

    def __init__(self, method: str, detail: str) -> None:
        self.method = method
        self.qbwc_code: str | None = QBWC_CODES.get(method)
        self.detail = detail
        prefix = self.qbwc_code or method
        super().__init__(f"{prefix}: {detail}" if prefix else detail)


class ProtocolViolation(ReplyRejected):
    """The reply breaks the SOAP/WSDL contract (content type, envelope, element names, types)."""


class HttpStatusError(ReplyRejected):
    """The server answered with an HTTP status other than 200 and no SOAP fault."""

    def __init__(self, method: str, status: int) -> None:
        self.status = status
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        super().__init__(method, f"The request failed with HTTP status {status}: {reason}.")


class SoapFault(ReplyRejected):
    """The server answered with a SOAP 1.1 Fault."""

    def __init__(self, faultcode: str, faultstring: str, *, method: str = "") -> None:
        self.faultcode = faultcode
        self.faultstring = faultstring
        super().__init__(method, f"{faultstring} ({faultcode})")


def escape_text(value: str) -> str:
    """Escape element text the way .NET's XmlTextWriter does (``"`` and ``'`` stay as they are)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CHAR_REFS.sub(lambda m: f"&#x{ord(m.group()):X};", escaped)


def envelope(method: str, params: Sequence[Param]) -> bytes:
    """The request body QBWC posts for ``method``; ``params`` in WSDL order, None omits one."""
    try:
        expected = PARAMETERS[method]
    except KeyError:
        raise ValueError(f"unknown Web Connector method {method!r}") from None
    names = tuple(name for name, _ in params)
    if names != tuple(name for name, _ in expected):
        raise ValueError(
            f"{method} takes {[n for n, _ in expected]} in that order, got {list(names)}"
        )
    parts: list[str] = []
    for (name, value), (_, kind) in zip(params, expected, strict=True):
        if kind is int:
            # xsd:int with minOccurs=1: a .NET int is never null.
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{method}.{name} must be an int, got {value!r}")
            parts.append(f"<{name}>{value}</{name}>")
        elif value is None:
            continue
        elif not isinstance(value, str):
            raise ValueError(f"{method}.{name} must be a string or None, got {value!r}")
        elif value == "":
            parts.append(f"<{name} />")
        else:
            parts.append(f"<{name}>{escape_text(value)}</{name}>")
    inner = "".join(parts)
    wrapper = (
        f'<{method} xmlns="{NS}">{inner}</{method}>' if inner else f'<{method} xmlns="{NS}" />'
    )
    return (_ENVELOPE_OPEN + wrapper + _ENVELOPE_CLOSE).encode("utf-8")


def headers(method: str) -> dict[str, str]:
    """HTTP request headers .NET's SoapHttpClientProtocol sends for ``method``."""
    if method not in PARAMETERS:
        raise ValueError(f"unknown Web Connector method {method!r}")
    return {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{NS}{method}"',
        "User-Agent": USER_AGENT,
    }


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
    )


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _text_of(method: str, element: etree._Element) -> str:
    # XmlSerializer reads a string element's character data (comments skipped) and refuses
    # element content.
    if any(isinstance(child.tag, str) for child in element):
        raise ProtocolViolation(method, f"<{etree.QName(element).localname}> has element content")
    return (element.text or "") + "".join(child.tail or "" for child in element)


def _is_nil(element: etree._Element) -> bool:
    return element.get(f"{{{XSI}}}nil", "").strip() in ("true", "1")


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str)]


def _read_envelope(method: str, body: bytes) -> etree._Element:
    """Parse the reply and return the first element inside the SOAP 1.1 Body."""
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise ProtocolViolation(
            method, f"There is an error in XML document ({line}, {column}): {exc.msg}"
        ) from None
    if root.getroottree().docinfo.doctype:
        raise ProtocolViolation(method, "DTD is prohibited in this XML document.")
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname == "Envelope" and namespace != SOAP11:
        raise ProtocolViolation(
            method,
            f"Possible SOAP version mismatch: Envelope namespace {namespace} was unexpected. "
            f"Expecting {SOAP11}.",
        )
    if root.tag != f"{{{SOAP11}}}Envelope":
        raise ProtocolViolation(method, f"The root element <{root.tag}> is not a SOAP Envelope.")
    children = _elements(root)
    if children and children[0].tag == f"{{{SOAP11}}}Header":
        children = children[1:]
    if not children or children[0].tag != f"{{{SOAP11}}}Body":
        raise ProtocolViolation(method, "The SOAP Envelope has no Body element.")
    content = _elements(children[0])
    if not content:
        raise ProtocolViolation(method, "The SOAP Body is empty.")
    return content[0]


def _fault(method: str, fault: etree._Element) -> SoapFault:
    def child_text(name: str) -> str:
        found = fault.find(name)
        return "" if found is None else "".join(found.itertext()).strip()

    return SoapFault(child_text("faultcode"), child_text("faultstring"), method=method)


def _check_transport(method: str, status: int, content_type: str, body: bytes) -> None:
    """The HTTP-level checks .NET makes before it reads the envelope."""
    if status not in (200, 500):
        raise HttpStatusError(method, status)
    if _media_type(content_type) != "text/xml" or not body:
        detail = f"Client found response content type of '{content_type}', but expected 'text/xml'."
        if not body:
            detail += " The request failed with an empty response."
        else:
            snippet = body[:1024].decode("utf-8", "replace")
            detail += f" The request failed with the error message:\n--\n{snippet}\n--."
        if status == 500:
            raise HttpStatusError(method, status)
        raise ProtocolViolation(method, detail)


def parse_reply(method: str, status: int, content_type: str, body: bytes) -> Reply:
    """The result of ``method`` from an HTTP reply, or raise :class:`ReplyRejected`.

    Returns ``list[str]`` for authenticate, ``int`` for receiveResponseXML and ``str`` for the
    rest. A string result that is missing or ``xsi:nil`` comes back as ``None`` (what .NET
    hands QBWC: a null string); the caller decides what null means for that method.
    """
    if method not in PARAMETERS:
        raise ValueError(f"unknown Web Connector method {method!r}")
    _check_transport(method, status, content_type, body)
    if status == 500:
        # .NET reads a 500 only for its Fault; anything else is a plain HTTP failure.
        try:
            first = _read_envelope(method, body)
        except ProtocolViolation:
            raise HttpStatusError(method, status) from None
        if first.tag == f"{{{SOAP11}}}Fault":
            raise _fault(method, first)
        raise HttpStatusError(method, status)
    first = _read_envelope(method, body)
    if first.tag == f"{{{SOAP11}}}Fault":
        raise _fault(method, first)
    if first.tag != f"{{{NS}}}{method}Response":
        qname = etree.QName(first)
        raise ProtocolViolation(
            method, f"<{qname.localname} xmlns='{qname.namespace or ''}'> was not expected."
        )
    result = first.find(f"{{{NS}}}{method}Result")
    if method == "authenticate":
        return _array_result(method, result)
    if method == "receiveResponseXML":
        return _int_result(method, result)
    if result is None or _is_nil(result):
        return None
    return _text_of(method, result)


def _array_result(method: str, result: etree._Element | None) -> list[str]:
    if result is None or _is_nil(result):
        raise ProtocolViolation(method, NULL_REFERENCE)
    # Items in any other namespace (WCF's Arrays namespace, or none) are unknown elements to
    # XmlSerializer: skipped, which leaves QBWC an array too short to index.
    items = result.findall(f"{{{NS}}}string")
    if len(items) < 2:
        raise ProtocolViolation(method, INDEX_OUT_OF_RANGE)
    if len(items) > MAX_AUTH_STRINGS:
        # The Web Connector reads at most four (ticket, status, postpone, minimum run
        # interval); an answer with more fails the update (PG2.0 p.21).
        raise ProtocolViolation(method, TOO_MANY_STRINGS)
    values: list[str] = []
    for index, item in enumerate(items):
        if _is_nil(item):
            if index < 2:
                raise ProtocolViolation(method, NULL_REFERENCE)
            values.append("")
        else:
            values.append(_text_of(method, item))
    return values


def _int_result(method: str, result: etree._Element | None) -> int:
    if result is None:
        raise ProtocolViolation(
            method, f"<{method}Result> is missing (xsd:int, minOccurs=1; .NET would read 0)."
        )
    if _is_nil(result):
        raise ProtocolViolation(method, f"<{method}Result> is nil but xsd:int is not nillable.")
    text = _text_of(method, result).strip(_XML_SPACE)
    if not _INT32.fullmatch(text):
        raise ProtocolViolation(method, f"Input string was not in a correct format: {text!r}.")
    value = int(text)
    if not -(2**31) <= value < 2**31:
        raise ProtocolViolation(method, "Value was either too large or too small for an Int32.")
    return value
