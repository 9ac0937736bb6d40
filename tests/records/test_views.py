"""Stored records as JSON-ready dictionaries."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.records import service
from qwc_service.records.views import money_text, record_view
from tests.factories import make_connection
from tests.records.helpers import customer_ret, invoice_ret, query_rs, response
from tests.records.test_store import store


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("10.00000"), "10.00"),
        (Decimal("2.5"), "2.50"),
        (Decimal("1.23456"), "1.23456"),
        (Decimal("-125.00000"), "-125.00"),
        (Decimal("1E+3"), "1000.00"),
        (None, None),
    ],
)
def test_money_text(value: Decimal | None, text: str | None) -> None:
    """Money keeps two decimals at least, finer precision when it has it, and no exponent."""
    assert money_text(value) == text


def test_invoice_view_nests_lines_and_is_json(app: QwcApp) -> None:
    """An invoice view has ISO dates, money as strings and its lines, and dumps as JSON."""
    cid = make_connection(app)
    lines = (("Consulting", "100.00"), ("Travel", "25.50"))
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1", lines=lines))))
    with unit_of_work(app.session_factory) as db:
        view = record_view(service.get_invoice(db, cid, "1-1"))
    assert json.loads(json.dumps(view)) == view
    assert view["record_type"] == "invoices" and isinstance(view["row_id"], int)
    assert (view["txn_id"], view["txn_date"], view["subtotal"]) == ("1-1", "2014-05-01", "125.50")
    assert view["time_modified"] == "2014-05-01T18:00:00+00:00"
    assert view["time_modified_raw"] == "2014-05-01T10:00:00-08:00"
    assert view["deleted_at"] is None and view["is_paid"] is False
    assert [(ln["position"], ln["item_full_name"], ln["amount"]) for ln in view["lines"]] == [
        (1, "Consulting", "100.00"),
        (2, "Travel", "25.50"),
    ]
    assert "connection_id" not in view and "invoice_id" not in view["lines"][0]


def test_customer_view(app: QwcApp) -> None:
    """A customer view carries its columns and no children."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("CustomerQueryRs", customer_ret("A-1", name="Ann &amp; Co"))))
    with unit_of_work(app.session_factory) as db:
        (row,) = service.list_records(db, cid, "customers")
        view = record_view(row)
    assert view["record_type"] == "customers"
    assert (view["list_id"], view["name"], view["balance"]) == ("A-1", "Ann & Co", "10.00")
    assert "lines" not in view and "applications" not in view
