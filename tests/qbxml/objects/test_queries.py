"""A query built from the registry alone is valid qbXML for every object."""

from __future__ import annotations

import pytest
from lxml import etree

from qwc_service.qbxml.objects.registry import all_objects
from qwc_service.qbxml.objects.specs import ObjectSpec
from qwc_service.qbxml.requests import build_request, schema_errors

SINCE = "2024-03-10T02:30:00-08:00"


def changes_since(spec: ObjectSpec) -> str:
    """The query a full mirror sends: everything changed since SINCE, a page at a time."""
    query = spec.query
    request = etree.Element(query.request, requestID="1")
    values: dict[str, str | None] = {}
    if query.iterator:
        request.set("iterator", "Start")
        values["MaxReturned"] = "100"
    if query.active_status:
        values["ActiveStatus"] = "All"
    if query.modified_since:
        values[query.modified_since[0]] = None
    if query.line_items_flag:
        values[query.line_items_flag] = "true"
    if query.include_linked_txns:
        values["IncludeLinkedTxns"] = "true"
    if spec.custom_fields:
        values["OwnerID"] = "0"
    modified_filter = query.modified_since[0] if query.modified_since else None
    for name in query.in_order(values):
        child = etree.SubElement(request, name)
        if name == modified_filter:
            for inner in query.modified_since[1:]:
                child = etree.SubElement(child, inner)
            child.text = SINCE
        else:
            child.text = values[name]
    return build_request(request)


@pytest.mark.parametrize("spec", all_objects(), ids=lambda spec: spec.name)
def test_a_changes_since_query_is_valid(spec: ObjectSpec, qbxml_schema: etree.XMLSchema) -> None:
    """Paging, ActiveStatus=All, the modified filter, lines and OwnerID, in schema order."""
    text = changes_since(spec)
    assert schema_errors(text, qbxml_schema) == [], text


def test_the_order_matters(qbxml_schema: etree.XMLSchema) -> None:
    """The same Invoice query with its children out of order fails, as QuickBooks would."""
    text = changes_since(next(s for s in all_objects() if s.name == "Invoice"))
    swapped = text.replace("<MaxReturned>100</MaxReturned>", "").replace(
        "<IncludeLineItems>", "<MaxReturned>100</MaxReturned><IncludeLineItems>"
    )
    assert schema_errors(swapped, qbxml_schema)


def test_an_iterator_where_the_schema_has_none_is_refused(qbxml_schema: etree.XMLSchema) -> None:
    """Sending iterator to a query without one (Account) fails the schema: the flag matters."""
    account = next(s for s in all_objects() if s.name == "Account")
    assert not account.query.iterator
    text = changes_since(account).replace("<AccountQueryRq ", '<AccountQueryRq iterator="Start" ')
    assert schema_errors(text, qbxml_schema)
