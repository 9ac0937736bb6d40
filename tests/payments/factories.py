"""Builders for payment tests: stored invoices copied from a fake company, and a hand-driven
Web Connector for sessions that die at a chosen moment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.records.invoices import StoredInvoice
from qwc_service.records.invoices import stored_invoice as read_invoice
from qwc_service.records.models import StoredRecord
from qwc_service.simulator import dataset
from qwc_service.simulator.connector import WebConnector, WsgiTransport
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.records import format_amount
from qwc_service.simulator.qwcfile import read_qwc
from tests.factories import MachineCredentials
from tests.soap_client import SoapClient


def store_invoice(
    app: QwcApp,
    connection_id: str,
    invoice: dataset.Invoice,
    *,
    balance: Decimal | None = None,
    txn_id: str | None = None,
) -> None:
    """Store a fake company's invoice as a synced record of the connection."""
    remaining = invoice.balance_remaining if balance is None else balance
    qb_id = txn_id or invoice.txn_id
    document = {
        "TxnID": qb_id,
        "TxnNumber": str(invoice.txn_number),
        "CustomerRef": {
            "ListID": invoice.customer_list_id,
            "FullName": invoice.customer_full_name,
        },
        "TxnDate": invoice.txn_date.isoformat(),
        "RefNumber": invoice.ref_number,
        "Subtotal": format_amount(invoice.subtotal),
        "SalesTaxTotal": format_amount(invoice.sales_tax_total),
        "AppliedAmount": format_amount(invoice.applied_amount),
        "BalanceRemaining": format_amount(remaining),
        "IsPaid": "true" if invoice.is_paid else "false",
    }
    with unit_of_work(app.session_factory) as db:
        db.add(
            StoredRecord(
                connection_id=connection_id,
                record_type="Invoice",
                object_name="Invoice",
                qb_id=qb_id,
                entity_list_id=invoice.customer_list_id,
                entity_full_name=invoice.customer_full_name,
                txn_date=invoice.txn_date,
                ref_number=invoice.ref_number,
                balance=remaining,
                document=document,
            )
        )


def open_invoice(quickbooks: FakeQuickBooks, skip: int = 0) -> dataset.Invoice:
    """An unpaid invoice of the fake company (the ``skip``-th one, oldest first)."""
    unpaid = [i for i in quickbooks.company.invoices.values() if i.balance_remaining > 0]
    return unpaid[skip]


def stored_invoice(app: QwcApp, connection_id: str, txn_id: str) -> StoredInvoice:
    """The stored invoice record, read in a fresh unit of work."""
    with unit_of_work(app.session_factory) as db:
        found = read_invoice(db, connection_id, txn_id)
        assert found is not None
        return found


def connector(app: QwcApp, machine: MachineCredentials, quickbooks: FakeQuickBooks) -> WebConnector:
    """The simulated Web Connector of ``machine``, in-process over WSGI, already added."""
    assert machine.qwc_path is not None
    wc = WebConnector(
        read_qwc(machine.qwc_path),
        machine.password,
        quickbooks,
        http=WsgiTransport(app),
        url="http://localhost/qbwc",
        noop_wait_seconds=0,
    )
    wc.add_application()
    return wc


@dataclass
class HandDriven:
    """A Web Connector driven call by call, so a test decides whether QuickBooks runs a
    request and whether its answer ever reaches the server."""

    app: QwcApp
    machine: MachineCredentials
    quickbooks: FakeQuickBooks

    def __post_init__(self) -> None:
        assert self.machine.qwc_path is not None
        self.owner_id = read_qwc(self.machine.qwc_path).owner_id
        self.client = SoapClient(self.app)
        self._first = True

    def login(self) -> str:
        """authenticate; returns the ticket of a session that has work."""
        ticket, status = self.client.authenticate(self.machine.username, self.machine.password)[:2]
        assert status not in ("nvu", "none", "busy"), status
        self._first = True
        return ticket

    def next_request(self, ticket: str) -> str:
        """sendRequestXML, with the HCP response on the session's first call."""
        hcp = self.quickbooks.hcp_response(self.owner_id) if self._first else ""
        self._first = False
        major, minor = self.quickbooks.qbxml_version
        return self.client.send_request(
            ticket, hcp, self.quickbooks.company_file, "US", major, minor
        )

    def deliver(self, ticket: str, response: str, hresult: str = "", message: str = "") -> int:
        """receiveResponseXML."""
        return self.client.receive_response(ticket, response, hresult, message)

    def round_trip(self, ticket: str) -> tuple[str, int]:
        """Hand out the next request, let QuickBooks run it, and deliver its answer."""
        request = self.next_request(ticket)
        assert request, "the server had no request"
        return request, self.deliver(ticket, self.quickbooks.process(request))
