"""Reading records from qbXML responses: real samples, the fake QuickBooks, bad and huge input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from qwc_service.qbxml.errors import InvalidQbxml, MalformedXml, UnsafeXml
from qwc_service.qbxml.responses import summarize_response
from qwc_service.records.parse import (
    CustomerRecord,
    DeletedRecord,
    InvoiceRecord,
    ItemRecord,
    ParseProblem,
    PaymentRecord,
    ResponseReader,
    parse_response,
)
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.records.helpers import (
    customer_ret,
    fetch,
    invoice_ret,
    message_set,
    query_rs,
    response,
)
from tests.reference_files import RESPONSE_SAMPLES

Sample = Callable[[str], bytes]


def test_customer_sample(qbxml_sample: Sample) -> None:
    """A real CustomerRet: identity, change stamps, address text, money as Decimal."""
    parsed = parse_response(qbxml_sample("CustomerQueryRs-qbwc-qbxml.xml"))
    (customer,) = parsed.records
    assert isinstance(customer, CustomerRecord)
    assert customer.list_id == "10006-1211236622"
    assert customer.edit_sequence == "1213155356"
    assert customer.time_created == datetime(2008, 5, 19, 23, 37, 2, tzinfo=UTC)
    assert customer.time_modified == datetime(2008, 6, 11, 4, 35, 56, tzinfo=UTC)
    assert customer.time_modified_raw == "2008-06-10T23:35:56-05:00"
    assert (customer.name, customer.full_name, customer.is_active) == (
        "Keith Palmer",
        "Keith Palmer",
        True,
    )
    assert customer.bill_address == "134 Stonemill Road\nSuite D\nStorrs, CT 06268\nUSA"
    assert (customer.phone, customer.email) == ("(860) 634-1602", "keith@uglyslug.com")
    assert customer.balance == customer.total_balance == Decimal("250.00")
    assert isinstance(customer.balance, Decimal)
    assert not parsed.problems and not parsed.deleted


def test_invoice_sample_with_lines(qbxml_sample: Sample) -> None:
    """A real InvoiceRet without requestID: header fields, dates and its InvoiceLineRet."""
    parsed = parse_response(
        qbxml_sample("InvoiceQueryRs-InvoiceLineRet-jwachira-quickbooks-sync.xml")
    )
    (invoice,) = parsed.records
    assert isinstance(invoice, InvoiceRecord)
    assert (invoice.txn_id, invoice.txn_number, invoice.ref_number) == ("7-1274221220", 3, "3")
    assert (invoice.customer_list_id, invoice.customer_full_name) == (
        "8000000E-1273520333",
        "Harold R2",
    )
    assert invoice.txn_date == invoice.due_date == date(2010, 5, 18)
    assert (invoice.subtotal, invoice.sales_tax_total, invoice.applied_amount) == (
        Decimal("10.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert invoice.balance_remaining == Decimal("10.00") and invoice.is_paid is False
    assert invoice.memo is None
    (line,) = invoice.lines
    assert line.txn_line_id == "9-1274221220"
    assert (line.item_list_id, line.item_full_name) == ("80000002-1273542783", "Awesome")
    assert (line.quantity, line.rate, line.amount) == (Decimal(1), Decimal("10.00"), Decimal(10))
    assert parsed.summary.statuses[0].request_id is None


def test_item_service_sample(qbxml_sample: Sample) -> None:
    """ItemServiceRet: kind Service; price and account from SalesOrPurchase."""
    (item,) = parse_response(
        qbxml_sample("ItemQueryRs-ItemServiceRet-jwachira-quickbooks-sync.xml")
    ).records
    assert isinstance(item, ItemRecord)
    assert (item.list_id, item.kind, item.name, item.full_name) == (
        "80000002-1273542783",
        "Service",
        "Awesome",
        "Awesome",
    )
    assert item.price == Decimal("0.00") and item.income_account == "Payroll Expenses"
    assert item.description is None and item.quantity_on_hand is None


def test_payment_sample_that_fails_the_schema_still_parses(
    qbxml_sample: Sample, qbxml_schema: etree.XMLSchema
) -> None:
    """The real ReceivePaymentQueryRs is invalid against the XSD, yet every field is read."""
    data = qbxml_sample("ReceivePaymentQueryRs-qbwc-qbxml.xml")
    assert not qbxml_schema.validate(etree.fromstring(data))
    (payment,) = parse_response(data).records
    assert isinstance(payment, PaymentRecord)
    assert (payment.txn_id, payment.txn_number, payment.ref_number) == (
        "2484-1263499231",
        1664,
        "101",
    )
    assert payment.customer_full_name == "Greg F" and payment.txn_date == date(2009, 10, 2)
    assert payment.total_amount == Decimal("112.35") and payment.unused_payment == Decimal(0)
    assert (payment.payment_method, payment.deposit_to_account) == ("Visa", "Undeposited Funds")
    (applied,) = payment.applications
    assert (applied.invoice_txn_id, applied.txn_type, applied.ref_number) == (
        "244B-1263497335",
        "Invoice",
        "OP13988",
    )
    assert applied.amount == Decimal("112.35") and applied.balance_remaining == Decimal(0)


def test_list_del_answer_is_a_deletion(qbxml_sample: Sample) -> None:
    """A ListDelRs carries the deleted customer directly: one DeletedRecord."""
    parsed = parse_response(qbxml_sample("ListDelRs-Customer-jwachira-quickbooks-sync.xml"))
    (gone,) = parsed.deleted
    assert (gone.del_type, gone.qb_id, gone.is_txn, gone.record_type) == (
        "Customer",
        "80000003-1271969969",
        False,
        "customers",
    )
    assert gone.time_deleted == datetime(2010, 5, 7, 1, 46, 31, tzinfo=UTC)
    assert gone.time_deleted_raw == "2010-05-06T17:46:31-08:00"
    assert gone.full_name == "Customer remote"
    assert not parsed.records


def test_multi_rs_sample_in_document_order(qbxml_sample: Sample) -> None:
    """Customer, invoice and item query answers in one message set: records and statuses."""
    data = qbxml_sample("MultiRs-Customer-Invoice-Item-QueryRs-jwachira-quickbooks-sync.xml")
    parsed = parse_response(data)
    assert [type(r) for r in parsed.records] == [CustomerRecord, InvoiceRecord, ItemRecord]
    assert [s.request_id for s in parsed.summary.statuses] == ["0", "1", "2"]
    invoice = parsed.records[1]
    assert isinstance(invoice, InvoiceRecord) and len(invoice.lines) == 1


@pytest.mark.parametrize("name", RESPONSE_SAMPLES, ids=lambda name: name.removesuffix(".xml")[:50])
def test_statuses_are_those_of_summarize_response(qbxml_sample: Sample, name: str) -> None:
    """For every response sample the reader reports exactly summarize_response's statuses."""
    data = qbxml_sample(name)
    assert parse_response(data).summary == summarize_response(data)


def test_record_without_identity_is_a_problem(qbxml_sample: Sample) -> None:
    """A ReceivePaymentRet with <TxnId> (typo) instead of <TxnID> is reported by position."""
    parsed = parse_response(
        qbxml_sample("ReceivePaymentAddRs-minimal-jwachira-quickbooks-sync.xml")
    )
    assert parsed.records == []
    assert parsed.problems == [
        ParseProblem("ReceivePaymentRet", "ReceivePaymentAddRs #1", "it has no TxnID")
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("<Balance>12,50</Balance>", "Balance '12,50' is not a number"),
        ("<Balance>NaN</Balance>", "Balance 'NaN' is not a number"),
        ("<IsActive>yes</IsActive>", "IsActive 'yes' is not true or false"),
        ("<TimeModified>2014-05-01T10:00:00</TimeModified>", "with a UTC offset"),
    ],
)
def test_unreadable_value_is_reported_and_the_rest_read(bad: str, message: str) -> None:
    """One customer with a bad value becomes a ParseProblem; its neighbours are still read."""
    broken = f"<CustomerRet><ListID>BAD-1</ListID><Name>Bad</Name>{bad}</CustomerRet>"
    text = response(query_rs("CustomerQueryRs", customer_ret("A-1"), broken, customer_ret("C-3")))
    items = list(ResponseReader(text))
    assert [getattr(i, "list_id", None) for i in items] == ["A-1", None, "C-3"]
    problem = items[1]
    assert isinstance(problem, ParseProblem)
    assert (problem.record_kind, problem.identity) == ("CustomerRet", "BAD-1")
    assert message in problem.message


def test_bad_invoice_date_and_line_amount_are_reported() -> None:
    """A bad TxnDate or a bad line Amount makes the whole invoice a problem, by TxnID."""
    good = invoice_ret("1-1")
    bad_date = invoice_ret("2-2").replace("2014-05-01</TxnDate>", "05/01/2014</TxnDate>")
    bad_line = invoice_ret("3-3").replace("<Amount>100.00</Amount>", "<Amount>1O0</Amount>")
    parsed = parse_response(response(query_rs("InvoiceQueryRs", good, bad_date, bad_line)))
    assert [r.qb_id for r in parsed.records] == ["1-1"]
    assert [(p.identity, p.message) for p in parsed.problems] == [
        ("2-2", "TxnDate '05/01/2014' is not a date (YYYY-MM-DD)"),
        ("3-3", "Amount '1O0' is not a number"),
    ]


def test_standard_time_offset_in_summer_is_kept_as_stated() -> None:
    """QuickBooks writes -08:00 in July (no DST): the instant is taken as stated, text kept."""
    text = response(query_rs("CustomerQueryRs", customer_ret(modified="2014-07-01T10:00:00-08:00")))
    (customer,) = parse_response(text).records
    assert customer.time_modified == datetime(2014, 7, 1, 18, 0, tzinfo=UTC)
    assert customer.time_modified_raw == "2014-07-01T10:00:00-08:00"


def test_item_kinds_and_where_they_keep_price_and_account() -> None:
    """Each Item*Ret gives its kind; price/description/account come from where it keeps them."""
    common = "<ListID>{}</ListID><Name>{}</Name><IsActive>true</IsActive>"
    rets = [
        "<ItemNonInventoryRet>" + common.format("N-1", "Bolt") + "<FullName>Parts:Bolt</FullName>"
        "<SalesAndPurchase><SalesDesc>M8 bolt</SalesDesc><SalesPrice>0.35</SalesPrice>"
        "<IncomeAccountRef><FullName>Sales</FullName></IncomeAccountRef>"
        "<PurchaseCost>0.10</PurchaseCost></SalesAndPurchase></ItemNonInventoryRet>",
        "<ItemInventoryRet>" + common.format("I-1", "Widget") + "<SalesDesc>A widget</SalesDesc>"
        "<SalesPrice>12.50</SalesPrice><IncomeAccountRef><FullName>Merchandise</FullName>"
        "</IncomeAccountRef><QuantityOnHand>42</QuantityOnHand></ItemInventoryRet>",
        "<ItemOtherChargeRet>" + common.format("O-1", "Freight") + "<SalesOrPurchase>"
        "<Desc>Freight</Desc><Price>15.00</Price><AccountRef><FullName>Freight Income"
        "</FullName></AccountRef></SalesOrPurchase></ItemOtherChargeRet>",
        "<ItemDiscountRet>" + common.format("D-1", "Promo") + "<ItemDesc>Promo</ItemDesc>"
        "<DiscountRate>5.00</DiscountRate><AccountRef><FullName>Discounts</FullName>"
        "</AccountRef></ItemDiscountRet>",
        "<ItemGroupRet>" + common.format("G-1", "Kit") + "<ItemDesc>Starter kit</ItemDesc>"
        "<ItemGroupLine><ItemRef><FullName>Bolt</FullName></ItemRef><Quantity>4</Quantity>"
        "</ItemGroupLine></ItemGroupRet>",
        "<ItemSubtotalRet>" + common.format("S-1", "Subtotal") + "</ItemSubtotalRet>",
        "<ItemSalesTaxRet>" + common.format("T-1", "CA tax") + "<TaxRate>7.25</TaxRate>"
        "</ItemSalesTaxRet>",
    ]
    # ItemSitesRet reports stock per site; it is not an item and is skipped.
    sites = "<ItemSitesRet><ListID>X-1</ListID></ItemSitesRet>"
    parsed = parse_response(response(query_rs("ItemQueryRs", *rets, sites)))
    assert not parsed.problems
    got = {
        r.list_id: (r.kind, r.full_name, r.description, r.price, r.income_account)
        for r in parsed.records
        if isinstance(r, ItemRecord)
    }
    assert got == {
        "N-1": ("NonInventory", "Parts:Bolt", "M8 bolt", Decimal("0.35"), "Sales"),
        "I-1": ("Inventory", "Widget", "A widget", Decimal("12.50"), "Merchandise"),
        "O-1": ("OtherCharge", "Freight", "Freight", Decimal(15), "Freight Income"),
        "D-1": ("Discount", "Promo", "Promo", Decimal(5), "Discounts"),
        "G-1": ("Group", "Kit", "Starter kit", None, None),
        "S-1": ("Subtotal", "Subtotal", None, None, None),
        "T-1": ("SalesTax", "CA tax", None, None, None),
    }
    inventory = next(r for r in parsed.records if r.qb_id == "I-1")
    assert isinstance(inventory, ItemRecord) and inventory.quantity_on_hand == Decimal(42)


def test_group_lines_are_flattened_in_order() -> None:
    """The lines inside an InvoiceLineGroupRet join the invoice's lines, in document order."""
    line = "<InvoiceLineRet><TxnLineID>{0}</TxnLineID><Amount>{1}</Amount></InvoiceLineRet>"
    group = (
        "<InvoiceLineGroupRet><TxnLineID>G</TxnLineID><ItemGroupRef><FullName>Kit</FullName>"
        f"</ItemGroupRef><TotalAmount>30.00</TotalAmount>{line.format('G1', '10.00')}"
        f"{line.format('G2', '20.00')}</InvoiceLineGroupRet>"
    )
    ret = f"<InvoiceRet><TxnID>9-9</TxnID>{line.format('L1', '5.00')}{group}</InvoiceRet>"
    (invoice,) = parse_response(response(query_rs("InvoiceQueryRs", ret))).records
    assert isinstance(invoice, InvoiceRecord)
    assert [(ln.txn_line_id, ln.amount) for ln in invoice.lines] == [
        ("L1", Decimal(5)),
        ("G1", Decimal(10)),
        ("G2", Decimal(20)),
    ]


def test_deleted_queries_from_the_fake_quickbooks() -> None:
    """ListDeletedQueryRs and TxnDeletedQueryRs give one DeletedRecord per deletion."""
    company = generate_company(customers=5, items=3, invoices=4, payments=0, seed=3)
    invoice_id = next(iter(company.invoices))
    customer_id = next(c for c in company.customers if not company.txn_ids_for_customer(c))
    when = company.clock.now() + timedelta(days=1)
    company.delete_invoice(invoice_id, at=when)
    company.delete_customer(customer_id, at=when)
    qb = FakeQuickBooks(company)
    text = qb.process(
        message_set(
            "<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>",
            "<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType></TxnDeletedQueryRq>",
        )
    )
    parsed = parse_response(text)
    assert [(d.record_type, d.is_txn) for d in parsed.deleted] == [
        ("customers", False),
        ("invoices", True),
    ]
    assert [d.qb_id for d in parsed.deleted] == [customer_id, invoice_id]
    assert all(d.time_deleted == when for d in parsed.deleted)
    assert all(isinstance(d, DeletedRecord) and d.time_created for d in parsed.deleted)


def test_every_record_of_a_generated_company_reads_without_problems() -> None:
    """All four record types the fake QuickBooks renders parse cleanly, one record per Ret."""
    company = generate_company(customers=40, items=21, invoices=60, payments=30, seed=11)
    qb = FakeQuickBooks(company)
    expected: dict[str, dict[str, Any]] = {
        "customers": company.customers,
        "items": company.items,
        "invoices": company.invoices,
        "payments": company.payments,
    }
    for record_type, records in expected.items():
        parsed = parse_response(fetch(qb, record_type))
        assert not parsed.problems
        assert sorted(r.qb_id for r in parsed.records) == sorted(records)
        assert {r.record_type for r in parsed.records} == {record_type}


def test_memo_over_ten_megabytes() -> None:
    """A 12 MB memo (beyond libxml2's default text-node limit) is read whole."""
    memo = "Long memo. " * (12 * 1024 * 1024 // 11)
    text = response(query_rs("InvoiceQueryRs", invoice_ret("1-1", memo=memo)))
    parsed = parse_response(text.encode("utf-8"))
    (invoice,) = parsed.records
    assert isinstance(invoice, InvoiceRecord)
    assert invoice.memo == memo and len(memo) > 12_000_000


def test_memory_stays_at_one_record_on_a_large_response() -> None:
    """Reading thousands of invoices holds a bounded number of elements, not the document."""
    company = generate_company(
        customers=30, items=10, invoices=3000, payments=0, seed=5, lines_per_invoice=(3, 3)
    )
    text = fetch(FakeQuickBooks(company), "invoices")
    document_elements = sum(1 for _ in etree.fromstring(text.encode()).iter())
    per_invoice = document_elements // 3000
    reader = ResponseReader(text, chunk_size=512)
    held, count = 0, 0
    for _ in reader:
        count += 1
        held = max(held, reader.held_elements())
    assert count == 3000 and document_elements > 100_000
    assert held <= 2 * per_invoice, (held, per_invoice)
    # The default chunk size still holds a bounded slice, far from the whole document.
    reader = ResponseReader(text)
    assert max(reader.held_elements() for _ in reader) < document_elements // 20


def test_reader_is_single_pass_and_collects_statuses() -> None:
    """Statuses (iterator attributes included) fill in while reading; a second pass is refused."""
    attrs = ' iteratorRemainingCount="5" iteratorID="{abc}"'
    reader = ResponseReader(response(query_rs("CustomerQueryRs", customer_ret(), attrs=attrs)))
    assert reader.statuses == []
    assert len(list(reader)) == 1
    (status,) = reader.statuses
    assert (status.iterator_id, status.iterator_remaining, status.has_more) == ("{abc}", 5, True)
    with pytest.raises(RuntimeError):
        list(reader)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('<!DOCTYPE QBXML [<!ENTITY a "b">]><QBXML><QBXMLMsgsRs/></QBXML>', UnsafeXml),
        ("<QBXML><QBXMLMsgsRs><CustomerQueryRs>", MalformedXml),
        (message_set("<CustomerQueryRq/>"), InvalidQbxml),
    ],
    ids=["doctype", "truncated", "a-request"],
)
def test_unsafe_broken_or_wrong_documents_are_refused(text: str, error: type[Exception]) -> None:
    """A DOCTYPE, a truncated document and a request set raise, as summarize_response does."""
    with pytest.raises(error):
        parse_response(text)


def test_nested_fields_take_the_first_child_of_a_name_at_every_level() -> None:
    """ItemRef/ListID, SalesOrPurchase/AccountRef/FullName: first of a name wins, absent is None."""
    item = (
        "<ItemServiceRet><ListID>80000001-1</ListID><Name>Labour</Name>"
        "<SalesOrPurchase><Desc>First desc</Desc><Desc>Second desc</Desc><Price>75.00</Price>"
        "<AccountRef><ListID>A-1</ListID><FullName>Services</FullName>"
        "<FullName>Ignored</FullName></AccountRef></SalesOrPurchase></ItemServiceRet>"
    )
    invoice = (
        "<InvoiceRet><TxnID>T-1</TxnID>"
        "<CustomerRef><FullName>Ann</FullName></CustomerRef>"
        "<CustomerRef><ListID>C-2</ListID><FullName>Bob</FullName></CustomerRef>"
        "<InvoiceLineRet><TxnLineID>L-1</TxnLineID>"
        "<ItemRef><ListID>I-1</ListID><ListID>I-2</ListID></ItemRef><Amount>5.00</Amount>"
        "</InvoiceLineRet></InvoiceRet>"
    )
    parsed = parse_response(
        response(query_rs("ItemQueryRs", item), query_rs("InvoiceQueryRs", invoice))
    )
    assert not parsed.problems
    read_item, read_invoice = parsed.records
    assert isinstance(read_item, ItemRecord) and isinstance(read_invoice, InvoiceRecord)
    assert (read_item.description, read_item.price) == ("First desc", Decimal("75.00"))
    assert read_item.income_account == "Services"
    # The first CustomerRef wins whole: its missing ListID is not taken from the second.
    assert (read_invoice.customer_list_id, read_invoice.customer_full_name) == (None, "Ann")
    (line,) = read_invoice.lines
    assert (line.item_list_id, line.item_full_name, line.amount) == ("I-1", None, Decimal("5.00"))
