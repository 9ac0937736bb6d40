"""Storing records: round trips with the fake QuickBooks, upsert rules, deletions, tenants."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.qbxml.objects.registry import all_objects, object_for_ret
from qwc_service.records.invoices import update_invoice_balance
from qwc_service.records.models import StoredRecord
from qwc_service.records.parse import (
    DeletedRecord,
    ParseProblem,
    RecordDocument,
    ResponseReader,
    parse_response,
)
from qwc_service.records.store import apply_deletions, apply_records
from qwc_service.simulator.dataset import EVERY_TYPE, Company, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.records import format_datetime
from tests.factories import make_connection
from tests.records.compare import (
    assert_company_matches,
    assert_customers_match,
    assert_deletions_match,
    assert_invoices_match,
    ret_document,
)
from tests.records.helpers import customer_ret, fetch, invoice_ret, message_set, query_rs, response
from tests.simulator.registry_queries import everything, query

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def store(  # type: ignore[no-untyped-def]
    app: QwcApp, connection_id: str, text: str, batch_size: int = 500, write_behind: bool = False
):
    """Read ``text`` and apply it in one unit of work; returns the ApplyResult."""
    with unit_of_work(app.session_factory) as db:
        return apply_records(
            db,
            connection_id,
            ResponseReader(text),
            now=NOW,
            batch_size=batch_size,
            write_behind=write_behind,
        )


def sync_company(
    app: QwcApp,
    connection_id: str,
    company: Company,
    batch_size: int = 500,
    write_behind: bool = False,
) -> None:
    """Fetch every record type from a fake QuickBooks and store it."""
    qb = FakeQuickBooks(company)
    for record_type in ("customers", "items", "invoices", "payments"):
        result = store(app, connection_id, fetch(qb, record_type), batch_size, write_behind)
        assert not result.problems


def count(db: Session, record_type: str, connection_id: str) -> int:
    """Rows of a record type owned by the connection."""
    query = select(func.count()).where(
        StoredRecord.connection_id == connection_id, StoredRecord.record_type == record_type
    )
    return int(db.scalar(query) or 0)


def customer(list_id: str, name: str = "Ann", **fields: str) -> RecordDocument:
    """A customer record as the reader makes it, with ``fields`` as extra elements."""
    extra = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    ret = customer_ret(list_id, name).replace("</CustomerRet>", extra + "</CustomerRet>")
    (record,) = parse_response(response(query_rs("CustomerQueryRs", ret))).records
    return record


def rows(db: Session, record_type: str) -> list[StoredRecord]:
    """Every stored row of a record type, in id order."""
    query = select(StoredRecord).where(StoredRecord.record_type == record_type)
    return list(db.scalars(query.order_by(StoredRecord.id)))


@pytest.mark.parametrize(("batch_size", "write_behind"), [(500, False), (7, False), (7, True)])
def test_round_trip_matches_the_company_field_by_field(
    app: QwcApp, batch_size: int, write_behind: bool
) -> None:
    """Fake QuickBooks → parse → store gives rows equal to the company's records, any batch size."""
    company = generate_company(customers=30, items=14, invoices=45, payments=20, seed=7)
    cid = make_connection(app)
    sync_company(app, cid, company, batch_size, write_behind)
    with unit_of_work(app.session_factory) as db:
        assert_company_matches(db, cid, company)


def test_result_counts_and_watermark(app: QwcApp) -> None:
    """The result counts rows per type and gives the newest TimeModified with its own text."""
    company = generate_company(customers=12, items=3, invoices=4, payments=1, seed=2)
    cid = make_connection(app)
    result = store(app, cid, fetch(FakeQuickBooks(company), "customers"))
    newest = max(company.customers.values(), key=lambda c: c.time_modified)
    assert (result.upserted, result.by_type, result.kept_newer) == (12, {"Customer": 12}, 0)
    assert result.max_time_modified == newest.time_modified
    assert result.max_time_modified_raw == format_datetime(newest.time_modified)
    assert result.max_modified_by_type["Customer"][1] == result.max_time_modified_raw


def test_applying_twice_changes_nothing(app: QwcApp) -> None:
    """Re-applying the same response keeps one row per record, with the same row ids."""
    company = generate_company(customers=8, items=5, invoices=12, payments=4, seed=4)
    cid = make_connection(app)
    sync_company(app, cid, company)
    ids = select(StoredRecord.record_type, StoredRecord.qb_id, StoredRecord.id).order_by(
        StoredRecord.id
    )
    with unit_of_work(app.session_factory) as db:
        before = db.execute(ids).all()
    sync_company(app, cid, company)
    with unit_of_work(app.session_factory) as db:
        assert db.execute(ids).all() == before
        assert_company_matches(db, cid, company)


def test_newer_version_replaces_row_and_lines(app: QwcApp) -> None:
    """A newer invoice replaces the stored fields and its lines (two lines become one)."""
    cid = make_connection(app)
    two = (("Consulting", "100.00"), ("Travel", "50.00"))
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1", lines=two))))
    newer = invoice_ret("1-1", modified="2014-05-02T09:00:00-08:00", lines=(("Design", "80.00"),))
    result = store(app, cid, response(query_rs("InvoiceQueryRs", newer)))
    assert result.upserted == 1 and result.kept_newer == 0
    with unit_of_work(app.session_factory) as db:
        (invoice,) = rows(db, "Invoice")
        assert invoice.document["Subtotal"] == "80.00" and invoice.balance == Decimal("80.00")
        assert invoice.time_modified_raw == "2014-05-02T09:00:00-08:00"
        lines = invoice.document["InvoiceLineRet"]
        assert [ln["ItemRef"]["FullName"] for ln in lines] == ["Design"]


def test_older_overlap_does_not_overwrite_newer(app: QwcApp) -> None:
    """An older TimeModified (or, in the same second, a lower EditSequence) keeps the stored row."""
    cid = make_connection(app)
    newer = customer_ret("A-1", balance="20.00", modified="2014-05-01T11:00:00-08:00")
    store(app, cid, response(query_rs("CustomerQueryRs", newer)))
    older = customer_ret("A-1", balance="10.00", modified="2014-05-01T10:00:00-08:00")
    same_second = customer_ret(
        "A-1", balance="15.00", modified="2014-05-01T11:00:00-08:00", edit_sequence="1399999999"
    )
    for stale in (older, same_second):
        result = store(app, cid, response(query_rs("CustomerQueryRs", stale)))
        assert (result.upserted, result.kept_newer) == (0, 1)
        # The watermark still covers what was read.
        assert result.max_time_modified is not None
    with unit_of_work(app.session_factory) as db:
        (stored,) = rows(db, "Customer")
        assert stored.balance == Decimal("20.00") and stored.document["Balance"] == "20.00"
        assert stored.time_modified_raw == "2014-05-01T11:00:00-08:00"


def test_later_duplicate_in_one_batch_wins(app: QwcApp) -> None:
    """When one response carries a record twice, the later version is stored once."""
    cid = make_connection(app)
    old = customer_ret("A-1", balance="1.00", modified="2014-05-01T10:00:00-08:00")
    new = customer_ret("A-1", balance="2.00", modified="2014-05-01T10:30:00-08:00")
    result = store(app, cid, response(query_rs("CustomerQueryRs", new, old)))
    assert result.upserted == 1
    with unit_of_work(app.session_factory) as db:
        assert [row.document["Balance"] for row in rows(db, "Customer")] == ["2.00"]


def test_deletions_mark_rows_and_reappearance_clears_the_mark(app: QwcApp) -> None:
    """Deleted records keep their rows, deleted_at = TimeDeleted; read again, a record is live."""
    company = generate_company(customers=6, items=6, invoices=5, payments=2, seed=9)
    cid = make_connection(app)
    sync_company(app, cid, company)
    when = company.clock.now() + timedelta(hours=2)
    paid = {a.txn_id for p in company.payments.values() for a in p.applied}
    invoice_id = next(t for t in company.invoices if t not in paid)
    customer_id = next(c for c in company.customers if not company.txn_ids_for_customer(c))
    company.delete_invoice(invoice_id, at=when)
    company.delete_customer(customer_id, at=when)
    text = FakeQuickBooks(company).process(
        message_set(
            "<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>",
            "<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType></TxnDeletedQueryRq>",
        )
    )
    result = store(app, cid, text)
    assert (result.deleted, result.max_time_deleted) == (2, when)
    # Deleting the invoice changed its customer's balance: a sync reads customers again.
    store(app, cid, fetch(FakeQuickBooks(company), "customers"))
    with unit_of_work(app.session_factory) as db:
        assert_deletions_match(db, cid, company)
        assert_customers_match(db, cid, company)
        assert_invoices_match(db, cid, company)
        assert count(db, "Invoice", cid) == 5
        (gone,) = [r for r in rows(db, "Invoice") if r.qb_id == invoice_id]
        assert gone.deleted_at == when and gone.document["InvoiceLineRet"]
    back = customer_ret(customer_id, modified="2030-01-01T00:00:00-08:00")
    store(app, cid, response(query_rs("CustomerQueryRs", back)))
    with unit_of_work(app.session_factory) as db:
        (row,) = [r for r in rows(db, "Customer") if r.qb_id == customer_id]
        assert row.deleted_at is None


def test_deletions_and_records_apply_in_stream_order(app: QwcApp) -> None:
    """A record deleted later in the stream ends deleted; one read again after it ends live."""
    cid = make_connection(app)
    a_gone = DeletedRecord(del_type="Customer", qb_id="A-1", is_txn=False, time_deleted=NOW)
    b_gone = DeletedRecord(del_type="Customer", qb_id="B-2", is_txn=False, time_deleted=NOW)
    stream = [customer("A-1"), customer("B-2"), a_gone, b_gone, customer("B-2", "Back")]
    with unit_of_work(app.session_factory) as db:
        result = apply_records(db, cid, stream, now=NOW)
        states = {r.qb_id: r.deleted_at for r in rows(db, "Customer")}
    assert states == {"A-1": NOW, "B-2": None}
    assert (result.deleted, result.upserted) == (2, 3)


def test_deletion_of_unknown_or_unstored_types_changes_nothing(app: QwcApp) -> None:
    """Deleting a record never stored, of another type with the same ID (Vendor), or of a type
    the registry does not know, marks no row."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("CustomerQueryRs", customer_ret("A-1"))))
    gone = [
        DeletedRecord(del_type="Customer", qb_id="NOPE-1", is_txn=False),
        DeletedRecord(del_type="Vendor", qb_id="A-1", is_txn=False),
        DeletedRecord(del_type="Widget", qb_id="A-1", is_txn=False),
    ]
    with unit_of_work(app.session_factory) as db:
        assert apply_deletions(db, cid, gone, now=NOW) == 0
        assert [r.deleted_at for r in rows(db, "Customer")] == [None]


def test_connections_never_see_each_others_rows(app: QwcApp) -> None:
    """Two connections with the same ListIDs get separate rows; changes stay in their own."""
    one, two = make_connection(app, "One"), make_connection(app, "Two")
    text = response(query_rs("CustomerQueryRs", customer_ret("A-1"), customer_ret("B-2")))
    store(app, one, text)
    store(app, two, text)
    newer = customer_ret("A-1", balance="99.00", modified="2014-06-01T10:00:00-08:00")
    store(app, two, response(query_rs("CustomerQueryRs", newer)))
    with unit_of_work(app.session_factory) as db:
        apply_deletions(
            db, two, [DeletedRecord(del_type="Customer", qb_id="B-2", is_txn=False)], now=NOW
        )
        assert update_invoice_balance(db, one, "A-1", Decimal(0)) is False
    with unit_of_work(app.session_factory) as db:
        stored = {(r.connection_id, r.qb_id): r for r in rows(db, "Customer")}
        assert len(stored) == 4
        assert stored[(one, "A-1")].balance == Decimal("10.00")
        assert stored[(two, "A-1")].balance == Decimal("99.00")
        assert stored[(one, "B-2")].deleted_at is None
        assert stored[(two, "B-2")].deleted_at == NOW


def test_bad_values_are_stored_as_sent_and_reported(app: QwcApp) -> None:
    """A value that breaks its type and one too long to index are stored as sent, reported
    with the record's identity; the index column stays empty; the rest is stored as usual."""
    cid = make_connection(app)
    bad_money = customer_ret("B-2").replace("<Balance>10.00</Balance>", "<Balance>ten</Balance>")
    long_ref = invoice_ret("9-9").replace(
        "<RefNumber>1007</RefNumber>", f"<RefNumber>{'7' * 50}</RefNumber>"
    )
    text = response(
        query_rs("CustomerQueryRs", customer_ret("A-1"), bad_money, customer_ret("C-3")),
        query_rs("InvoiceQueryRs", long_ref, invoice_ret("1-1")),
    )
    result = store(app, cid, text)
    assert result.by_type == {"Customer": 3, "Invoice": 2}
    assert [(p.record_kind, p.identity) for p in result.problems] == [
        ("CustomerRet", "B-2"),
        ("InvoiceRet", "9-9"),
    ]
    assert "RefNumber has 50 characters" in result.problems[1].message
    with unit_of_work(app.session_factory) as db:
        by_id = {r.qb_id: r for r in [*rows(db, "Customer"), *rows(db, "Invoice")]}
        assert (by_id["B-2"].document["Balance"], by_id["B-2"].balance) == ("ten", None)
        assert by_id["9-9"].document["RefNumber"] == "7" * 50
        assert by_id["9-9"].ref_number is None and by_id["1-1"].ref_number == "1007"


def test_records_are_written_while_the_stream_is_still_read(app: QwcApp) -> None:
    """With batch size 10, the first 10 customers are in the database before the 11th is read."""
    cid = make_connection(app)
    seen_in_database: list[int] = []

    def records(db: Session) -> Iterator[RecordDocument | ParseProblem]:
        for n in range(25):
            if n == 10:
                seen_in_database.append(count(db, "Customer", cid))
            yield customer(f"L-{n}", f"Customer {n}")
        yield ParseProblem("CustomerRet", "CustomerQueryRs #26", "it has no ListID")

    with unit_of_work(app.session_factory) as db:
        result = apply_records(db, cid, records(db), now=NOW, batch_size=10)
        assert count(db, "Customer", cid) == 25
    assert seen_in_database == [10]
    assert result.upserted == 25 and len(result.problems) == 1


def test_memo_over_ten_megabytes_is_stored(app: QwcApp) -> None:
    """A 12 MB memo survives parse, store and read back."""
    cid = make_connection(app)
    memo = "0123456789" * 1_250_000
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1", memo=memo))))
    with unit_of_work(app.session_factory) as db:
        assert [r.document["Memo"] for r in rows(db, "Invoice")] == [memo]


def test_update_invoice_balance(app: QwcApp) -> None:
    """The payment write-back sets balance, applied amount and paid flag of one invoice."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1"))))
    later = NOW + timedelta(minutes=5)
    with unit_of_work(app.session_factory) as db:
        assert update_invoice_balance(
            db, cid, "1-1", Decimal(0), Decimal("-100.00"), True, now=later
        )
        assert update_invoice_balance(db, cid, "NOPE", Decimal(0)) is False
    with unit_of_work(app.session_factory) as db:
        (invoice,) = rows(db, "Invoice")
        doc = invoice.document
        assert (doc["BalanceRemaining"], doc["AppliedAmount"], doc["IsPaid"]) == (
            "0.00",
            "-100.00",
            "true",
        )
        assert invoice.balance == Decimal(0) and doc["Subtotal"] == "100.00"
        assert invoice.synced_at == later


def test_loaded_rows_see_bulk_updates(app: QwcApp) -> None:
    """A row loaded in the session before an update reads the new values afterwards."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("CustomerQueryRs", customer_ret("A-1"))))
    newer = customer_ret("A-1", balance="42.00", modified="2014-06-01T10:00:00-08:00")
    with unit_of_work(app.session_factory) as db:
        (loaded,) = rows(db, "Customer")
        assert loaded.balance == Decimal("10.00")
        apply_records(
            db,
            cid,
            parse_response(response(query_rs("CustomerQueryRs", newer))).records,
            now=NOW,
        )
        assert loaded.balance == Decimal("42.00") and loaded.document["Balance"] == "42.00"


def test_payments_replace_their_applications(app: QwcApp) -> None:
    """Payments are stored with their applications, and re-reading does not duplicate them."""
    company = generate_company(customers=4, items=3, invoices=6, payments=5, seed=12)
    cid = make_connection(app)
    sync_company(app, cid, company)
    sync_company(app, cid, company)
    with unit_of_work(app.session_factory) as db:
        payments = rows(db, "ReceivePayment")
        assert len(payments) == len(company.payments)
        assert sum(len(p.document.get("AppliedToTxnRet", [])) for p in payments) == sum(
            len(p.applied) for p in company.payments.values()
        )


@pytest.mark.parametrize("write_behind", [False, True])
def test_a_stream_that_breaks_off_stores_nothing_and_keeps_earlier_changes(
    app: QwcApp, write_behind: bool
) -> None:
    """A reading error after a batch was written rolls back that batch, not the session."""
    cid = make_connection(app)

    def records() -> Iterator[RecordDocument]:
        for n in range(25):
            yield customer(f"L-{n}", f"Customer {n}")
        raise ValueError("the response broke off")

    with unit_of_work(app.session_factory) as db:
        apply_records(db, cid, [customer("KEEP", "Stored before")], now=NOW)
        with pytest.raises(ValueError, match="broke off"):
            apply_records(db, cid, records(), now=NOW, batch_size=10, write_behind=write_behind)
        assert count(db, "Customer", cid) == 1
    with unit_of_work(app.session_factory) as db:
        assert [r.qb_id for r in rows(db, "Customer")] == ["KEEP"]


@pytest.mark.parametrize(("batch_size", "write_behind"), [(500, False), (2, True)])
def test_stamps_that_do_not_fit_their_columns_become_problems(
    app: QwcApp, batch_size: int, write_behind: bool
) -> None:
    """An ID or EditSequence too long to key a row: that record is reported, the others
    are stored."""
    cid = make_connection(app)
    long_id = customer("L" * 41)
    long_sequence = parse_response(
        response(query_rs("CustomerQueryRs", customer_ret("SEQ", edit_sequence="9" * 17)))
    ).records[0]
    records = [customer("OK-1", "Fits"), long_id, long_sequence, customer("OK-2")]
    with unit_of_work(app.session_factory) as db:
        result = apply_records(
            db, cid, records, now=NOW, batch_size=batch_size, write_behind=write_behind
        )
    problems = {p.identity: p.message for p in result.problems}
    assert problems == {
        "L" * 41: "its ID has 41 characters, more than the 40 stored",
        "SEQ": "its EditSequence has 17 characters, more than 16",
    }
    assert result.upserted == 2
    with unit_of_work(app.session_factory) as db:
        assert [r.qb_id for r in rows(db, "Customer")] == ["OK-1", "OK-2"]


def test_every_object_of_the_registry_is_stored_as_the_fake_quickbooks_sent_it(
    app: QwcApp,
) -> None:
    """A company of every type, read with each object's full query: every Ret becomes one
    row under its record type, its document equal to the Ret field by field."""
    company = generate_company(counts=EVERY_TYPE, seed=3)
    qb = FakeQuickBooks(company)
    cid = make_connection(app)
    specs = [spec for spec in all_objects() if not spec.read_through]
    text = qb.process(message_set(*(query(spec, everything(spec)) for spec in specs)))
    result = store(app, cid, text, batch_size=50)
    assert not result.problems
    expected = {
        (object_for_ret(ret.tag).read_through or object_for_ret(ret.tag).name, ret_id(ret)): (
            ret.tag.removesuffix("Ret"),
            ret_document(ret),
        )
        for rs in etree.fromstring(text.encode())[0]
        for ret in rs
    }
    with unit_of_work(app.session_factory) as db:
        stored = {
            (row.record_type, row.qb_id): (row.object_name, row.document)
            for row in db.scalars(select(StoredRecord).where(StoredRecord.connection_id == cid))
        }
    assert {record_type for record_type, _ in stored} == {spec.name for spec in specs}
    assert stored.keys() == expected.keys()
    different = [key for key in expected if stored[key] != expected[key]]
    assert not different, different[:5]


def ret_id(ret: Any) -> str:
    """A Ret's ListID or TxnID, or its object's name for a singleton."""
    return ret.findtext("ListID") or ret.findtext("TxnID") or ret.tag.removesuffix("Ret")


def test_write_behind_stores_on_a_second_thread_that_ends_with_the_call(app: QwcApp) -> None:
    """Batches met while reading are stored by a writer thread, which is gone afterwards."""
    cid = make_connection(app)
    writers_while_reading: list[int] = []

    made = [customer(f"L-{n}", f"Customer {n}") for n in range(25)]

    def records() -> Iterator[RecordDocument]:
        for n in range(25):
            if n == 20:
                writers_while_reading.append(_writer_threads())
            yield made[n]

    with unit_of_work(app.session_factory) as db:
        result = apply_records(db, cid, records(), now=NOW, batch_size=10, write_behind=True)
        assert count(db, "Customer", cid) == 25
    assert writers_while_reading == [1] and _writer_threads() == 0
    assert result.upserted == 25 and result.by_type == {"Customer": 25}


def _writer_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name.startswith("qwc-write"))
