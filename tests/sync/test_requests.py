"""The qbXML a sync sends, checked against the qbXML 13.0 schema."""

from __future__ import annotations

import pytest
from lxml import etree

from qwc_service.qbxml.requests import schema_errors
from qwc_service.records.registry import ITEM_DELETED_TYPES, RecordType
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


@pytest.mark.parametrize("record_type", list(RecordType))
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


def test_list_queries_carry_filters_in_schema_order() -> None:
    """Customers and items: MaxReturned, ActiveStatus All, FromModifiedDate, in that order."""
    for record_type, name in (
        (RecordType.CUSTOMERS, "CustomerQueryRq"),
        (RecordType.ITEMS, "ItemQueryRq"),
    ):
        rq = _rq(
            query_request(record_type, version="13.0", max_returned=50, from_modified=WATERMARK)
        )
        assert rq.tag == name
        assert rq.get("iterator") == "Start" and rq.get("iteratorID") is None
        assert _children(rq) == ["MaxReturned", "ActiveStatus", "FromModifiedDate"]
        assert [c.text for c in rq] == ["50", "All", WATERMARK]


def test_transaction_queries_wrap_the_date_and_ask_for_lines() -> None:
    """Invoices and payments: ModifiedDateRangeFilter/FromModifiedDate, IncludeLineItems true."""
    for record_type, name in (
        (RecordType.INVOICES, "InvoiceQueryRq"),
        (RecordType.PAYMENTS, "ReceivePaymentQueryRq"),
    ):
        rq = _rq(
            query_request(record_type, version="13.0", max_returned=10, from_modified=WATERMARK)
        )
        assert rq.tag == name
        assert _children(rq) == ["MaxReturned", "ModifiedDateRangeFilter", "IncludeLineItems"]
        assert rq.findtext("ModifiedDateRangeFilter/FromModifiedDate") == WATERMARK
        assert rq.findtext("IncludeLineItems") == "true"


def test_a_full_read_has_no_date_filter() -> None:
    """Without a watermark the query reads everything."""
    rq = _rq(query_request(RecordType.INVOICES, version="13.0", max_returned=10))
    assert _children(rq) == ["MaxReturned", "IncludeLineItems"]


def test_continue_repeats_the_criteria_of_start() -> None:
    """A Continue page carries the same children as the Start page, plus the iterator."""
    for record_type in RecordType:
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
    expected = {
        RecordType.CUSTOMERS: ("ListDeletedQueryRq", "ListDelType", ["Customer"]),
        RecordType.ITEMS: ("ListDeletedQueryRq", "ListDelType", list(ITEM_DELETED_TYPES)),
        RecordType.INVOICES: ("TxnDeletedQueryRq", "TxnDelType", ["Invoice"]),
        RecordType.PAYMENTS: ("TxnDeletedQueryRq", "TxnDelType", ["ReceivePayment"]),
    }
    for record_type, (name, element, kinds) in expected.items():
        rq = _rq(deleted_request(record_type, version="13.0", from_deleted=WATERMARK))
        assert rq.tag == name and rq.get("iterator") is None
        assert [c.text for c in rq.findall(element)] == kinds
        assert rq.findtext("DeletedDateRangeFilter/FromDeletedDate") == WATERMARK
    assert {"ItemService", "ItemNonInventory", "ItemInventory"} <= set(ITEM_DELETED_TYPES)


def test_requests_are_written_at_the_session_version() -> None:
    """The qbxml processing instruction names the version asked for."""
    text = query_request(RecordType.CUSTOMERS, version="11.0", max_returned=5)
    assert '<?qbxml version="11.0"?>' in text


def test_page_size_must_be_positive() -> None:
    """MaxReturned below 1 is refused before anything is sent."""
    with pytest.raises(ValueError, match="at least 1"):
        query_request(RecordType.CUSTOMERS, version="13.0", max_returned=0)


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
    """Unknown names list the valid ones."""
    assert RecordType.parse(" Invoices ") is RecordType.INVOICES
    with pytest.raises(ValueError, match="customers, items, invoices, payments"):
        RecordType.parse("vendors")
