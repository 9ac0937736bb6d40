"""Building the Spyne application and its WSGI wrapper."""

from __future__ import annotations

from spyne import Application
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from qwc_service.sessions.exchange import WebConnectorExchange
from qwc_service.soap.service import NAMESPACE, QBWebConnectorSvc


def build_soap_app(exchange: WebConnectorExchange) -> WsgiApplication:
    """The SOAP 1.1 endpoint for ``exchange`` as a WSGI application."""
    application = Application(
        [QBWebConnectorSvc],
        tns=NAMESPACE,
        name="QBWebConnectorSvc",
        in_protocol=Soap11(validator=None, huge_tree=True),
        out_protocol=Soap11(),
    )
    application.exchange = exchange
    return WsgiApplication(application)
