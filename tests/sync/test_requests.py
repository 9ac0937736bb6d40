"""The qbXML a sync sends for every record type, checked against the qbXML 13.0 schema."""

from __future__ import annotations

import pytest
from lxml import etree

from qwc_service.qbxml.objects.registry import object_named
from qwc_service.qbxml.requests import schema_errors
from qwc_service.records.registry import RecordType
from qwc_service.sync.requests import (
    deleted_request,
    later_of,
    overlap_from,
    query_request,
)

WATERMARK = "2014-05-18T15:20:20-08:00"


def _rq(text: str) -> etree._Element:
    root = etree.fromstring(text.encode())
    return root.find("QBXMLMsgsRq")[0]


def _children(rq: etree._Element) -> list[str]:
    return [child.tag for child in rq]


@pytest.mark.parametrize("record_type", list(RecordType))
@pytest.mark.parametrize("since", [None, WATERMARK])
@pytest.mark.parametrize("iterator_id", [None, "{6F9B1F5A-0C52-4D43-9F37-2C0D4F0AD0B1}"])
def test_every_query_page_is_schema_valid(
    qbxml_schema: etree.XMLSchema,
    record_type: RecordType,
    since: str | None,
    iterator_id: str | None,
) -> None:
    """Start and Continue pages, full and incremental, validate against the XSD."""
    text = query_request(
        record_type, version="13.0", max_returned=100, from_modified=since, iterator_id=iterator_id
    )
    assert schema_errors(text, qbxml_schema) == []


DELETING = [t for t in RecordType if t.reads_deletions]


@pytest.mark.parametrize("record_type", DELETING)
@pytest.mark.parametrize("since", [None, WATERMARK])
def test_every_deletions_query_is_schema_valid(
    qbxml_schema: etree.XMLSchema, record_type: RecordType, since: str | None
) -> None:
    """ListDeletedQueryRq and TxnDeletedQueryRq validate against the XSD."""
    assert (
        schema_errors(
            deleted_request(record_type, version="13.0", from_deleted=since), qbxml_schema
        )
        == []
    )


def test_every_object_of_the_registry_is_a_record_type() -> None:
    """Lists, Item and every kind, transactions and the singletons; the old four unchanged."""
    from qwc_service.qbxml.objects.registry import all_objects

    assert [t.value for t in RecordType] == [spec.plural for spec in all_objects()]
    assert [t.object_spec for t in RecordType] == list(all_objects())
    for value in ("customers", "items", "invoices", "payments"):
        assert RecordType(value).value == value
    assert RecordType("payments").qbxml_name == "ReceivePayment"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CreditMemo", "credit_memos"),
        ("credit_memos", "credit_memos"),
        (" CREDIT_MEMOS ", "credit_memos"),
        ("Account", "accounts"),
        ("ItemInventory", "inventory_items"),
        ("iteminventory", "inventory_items"),
        ("ReceivePayment", "payments"),
        ("Invoices", "invoices"),
        ("Company", "company"),
    ],
)
def test_a_type_is_named_by_qbxml_name_or_plural_in_any_case(text: str, expected: str) -> None:
    """RecordType.parse takes CreditMemo, credit_memos, any case."""
    assert RecordType.parse(text) is RecordType(expected)


def test_item_kinds_send_their_own_query() -> None:
    """ItemInventory reads through ItemInventoryQueryRq, not ItemQueryRq; Item through ItemQuery."""
    rq = _rq(query_request("inventory_items", version="13.0", max_returned=20))
    assert rq.tag == "ItemInventoryQueryRq" and rq.get("iterator") == "Start"
    assert _rq(query_request("items", version="13.0", max_returned=20)).tag == "ItemQueryRq"
    deleted = _rq(deleted_request("inventory_items", version="13.0"))
    assert [c.text for c in deleted.findall("ListDelType")] == ["ItemInventory"]


def test_a_list_without_an_iterator_is_read_in_one_answer() -> None:
    """Account: no iterator, no MaxReturned (it would only cut the list short), OwnerID 0."""
    for iterator_id in (None, "{X}"):
        rq = _rq(
            query_request(
                "Account",
                version="13.0",
                max_returned=5,
                from_modified=WATERMARK,
                iterator_id=iterator_id,
            )
        )
        assert rq.get("iterator") is None and rq.get("iteratorID") is None
        assert _children(rq) == ["ActiveStatus", "FromModifiedDate", "OwnerID"]
        assert [c.text for c in rq] == ["All", WATERMARK, "0"]


def test_types_without_filters_are_read_whole() -> None:
    """Template has no filter at all; Company and Preferences are one document, no paging."""
    assert (
        _children(
            _rq(query_request("templates", version="13.0", max_returned=5, from_modified=WATERMARK))
        )
        == []
    )
    company = _rq(query_request("Company", version="13.0", max_returned=5))
    assert company.tag == "CompanyQueryRq" and company.get("iterator") is None
    assert [(c.tag, c.text) for c in company] == [("OwnerID", "0")]
    preferences = _rq(query_request("Preferences", version="13.0", max_returned=5))
    assert _children(preferences) == []
    for name in ("templates", "company", "preferences"):
        kind = RecordType(name)
        assert not kind.reads_changes and not kind.reads_deletions and not kind.pages


def test_types_without_deletions_say_so() -> None:
    """Transfer, Template, Company and Preferences have no deletions query; the rest do."""
    without = {t.qbxml_name for t in RecordType if not t.reads_deletions}
    assert without == {"Transfer", "Template", "Company", "Preferences"}
    with pytest.raises(ValueError, match="no deletions of transfers"):
        deleted_request("Transfer", version="13.0")


def test_every_query_asks_for_everything_the_registry_allows() -> None:
    """ActiveStatus All, OwnerID 0, the line flag and linked transactions wherever accepted."""
    for kind in RecordType:
        query = kind.query
        rq = _rq(query_request(kind, version="13.0", max_returned=9, from_modified=WATERMARK))
        values = {c.tag: c.text for c in rq}
        assert (values.get("ActiveStatus") == "All") == query.active_status, kind
        assert (values.get("OwnerID") == "0") == query.owner_id, kind
        assert (values.get("IncludeLinkedTxns") == "true") == query.include_linked_txns, kind
        if query.line_items_flag:
            assert values[query.line_items_flag] == "true", kind
        assert ("MaxReturned" in values) == query.iterator, kind
        if query.modified_since:
            assert rq.findtext("/".join(query.modified_since)) == WATERMARK, kind
        assert _children(rq) == list(query.in_order(_children(rq))), kind


def test_list_queries_carry_filters_in_schema_order() -> None:
    """Customers and items: MaxReturned, ActiveStatus All, FromModifiedDate, OwnerID."""
    for record_type, name in (
        (RecordType("customers"), "CustomerQueryRq"),
        (RecordType("items"), "ItemQueryRq"),
    ):
        rq = _rq(
            query_request(record_type, version="13.0", max_returned=50, from_modified=WATERMARK)
        )
        assert rq.tag == name
        assert rq.get("iterator") == "Start" and rq.get("iteratorID") is None
        assert _children(rq) == ["MaxReturned", "ActiveStatus", "FromModifiedDate", "OwnerID"]
        assert [c.text for c in rq] == ["50", "All", WATERMARK, "0"]


def test_transaction_queries_wrap_the_date_and_ask_for_lines() -> None:
    """Invoices and payments: ModifiedDateRangeFilter/FromModifiedDate, IncludeLineItems true."""
    for record_type, name, linked in (
        (RecordType("invoices"), "InvoiceQueryRq", ["IncludeLinkedTxns"]),
        (RecordType("payments"), "ReceivePaymentQueryRq", []),
    ):
        rq = _rq(
            query_request(record_type, version="13.0", max_returned=10, from_modified=WATERMARK)
        )
        assert rq.tag == name
        assert _children(rq) == [
            "MaxReturned",
            "ModifiedDateRangeFilter",
            "IncludeLineItems",
            *linked,
            "OwnerID",
        ]
        assert rq.findtext("ModifiedDateRangeFilter/FromModifiedDate") == WATERMARK
        assert rq.findtext("IncludeLineItems") == "true"


def test_a_full_read_has_no_date_filter() -> None:
    """Without a watermark the query reads everything."""
    rq = _rq(query_request(RecordType("invoices"), version="13.0", max_returned=10))
    assert _children(rq) == ["MaxReturned", "IncludeLineItems", "IncludeLinkedTxns", "OwnerID"]


def test_continue_repeats_the_criteria_of_start() -> None:
    """A Continue page carries the same children as the Start page, plus the iterator."""
    for record_type in (t for t in RecordType if t.pages):
        start = _rq(
            query_request(record_type, version="13.0", max_returned=7, from_modified=WATERMARK)
        )
        more = _rq(
            query_request(
                record_type,
                version="13.0",
                max_returned=7,
                from_modified=WATERMARK,
                iterator_id="{X}",
            )
        )
        assert more.get("iterator") == "Continue" and more.get("iteratorID") == "{X}"
        assert [(c.tag, c.text) for c in more.iter()][1:] == [
            (c.tag, c.text) for c in start.iter()
        ][1:]


def test_deletions_name_every_kind_of_the_record_type() -> None:
    """Customers, every item kind, invoices and received payments, since the watermark."""
    item_kinds = list(object_named("Item").kinds)
    expected = {
        "customers": ("ListDeletedQueryRq", "ListDelType", ["Customer"]),
        "items": ("ListDeletedQueryRq", "ListDelType", item_kinds),
        "invoices": ("TxnDeletedQueryRq", "TxnDelType", ["Invoice"]),
        "payments": ("TxnDeletedQueryRq", "TxnDelType", ["ReceivePayment"]),
        "credit_memos": ("TxnDeletedQueryRq", "TxnDelType", ["CreditMemo"]),
        "accounts": ("ListDeletedQueryRq", "ListDelType", ["Account"]),
    }
    for record_type, (name, element, kinds) in expected.items():
        rq = _rq(deleted_request(record_type, version="13.0", from_deleted=WATERMARK))
        assert rq.tag == name and rq.get("iterator") is None
        assert [c.text for c in rq.findall(element)] == kinds
        assert rq.findtext("DeletedDateRangeFilter/FromDeletedDate") == WATERMARK
    assert {"ItemService", "ItemNonInventory", "ItemInventory"} <= set(item_kinds)


def test_requests_are_written_at_the_session_version() -> None:
    """The qbxml processing instruction names the version asked for."""
    text = query_request(RecordType("customers"), version="11.0", max_returned=5)
    assert '<?qbxml version="11.0"?>' in text


def test_page_size_must_be_positive() -> None:
    """MaxReturned below 1 is refused before anything is sent."""
    with pytest.raises(ValueError, match="at least 1"):
        query_request(RecordType("customers"), version="13.0", max_returned=0)


def test_overlap_keeps_the_watermarks_own_offset() -> None:
    """An hour earlier, written with the offset QuickBooks used (or none if it used none)."""
    assert overlap_from(WATERMARK) == "2014-05-18T14:20:20-08:00"
    assert overlap_from("2014-01-01T00:30:00+01:00") == "2013-12-31T23:30:00+01:00"
    assert overlap_from("2014-05-18T15:20:20") == "2014-05-18T14:20:20"


def test_later_of_compares_instants_not_text() -> None:
    """The later instant wins even when its text sorts lower."""
    assert later_of("2014-05-18T15:00:00-08:00", "2014-05-18T22:30:00+00:00") == (
        "2014-05-18T15:00:00-08:00"
    )
    assert later_of(None, WATERMARK) == WATERMARK and later_of(WATERMARK, None) == WATERMARK


def test_record_type_names_are_checked() -> None:
    """Unknown names list the valid ones, by qbXML name and plural."""
    assert RecordType.parse(" Invoices ") is RecordType("invoices")
    with pytest.raises(ValueError, match="unknown record type 'vendor_bills'") as raised:
        RecordType.parse("vendor_bills")
    for kind in RecordType:
        assert f"{kind.qbxml_name} ({kind.value})" in str(raised.value)
