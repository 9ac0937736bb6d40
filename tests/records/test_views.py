"""Stored records as the CLI and the API show them."""

from __future__ import annotations

import json

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.records import service
from qwc_service.records.views import RecordView
from tests.factories import make_connection
from tests.records.helpers import customer_ret, invoice_ret, query_rs, response
from tests.records.test_store import store


def test_invoice_view_is_the_whole_document_and_dumps_as_json(app: QwcApp) -> None:
    """An invoice's view carries its type, id, stamps and document, money as text."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1"))))
    with unit_of_work(app.session_factory) as db:
        (view,) = service.list_records(db, cid, "invoices")
    payload = json.loads(json.dumps(view.to_payload()))
    assert payload["type"] == "Invoice" and payload["id"] == "1-1"
    assert payload["data"]["Subtotal"] == "100.00"
    assert payload["data"]["CustomerRef"] == {"ListID": "80000001-1400000000", "FullName": "Ann"}
    assert RecordView.from_payload(payload, view.row_id) == view


def test_customer_view(app: QwcApp) -> None:
    """A customer's view names the Customer object and is not deleted."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("CustomerQueryRs", customer_ret("A-1", name="Ann"))))
    with unit_of_work(app.session_factory) as db:
        (view,) = service.list_records(db, cid, "Customer")
    assert (view.type, view.id, view.deleted, view.data["Name"]) == (
        "Customer",
        "A-1",
        False,
        "Ann",
    )
