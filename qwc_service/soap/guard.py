"""What reaches the SOAP stack: a POST of an XML media type, under the size cap, screened.

Decisions, in the order a request meets them:

* ``GET ?wsdl`` is passed through (the SOAP stack answers with :mod:`qwc_service.soap.wsdl`'s
  document); other GETs and every other method get 405.
* A declared ``Content-Length`` over ``max_body_bytes`` gets 413 before a byte of the body is
  read; a body without a length (chunked) is read up to the cap and no further.
* The media type must be ``text/xml`` (SOAP 1.1, what the Web Connector sends) or
  ``application/soap+xml`` (SOAP 1.2's; accepted so that a SOAP 1.2 client is told about the
  version in a fault instead of being turned away blind). A missing or other type, or a
  charset other than UTF-8, gets 415.
* The body is screened and read by :mod:`qwc_service.soap.xmlguard`. Whatever it refuses is
  answered with a SOAP 1.1 Fault (HTTP 500, as SOAP 1.1 over HTTP prescribes) carrying a
  short fixed message: ``Client`` for a bad request, ``VersionMismatch`` for an envelope in
  another SOAP version's namespace (a SOAP 1.2 envelope), ``MustUnderstand`` for a header
  entry that demands it.
* The operation is the element in the Body. ``SOAPAction`` may be absent or empty; if it is
  present it must name that same operation, so a header and a body that disagree (a way to
  slip past filters that look at only one of them) get a Client fault.
* The calls of an idle poll are answered from the screened call itself
  (:mod:`qwc_service.soap.direct`), when the application passes its answers in.
* The SOAP stack is given a rebuilt envelope (:func:`xmlguard.canonical_envelope`). Its reply
  is buffered; a fault from it is rewritten to a fixed message, and an exception from it
  becomes a Server fault, so no reply carries library messages or a traceback.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any, Final

import structlog
from lxml import etree
from spyne.model.primitive import Integer

from qwc_service.soap import xmlguard
from qwc_service.soap.parameters import CARRIED_KEY, carried_parameters
from qwc_service.soap.xmlguard import Contract, EnvelopeRefused, Operation

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

log = structlog.get_logger("qwc_service.soap.guard")

SOAP_MEDIA_TYPES: Final = frozenset({"text/xml", "application/soap+xml"})
SERVER_FAULT: Final = "The server could not process this call."
CLIENT_FAULT: Final = "The request could not be processed."
_CHUNK: Final = 64 * 1024
_INT_BITS: Final = {"byte": 8, "short": 16, "int": 32, "long": 64}


def _reply(
    start_response: StartResponse, status: str, message: str, *extra: tuple[str, str]
) -> list[bytes]:
    body = (message + "\n").encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *extra,
    ]
    start_response(status, headers)
    return [body]


def fault_envelope(faultcode: str, message: str) -> bytes:
    """A SOAP 1.1 Fault envelope with ``faultcode`` (unqualified name) and ``message``."""
    soap = f"{{{xmlguard.SOAP11_ENV}}}"
    envelope = etree.Element(soap + "Envelope", nsmap={"soap": xmlguard.SOAP11_ENV})
    fault = etree.SubElement(etree.SubElement(envelope, soap + "Body"), soap + "Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{faultcode}"
    etree.SubElement(fault, "faultstring").text = message
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data


def _fault(start_response: StartResponse, faultcode: str, message: str) -> list[bytes]:
    body = fault_envelope(faultcode, message)
    start_response(
        "500 Internal Server Error",
        [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def contract_of(soap_app: Any) -> Contract:
    """The operations of a Spyne WSGI application, read from its service definitions."""
    application = soap_app.app
    operations: dict[str, Operation] = {}
    for service in application.services:
        for descriptor in service.public_methods.values():
            message = descriptor.in_message
            types = message._type_info
            bits = {
                name: _INT_BITS.get(kind.get_type_name(), 64)
                for name, kind in types.items()
                if issubclass(kind, Integer)
            }
            name = message.get_type_name()
            operations[name] = Operation(name, tuple(types), bits)
    return Contract(application.tns, operations)


def _media_type_ok(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    if media.strip().lower() not in SOAP_MEDIA_TYPES:
        return False
    for param in params.split(";"):
        key, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if key.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            return False
    return True


def _read_capped(stream: Any, limit: int) -> bytes | None:
    """Read a stream to its end, or None as soon as it holds more than ``limit`` bytes."""
    data = bytearray()
    while len(data) <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - len(data)))
        if not chunk:
            return bytes(data)
        data.extend(chunk)
    return None


def _read_exact(stream: Any, length: int) -> bytes:
    """Read up to ``length`` bytes; fewer if the client stopped sending (a truncated body)."""
    data = bytearray()
    while len(data) < length:
        chunk = stream.read(min(_CHUNK, length - len(data)))
        if not chunk:
            break
        data.extend(chunk)
    return bytes(data)


class _Buffered:
    """What the SOAP stack answered: status, headers and the whole body."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        self.status, self.headers = status, list(headers)
        return lambda data: None


def _fault_of(body: bytes) -> tuple[str, str] | None:
    """(faultcode without prefix, faultstring) of a SOAP 1.1 fault reply, else None."""
    try:
        root = etree.fromstring(body, xmlguard.reply_parser())
    except etree.XMLSyntaxError:
        return None
    fault = root.find(f"{{{xmlguard.SOAP11_ENV}}}Body/{{{xmlguard.SOAP11_ENV}}}Fault")
    if fault is None:
        return None
    code = (fault.findtext("faultcode") or "").rpartition(":")[2].strip()
    return code, (fault.findtext("faultstring") or "").strip()


def _call_soap(
    app: WsgiApp, environ: dict[str, Any], start_response: StartResponse, operation: str
) -> list[bytes]:
    buffered = _Buffered()
    try:
        result = app(environ, buffered.start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    except Exception:
        log.exception("soap_stack_failed", operation=operation)
        return _fault(start_response, "Server", SERVER_FAULT)
    if not buffered.status:
        log.error("soap_stack_no_response", operation=operation)
        return _fault(start_response, "Server", SERVER_FAULT)
    if not buffered.status.startswith("200"):
        fault = _fault_of(body)
        client = fault is not None and fault[0].startswith("Client")
        message = CLIENT_FAULT if client else SERVER_FAULT
        if fault is None or fault[1] != message:
            log.warning("soap_fault_rewritten", operation=operation, faultcode=fault and fault[0])
        return _fault(start_response, "Client" if client else "Server", message)
    start_response(buffered.status, buffered.headers)
    return [body]


# Text arguments above this size skip the SOAP stack's second parse: it would hold two
# more copies of a response QuickBooks may make 50 MB or more.
CARRY_ABOVE_CHARS: Final = 64 * 1024


def _carry_large(call: xmlguard.Call) -> tuple[xmlguard.Call, dict[str, str]]:
    """The call without its large text arguments, and those arguments by name."""
    may_carry = carried_parameters(call.operation.name)
    carried = {
        name: value
        for name, value in call.arguments.items()
        if value is not None and len(value) > CARRY_ABOVE_CHARS and name in may_carry
    }
    if not carried:
        return call, carried
    rest = {name: (None if name in carried else value) for name, value in call.arguments.items()}
    return xmlguard.Call(call.operation, rest), carried


DirectAnswer = Callable[[xmlguard.Call, dict[str, Any]], "bytes | None"]


def _answer_directly(
    direct: DirectAnswer,
    call: xmlguard.Call,
    environ: dict[str, Any],
    start_response: StartResponse,
) -> list[bytes] | None:
    try:
        body = direct(call, environ)
    except Exception:
        # soap.calls has logged what the exchange raised; nothing of it reaches the client.
        return _fault(start_response, "Server", SERVER_FAULT)
    if body is None:
        return None
    start_response(
        "200 OK",
        [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def guard_soap(
    app: WsgiApp,
    *,
    max_body_bytes: int,
    contract: Contract | None = None,
    direct: DirectAnswer | None = None,
) -> WsgiApp:
    """Wrap the SOAP application: refuse what it should never have to parse.

    ``contract`` defaults to the operations of ``app``, a Spyne WSGI application.
    ``direct`` answers the calls it knows from the screened call (see soap.direct); the
    rest go to ``app``.
    """
    operations = contract or contract_of(app)

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # A worker thread serves many requests: nothing from the last one may label this one.
        structlog.contextvars.clear_contextvars()
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            if environ.get("QUERY_STRING", "").lower() not in ("wsdl", "wsdl="):
                return _reply(
                    start_response,
                    "405 Method Not Allowed",
                    "POST SOAP requests here; GET ?wsdl for the service description",
                    ("Allow", "GET, POST"),
                )
            return _call_soap(app, environ, start_response, "wsdl")
        if method != "POST":
            return _reply(
                start_response,
                "405 Method Not Allowed",
                "only POST is accepted",
                ("Allow", "GET, POST"),
            )
        too_large = f"request body over {max_body_bytes} bytes"
        length_header = (environ.get("CONTENT_LENGTH") or "").strip()
        length: int | None = None
        if length_header:
            if not length_header.isdigit():
                return _reply(start_response, "400 Bad Request", "invalid Content-Length")
            length = int(length_header)
            if length > max_body_bytes:
                # Refused before reading: the body never reaches memory.
                return _reply(start_response, "413 Content Too Large", too_large)
        if not _media_type_ok(environ.get("CONTENT_TYPE") or ""):
            return _reply(
                start_response,
                "415 Unsupported Media Type",
                "send SOAP 1.1 requests as text/xml; charset=utf-8",
                ("Accept-Post", "text/xml; charset=utf-8"),
            )
        stream = environ["wsgi.input"]
        body = (
            _read_capped(stream, max_body_bytes) if length is None else _read_exact(stream, length)
        )
        if body is None:
            return _reply(start_response, "413 Content Too Large", too_large)
        try:
            call = xmlguard.read_call(body, operations)
            name = call.operation.name
            if not operations.accepts_soap_action(environ.get("HTTP_SOAPACTION"), name):
                raise EnvelopeRefused(xmlguard.ACTION_MISMATCH)
        except EnvelopeRefused as refused:
            log.info("soap_refused", faultcode=refused.faultcode, reason=refused.message)
            return _fault(start_response, refused.faultcode, refused.message)
        # The raw body is no longer needed; a 50 MB upload should not stay in memory twice.
        del body
        if direct is not None:
            answered = _answer_directly(direct, call, environ, start_response)
            if answered is not None:
                return answered
        call, carried = _carry_large(call)
        canonical = xmlguard.canonical_envelope(call, operations.namespace)
        inner = {
            **environ,
            CARRIED_KEY: carried,
            "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(canonical)),
            "HTTP_SOAPACTION": f'"{operations.namespace}{name}"',
            "wsgi.input": io.BytesIO(canonical),
        }
        return _call_soap(app, inner, start_response, name)

    return handle
