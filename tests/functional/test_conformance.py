"""Conformance: Intuit's WSDL in an independent SOAP client, and real Web Connector captures."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import zeep
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.serving import ServerProcess
from qwc_service.simulator import wire
from qwc_service.simulator.transport import HttpClientTransport
from tests.factories import (
    customer_query,
    customer_response,
    enqueue,
    make_connection,
    make_machine,
    request_id_of,
)
from tests.reference_files import capture_payload
from tests.soap_client import SoapClient

pytestmark = pytest.mark.gunicorn

#: The operations Intuit's WSDL describes.
INTUIT_OPERATIONS = (
    "serverVersion",
    "clientVersion",
    "authenticate",
    "connectionError",
    "sendRequestXML",
    "receiveResponseXML",
    "getLastError",
    "closeConnection",
)


def _zeep_session(served_app: QwcApp, svc: Any) -> None:
    """Every Intuit operation through a zeep service proxy; the queued job ends done."""
    connection_id = make_connection(served_app)
    machine = make_machine(served_app, connection_id)
    job_id = enqueue(served_app, connection_id, customer_query(5))
    assert svc.serverVersion().startswith("qwc-service")
    assert svc.clientVersion("2.3.0.215") in (None, "")
    auth = svc.authenticate(machine.username, machine.password)
    ticket, status = auth[0], auth[1]
    assert status in (None, "")
    request = svc.sendRequestXML(ticket, "", r"C:\Acme.QBW", "US", 13, 0)
    request_id = re.search(r'requestID="([^"]+)"', request).group(1)  # type: ignore[union-attr]
    assert svc.receiveResponseXML(ticket, customer_response(request_id), "", "") == 100
    assert svc.getLastError(ticket)
    assert svc.connectionError("unknown-ticket", "0x80040408", "x") == "done"
    assert svc.closeConnection(ticket)
    with unit_of_work(served_app.session_factory) as db:
        assert queue.get_job(db, connection_id, job_id).status == "done"


def test_zeep_with_intuit_wsdl_completes_a_session(
    server: ServerProcess, served_app: QwcApp, reference: Path
) -> None:
    """zeep, built from Intuit's own WSDL, runs a whole session against gunicorn."""
    client = zeep.Client(str(reference / "QBWebConnectorSvc.wsdl"))
    svc = client.create_service(
        "{http://developer.intuit.com/}TroubleshootWebServiceFSSoap", f"{server.url}/qbwc"
    )
    _zeep_session(served_app, svc)


class _SoapActions(zeep.Plugin):
    """Notes the SOAPAction header of every request zeep sends."""

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}

    def egress(self, envelope: Any, http_headers: Any, operation: Any, binding_options: Any) -> Any:
        self.sent[operation.name] = http_headers["SOAPAction"]
        return envelope, http_headers


def test_zeep_with_served_wsdl_sends_intuits_soap_action(
    server: ServerProcess, served_app: QwcApp
) -> None:
    """zeep, built from our ?wsdl, finds the server there and sends what the Web Connector does."""
    actions = _SoapActions()
    client = zeep.Client(f"{server.url}/qbwc?wsdl", plugins=[actions])
    # No address given: the port in the document leads to the server.
    _zeep_session(served_app, client.service)
    assert actions.sent == {
        operation: wire.headers(operation)["SOAPAction"] for operation in INTUIT_OPERATIONS
    }
    assert actions.sent["authenticate"] == '"http://developer.intuit.com/authenticate"'


def _post(url: str, body: bytes, action: str) -> bytes:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 200
        return reply.read()


@pytest.mark.parametrize(
    "relative_path",
    [
        "captures/receiveResponseXML-request-flowlink-item_inventory_query_rs_raw.xml",
        "captures/receiveResponseXML-request-flowlink-sales_order_add_rs_raw.xml",
        "qbxml-samples/receiveResponseXML-SOAP-ItemServiceAddRs-3100-consolibyte-quickbooks-php.xml",
    ],
)
def test_real_receive_response_captures_are_accepted(
    server: ServerProcess, served_app: QwcApp, reference: Path, relative_path: str
) -> None:
    """A byte-exact receiveResponseXML from a real Web Connector, with a live ticket, is stored."""
    connection_id = make_connection(served_app)
    machine = make_machine(served_app, connection_id)
    job_id = enqueue(served_app, connection_id)
    client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
    ticket = client.authenticate(machine.username, machine.password)[0]
    request_id = request_id_of(client.send_request(ticket))
    data = (reference / relative_path).read_bytes()
    # A capture has a header before its payload; the consolibyte sample is posted whole.
    body = capture_payload(data) if relative_path.startswith("captures/") else data
    root = etree.fromstring(body)
    ticket_el = root.find(".//{http://developer.intuit.com/}ticket")
    assert ticket_el is not None and ticket_el.text
    body = body.replace(ticket_el.text.encode(), ticket.encode())
    # QuickBooks echoes the requestID it was sent; the capture echoes its own server's.
    body = re.sub(rb'requestID="[^"]*"', f'requestID="{request_id}"'.encode(), body)
    reply = _post(f"{server.url}/qbwc", body, "http://developer.intuit.com/receiveResponseXML")
    result = etree.fromstring(reply).find(
        ".//{http://developer.intuit.com/}receiveResponseXMLResult"
    )
    assert result is not None and int(result.text or "") == 100
    with unit_of_work(served_app.session_factory) as db:
        job = queue.get_job(db, connection_id, job_id)
        assert job.response and job.status in ("done", "error")
