"""Reading stored records: filters, paging, counts, lookups, and connection scoping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qwc_service.app import QwcApp
from qwc_service.connections.queries import ConnectionNotFound
from qwc_service.db import unit_of_work
from qwc_service.records import service
from qwc_service.records.models import Invoice
from qwc_service.records.parse import DeletedRecord
from qwc_service.records.store import apply_deletions
from qwc_service.simulator.dataset import generate_company
from tests.factories import make_connection
from tests.records.helpers import customer_ret, invoice_ret, query_rs, response
from tests.records.test_store import NOW, store, sync_company


def customers_response(count: int) -> str:
    """Customers C-0 … modified one hour apart from 2014-05-01 00:00 PST."""
    rets = [
        customer_ret(f"C-{n}", name=f"Customer {n}", modified=f"2014-05-01T{n:02d}:00:00-08:00")
        for n in range(count)
    ]
    return response(query_rs("CustomerQueryRs", *rets))


def test_pages_with_the_after_cursor(app: QwcApp) -> None:
    """Pages of 4 follow each other through ``after`` without gaps or repeats."""
    cid = make_connection(app)
    store(app, cid, customers_response(10))
    seen: list[str] = []
    after = None
    with unit_of_work(app.session_factory) as db:
        while page := service.list_records(db, cid, "customers", limit=4, after=after):
            seen += [row.list_id for row in page]
            after = page[-1].id
        offset_page = service.list_records(db, cid, "customers", limit=2, offset=8)
    assert seen == [f"C-{n}" for n in range(10)]
    assert [row.list_id for row in offset_page] == ["C-8", "C-9"]


def test_modified_since_and_deleted_filters(app: QwcApp) -> None:
    """modified_since compares QuickBooks' instants; deleted rows only with include_deleted."""
    cid = make_connection(app)
    store(app, cid, customers_response(6))
    # 03:00 PST is 11:00 UTC: customers C-3, C-4, C-5.
    since = datetime(2014, 5, 1, 11, 0, tzinfo=UTC)
    with unit_of_work(app.session_factory) as db:
        apply_deletions(
            db, cid, [DeletedRecord(del_type="Customer", qb_id="C-4", is_txn=False)], now=NOW
        )
    with unit_of_work(app.session_factory) as db:
        recent = service.list_records(db, cid, "customers", modified_since=since)
        assert [r.list_id for r in recent] == ["C-3", "C-5"]
        everything = service.list_records(
            db, cid, "customers", modified_since=since, include_deleted=True
        )
        assert [r.list_id for r in everything] == ["C-3", "C-4", "C-5"]
        assert service.count_records(db, cid, "customers") == 5
        assert service.count_records(db, cid, "customers", modified_since=since) == 2
        assert service.count_records(db, cid, "customers", include_deleted=True) == 6


def test_invoice_lookup_with_lines(app: QwcApp) -> None:
    """get_invoice returns the invoice with its lines; an unknown TxnID is RecordNotFound."""
    cid = make_connection(app)
    lines = (("Consulting", "100.00"), ("Travel", "25.50"))
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1", lines=lines))))
    with unit_of_work(app.session_factory) as db:
        invoice = service.get_invoice(db, cid, "1-1")
        assert isinstance(invoice, Invoice)
        assert [line.item_full_name for line in invoice.lines] == ["Consulting", "Travel"]
        with pytest.raises(service.RecordNotFound):
            service.get_invoice(db, cid, "2-2")


def test_every_record_type_lists_with_children(app: QwcApp) -> None:
    """Each record type lists all its rows; invoices and payments carry their children."""
    company = generate_company(customers=5, items=4, invoices=6, payments=3, seed=21)
    cid = make_connection(app)
    sync_company(app, cid, company)
    sizes = {
        "customers": len(company.customers),
        "items": len(company.items),
        "invoices": len(company.invoices),
        "payments": len(company.payments),
    }
    with unit_of_work(app.session_factory) as db:
        for record_type in service.RECORD_TYPES:
            rows = service.list_records(db, cid, record_type)
            assert len(rows) == sizes[record_type]
            assert service.count_records(db, cid, record_type) == sizes[record_type]
        invoices = service.list_records(db, cid, "invoices")
        assert all(len(i.lines) == len(company.invoices[i.txn_id].lines) for i in invoices)


def test_scoped_to_the_connection(app: QwcApp) -> None:
    """Another connection's rows never show; an unknown connection is ConnectionNotFound."""
    one, two = make_connection(app, "One"), make_connection(app, "Two")
    store(app, one, customers_response(3))
    store(app, one, response(query_rs("InvoiceQueryRs", invoice_ret("1-1"))))
    with unit_of_work(app.session_factory) as db:
        assert service.list_records(db, two, "customers") == []
        assert service.count_records(db, two, "customers") == 0
        with pytest.raises(service.RecordNotFound):
            service.get_invoice(db, two, "1-1")
        with pytest.raises(ConnectionNotFound):
            service.list_records(db, "no-such-connection", "customers")


def test_bad_arguments(app: QwcApp) -> None:
    """Unknown types, naive times and out-of-range limits are refused with a clear error."""
    cid = make_connection(app)
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(service.UnknownRecordType, match="vendors"):
            service.list_records(db, cid, "vendors")
        with pytest.raises(ValueError, match="time zone"):
            service.list_records(db, cid, "items", modified_since=datetime(2014, 1, 1))
        with pytest.raises(ValueError, match="limit"):
            service.list_records(db, cid, "items", limit=0)
