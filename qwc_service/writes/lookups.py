"""Finding a write's record in QuickBooks without QuickBooks' answer to it.

When QuickBooks holds no record of a message set, the write is looked for by the key the
server wrote into it: its ExternalGUID (no query filters on it, so the candidates are
queried by name, RefNumber or date and compared), or its RefNumber with the memo marker.
A write found is done; a write not found was never applied and may be sent again. Mods,
voids and deletes leave no such key, so they cannot be looked up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from qwc_service.qbxml.requests import build_request
from qwc_service.writes.models import Write
from qwc_service.writes.shapes import WriteKind, kind_of, object_of

__all__ = ["can_look_up", "fetch_request", "is_ours", "lookup_request", "query_rs_name"]

#: Transaction queries that take IncludeLineItems: the result keeps the lines.
_WITH_LINES = frozenset(
    {"Invoice", "CreditMemo", "SalesReceipt", "Deposit", "Estimate", "SalesOrder", "Check"}
)
#: How far before the first send a modified-date lookup starts: QuickBooks' clock and
#: ours may disagree, and the filter must never miss the record.
_CLOCK_MARGIN = timedelta(days=1)


def can_look_up(write: Write) -> bool:
    """Whether the write carries a key of the server's to find its record by."""
    return kind_of(write.request) is WriteKind.ADD and bool(
        write.external_guid or (write.ref_number and write.memo_marker)
    )


def _query_object(obj: str) -> str:
    # Every kind of item is answered by ItemQuery.
    return "Item" if obj.startswith("Item") or obj == "SpecialItem" else obj


def query_rs_name(write: Write) -> str:
    """The response element of the write's lookup or fetch query."""
    return _query_object(object_of(write.request)) + "QueryRs"


def lookup_request(write: Write, fields: dict[str, Any], version: str) -> str:
    """The query whose answer holds the write's record if QuickBooks has it."""
    obj = object_of(write.request)
    query = etree.Element(_query_object(obj) + "QueryRq")
    name = fields.get("Name")
    if isinstance(name, str) and "TxnDate" not in fields and obj not in _WITH_LINES:
        # A list element: names are unique, so the name finds it (inactive ones too).
        parent = fields.get("ParentRef")
        parent_name = parent.get("FullName") if isinstance(parent, dict) else None
        _leaf(query, "FullName", f"{parent_name}:{name}" if parent_name else name)
        return build_request(query, version=version)
    ref = write.ref_number or fields.get("RefNumber")
    if isinstance(ref, str) and ref and obj != "Deposit":
        _leaf(query, "RefNumber", ref)
    else:
        since = (write.sent_at or write.created_at) - _CLOCK_MARGIN
        window = etree.SubElement(query, "ModifiedDateRangeFilter")
        _leaf(window, "FromModifiedDate", _qb_datetime(since))
    if obj in _WITH_LINES or obj == "ReceivePayment":
        _leaf(query, "IncludeLineItems", "true")
    return build_request(query, version=version)


def fetch_request(write: Write, id_name: str, qb_id: str, version: str) -> str:
    """The query reading the record the write made or changed (``id_name`` TxnID or ListID)."""
    obj = _query_object(object_of(write.request))
    query = etree.Element(obj + "QueryRq")
    _leaf(query, id_name, qb_id)
    if id_name == "TxnID" and (obj in _WITH_LINES or obj == "ReceivePayment"):
        _leaf(query, "IncludeLineItems", "true")
    return build_request(query, version=version)


def is_ours(write: Write, ret: dict[str, Any]) -> bool:
    """Whether a Ret is the record the write made: its ExternalGUID, or RefNumber and marker."""
    guid = ret.get("ExternalGUID")
    if (
        write.external_guid
        and isinstance(guid, str)
        and guid.upper() == write.external_guid.upper()
    ):
        return True
    if write.ref_number and write.memo_marker:
        memo = ret.get("Memo")
        return ret.get("RefNumber") == write.ref_number and (
            isinstance(memo, str) and write.memo_marker in memo
        )
    return False


def _leaf(parent: Any, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _qb_datetime(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"
