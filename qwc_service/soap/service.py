"""The QBWebConnectorSvc SOAP service, for the WSDL and for callers that reach the SOAP stack.

The guard answers every call itself (soap.direct); each method here runs the same function.

Names, parameter names and the namespace are the Web Connector's contract and must not
change: http://developer.intuit.com/, document/literal wrapped, SOAP 1.1.
"""

from __future__ import annotations

from typing import Any

from spyne import Array, Integer32, ServiceBase, Unicode, rpc
from spyne.model.fault import Fault

from qwc_service.qbwc.exchange import CallContext, WebConnectorExchange
from qwc_service.soap import direct
from qwc_service.soap.calls import CallFailed, call_context
from qwc_service.soap.direct import Answer, Arguments
from qwc_service.soap.parameters import carried_arguments, carried_parameters

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
    return call_context(getattr(ctx.transport, "req_env", None) or {})


def _direct(ctx: Any, answer: Answer, args: Arguments) -> Any:
    try:
        return answer(_exchange(ctx), args, _call_context(ctx))
    except CallFailed:
        raise ServerError() from None


class QBWebConnectorSvc(ServiceBase):
    """The Web Connector callback service."""

    @classmethod
    def call_wrapper(cls, ctx: Any, args: Any = None) -> Any:
        """Run a method with every argument as the client sent it, large ones included."""
        if args is None:
            _restore_carried(ctx)
        return super().call_wrapper(ctx, args)

    # Calls are normally answered by the guard (soap.direct); these run the same
    # functions, for a caller that reaches the SOAP stack itself.

    @rpc(_returns=Unicode)
    def serverVersion(ctx: Any) -> str:
        return _direct(ctx, direct.server_version, {})

    @rpc(Unicode, _returns=Unicode)
    def clientVersion(ctx: Any, strVersion: str | None) -> str:
        return _direct(ctx, direct.client_version, {"strVersion": strVersion})

    @rpc(Unicode, Unicode, _returns=ArrayOfString)
    def authenticate(
        ctx: Any,
        strUserName: str | None,
        strPassword: str | None,
    ) -> list[str]:
        return _direct(
            ctx, direct.authenticate, {"strUserName": strUserName, "strPassword": strPassword}
        )

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
        args = {
            "ticket": ticket,
            "strHCPResponse": strHCPResponse,
            "strCompanyFileName": strCompanyFileName,
            "qbXMLCountry": qbXMLCountry,
            "qbXMLMajorVers": None if qbXMLMajorVers is None else str(qbXMLMajorVers),
            "qbXMLMinorVers": None if qbXMLMinorVers is None else str(qbXMLMinorVers),
        }
        return _direct(ctx, direct.send_request, args)

    @rpc(Unicode, Unicode, Unicode, Unicode, _returns=Integer32)
    def receiveResponseXML(
        ctx: Any,
        ticket: str | None,
        response: str | None,
        hresult: str | None,
        message: str | None,
    ) -> int:
        args = {"ticket": ticket, "response": response, "hresult": hresult, "message": message}
        return int(_direct(ctx, direct.receive_response, args))

    @rpc(Unicode, Unicode, Unicode, _returns=Unicode)
    def connectionError(
        ctx: Any, ticket: str | None, hresult: str | None, message: str | None
    ) -> str:
        args = {"ticket": ticket, "hresult": hresult, "message": message}
        return _direct(ctx, direct.connection_error, args)

    @rpc(Unicode, _returns=Unicode)
    def getLastError(ctx: Any, ticket: str | None) -> str:
        return _direct(ctx, direct.get_last_error, {"ticket": ticket})

    @rpc(Unicode, _returns=Unicode)
    def closeConnection(ctx: Any, ticket: str | None) -> str:
        return _direct(ctx, direct.close_connection, {"ticket": ticket})

    # Interactive mode is not offered; see soap.direct.

    @rpc(Unicode, Unicode, _returns=Unicode)
    def getInteractiveURL(ctx: Any, wcTicket: str | None, sessionID: str | None) -> str:
        return _direct(ctx, direct.get_interactive_url, {})

    @rpc(Unicode, _returns=Unicode)
    def interactiveDone(ctx: Any, wcTicket: str | None) -> str:
        return _direct(ctx, direct.interactive_done, {})

    @rpc(Unicode, _returns=Unicode)
    def isInteractiveDone(ctx: Any, wcTicket: str | None) -> str:
        return _direct(ctx, direct.is_interactive_done, {})

    @rpc(Unicode, Unicode, _returns=Unicode)
    def interactiveRejected(ctx: Any, wcTicket: str | None, reason: str | None) -> str:
        return _direct(ctx, direct.interactive_rejected, {})
