"""The qbXML a sync sends: one query per record type, and the deletions query that follows.

Each query is built from what the object registry says of it (:class:`QuerySpec`), and its
children are written in the order the schema fixes (QuickBooks rejects a request whose
children are out of order):

- ``iterator="Start"``/``"Continue"`` and ``MaxReturned`` only where the query takes an
  iterator. Elsewhere ``MaxReturned`` would only cut the answer short, so the whole list is
  read in one answer.
- ``ActiveStatus`` ``All`` where the query takes it: left out, QuickBooks sends active only.
- Changes since the watermark at the registry's path: ``FromModifiedDate`` directly for lists,
  inside ``ModifiedDateRangeFilter`` for transactions. A type without one is read whole.
- ``OwnerID`` ``0`` where accepted, for custom fields; the line flag and
  ``IncludeLinkedTxns`` true where accepted.

A ``Continue`` page repeats the first page's criteria exactly, because QuickBooks requires
the same criteria on every page of an iterator.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from qwc_service.qbxml.requests import build_request
from qwc_service.records.registry import RecordType

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

#: The query each record type sends.
QUERY_REQUEST_NAMES: dict[RecordType, str] = {t: t.query.request for t in RecordType}
#: The deletions query of each record type QuickBooks reports deletions of.
DELETED_REQUEST_NAMES: dict[RecordType, str] = {
    t: t.object_spec.deletions.request for t in RecordType if t.object_spec.deletions is not None
}


def query_request(
    record_type: RecordType | str,
    *,
    version: str,
    max_returned: int,
    from_modified: str | None = None,
    iterator_id: str | None = None,
) -> str:
    """The query for one page of a sync, as a full request document at ``version``.

    Where the query takes an iterator, a page without ``iterator_id`` starts one
    (``iterator="Start"``, ``max_returned`` records a page) and a page with it continues
    that iterator, repeating the same criteria; elsewhere both are ignored and the answer
    holds everything. ``from_modified`` (QuickBooks date-time text) limits the query to
    records changed since then, where the query can; every active status is included so
    records made inactive are seen too.
    """
    kind = RecordType(record_type)
    query = kind.query
    if max_returned < 1:
        raise ValueError("max_returned must be at least 1")
    rq = etree.Element(query.request)
    values: dict[str, str | None] = {}
    if query.iterator:
        if iterator_id is None:
            rq.set("iterator", "Start")
        else:
            rq.set("iterator", "Continue")
            rq.set("iteratorID", iterator_id)
        values["MaxReturned"] = str(max_returned)
    if query.active_status:
        values["ActiveStatus"] = "All"
    if from_modified is not None and query.modified_since:
        values[query.modified_since[0]] = from_modified
    if query.line_items_flag is not None:
        values[query.line_items_flag] = "true"
    if query.include_linked_txns:
        values["IncludeLinkedTxns"] = "true"
    if query.owner_id:
        values["OwnerID"] = "0"
    path = query.modified_since
    for name in query.in_order(values):
        if path and name == path[0]:
            # The date sits at the end of the path: a child of the query or of its filter.
            node = rq
            for step in path[:-1]:
                node = _child(node, step)
            _child(node, path[-1], values[name])
        else:
            _child(rq, name, values[name])
    return build_request(rq, version=version)


def deleted_request(
    record_type: RecordType | str, *, version: str, from_deleted: str | None = None
) -> str:
    """The deletions query of a record type (not iterable), since ``from_deleted`` if given.

    ValueError for a type whose deletions QuickBooks does not report (Transfer, Template,
    Company, Preferences).
    """
    kind = RecordType(record_type)
    deletions = kind.object_spec.deletions
    if deletions is None:
        raise ValueError(f"QuickBooks reports no deletions of {kind.value}")
    rq = etree.Element(deletions.request)
    for name in deletions.types:
        _child(rq, deletions.type_element, name)
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
