"""A small response is parsed whole and a big one streamed; both read exactly the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from lxml import etree

from qwc_service.qbxml.errors import QbxmlError
from qwc_service.qbxml.responses import WHOLE_DOCUMENT_LIMIT
from qwc_service.records.parse import ResponseReader
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
from tests.reference_files import QBXML_SAMPLES

STREAMED = {"whole_document_limit": 0}


def _read(source: str | bytes, **options: Any) -> tuple[Any, ...]:
    """Everything a reader yields and the statuses it collected, or the error it raised."""
    reader = ResponseReader(source, **options)
    try:
        items = list(reader)
    except QbxmlError as exc:
        return ("raised", type(exc), str(exc))
    return ("read", items, reader.statuses)


def _both(source: str | bytes) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    return _read(source), _read(source, **STREAMED)


@pytest.mark.parametrize("name", QBXML_SAMPLES, ids=lambda name: name.removesuffix(".xml")[:50])
def test_every_sample_reads_the_same_whole_and_streamed(
    qbxml_sample: Callable[[str], bytes], name: str
) -> None:
    """Records, problems, deletions and statuses (or the refusal) match on each reference sample."""
    whole, streamed = _both(qbxml_sample(name))
    assert whole == streamed


def test_generated_pages_of_every_type_read_the_same_whole_and_streamed() -> None:
    """Customers, items, invoices with lines, payments and deletions: the same either way."""
    company = generate_company(customers=30, items=21, invoices=40, payments=20, seed=7)
    unused = next(c for c in company.customers if not company.txn_ids_for_customer(c))
    company.delete_customer(unused, at=company.clock.now() + timedelta(days=1))
    qb = FakeQuickBooks(company)
    texts = [fetch(qb, kind) for kind in ("customers", "items", "invoices", "payments")]
    texts.append(
        qb.process(
            message_set(
                "<CustomerQueryRq><MaxReturned>3</MaxReturned></CustomerQueryRq>",
                "<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>",
            )
        )
    )
    for text in texts:
        whole, streamed = _both(text)
        assert whole[0] == "read" and len(whole[1]) > 0
        assert whole == streamed


def test_problems_comments_and_nested_names_read_the_same_whole_and_streamed() -> None:
    """A bad value, a comment between records and a Ret name inside a record agree too."""
    bad = "<CustomerRet><ListID>BAD-1</ListID><Balance>12,50</Balance></CustomerRet>"
    # A CustomerRet inside another element of a record is part of that record, not a record.
    nested = "<CustomerRet><ListID>N-1</ListID><Extra><CustomerRet/></Extra></CustomerRet>"
    text = response(
        query_rs("CustomerQueryRs", customer_ret("A-1"), "<!-- between -->", bad, nested),
        "<!-- between answers -->",
        query_rs("InvoiceQueryRs", invoice_ret("1B-1"), invoice_ret("1C-1")),
    )
    whole, streamed = _both(text)
    assert whole == streamed
    # Five records, each followed by what in it breaks the schema: the bad Balance and the
    # unknown Extra, both kept as sent.
    assert [type(item).__name__ for item in whole[1]] == [
        "RecordDocument",
        "RecordDocument",
        "ParseProblem",
        "RecordDocument",
        "ParseProblem",
        "RecordDocument",
        "RecordDocument",
    ]
    assert len(whole[2]) == 2


@pytest.mark.parametrize(
    "text",
    [
        '<!DOCTYPE QBXML [<!ENTITY a "b">]><QBXML><QBXMLMsgsRs/></QBXML>',
        "<QBXML><QBXMLMsgsRs><CustomerQueryRs>",
        "",
        "<QBXML><QBXMLMsgsRs></QBXML>",
        message_set("<CustomerQueryRq/>"),
        '<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"/>',
        "<Other/>",
    ],
    ids=["doctype", "truncated", "empty", "mismatched", "a-request", "soap", "other-root"],
)
def test_refusals_are_the_same_whole_and_streamed(text: str) -> None:
    """Unsafe, broken and wrong documents raise the same error with the same message."""
    whole, streamed = _both(text)
    assert whole[0] == "raised"
    assert whole == streamed


def test_a_page_is_parsed_whole_and_a_big_response_streamed() -> None:
    """Up to the limit the reader holds the whole tree; beyond it, only what it is reading."""
    company = generate_company(
        customers=5, items=3, invoices=2000, payments=0, seed=5, lines_per_invoice=(3, 3)
    )
    big = fetch(FakeQuickBooks(company), "invoices")
    page = response(query_rs("CustomerQueryRs", *(customer_ret(f"{n}-1") for n in range(100))))
    assert len(page) <= WHOLE_DOCUMENT_LIMIT < len(big)

    def held_at_first_record(text: str, **options: Any) -> tuple[int, int]:
        reader = ResponseReader(text, **options)
        next(iter(reader))
        return reader.held_elements(), sum(1 for _ in etree.fromstring(text.encode()).iter())

    held, elements = held_at_first_record(page)
    assert held == elements
    held, elements = held_at_first_record(page, chunk_size=512, **STREAMED)
    assert held < elements // 10
    held, elements = held_at_first_record(big)
    assert held < elements // 20
