"""Every Web Connector call, answered straight from the envelope the guard has read.

A Web Connector on a schedule calls serverVersion, clientVersion, authenticate and
closeConnection every run, and a sync is a pair of calls per page. Handing each call to the
SOAP stack (a second parse of a rebuilt envelope, its object model, its serialiser) costs
about as much again as answering it. The guard has already read and checked the call
(:mod:`qwc_service.soap.xmlguard`: names, integers, sizes), so the calls are answered here,
and the SOAP stack keeps the WSDL and any caller that reaches it directly. The Spyne methods
of the same names (:mod:`qwc_service.soap.service`) call the same functions, so both paths
answer alike, and a test compares their bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from lxml import etree

from qwc_service.qbwc.exchange import CallContext, WebConnectorExchange
from qwc_service.soap.calls import call_context, run_call
from qwc_service.soap.xmlguard import SOAP11_ENV, Call

NAMESPACE: Final = "http://developer.intuit.com/"

Arguments = Mapping[str, str | None]
Answer = Callable[[WebConnectorExchange, Arguments, CallContext], "str | list[str]"]


def server_version(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """serverVersion: the version string shown in the Web Connector."""
    return run_call("serverVersion", exchange.server_version, lambda r: "ok")


def client_version(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """clientVersion: "" to go on, or "O:<version>" for a Web Connector too old."""
    version = args.get("strVersion") or ""
    return run_call(
        "clientVersion",
        lambda: exchange.client_version(version, ctx),
        lambda r: r[:2] or "proceed",
    )


def authenticate(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> list[str]:
    """authenticate: the ticket, the status and up to two hints."""
    username, password = args.get("strUserName") or "", args.get("strPassword") or ""
    outcome = run_call(
        "authenticate",
        lambda: exchange.authenticate(username, password, ctx),
        lambda r: r.status.value,
    )
    return outcome.wire_strings()


def close_connection(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """closeConnection: the session ends; the answer is shown to the user."""
    ticket = args.get("ticket") or ""
    return run_call("closeConnection", lambda: exchange.close_connection(ticket), lambda r: "ok")


def _integer(value: str | None) -> int | None:
    # The guard has checked the text is a 32-bit integer (or absent).
    return None if value is None or not value.strip() else int(value)


def _request_or_empty(text: str) -> str:
    return "request" if text else "empty"


def send_request(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """sendRequestXML: the next qbXML request of the session, or "" for none."""
    return run_call(
        "sendRequestXML",
        lambda: exchange.send_request(
            args.get("ticket") or "",
            args.get("strHCPResponse") or "",
            args.get("strCompanyFileName") or "",
            args.get("qbXMLCountry") or "",
            _integer(args.get("qbXMLMajorVers")),
            _integer(args.get("qbXMLMinorVers")),
        ),
        _request_or_empty,
    )


def receive_response(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """receiveResponseXML: progress 0-100, or a negative number when the session must stop."""
    progress = run_call(
        "receiveResponseXML",
        lambda: exchange.receive_response(
            args.get("ticket") or "",
            args.get("response") or "",
            args.get("hresult") or "",
            args.get("message") or "",
        ),
        lambda r: r,
    )
    return str(progress)


def connection_error(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """connectionError: "" to retry with the file open, or "done"."""
    answer: str = run_call(
        "connectionError",
        lambda: exchange.connection_error(
            args.get("ticket") or "", args.get("hresult") or "", args.get("message") or ""
        ),
        lambda r: r or "retry",
    )
    return answer


def get_last_error(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """getLastError: what the Web Connector shows a person about why the session stopped."""
    ticket = args.get("ticket") or ""
    return run_call("getLastError", lambda: exchange.get_last_error(ticket), lambda r: "ok")


# Interactive mode is not offered; these answer so that a Web Connector that asks anyway
# ends the exchange cleanly.


def get_interactive_url(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """getInteractiveURL: no page to open."""
    return run_call("getInteractiveURL", lambda: "", lambda r: "not_offered")


def interactive_done(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """interactiveDone: nothing interactive is running."""
    return run_call("interactiveDone", lambda: "Done", lambda r: "not_offered")


def is_interactive_done(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """isInteractiveDone: nothing interactive is running."""
    return run_call("isInteractiveDone", lambda: "DONE", lambda r: "not_offered")


def interactive_rejected(exchange: WebConnectorExchange, args: Arguments, ctx: CallContext) -> str:
    """interactiveRejected: acknowledged; the server never asks for interactive mode."""
    return run_call(
        "interactiveRejected",
        lambda: "Interactive mode is not used by this server.",
        lambda r: "not_offered",
    )


#: Every operation of the service, answered without the SOAP stack.
ANSWERS: Final[Mapping[str, Answer]] = {
    "serverVersion": server_version,
    "clientVersion": client_version,
    "authenticate": authenticate,
    "sendRequestXML": send_request,
    "receiveResponseXML": receive_response,
    "connectionError": connection_error,
    "getLastError": get_last_error,
    "closeConnection": close_connection,
    "getInteractiveURL": get_interactive_url,
    "interactiveDone": interactive_done,
    "isInteractiveDone": is_interactive_done,
    "interactiveRejected": interactive_rejected,
}

_ENV: Final = f"{{{SOAP11_ENV}}}"
_TNS: Final = f"{{{NAMESPACE}}}"
# The prefixes the SOAP stack writes; the Web Connector reads names, but the bytes match.
_NSMAP: Final = {"soap11env": SOAP11_ENV, "tns": NAMESPACE}


def reply_envelope(operation: str, result: str | list[str]) -> bytes:
    """The SOAP 1.1 reply of ``operation``: document/literal wrapped, as the WSDL declares."""
    envelope = etree.Element(_ENV + "Envelope", nsmap=_NSMAP)
    body = etree.SubElement(envelope, _ENV + "Body")
    response = etree.SubElement(body, f"{_TNS}{operation}Response")
    element = etree.SubElement(response, f"{_TNS}{operation}Result")
    if isinstance(result, list):
        for text in result:
            etree.SubElement(element, _TNS + "string").text = text
    else:
        element.text = result
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data


def direct_answers(
    exchange: WebConnectorExchange,
) -> Callable[[Call, Mapping[str, Any]], bytes | None]:
    """For the guard: the reply to a screened call, or None when the SOAP stack answers it.

    An exception from the exchange propagates (it has been logged); the guard turns it
    into a bare Server fault.
    """

    def answer(call: Call, environ: Mapping[str, Any]) -> bytes | None:
        name = call.operation.name
        fn = ANSWERS.get(name)
        if fn is None:
            return None
        return reply_envelope(name, fn(exchange, call.arguments, call_context(environ)))

    return answer
