"""Reading a SOAP request body before the SOAP stack does, and writing the envelope it gets.

Everything that arrives at ``/qbwc`` passes :func:`read_call` first. It refuses, with a short
message that is safe to send back (:class:`EnvelopeRefused`):

* bodies that are not UTF-8 (the Web Connector always sends UTF-8; refusing UTF-16, UTF-7 or
  EBCDIC closes every trick that hides markup in another encoding), and NUL bytes;
* any markup declaration — ``<!DOCTYPE``, ``<!ENTITY`` and friends — found by one scan of the
  raw bytes *before* a parser sees them, so entity expansion (billion laughs) and external
  entities (file reads, network fetches) never start. The parser is hardened as well
  (no entity resolution, no DTD loading, no network) and the parsed tree is checked for a
  DOCTYPE again;
* start tags with more than :data:`MAX_ATTRIBUTES` attributes (cheap to send, costly to
  build), more than :data:`MAX_ELEMENTS` elements or nesting deeper than :data:`MAX_DEPTH`
  (a 100,000-level document is stopped after the first chunk, long before any recursion);
* processing instructions, which no SOAP message needs;
* anything that is not one SOAP 1.1 envelope calling one known operation with text
  parameters, each at most once, integers in their range.

A request that passes is rebuilt by :func:`canonical_envelope`: the SOAP stack only ever
parses envelopes of that one shape (no headers, attributes, comments or unknown elements),
whatever the client sent. Text nodes of any size are accepted (``huge_tree``): QuickBooks
sends memos and report cells over libxml2's 10 MB default limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from lxml import etree

SOAP11_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"

MAX_DEPTH: Final = 32
MAX_ELEMENTS: Final = 1000
MAX_ATTRIBUTES: Final = 64
_FEED_CHUNK: Final = 64 * 1024

# Every message a refusal can carry; none repeats anything the client sent.
EMPTY_BODY: Final = "The request body is empty."
NOT_UTF8: Final = "The request must be encoded as UTF-8."
DECLARATIONS: Final = "DTDs and entity declarations are not accepted."
INSTRUCTIONS: Final = "Processing instructions are not accepted."
TOO_DEEP: Final = "The request nests elements too deeply."
TOO_MANY: Final = "The request has too many elements or attributes."
MALFORMED: Final = "The request is not well-formed XML."
NOT_ENVELOPE: Final = "The request is not a SOAP Envelope."
WRONG_VERSION: Final = (
    "This endpoint speaks SOAP 1.1: the Envelope must be in the namespace " + SOAP11_ENV + "."
)
NO_BODY: Final = "The SOAP Envelope has no Body."
ONE_OPERATION: Final = "The SOAP Body must hold exactly one operation."
UNKNOWN_OPERATION: Final = "The SOAP Body does not call a QBWebConnectorSvc operation."
NOT_UNDERSTOOD: Final = "A SOAP header entry marked mustUnderstand is not understood here."
REPEATED: Final = "Parameter {name} appears more than once."
NOT_TEXT: Final = "Parameter {name} must hold text only."
NOT_INTEGER: Final = "Parameter {name} must be an integer of {bits} bits."
ACTION_MISMATCH: Final = "The SOAPAction header names another operation than the SOAP Body."

_UTF8_DECLARATION: Final = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]*)["']"""
)
_OTHER_BOMS: Final = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\x2b\x2f\x76")
# "<!" opens a comment, a CDATA section or a markup declaration; only the first two may
# appear in a SOAP message.
_DECLARATION: Final = re.compile(rb"<!(?!--|\[CDATA\[)")
# A start tag followed by MAX_ATTRIBUTES attributes. Every attempt starts at a "<" and stops
# at the tag's end, so the scan stays linear in the body's length.
_CROWDED_TAG: Final = re.compile(
    rb"<[^\s<>!?/]+(?:\s+[^\s<>=/]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))" + b"{%d}" % MAX_ATTRIBUTES
)
_INTEGER: Final = re.compile(r"[+-]?[0-9]{1,20}")
_XML_SPACE: Final = " \t\r\n"


class EnvelopeRefused(Exception):
    """A request the SOAP stack must not see; ``faultcode`` and ``message`` are safe to send."""

    faultcode = "Client"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VersionMismatch(EnvelopeRefused):
    """The Envelope is in another namespace than SOAP 1.1's (a SOAP 1.2 client, typically)."""

    faultcode = "VersionMismatch"


class MustUnderstand(EnvelopeRefused):
    """A header entry the client requires us to understand; this endpoint understands none."""

    faultcode = "MustUnderstand"


@dataclass(frozen=True)
class Operation:
    """One operation of the contract: its element name, parameters in order, integer widths."""

    name: str
    parameters: tuple[str, ...]
    integer_bits: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Contract:
    """The operations a SOAP endpoint offers, all in one namespace."""

    namespace: str
    operations: Mapping[str, Operation]

    def accepts_soap_action(self, header: str | None, operation: str) -> bool:
        """Whether a SOAPAction header fits a call of ``operation``; absent or empty always does.

        The Web Connector sends ``"<namespace><operation>"``, as Intuit's WSDL and the served one
        announce; clients generated from Spyne's own WSDL send the bare name. Either is accepted,
        anything else names another operation than the Body calls.
        """
        action = (header or "").strip().strip('"').strip()
        return action in ("", operation, self.namespace + operation)


@dataclass(frozen=True)
class Call:
    """A screened request: the operation and its parameters (None for absent or nil)."""

    operation: Operation
    arguments: Mapping[str, str | None]


def screen_bytes(body: bytes) -> None:
    """Refuse, without parsing, what must never reach a parser; see the module docstring."""
    if not body.strip(_XML_SPACE.encode()):
        raise EnvelopeRefused(EMPTY_BODY)
    if body.startswith(_OTHER_BOMS) or b"\x00" in body:
        raise EnvelopeRefused(NOT_UTF8)
    declared = _UTF8_DECLARATION.match(body.lstrip(_XML_SPACE.encode()))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise EnvelopeRefused(NOT_UTF8)
    if _DECLARATION.search(body):
        raise EnvelopeRefused(DECLARATIONS)
    if _CROWDED_TAG.search(body):
        raise EnvelopeRefused(TOO_MANY)


def _parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("start", "end", "pi"),
        encoding="utf-8",
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        strip_cdata=True,
    )


def reply_parser() -> etree.XMLParser:
    """A hardened parser for reading back small documents (the SOAP stack's own replies)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )


def parse_body(body: bytes) -> Any:
    """Parse a screened body, counting depth and elements as it goes; returns the root."""
    screen_bytes(body)
    parser = _parser()
    depth = elements = 0
    try:
        for start in range(0, len(body), _FEED_CHUNK):
            parser.feed(body[start : start + _FEED_CHUNK])
            for event, _ in parser.read_events():
                if event == "pi":
                    raise EnvelopeRefused(INSTRUCTIONS)
                if event == "end":
                    depth -= 1
                    continue
                depth += 1
                elements += 1
                if depth > MAX_DEPTH:
                    raise EnvelopeRefused(TOO_DEEP)
                if elements > MAX_ELEMENTS:
                    raise EnvelopeRefused(TOO_MANY)
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        reason = str(exc).lower()
        if "depth" in reason:
            raise EnvelopeRefused(TOO_DEEP) from None
        if "encoding" in reason:
            raise EnvelopeRefused(NOT_UTF8) from None
        raise EnvelopeRefused(MALFORMED) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise EnvelopeRefused(DECLARATIONS)
    return root


def _elements(parent: Any) -> list[Any]:
    return [child for child in parent if isinstance(child.tag, str)]


def _body_of(root: Any) -> Any:
    name = etree.QName(root)
    if name.localname != "Envelope":
        raise EnvelopeRefused(NOT_ENVELOPE)
    if name.namespace != SOAP11_ENV:
        raise VersionMismatch(WRONG_VERSION)
    children = _elements(root)
    if children and children[0].tag == f"{{{SOAP11_ENV}}}Header":
        for entry in _elements(children[0]):
            if entry.get(f"{{{SOAP11_ENV}}}mustUnderstand", "0").strip() in ("1", "true"):
                raise MustUnderstand(NOT_UNDERSTOOD)
        children = children[1:]
    if not children or children[0].tag != f"{{{SOAP11_ENV}}}Body":
        raise EnvelopeRefused(NO_BODY)
    return children[0]


def _integer(operation: Operation, name: str, text: str) -> str | None:
    bits = operation.integer_bits[name]
    text = text.strip(_XML_SPACE)
    if not text:
        return None
    limit = 2 ** (bits - 1)
    if not _INTEGER.fullmatch(text) or not -limit <= int(text) < limit:
        raise EnvelopeRefused(NOT_INTEGER.format(name=name, bits=bits))
    return str(int(text))


def read_call(body: bytes, contract: Contract) -> Call:
    """The operation and arguments of a request body, or :class:`EnvelopeRefused`.

    Parameters are matched by local name (as the SOAP stack does); unknown elements are
    ignored, as .NET's serializer ignores them.
    """
    content = _elements(_body_of(parse_body(body)))
    if len(content) != 1:
        raise EnvelopeRefused(ONE_OPERATION if content else UNKNOWN_OPERATION)
    name = etree.QName(content[0])
    operation = contract.operations.get(name.localname)
    if name.namespace != contract.namespace or operation is None:
        raise EnvelopeRefused(UNKNOWN_OPERATION)
    arguments: dict[str, str | None] = {}
    for element in _elements(content[0]):
        parameter = etree.QName(element).localname
        if parameter not in operation.parameters:
            continue
        if parameter in arguments:
            raise EnvelopeRefused(REPEATED.format(name=parameter))
        if _elements(element):
            raise EnvelopeRefused(NOT_TEXT.format(name=parameter))
        if element.get(f"{{{XSI}}}nil", "").strip() in ("true", "1"):
            arguments[parameter] = None
        elif parameter in operation.integer_bits:
            arguments[parameter] = _integer(operation, parameter, element.text or "")
        else:
            arguments[parameter] = element.text or ""
    return Call(operation, arguments)


def canonical_envelope(call: Call, namespace: str) -> bytes:
    """The one envelope shape the SOAP stack is given: parameters in order, nil ones left out."""
    envelope = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap": SOAP11_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP11_ENV}}}Body")
    wrapper = etree.SubElement(
        body, f"{{{namespace}}}{call.operation.name}", nsmap={None: namespace}
    )
    for parameter in call.operation.parameters:
        value = call.arguments.get(parameter)
        if value is not None:
            etree.SubElement(wrapper, f"{{{namespace}}}{parameter}").text = value
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data
