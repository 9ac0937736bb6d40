"""Reading stored records: filters, paging, counts, lookups, and connection scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from qwc_service.app import QwcApp
from qwc_service.connections.queries import ConnectionNotFound
from qwc_service.db import unit_of_work
from qwc_service.records import service
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
            seen += [view.id for view in page]
            after = page[-1].row_id
    assert seen == [f"C-{n}" for n in range(10)]


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
        recent = service.list_records(db, cid, "Customer", modified_since=since)
        assert [r.id for r in recent] == ["C-3", "C-5"]
        everything = service.list_records(
            db, cid, "customers", modified_since=since, include_deleted=True
        )
        assert [r.id for r in everything] == ["C-3", "C-4", "C-5"]
        assert service.count_records(db, cid, "customers") == 5
        assert service.count_records(db, cid, "customers", modified_since=since) == 2
        assert service.count_records(db, cid, "customers", include_deleted=True) == 6


def test_a_record_by_its_id_whole(app: QwcApp) -> None:
    """get_record returns the view of one record, its lines in its document; an unknown
    TxnID is RecordNotFound."""
    cid = make_connection(app)
    lines = (("Consulting", "100.00"), ("Travel", "25.50"))
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1", lines=lines))))
    with unit_of_work(app.session_factory) as db:
        view = service.get_record(db, cid, "invoices", "1-1")
        with pytest.raises(service.RecordNotFound):
            service.get_record(db, cid, "invoices", "2-2")
        with pytest.raises(service.RecordNotFound):
            service.get_record(db, cid, "customers", "1-1")
    payload = view.to_payload()
    assert set(payload) == {"type", "id", "edit_sequence", "time_modified", "deleted", "data"}
    assert (payload["type"], payload["id"], payload["deleted"]) == ("Invoice", "1-1", False)
    assert (payload["edit_sequence"], payload["time_modified"]) == (
        "1400000000",
        "2014-05-01T10:00:00-08:00",
    )
    lines_stored = payload["data"]["InvoiceLineRet"]
    assert [ln["ItemRef"]["FullName"] for ln in lines_stored] == ["Consulting", "Travel"]


def test_every_record_type_lists_by_name_or_plural(app: QwcApp) -> None:
    """Each type lists all its records by qbXML name or plural, any case; an item kind
    lists the items of that kind only."""
    company = generate_company(customers=5, items=4, invoices=6, payments=3, seed=21)
    cid = make_connection(app)
    sync_company(app, cid, company)
    sizes = {
        "customers": len(company.customers),
        "Item": len(company.items),
        "INVOICES": len(company.invoices),
        "ReceivePayment": len(company.payments),
        "payments": len(company.payments),
    }
    services = [i for i in company.items.values() if i.kind == "Service"]
    with unit_of_work(app.session_factory) as db:
        for record_type, size in sizes.items():
            assert len(service.list_records(db, cid, record_type)) == size, record_type
            assert service.count_records(db, cid, record_type) == size
        kind = service.list_records(db, cid, "ItemService")
        assert {v.id for v in kind} == {i.list_id for i in services} and services
        assert {v.type for v in kind} == {"ItemService"}
        assert service.list_records(db, cid, "vendors") == []


def test_filters_on_the_indexed_columns(app: QwcApp) -> None:
    """Full name, RefNumber, TxnDate range, customer by ListID or FullName, IsActive."""
    cid = make_connection(app)
    inactive = customer_ret("C-9", name="Zed").replace(
        "<IsActive>true</IsActive>", "<IsActive>false</IsActive>"
    )
    store(
        app, cid, response(query_rs("CustomerQueryRs", customer_ret("C-1", name="Ann"), inactive))
    )
    late = invoice_ret("2-2").replace("2014-05-01</TxnDate>", "2014-06-15</TxnDate>")
    late = late.replace("<RefNumber>1007</RefNumber>", "<RefNumber>1008</RefNumber>")
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1"), late)))
    filters = service.RecordFilters

    def ids(record_type: str, **given: object) -> list[str]:
        views = service.list_records(db, cid, record_type, filters=filters(**given))  # type: ignore[arg-type]
        return [v.id for v in views]

    with unit_of_work(app.session_factory) as db:
        assert ids("customers", full_name="Ann") == ["C-1"]
        assert ids("customers", name="Zed") == ["C-9"]
        assert ids("customers", is_active=False) == ["C-9"]
        assert ids("invoices", ref_number="1008") == ["2-2"]
        assert ids("invoices", txn_date_from=date(2014, 6, 1)) == ["2-2"]
        assert ids("invoices", txn_date_to=date(2014, 5, 31)) == ["1-1"]
        assert ids("invoices", entity="Ann") == ["1-1", "2-2"]
        assert ids("invoices", entity="80000001-1400000000") == ["1-1", "2-2"]
        assert ids("invoices", entity="Bob") == []


def test_scoped_to_the_connection(app: QwcApp) -> None:
    """Another connection's rows never show; an unknown connection is ConnectionNotFound."""
    one, two = make_connection(app, "One"), make_connection(app, "Two")
    store(app, one, customers_response(3))
    store(app, one, response(query_rs("InvoiceQueryRs", invoice_ret("1-1"))))
    with unit_of_work(app.session_factory) as db:
        assert service.list_records(db, two, "customers") == []
        assert service.count_records(db, two, "customers") == 0
        with pytest.raises(service.RecordNotFound):
            service.get_record(db, two, "invoices", "1-1")
        with pytest.raises(ConnectionNotFound):
            service.list_records(db, "no-such-connection", "customers")


def test_bad_arguments(app: QwcApp) -> None:
    """Unknown types, naive times and out-of-range limits are refused with a clear error."""
    cid = make_connection(app)
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(service.UnknownRecordType, match=r"widgets.*CreditMemo"):
            service.list_records(db, cid, "widgets")
        with pytest.raises(ValueError, match="time zone"):
            service.list_records(db, cid, "items", modified_since=datetime(2014, 1, 1))
        with pytest.raises(ValueError, match="limit"):
            service.list_records(db, cid, "items", limit=0)
