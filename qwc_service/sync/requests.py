"""The qbXML a sync sends: one query per record type, and the deletions query that follows.

Every element is written in the order the qbXML schema fixes (QuickBooks rejects a request
whose children are out of order). A ``Continue`` page repeats the first page's criteria
exactly, because QuickBooks requires the same criteria on every page of an iterator.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from qwc_service.qbxml.requests import build_request
from qwc_service.records.registry import REGISTRY, RecordType

__all__ = [
    "DELETED_REQUEST_NAMES",
    "OVERLAP",
    "QUERY_REQUEST_NAMES",
    "deleted_request",
    "later_of",
    "overlap_from",
    "parse_qb_datetime",
    "query_request",
]

# QuickBooks' clock, its offsets that ignore daylight saving time, and edits made while a
# page was being read can all put a change slightly before the last TimeModified seen.
OVERLAP = timedelta(hours=1)

QUERY_REQUEST_NAMES = {t: spec.query_request for t, spec in REGISTRY.items()}
DELETED_REQUEST_NAMES = {t: spec.deleted_request for t, spec in REGISTRY.items()}


def query_request(
    record_type: RecordType | str,
    *,
    version: str,
    max_returned: int,
    from_modified: str | None = None,
    iterator_id: str | None = None,
) -> str:
    """The query for one page of a sync, as a full request document at ``version``.

    Without ``iterator_id`` the page starts an iterator (``iterator="Start"``); with it the
    page continues that iterator, repeating the same criteria. ``from_modified`` (QuickBooks
    date-time text) limits the query to records changed since then; every active status is
    included so records made inactive are seen too.
    """
    spec = REGISTRY[RecordType(record_type)]
    if max_returned < 1:
        raise ValueError("max_returned must be at least 1")
    rq = etree.Element(spec.query_request)
    if iterator_id is None:
        rq.set("iterator", "Start")
    else:
        rq.set("iterator", "Continue")
        rq.set("iteratorID", iterator_id)
    _child(rq, "MaxReturned", str(max_returned))
    if spec.is_list:
        _child(rq, "ActiveStatus", "All")
        if from_modified is not None:
            _child(rq, "FromModifiedDate", from_modified)
    else:
        if from_modified is not None:
            window = _child(rq, "ModifiedDateRangeFilter")
            _child(window, "FromModifiedDate", from_modified)
        _child(rq, "IncludeLineItems", "true")
    return build_request(rq, version=version)


def deleted_request(
    record_type: RecordType | str, *, version: str, from_deleted: str | None = None
) -> str:
    """The deletions query of a record type (not iterable), since ``from_deleted`` if given."""
    spec = REGISTRY[RecordType(record_type)]
    rq = etree.Element(spec.deleted_request)
    for name in spec.deleted_types:
        _child(rq, spec.deleted_element, name)
    if from_deleted is not None:
        window = _child(rq, "DeletedDateRangeFilter")
        _child(window, "FromDeletedDate", from_deleted)
    return build_request(rq, version=version)


def parse_qb_datetime(text: str) -> datetime:
    """A QuickBooks date-time as an aware datetime; text without an offset is taken as UTC.

    Only used to compare and shift QuickBooks' own values, which all come in one form.
    Raises ValueError for text that is not an ISO 8601 date-time.
    """
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def overlap_from(watermark: str, overlap: timedelta = OVERLAP) -> str:
    """``watermark`` moved back by ``overlap``, written with the watermark's own offset.

    QuickBooks reads a value without an offset as its local time, so one without an offset
    stays without one.
    """
    value = datetime.fromisoformat(watermark.strip()) - overlap
    return value.isoformat(timespec="seconds")


def later_of(first: str | None, second: str | None) -> str | None:
    """Of two QuickBooks date-times (either may be missing), the text of the later one."""
    if first is None:
        return second
    if second is None:
        return first
    return second if parse_qb_datetime(second) > parse_qb_datetime(first) else first


def _child(parent: Any, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element
