"""Query requests against the fake QuickBooks: filters, lookups, iterators, deletions.

Every response is validated against the qbXML 13.0 schema before it is inspected.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree

from qwc_service.simulator.dataset import Company, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.records import format_datetime


@pytest.fixture
def qb(schema: etree.XMLSchema) -> FakeQuickBooks:
    """A fake QuickBooks with the default company, checking requests against the schema."""
    fake = FakeQuickBooks(generate_company(), schema=schema)
    fake.begin_session("TESTBOX")
    return fake


def message_set(*bodies: str, on_error: str = "stopOnError") -> str:
    """A qbXML 13.0 request message set holding ``bodies``."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="{on_error}">{"".join(bodies)}</QBXMLMsgsRq></QBXML>'
    )


def ask(qb: FakeQuickBooks, schema: etree.XMLSchema, *bodies: str) -> list[etree._Element]:
    """Process the bodies, validate the response, and return its *Rs elements."""
    root = etree.fromstring(qb.process(message_set(*bodies)).encode("utf-8"))
    assert schema.validate(root), schema.error_log
    return list(root.find("QBXMLMsgsRs"))


def one(qb: FakeQuickBooks, schema: etree.XMLSchema, body: str) -> etree._Element:
    """The single *Rs answering ``body``."""
    (rs,) = ask(qb, schema, body)
    return rs


def texts(rs: etree._Element, path: str) -> list[str]:
    """Text of every element at ``path`` below ``rs``."""
    return [e.text or "" for e in rs.findall(path)]


def status(rs: etree._Element) -> tuple[str, str]:
    """(statusCode, statusSeverity) of an *Rs."""
    return rs.get("statusCode", ""), rs.get("statusSeverity", "")


def test_customer_query_returns_active_customers_sorted_by_time_modified(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A bare CustomerQueryRq returns the active customers, oldest change first."""
    rs = one(qb, schema, '<CustomerQueryRq requestID="7"></CustomerQueryRq>')
    assert rs.get("requestID") == "7" and status(rs) == ("0", "Info")
    assert rs.get("statusMessage") == "Status OK"
    active = [c for c in qb.company.customers.values() if c.is_active]
    assert len(rs.findall("CustomerRet")) == len(active)
    modified = texts(rs, "CustomerRet/TimeModified")
    assert modified == sorted(modified)


def test_active_status_filter(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """ActiveStatus All and InactiveOnly select the right customers."""
    everyone = one(
        qb, schema, "<CustomerQueryRq><ActiveStatus>All</ActiveStatus></CustomerQueryRq>"
    )
    inactive = one(
        qb, schema, "<CustomerQueryRq><ActiveStatus>InactiveOnly</ActiveStatus></CustomerQueryRq>"
    )
    assert len(everyone.findall("CustomerRet")) == len(qb.company.customers)
    expected = sum(1 for c in qb.company.customers.values() if not c.is_active)
    assert len(inactive.findall("CustomerRet")) == expected
    assert set(texts(inactive, "CustomerRet/IsActive")) <= {"false"}


def test_lookup_by_list_id_and_full_name(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """ListID and FullName lookups return exactly those customers, escaped names included."""
    first, second = list(qb.company.customers)[:2]
    rs = one(
        qb,
        schema,
        f"<CustomerQueryRq><ListID>{first}</ListID><ListID>{second}</ListID></CustomerQueryRq>",
    )
    assert sorted(texts(rs, "CustomerRet/ListID")) == sorted([first, second])
    by_name = one(
        qb, schema, "<CustomerQueryRq><FullName>Smith &amp; Sons</FullName></CustomerQueryRq>"
    )
    assert texts(by_name, "CustomerRet/Name") == ["Smith & Sons"]


def test_lookup_of_missing_name_is_500_warning_without_records(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A FullName that does not exist fails the whole lookup with 500 (Warn)."""
    existing = next(iter(qb.company.customers.values())).full_name.replace("&", "&amp;")
    rs = one(
        qb,
        schema,
        f"<CustomerQueryRq><FullName>{existing}</FullName><FullName>bleech</FullName></CustomerQueryRq>",
    )
    assert status(rs) == ("500", "Warn")
    assert rs.get("statusMessage") == (
        "The query request has not been fully completed. There was a required element "
        '("bleech") that could not be found in QuickBooks.'
    )
    assert rs.findall("CustomerRet") == []


def test_max_returned_and_name_filter(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """MaxReturned caps the answer; NameFilter matches case-insensitively."""
    capped = one(qb, schema, "<CustomerQueryRq><MaxReturned>3</MaxReturned></CustomerQueryRq>")
    assert len(capped.findall("CustomerRet")) == 3
    rs = one(
        qb,
        schema,
        "<CustomerQueryRq><NameFilter><MatchCriterion>StartsWith</MatchCriterion>"
        "<Name>smith</Name></NameFilter></CustomerQueryRq>",
    )
    assert texts(rs, "CustomerRet/Name") and all(
        n.casefold().startswith("smith") for n in texts(rs, "CustomerRet/Name")
    )


def test_no_match_is_status_1(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A filter matching nothing answers statusCode 1, Info."""
    rs = one(
        qb,
        schema,
        "<CustomerQueryRq><NameFilter><MatchCriterion>Contains</MatchCriterion>"
        "<Name>zzzz-nobody</Name></NameFilter></CustomerQueryRq>",
    )
    assert status(rs) == ("1", "Info")
    assert rs.get("statusMessage") == "A query request did not find a matching object in QuickBooks"


def test_item_query_returns_each_kind_as_its_own_ret(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """ItemQueryRq answers ItemServiceRet, ItemNonInventoryRet and ItemInventoryRet."""
    rs = one(qb, schema, "<ItemQueryRq><ActiveStatus>All</ActiveStatus></ItemQueryRq>")
    tags = {child.tag for child in rs}
    assert tags == {"ItemServiceRet", "ItemNonInventoryRet", "ItemInventoryRet"}
    assert len(rs) == len(qb.company.items)


@pytest.mark.parametrize(
    ("request_tag", "kind", "ret_tag"),
    [
        ("ItemServiceQueryRq", "Service", "ItemServiceRet"),
        ("ItemNonInventoryQueryRq", "NonInventory", "ItemNonInventoryRet"),
        ("ItemInventoryQueryRq", "Inventory", "ItemInventoryRet"),
    ],
)
def test_item_kind_queries(
    qb: FakeQuickBooks, schema: etree.XMLSchema, request_tag: str, kind: str, ret_tag: str
) -> None:
    """Each item-kind query returns only items of that kind."""
    rs = one(qb, schema, f"<{request_tag}><ActiveStatus>All</ActiveStatus></{request_tag}>")
    expected = sum(1 for i in qb.company.items.values() if i.kind == kind)
    assert [c.tag for c in rs] == [ret_tag] * expected


def test_invoice_query_line_items_and_linked_txns_on_request(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """InvoiceLineRet and LinkedTxn appear only when asked for."""
    paid = next(i for i in qb.company.invoices.values() if i.linked_txns)
    plain = one(qb, schema, f"<InvoiceQueryRq><TxnID>{paid.txn_id}</TxnID></InvoiceQueryRq>")
    assert plain.find("InvoiceRet/InvoiceLineRet") is None
    assert plain.find("InvoiceRet/LinkedTxn") is None
    full = one(
        qb,
        schema,
        f"<InvoiceQueryRq><TxnID>{paid.txn_id}</TxnID><IncludeLineItems>true</IncludeLineItems>"
        "<IncludeLinkedTxns>true</IncludeLinkedTxns></InvoiceQueryRq>",
    )
    assert len(full.findall("InvoiceRet/InvoiceLineRet")) == len(paid.lines)
    assert texts(full, "InvoiceRet/LinkedTxn/TxnType") == ["ReceivePayment"] * len(paid.linked_txns)
    assert texts(full, "InvoiceRet/LinkedTxn/LinkType")[0] == "AMTTYPE"
    assert texts(full, "InvoiceRet/AppliedAmount")[0].startswith("-")


def test_invoice_filters(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """TxnDateRangeFilter, EntityFilter, RefNumber and PaidStatus narrow invoices."""
    invoices = list(qb.company.invoices.values())
    day = invoices[10].txn_date.isoformat()
    rs = one(
        qb,
        schema,
        f"<InvoiceQueryRq><TxnDateRangeFilter><FromTxnDate>{day}</FromTxnDate>"
        f"<ToTxnDate>{day}</ToTxnDate></TxnDateRangeFilter></InvoiceQueryRq>",
    )
    assert set(texts(rs, "InvoiceRet/TxnDate")) == {day}
    customer = invoices[0].customer_list_id
    rs = one(
        qb,
        schema,
        f"<InvoiceQueryRq><EntityFilter><ListID>{customer}</ListID></EntityFilter></InvoiceQueryRq>",
    )
    expected = [i.txn_id for i in invoices if i.customer_list_id == customer]
    assert sorted(texts(rs, "InvoiceRet/TxnID")) == sorted(expected)
    rs = one(
        qb,
        schema,
        f"<InvoiceQueryRq><RefNumber>{invoices[5].ref_number}</RefNumber></InvoiceQueryRq>",
    )
    assert texts(rs, "InvoiceRet/TxnID") == [invoices[5].txn_id]
    rs = one(qb, schema, "<InvoiceQueryRq><PaidStatus>NotPaidOnly</PaidStatus></InvoiceQueryRq>")
    assert set(texts(rs, "InvoiceRet/IsPaid")) == {"false"}
    assert len(rs) == sum(1 for i in invoices if not i.is_paid)


def test_receive_payment_query_applied_to_txn(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """ReceivePaymentRet carries AppliedToTxnRet with IncludeLineItems."""
    payment = next(iter(qb.company.payments.values()))
    rs = one(
        qb,
        schema,
        f"<ReceivePaymentQueryRq><TxnID>{payment.txn_id}</TxnID>"
        "<IncludeLineItems>true</IncludeLineItems></ReceivePaymentQueryRq>",
    )
    assert texts(rs, "ReceivePaymentRet/AppliedToTxnRet/TxnID") == [
        a.txn_id for a in payment.applied
    ]
    assert texts(rs, "ReceivePaymentRet/AppliedToTxnRet/TxnType") == ["Invoice"] * len(
        payment.applied
    )
    bare = one(
        qb,
        schema,
        f"<ReceivePaymentQueryRq><TxnID>{payment.txn_id}</TxnID></ReceivePaymentQueryRq>",
    )
    assert bare.find("ReceivePaymentRet/AppliedToTxnRet") is None
    assert texts(bare, "ReceivePaymentRet/TotalAmount") == [f"{payment.total_amount:.2f}"]


def test_include_ret_element_keeps_only_named_fields(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """IncludeRetElement trims each Ret to the listed elements."""
    qb.schema = None  # a trimmed CustomerRet is not schema-valid, exactly as in QuickBooks
    root = etree.fromstring(
        qb.process(
            message_set(
                "<CustomerQueryRq><MaxReturned>2</MaxReturned><IncludeRetElement>ListID"
                "</IncludeRetElement><IncludeRetElement>EditSequence</IncludeRetElement>"
                "</CustomerQueryRq>"
            )
        ).encode()
    )
    for ret in root.iter("CustomerRet"):
        assert [c.tag for c in ret] == ["ListID", "EditSequence"]


def _iterate(qb: FakeQuickBooks, schema: etree.XMLSchema, page: int) -> list[etree._Element]:
    first = one(
        qb,
        schema,
        f'<CustomerQueryRq requestID="1" iterator="Start"><MaxReturned>{page}</MaxReturned>'
        "<ActiveStatus>All</ActiveStatus></CustomerQueryRq>",
    )
    pages = [first]
    while int(pages[-1].get("iteratorRemainingCount", "0")) > 0:
        pages.append(
            one(
                qb,
                schema,
                f'<CustomerQueryRq requestID="1" iterator="Continue" '
                f'iteratorID="{first.get("iteratorID")}"><MaxReturned>{page}</MaxReturned>'
                "<ActiveStatus>All</ActiveStatus></CustomerQueryRq>",
            )
        )
    return pages


def test_iterator_pages_250_customers_100_at_a_time(schema: etree.XMLSchema) -> None:
    """250 customers page as 100/100/50 with remaining 150/50/0 under one iteratorID."""
    qb = FakeQuickBooks(generate_company(customers=250, invoices=20, payments=5), schema=schema)
    qb.begin_session("TESTBOX")
    pages = _iterate(qb, schema, 100)
    assert [len(p.findall("CustomerRet")) for p in pages] == [100, 100, 50]
    assert [p.get("iteratorRemainingCount") for p in pages] == ["150", "50", "0"]
    assert len({p.get("iteratorID") for p in pages}) == 1
    assert pages[0].get("iteratorID", "").startswith("{") and pages[0].get(
        "iteratorID", ""
    ).endswith("}")
    ids = [i for p in pages for i in texts(p, "CustomerRet/ListID")]
    assert sorted(ids) == sorted(qb.company.customers)


def test_finished_iterator_cannot_continue(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """After the last page, continuing the iterator answers 3391."""
    pages = _iterate(qb, schema, 10)
    iterator_id = pages[0].get("iteratorID")
    rs = one(
        qb,
        schema,
        f'<CustomerQueryRq iterator="Continue" iteratorID="{iterator_id}">'
        "<MaxReturned>10</MaxReturned></CustomerQueryRq>",
    )
    assert status(rs) == ("3391", "Error")


def test_unknown_iterator_is_3391(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """An iteratorID QuickBooks never handed out answers 3391 with the real message."""
    bogus = "{8e7b2c0a-0000-4000-8000-000000000000}"
    rs = one(
        qb,
        schema,
        f'<CustomerQueryRq requestID="9" iterator="Continue" iteratorID="{bogus}">'
        "<MaxReturned>10</MaxReturned></CustomerQueryRq>",
    )
    assert status(rs) == ("3391", "Error")
    assert rs.get("statusMessage") == f'The iteratorID "{bogus}" is not valid.'
    assert rs.get("requestID") == "9"


def test_iterators_die_with_the_session(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """An iterator started in one session is invalid in the next."""
    start = one(
        qb,
        schema,
        '<CustomerQueryRq iterator="Start"><MaxReturned>5</MaxReturned></CustomerQueryRq>',
    )
    qb.end_session()
    qb.begin_session("TESTBOX")
    rs = one(
        qb,
        schema,
        f'<CustomerQueryRq iterator="Continue" iteratorID="{start.get("iteratorID")}">'
        "<MaxReturned>5</MaxReturned></CustomerQueryRq>",
    )
    assert status(rs) == ("3391", "Error")


def test_iterator_stop_releases(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """iterator="Stop" releases the iterator; continuing it afterwards answers 3391."""
    start = one(
        qb, schema, '<InvoiceQueryRq iterator="Start"><MaxReturned>5</MaxReturned></InvoiceQueryRq>'
    )
    iterator_id = start.get("iteratorID")
    stop = one(
        qb, schema, f'<InvoiceQueryRq iterator="Stop" iteratorID="{iterator_id}"></InvoiceQueryRq>'
    )
    assert status(stop) == ("0", "Info")
    again = one(
        qb,
        schema,
        f'<InvoiceQueryRq iterator="Continue" iteratorID="{iterator_id}">'
        "<MaxReturned>5</MaxReturned></InvoiceQueryRq>",
    )
    assert status(again) == ("3391", "Error")


def test_too_many_iterators_drop_the_oldest(schema: etree.XMLSchema) -> None:
    """Past max_iterators the oldest iterator is gone (3391), the newest still works."""
    qb = FakeQuickBooks(generate_company(), max_iterators=2, schema=schema)
    qb.begin_session("TESTBOX")
    starts = [
        one(
            qb,
            schema,
            '<CustomerQueryRq iterator="Start"><MaxReturned>2</MaxReturned></CustomerQueryRq>',
        )
        for _ in range(3)
    ]
    assert qb.open_iterators == 2
    body = (
        '<CustomerQueryRq iterator="Continue" iteratorID="{}">'
        "<MaxReturned>2</MaxReturned></CustomerQueryRq>"
    )
    assert status(one(qb, schema, body.format(starts[0].get("iteratorID")))) == ("3391", "Error")
    assert status(one(qb, schema, body.format(starts[2].get("iteratorID")))) == ("0", "Info")


def test_paging_5000_invoices_visits_each_once(schema: etree.XMLSchema) -> None:
    """Iterating 5,000 invoices 100 at a time returns each invoice exactly once."""
    company = generate_company(customers=500, items=50, invoices=5000, payments=500)
    qb = FakeQuickBooks(company)
    qb.begin_session("TESTBOX")
    first = one(
        qb,
        schema,
        '<InvoiceQueryRq iterator="Start"><MaxReturned>100</MaxReturned></InvoiceQueryRq>',
    )
    seen = texts(first, "InvoiceRet/TxnID")
    body = (
        f'<InvoiceQueryRq iterator="Continue" iteratorID="{first.get("iteratorID")}">'
        "<MaxReturned>100</MaxReturned></InvoiceQueryRq>"
    )
    pages = 1
    while seen and len(seen) < 5000:
        rs = one(qb, schema, body)
        seen += texts(rs, "InvoiceRet/TxnID")
        pages += 1
        if rs.get("iteratorRemainingCount") == "0":
            break
    assert pages == 50
    assert len(seen) == len(set(seen)) == 5000


def _watermark(company: Company) -> str:
    latest = max(
        *(c.time_modified for c in company.customers.values()),
        *(i.time_modified for i in company.invoices.values()),
        *(p.time_modified for p in company.payments.values()),
    )
    return format_datetime(latest + timedelta(seconds=1))


def test_modified_date_filter_finds_touched_invoice(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """After touch_invoice, ModifiedDateRangeFilter from the old watermark finds only it."""
    since = _watermark(qb.company)
    invoice = list(qb.company.invoices.values())[3]
    qb.company.touch_invoice(invoice.txn_id)
    rs = one(
        qb,
        schema,
        "<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>"
        f"{since}</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>",
    )
    assert texts(rs, "InvoiceRet/TxnID") == [invoice.txn_id]
    assert texts(rs, "InvoiceRet/EditSequence") == [invoice.edit_sequence]


def test_list_from_modified_date_is_a_direct_child(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """CustomerQueryRq FromModifiedDate finds a customer changed after the watermark."""
    since = _watermark(qb.company)
    customer = list(qb.company.customers.values())[1]
    qb.company.update_customer(customer.list_id, phone="(650) 555-0199")
    rs = one(
        qb,
        schema,
        f"<CustomerQueryRq><ActiveStatus>All</ActiveStatus><FromModifiedDate>{since}"
        "</FromModifiedDate></CustomerQueryRq>",
    )
    assert texts(rs, "CustomerRet/ListID") == [customer.list_id]
    assert texts(rs, "CustomerRet/Phone") == ["(650) 555-0199"]


def test_from_after_to_is_3030(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A modified-date range with From after To answers 3030."""
    rs = one(
        qb,
        schema,
        "<CustomerQueryRq><FromModifiedDate>2014-05-02T00:00:00-08:00</FromModifiedDate>"
        "<ToModifiedDate>2014-05-01T00:00:00-08:00</ToModifiedDate></CustomerQueryRq>",
    )
    assert status(rs) == ("3030", "Error")


def test_unsupported_date_macro_warns(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """A DateMacro this QuickBooks does not evaluate answers 531 and ignores the filter."""
    rs = one(
        qb,
        schema,
        "<InvoiceQueryRq><TxnDateRangeFilter><DateMacro>NextFiscalYear</DateMacro>"
        "</TxnDateRangeFilter></InvoiceQueryRq>",
    )
    assert status(rs) == ("531", "Warn")
    assert len(rs.findall("InvoiceRet")) == len(qb.company.invoices)


def test_list_deleted_query(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """ListDeletedQueryRq reports deleted customers and items with TimeDeleted."""
    customer = qb.company.add_customer("Gone Customer")
    item = qb.company.add_item("Gone Item", "Service")
    qb.company.delete_customer(customer.list_id)
    gone_item = qb.company.delete_item(item.list_id)
    rs = one(
        qb,
        schema,
        "<ListDeletedQueryRq><ListDelType>Customer</ListDelType>"
        "<ListDelType>ItemService</ListDelType></ListDeletedQueryRq>",
    )
    assert texts(rs, "ListDeletedRet/ListID") == [customer.list_id, item.list_id]
    assert texts(rs, "ListDeletedRet/ListDelType") == ["Customer", "ItemService"]
    later = one(
        qb,
        schema,
        "<ListDeletedQueryRq><ListDelType>Customer</ListDelType><ListDelType>ItemService"
        "</ListDelType><DeletedDateRangeFilter><FromDeletedDate>"
        f"{format_datetime(gone_item.time_deleted)}</FromDeletedDate></DeletedDateRangeFilter>"
        "</ListDeletedQueryRq>",
    )
    assert texts(later, "ListDeletedRet/FullName") == ["Gone Item"]


def test_txn_deleted_query(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """TxnDeletedQueryRq reports deleted invoices and payments."""
    payment = next(iter(qb.company.payments.values()))
    qb.company.delete_payment(payment.txn_id)
    unpaid = next(i for i in qb.company.invoices.values() if not i.linked_txns)
    qb.company.delete_invoice(unpaid.txn_id)
    rs = one(
        qb,
        schema,
        "<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType>"
        "<TxnDelType>ReceivePayment</TxnDelType></TxnDeletedQueryRq>",
    )
    assert texts(rs, "TxnDeletedRet/TxnID") == [payment.txn_id, unpaid.txn_id]
    assert texts(rs, "TxnDeletedRet/RefNumber")[1] == unpaid.ref_number
    none = one(qb, schema, "<TxnDeletedQueryRq><TxnDelType>Bill</TxnDelType></TxnDeletedQueryRq>")
    assert status(none) == ("1", "Info")


def test_modified_date_without_offset_is_quickbooks_local_time(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """A FromModifiedDate without offset means the company's local time; a bare date too."""
    invoice = list(qb.company.invoices.values())[7]
    local = format_datetime(invoice.time_modified)[:19]
    with_offset = one(
        qb,
        schema,
        "<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>"
        f"{format_datetime(invoice.time_modified)}</FromModifiedDate></ModifiedDateRangeFilter>"
        "</InvoiceQueryRq>",
    )
    without = one(
        qb,
        schema,
        f"<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>{local}</FromModifiedDate>"
        "</ModifiedDateRangeFilter></InvoiceQueryRq>",
    )
    assert texts(without, "InvoiceRet/TxnID") == texts(with_offset, "InvoiceRet/TxnID")
    assert invoice.txn_id in texts(without, "InvoiceRet/TxnID")
    day = one(
        qb,
        schema,
        f"<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>{local[:10]}"
        f"</FromModifiedDate><ToModifiedDate>{local[:10]}</ToModifiedDate>"
        "</ModifiedDateRangeFilter></InvoiceQueryRq>",
    )
    assert set(texts(day, "InvoiceRet/TimeModified")) and all(
        t.startswith(local[:10]) for t in texts(day, "InvoiceRet/TimeModified")
    )


def test_ref_number_filters(qb: FakeQuickBooks, schema: etree.XMLSchema) -> None:
    """RefNumberRangeFilter compares numbers; RefNumberFilter matches text."""
    rs = one(
        qb,
        schema,
        "<InvoiceQueryRq><RefNumberRangeFilter><FromRefNumber>1005</FromRefNumber>"
        "<ToRefNumber>1009</ToRefNumber></RefNumberRangeFilter></InvoiceQueryRq>",
    )
    assert sorted(texts(rs, "InvoiceRet/RefNumber")) == [str(n) for n in range(1005, 1010)]
    rs = one(
        qb,
        schema,
        "<InvoiceQueryRq><RefNumberFilter><MatchCriterion>EndsWith</MatchCriterion>"
        "<RefNumber>7</RefNumber></RefNumberFilter></InvoiceQueryRq>",
    )
    refs = texts(rs, "InvoiceRet/RefNumber")
    assert refs and all(r.endswith("7") for r in refs)


def test_entity_filter_with_unknown_customer_is_500(
    qb: FakeQuickBooks, schema: etree.XMLSchema
) -> None:
    """An EntityFilter naming a customer that does not exist answers 500."""
    rs = one(
        qb,
        schema,
        "<InvoiceQueryRq><EntityFilter><FullName>Nobody Here</FullName></EntityFilter>"
        "</InvoiceQueryRq>",
    )
    assert status(rs) == ("500", "Warn")
