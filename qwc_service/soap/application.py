"""Building the Spyne application and its WSGI wrapper."""

from __future__ import annotations

import sys
from typing import Any

import spyne.const
from spyne import Application
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from qwc_service.qbwc.exchange import WebConnectorExchange
from qwc_service.soap.direct import NAMESPACE
from qwc_service.soap.service import QBWebConnectorSvc
from qwc_service.soap.wsdl import wsdl_document


def build_soap_app(exchange: WebConnectorExchange, location: str) -> WsgiApplication:
    """The SOAP 1.1 endpoint for ``exchange`` as a WSGI application.

    ``GET ?wsdl`` answers the document of :mod:`qwc_service.soap.wsdl` with its port at
    ``location``, the endpoint's public URL.
    """
    # Spyne runs a full gc.collect() after a request at most once a second; with the
    # objects a worker holds that costs tens of milliseconds and stalls every thread.
    # Python's own generational collector is enough.
    spyne.const.MIN_GC_INTERVAL = float("inf")
    application = Application(
        [QBWebConnectorSvc],
        tns=NAMESPACE,
        name="QBWebConnectorSvc",
        in_protocol=Soap11(validator=None, huge_tree=True),
        out_protocol=Soap11(),
    )
    application.exchange = exchange
    document = wsdl_document(application, location)
    # Spyne's own 2 MB request limit would refuse large receiveResponseXML calls; the size cap
    # (Settings.max_body_bytes) is applied in front of the SOAP stack, in soap/guard.py.
    wsgi = WsgiApplication(application, max_content_length=sys.maxsize)

    def serve_document(ctx: Any) -> None:
        # Spyne's "wsdl" event fires just before the document is sent: what it would send
        # (its own WSDL, located at whatever Host the first request named) is replaced.
        ctx.transport.wsdl = document

    wsgi.event_manager.add_listener("wsdl", serve_document)
    return wsgi
