"""The calls of an idle poll, answered straight from the envelope the guard has read.

A Web Connector on a schedule calls serverVersion, clientVersion, authenticate and
closeConnection every run, and most runs find nothing to do. Handing each of these tiny
calls to the SOAP stack (a second parse of a rebuilt envelope, its object model, its
serialiser) costs several times what answering them does. The guard has already read and
checked the call (:mod:`qwc_service.soap.xmlguard`), so these four are answered here, and the
SOAP stack keeps the WSDL and the other operations. The Spyne methods of the same names
(:mod:`qwc_service.soap.service`) call the same functions, so both paths answer alike, and a
test compares their bytes.
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


#: The operations answered without the SOAP stack.
ANSWERS: Final[Mapping[str, Answer]] = {
    "serverVersion": server_version,
    "clientVersion": client_version,
    "authenticate": authenticate,
    "closeConnection": close_connection,
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
