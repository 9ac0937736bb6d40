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
    DeletedRecord,
    ParseProblem,
    RecordDocument,
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
    """A real CustomerRet: identity, change stamps, every element as sent, indexed columns."""
    parsed = parse_response(qbxml_sample("CustomerQueryRs-qbwc-qbxml.xml"))
    (customer,) = parsed.records
    assert (customer.record_type, customer.object_name) == ("Customer", "Customer")
    assert customer.qb_id == "10006-1211236622"
    assert customer.edit_sequence == "1213155356"
    assert customer.time_created == datetime(2008, 5, 19, 23, 37, 2, tzinfo=UTC)
    assert customer.time_modified == datetime(2008, 6, 11, 4, 35, 56, tzinfo=UTC)
    assert customer.time_modified_raw == "2008-06-10T23:35:56-05:00"
    doc = customer.document
    assert (doc["Name"], doc["FullName"], doc["IsActive"]) == (
        "Keith Palmer",
        "Keith Palmer",
        "true",
    )
    assert doc["BillAddress"]["Addr1"] == "134 Stonemill Road"
    assert (doc["Phone"], doc["Email"]) == ("(860) 634-1602", "keith@uglyslug.com")
    assert doc["Balance"] == doc["TotalBalance"] == "250.00"
    assert customer.columns["full_name"] == "Keith Palmer" and customer.columns["is_active"]
    assert customer.columns["balance"] == Decimal("250.00")
    assert not parsed.problems and not parsed.deleted


def test_invoice_sample_with_lines(qbxml_sample: Sample) -> None:
    """A real InvoiceRet without requestID: header elements and its InvoiceLineRet list."""
    parsed = parse_response(
        qbxml_sample("InvoiceQueryRs-InvoiceLineRet-jwachira-quickbooks-sync.xml")
    )
    (invoice,) = parsed.records
    doc = invoice.document
    assert (invoice.qb_id, doc["TxnNumber"], doc["RefNumber"]) == ("7-1274221220", "3", "3")
    assert doc["CustomerRef"] == {"ListID": "8000000E-1273520333", "FullName": "Harold R2"}
    assert doc["TxnDate"] == doc["DueDate"] == "2010-05-18"
    assert (doc["Subtotal"], doc["SalesTaxTotal"], doc["AppliedAmount"]) == (
        "10.00",
        "0.00",
        "0.00",
    )
    assert (doc["BalanceRemaining"], doc["IsPaid"]) == ("10.00", "false")
    assert "Memo" not in doc
    (line,) = doc["InvoiceLineRet"]
    assert line["TxnLineID"] == "9-1274221220"
    assert line["ItemRef"] == {"ListID": "80000002-1273542783", "FullName": "Awesome"}
    assert (line["Quantity"], line["Rate"], line["Amount"]) == ("1", "10.00", "10.00")
    assert invoice.columns["txn_date"] == date(2010, 5, 18)
    assert invoice.columns["entity_list_id"] == "8000000E-1273520333"
    assert invoice.columns["balance"] == Decimal("10.00")
    assert parsed.summary.statuses[0].request_id is None


def test_item_service_sample(qbxml_sample: Sample) -> None:
    """ItemServiceRet: an Item of kind ItemService, SalesOrPurchase kept whole."""
    (item,) = parse_response(
        qbxml_sample("ItemQueryRs-ItemServiceRet-jwachira-quickbooks-sync.xml")
    ).records
    assert (item.record_type, item.object_name, item.qb_id) == (
        "Item",
        "ItemService",
        "80000002-1273542783",
    )
    assert item.document["Name"] == item.document["FullName"] == "Awesome"
    sales = item.document["SalesOrPurchase"]
    assert sales["Price"] == "0.00" and sales["AccountRef"]["FullName"] == "Payroll Expenses"


def test_payment_sample_that_fails_the_schema_still_parses(
    qbxml_sample: Sample, qbxml_schema: etree.XMLSchema
) -> None:
    """The real ReceivePaymentQueryRs is invalid against the XSD, yet every element is kept."""
    data = qbxml_sample("ReceivePaymentQueryRs-qbwc-qbxml.xml")
    assert not qbxml_schema.validate(etree.fromstring(data))
    parsed = parse_response(data)
    (payment,) = parsed.records
    doc = payment.document
    assert (payment.qb_id, doc["TxnNumber"], doc["RefNumber"]) == ("2484-1263499231", "1664", "101")
    assert doc["CustomerRef"]["FullName"] == "Greg F" and doc["TxnDate"] == "2009-10-02"
    assert (doc["TotalAmount"], doc["UnusedPayment"]) == ("112.35", "0.00")
    assert doc["PaymentMethodRef"]["FullName"] == "Visa"
    assert doc["DepositToAccountRef"]["FullName"] == "Undeposited Funds"
    (applied,) = doc["AppliedToTxnRet"]
    assert (applied["TxnID"], applied["TxnType"], applied["RefNumber"]) == (
        "244B-1263497335",
        "Invoice",
        "OP13988",
    )
    assert (applied["Amount"], applied["BalanceRemaining"]) == ("112.35", "0.00")
    assert payment.columns["total_amount"] == Decimal("112.35")


def test_list_del_answer_is_a_deletion(qbxml_sample: Sample) -> None:
    """A ListDelRs carries the deleted customer directly: one DeletedRecord."""
    parsed = parse_response(qbxml_sample("ListDelRs-Customer-jwachira-quickbooks-sync.xml"))
    (gone,) = parsed.deleted
    assert (gone.del_type, gone.qb_id, gone.is_txn, gone.record_type) == (
        "Customer",
        "80000003-1271969969",
        False,
        "Customer",
    )
    assert gone.time_deleted == datetime(2010, 5, 7, 1, 46, 31, tzinfo=UTC)
    assert gone.time_deleted_raw == "2010-05-06T17:46:31-08:00"
    assert gone.full_name == "Customer remote"
    assert not parsed.records


def test_multi_rs_sample_in_document_order(qbxml_sample: Sample) -> None:
    """Customer, invoice and item query answers in one message set: records and statuses."""
    data = qbxml_sample("MultiRs-Customer-Invoice-Item-QueryRs-jwachira-quickbooks-sync.xml")
    parsed = parse_response(data)
    assert [r.record_type for r in parsed.records] == ["Customer", "Invoice", "Item"]
    assert [s.request_id for s in parsed.summary.statuses] == ["0", "1", "2"]
    assert len(parsed.records[1].document["InvoiceLineRet"]) == 1


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
        ("<Balance>12,50</Balance>", "Balance '12,50' is not an amount; kept as sent"),
        ("<Balance>NaN</Balance>", "Balance 'NaN' is not an amount; kept as sent"),
        ("<IsActive>yes</IsActive>", "IsActive 'yes' is not true or false; kept as sent"),
        ("<Colour>teal</Colour>", "Colour is not an element the schema knows; kept as sent"),
    ],
)
def test_a_bad_value_is_kept_as_sent_and_reported(bad: str, message: str) -> None:
    """A value that breaks its type, or an unknown element, is stored as sent and reported
    by the record's ListID; the record and its neighbours are still read."""
    broken = f"<CustomerRet><ListID>BAD-1</ListID><Name>Bad</Name>{bad}</CustomerRet>"
    text = response(query_rs("CustomerQueryRs", customer_ret("A-1"), broken, customer_ret("C-3")))
    items = list(ResponseReader(text))
    assert [getattr(i, "qb_id", None) for i in items] == ["A-1", "BAD-1", None, "C-3"], items
    record, problem = items[1], items[2]
    assert isinstance(record, RecordDocument) and isinstance(problem, ParseProblem)
    tag = bad[1 : bad.index(">")]
    assert record.document[tag] == etree.fromstring(bad).text
    assert (problem.record_kind, problem.identity, problem.message) == (
        "CustomerRet",
        "BAD-1",
        message,
    )


def test_a_time_modified_without_offset_makes_the_record_a_problem() -> None:
    """The order of versions depends on TimeModified: without an offset it is not stored."""
    broken = customer_ret("BAD-1", modified="2014-05-01T10:00:00")
    parsed = parse_response(response(query_rs("CustomerQueryRs", broken, customer_ret("C-3"))))
    assert [r.qb_id for r in parsed.records] == ["C-3"]
    (problem,) = parsed.problems
    assert problem.identity == "BAD-1" and "with a UTC offset" in problem.message


def test_bad_invoice_date_and_line_amount_are_kept_and_reported() -> None:
    """A bad TxnDate or a bad line Amount is kept as sent, reported by TxnID with its path;
    the date column stays empty rather than holding a guess."""
    good = invoice_ret("1-1")
    bad_date = invoice_ret("2-2").replace("2014-05-01</TxnDate>", "05/01/2014</TxnDate>")
    bad_line = invoice_ret("3-3").replace("<Amount>100.00</Amount>", "<Amount>12x</Amount>")
    parsed = parse_response(response(query_rs("InvoiceQueryRs", good, bad_date, bad_line)))
    assert [r.qb_id for r in parsed.records] == ["1-1", "2-2", "3-3"]
    assert [(p.identity, p.message) for p in parsed.problems] == [
        ("2-2", "TxnDate '05/01/2014' is not a date (YYYY-MM-DD); kept as sent"),
        ("3-3", "InvoiceLineRet/Amount '12x' is not an amount; kept as sent"),
    ]
    assert parsed.records[1].document["TxnDate"] == "05/01/2014"
    assert parsed.records[1].columns["txn_date"] is None
    assert parsed.records[2].document["InvoiceLineRet"][0]["Amount"] == "12x"


def test_standard_time_offset_in_summer_is_kept_as_stated() -> None:
    """QuickBooks writes -08:00 in July (no DST): the instant is taken as stated, text kept."""
    text = response(query_rs("CustomerQueryRs", customer_ret(modified="2014-07-01T10:00:00-08:00")))
    (customer,) = parse_response(text).records
    assert customer.time_modified == datetime(2014, 7, 1, 18, 0, tzinfo=UTC)
    assert customer.document["TimeModified"] == "2014-07-01T10:00:00-08:00"
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
    got = {r.qb_id: (r.record_type, r.object_name, r.columns["full_name"]) for r in parsed.records}
    assert got == {
        "N-1": ("Item", "ItemNonInventory", "Parts:Bolt"),
        "I-1": ("Item", "ItemInventory", "Widget"),
        "O-1": ("Item", "ItemOtherCharge", "Freight"),
        "D-1": ("Item", "ItemDiscount", "Promo"),
        "G-1": ("Item", "ItemGroup", "Kit"),
        "S-1": ("Item", "ItemSubtotal", "Subtotal"),
        "T-1": ("Item", "ItemSalesTax", "CA tax"),
    }
    by_id = {r.qb_id: r.document for r in parsed.records}
    assert by_id["N-1"]["SalesAndPurchase"]["IncomeAccountRef"] == {"FullName": "Sales"}
    assert by_id["I-1"]["QuantityOnHand"] == "42"
    # ItemGroupLine may repeat in its parent: a list even with one member.
    assert by_id["G-1"]["ItemGroupLine"] == [{"ItemRef": {"FullName": "Bolt"}, "Quantity": "4"}]


def test_group_lines_keep_their_group() -> None:
    """Lines inside an InvoiceLineGroupRet stay in it; both kinds of line are lists."""
    line = "<InvoiceLineRet><TxnLineID>{0}</TxnLineID><Amount>{1}</Amount></InvoiceLineRet>"
    group = (
        "<InvoiceLineGroupRet><TxnLineID>G</TxnLineID><ItemGroupRef><FullName>Kit</FullName>"
        f"</ItemGroupRef><TotalAmount>30.00</TotalAmount>{line.format('G1', '10.00')}"
        f"{line.format('G2', '20.00')}</InvoiceLineGroupRet>"
    )
    ret = f"<InvoiceRet><TxnID>9-9</TxnID>{line.format('L1', '5.00')}{group}</InvoiceRet>"
    (invoice,) = parse_response(response(query_rs("InvoiceQueryRs", ret))).records
    doc = invoice.document
    assert doc["InvoiceLineRet"] == [{"TxnLineID": "L1", "Amount": "5.00"}]
    (kit,) = doc["InvoiceLineGroupRet"]
    assert [ln["TxnLineID"] for ln in kit["InvoiceLineRet"]] == ["G1", "G2"]
    assert kit["ItemGroupRef"] == {"FullName": "Kit"}


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
        ("Customer", False),
        ("Invoice", True),
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
    names = {"customers": "Customer", "items": "Item", "invoices": "Invoice"}
    for record_type, records in expected.items():
        parsed = parse_response(fetch(qb, record_type))
        assert not parsed.problems
        assert sorted(r.qb_id for r in parsed.records) == sorted(records)
        assert {r.record_type for r in parsed.records} == {names.get(record_type, "ReceivePayment")}


def test_memo_over_ten_megabytes() -> None:
    """A 12 MB memo (beyond libxml2's default text-node limit) is read whole."""
    memo = "Long memo. " * (12 * 1024 * 1024 // 11)
    text = response(query_rs("InvoiceQueryRs", invoice_ret("1-1", memo=memo)))
    parsed = parse_response(text.encode("utf-8"))
    (invoice,) = parsed.records
    assert invoice.document["Memo"] == memo and len(memo) > 12_000_000


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


def test_an_element_sent_twice_where_the_schema_allows_one_is_kept_and_reported() -> None:
    """Two CustomerRefs where qbXML allows one: both kept, as a list, and reported; the index
    takes neither rather than guessing."""
    invoice = (
        "<InvoiceRet><TxnID>T-1</TxnID>"
        "<CustomerRef><FullName>Ann</FullName></CustomerRef>"
        "<CustomerRef><ListID>C-2</ListID><FullName>Bob</FullName></CustomerRef>"
        "</InvoiceRet>"
    )
    parsed = parse_response(response(query_rs("InvoiceQueryRs", invoice)))
    (record,) = parsed.records
    assert record.document["CustomerRef"] == [
        {"FullName": "Ann"},
        {"ListID": "C-2", "FullName": "Bob"},
    ]
    assert record.columns["entity_list_id"] is None
    assert [p.message for p in parsed.problems] == [
        "CustomerRef appears more than once; kept as a list"
    ]


def test_singletons_are_one_document_named_by_their_object() -> None:
    """CompanyRet and PreferencesRet have no ListID: their identity is the object's name."""
    company = (
        "<CompanyRet><CompanyName>Acme</CompanyName>"
        "<IsSampleCompany>false</IsSampleCompany></CompanyRet>"
    )
    parsed = parse_response(response(query_rs("CompanyQueryRs", company)))
    (record,) = parsed.records
    assert (record.record_type, record.qb_id, record.document["CompanyName"]) == (
        "Company",
        "Company",
        "Acme",
    )


def test_deleted_items_of_any_kind_are_items() -> None:
    """A ListDeletedRet of an item kind names the Item record type; an unknown type none."""
    gone = [
        DeletedRecord(del_type="ItemInventory", qb_id="1", is_txn=False),
        DeletedRecord(del_type="CreditMemo", qb_id="2", is_txn=True),
        DeletedRecord(del_type="Widget", qb_id="3", is_txn=False),
    ]
    assert [g.record_type for g in gone] == ["Item", "CreditMemo", None]


def test_every_value_is_text_and_repeats_follow_the_parent() -> None:
    """No float or number anywhere in a document, and DataExtRet is a list of custom fields."""
    company = generate_company(customers=5, items=3, invoices=5, payments=2, seed=4)
    text = fetch(FakeQuickBooks(company), "invoices")
    custom = (
        "<DataExtRet><OwnerID>0</OwnerID><DataExtName>Colour</DataExtName>"
        "<DataExtType>STR255TYPE</DataExtType><DataExtValue>teal</DataExtValue></DataExtRet>"
    )
    text = text.replace("</InvoiceRet>", custom + "</InvoiceRet>", 1)
    parsed = parse_response(text)
    assert not parsed.problems

    def leaves(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [leaf for v in value.values() for leaf in leaves(v)]
        if isinstance(value, list):
            return [leaf for v in value for leaf in leaves(v)]
        return [value]

    assert {type(v) for r in parsed.records for v in leaves(r.document)} == {str}
    assert parsed.records[0].document["DataExtRet"] == [
        {
            "OwnerID": "0",
            "DataExtName": "Colour",
            "DataExtType": "STR255TYPE",
            "DataExtValue": "teal",
        }
    ]
