"""The QBWebConnectorSvc SOAP service: each method translates the wire into one exchange call.

Names, parameter names and the namespace are the Web Connector's contract and must not
change: http://developer.intuit.com/, document/literal wrapped, SOAP 1.1.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any, TypeVar

import structlog
from spyne import Array, Integer32, ServiceBase, Unicode, rpc
from spyne.model.fault import Fault

from qwc_service.metrics import observe_soap_call
from qwc_service.qbwc.exchange import CallContext, WebConnectorExchange
from qwc_service.soap.parameters import carried_arguments, carried_parameters

NAMESPACE = "http://developer.intuit.com/"

log = structlog.get_logger("qwc_service.soap")

T = TypeVar("T")

ArrayOfString = Array(Unicode, type_name="ArrayOfString")


class ServerError(Fault):
    """The only fault we send: no internals, just that the server failed."""

    def __init__(self) -> None:
        super().__init__(faultcode="Server", faultstring="The server could not process this call.")


def _exchange(ctx: Any) -> WebConnectorExchange:
    exchange: WebConnectorExchange = ctx.app.exchange
    return exchange


def _restore_carried(ctx: Any) -> None:
    """Put back the arguments the guard carried beside the envelope (see soap.parameters)."""
    if ctx.in_object is None:
        return
    env = getattr(ctx.transport, "req_env", None) or {}
    carried = carried_arguments(env)
    for name in carried_parameters(ctx.descriptor.in_message.get_type_name()):
        if name in carried:
            setattr(ctx.in_object, name, carried[name])


def _call_context(ctx: Any) -> CallContext:
    env = getattr(ctx.transport, "req_env", None) or {}
    return CallContext(
        client_address=str(env.get("qwc.client_address") or env.get("REMOTE_ADDR") or "")
    )


def _run(method: str, fn: Callable[[], T], outcome: Callable[[T], Any]) -> T:
    structlog.contextvars.clear_contextvars()
    start = perf_counter()
    try:
        result = fn()
    except Exception:
        elapsed = perf_counter() - start
        observe_soap_call(method, "server_error", elapsed)
        log.exception(
            "soap_call",
            method=method,
            outcome="server_error",
            duration_ms=round(elapsed * 1000, 2),
        )
        raise ServerError() from None
    elapsed = perf_counter() - start
    label = outcome(result)
    observe_soap_call(method, label, elapsed)
    log.info("soap_call", method=method, outcome=label, duration_ms=round(elapsed * 1000, 2))
    return result


def _text(value: str) -> str:
    return "request" if value else "empty"


class QBWebConnectorSvc(ServiceBase):
    """The Web Connector callback service."""

    @classmethod
    def call_wrapper(cls, ctx: Any, args: Any = None) -> Any:
        """Run a method with every argument as the client sent it, large ones included."""
        if args is None:
            _restore_carried(ctx)
        return super().call_wrapper(ctx, args)

    @rpc(_returns=Unicode)
    def serverVersion(ctx: Any) -> str:
        return _run("serverVersion", _exchange(ctx).server_version, lambda r: "ok")

    @rpc(Unicode, _returns=Unicode)
    def clientVersion(ctx: Any, strVersion: str | None) -> str:
        exchange, call = _exchange(ctx), _call_context(ctx)
        return _run(
            "clientVersion",
            lambda: exchange.client_version(strVersion or "", call),
            lambda r: r[:2] or "proceed",
        )

    @rpc(Unicode, Unicode, _returns=ArrayOfString)
    def authenticate(
        ctx: Any,
        strUserName: str | None,
        strPassword: str | None,
    ) -> list[str]:
        exchange, call = _exchange(ctx), _call_context(ctx)
        outcome = _run(
            "authenticate",
            lambda: exchange.authenticate(strUserName or "", strPassword or "", call),
            lambda r: r.status.value,
        )
        return outcome.wire_strings()

    @rpc(Unicode, Unicode, Unicode, Unicode, Integer32, Integer32, _returns=Unicode)
    def sendRequestXML(
        ctx: Any,
        ticket: str | None,
        strHCPResponse: str | None,
        strCompanyFileName: str | None,
        qbXMLCountry: str | None,
        qbXMLMajorVers: int | None,
        qbXMLMinorVers: int | None,
    ) -> str:
        exchange = _exchange(ctx)
        return _run(
            "sendRequestXML",
            lambda: exchange.send_request(
                ticket or "",
                strHCPResponse or "",
                strCompanyFileName or "",
                qbXMLCountry or "",
                qbXMLMajorVers,
                qbXMLMinorVers,
            ),
            _text,
        )

    @rpc(Unicode, Unicode, Unicode, Unicode, _returns=Integer32)
    def receiveResponseXML(
        ctx: Any,
        ticket: str | None,
        response: str | None,
        hresult: str | None,
        message: str | None,
    ) -> int:
        exchange = _exchange(ctx)
        return _run(
            "receiveResponseXML",
            lambda: exchange.receive_response(
                ticket or "", response or "", hresult or "", message or ""
            ),
            lambda r: r,
        )

    @rpc(Unicode, Unicode, Unicode, _returns=Unicode)
    def connectionError(
        ctx: Any, ticket: str | None, hresult: str | None, message: str | None
    ) -> str:
        exchange = _exchange(ctx)
        return _run(
            "connectionError",
            lambda: exchange.connection_error(ticket or "", hresult or "", message or ""),
            lambda r: r or "retry",
        )

    @rpc(Unicode, _returns=Unicode)
    def getLastError(ctx: Any, ticket: str | None) -> str:
        exchange = _exchange(ctx)
        return _run("getLastError", lambda: exchange.get_last_error(ticket or ""), lambda r: "ok")

    @rpc(Unicode, _returns=Unicode)
    def closeConnection(ctx: Any, ticket: str | None) -> str:
        exchange = _exchange(ctx)
        return _run(
            "closeConnection", lambda: exchange.close_connection(ticket or ""), lambda r: "ok"
        )

    # Interactive mode is not offered; these answer so that a Web Connector that asks
    # anyway ends the exchange cleanly.

    @rpc(Unicode, Unicode, _returns=Unicode)
    def getInteractiveURL(
        ctx: Any,
        wcTicket: str | None,
        sessionID: str | None,
    ) -> str:
        return _run("getInteractiveURL", lambda: "", lambda r: "not_offered")

    @rpc(Unicode, _returns=Unicode)
    def interactiveDone(ctx: Any, wcTicket: str | None) -> str:
        return _run("interactiveDone", lambda: "Done", lambda r: "not_offered")

    @rpc(Unicode, _returns=Unicode)
    def isInteractiveDone(ctx: Any, wcTicket: str | None) -> str:
        return _run("isInteractiveDone", lambda: "DONE", lambda r: "not_offered")

    @rpc(Unicode, Unicode, _returns=Unicode)
    def interactiveRejected(
        ctx: Any,
        wcTicket: str | None,
        reason: str | None,
    ) -> str:
        return _run(
            "interactiveRejected",
            lambda: "Interactive mode is not used by this server.",
            lambda r: "not_offered",
        )
