"""Turning one complete ``…Ret`` element into a whole JSON document, from the registry.

Each element becomes a key named as qbXML spells it; an aggregate becomes an object; an
element that may repeat in its parent (per the schema) becomes a list, even with one member;
every leaf is its text exactly as sent (amounts stay decimal strings). Nothing is dropped: an
element the schema does not know is kept as sent, a value that breaks its type is kept as
sent, and both are reported as problems of the record.

This is the hot path of a big response: per ``…Ret`` the schema is turned once into plain
lookup tables (:class:`Shape`), and a record is read in one loop over its elements.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from qwc_service.qbxml.objects.registry import all_objects, object_for_ret
from qwc_service.qbxml.objects.specs import ElementSpec, RetSpec, ValueType
from qwc_service.records.indexed import COLUMN_NAMES, Picked, column_value, columns_of
from qwc_service.records.parsed import DeletedRecord, ParseProblem, RecordDocument

__all__ = [
    "RET_ELEMENTS",
    "UnreadableRecord",
    "deletion",
    "document_of",
    "identity_of",
    "read_record",
]

# The test of a leaf's text, and what the text should be ("an amount").
Check = tuple[Callable[[str], Any], str]
# name -> (the child's shape, or None for a leaf; whether it repeats; the check of its text)
Fields = dict[str, tuple["Shape | None", bool, Check | None]]

_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*").fullmatch
_CHECKS: dict[ValueType, Check] = {
    ValueType.AMOUNT: (_NUMBER, "an amount"),
    ValueType.PRICE: (_NUMBER, "a price"),
    ValueType.QUANTITY: (_NUMBER, "a quantity"),
    ValueType.PERCENT: (_NUMBER, "a percentage"),
    ValueType.FLOAT: (_NUMBER, "a number"),
    ValueType.INT: (re.compile(r"\s*[+-]?\d+\s*").fullmatch, "a whole number"),
    ValueType.BOOLEAN: (
        re.compile(r"\s*(?:true|false)\s*", re.IGNORECASE).fullmatch,
        "true or false",
    ),
    ValueType.DATE: (re.compile(r"\s*\d{4}-\d\d-\d\d\s*").fullmatch, "a date (YYYY-MM-DD)"),
    ValueType.DATETIME: (
        re.compile(r"\s*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?\s*").fullmatch,
        "a date and time",
    ),
}
_SHOWN = 40


class UnreadableRecord(ValueError):
    """A record lacks its identity or its change stamp cannot be read."""


class Shape:
    """What the schema says of one aggregate's children, as lookup tables."""

    __slots__ = ("fields",)

    def __init__(self, fields: Fields) -> None:
        self.fields = fields


@cache
def _shape(children: tuple[ElementSpec, ...]) -> Shape:
    # Cached by the children themselves: refs and addresses share one table across objects.
    fields: Fields = {}
    for element in children:
        check = _CHECKS.get(element.type)
        shape = None if element.type.is_leaf else _shape(element.children)
        fields[element.name] = (shape, element.repeats, check)
    return Shape(fields)


class _RetPlan:
    """Everything worked out once for a ``…Ret``: its shape, object, identity and columns."""

    __slots__ = ("columns", "identity", "object_name", "record_type", "shape")

    def __init__(self, ret: RetSpec) -> None:
        spec = object_for_ret(ret.element)
        self.shape = _shape(ret.elements)
        self.object_name = spec.name
        self.record_type = spec.read_through or spec.name
        self.identity = spec.identity
        self.columns: tuple[Picked, ...] = columns_of(ret)


_PLANS: dict[str, _RetPlan] = {}
for _spec in all_objects():
    for _ret in _spec.rets:
        if _ret.element not in _PLANS:
            _PLANS[_ret.element] = _RetPlan(_ret)

#: Every ``…Ret`` element a record is read from.
RET_ELEMENTS: frozenset[str] = frozenset(_PLANS)


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…")


def _as_sent(element: Any) -> Any:
    """An element the schema does not describe: its text, or its children by name (a name
    met twice becomes a list)."""
    if len(element) == 0:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in element:
        tag = child.tag
        if type(tag) is not str:
            continue
        value = _as_sent(child)
        if tag in out:
            held = out[tag]
            if type(held) is list:
                held.append(value)
            else:
                out[tag] = [held, value]
        else:
            out[tag] = value
    return out


def _build(element: Any, fields: Fields, notes: list[str], where: str) -> dict[str, Any]:
    """The document of ``element``; what breaks the schema is noted in ``notes``."""
    doc: dict[str, Any] = {}
    for child in element:
        tag = child.tag
        if type(tag) is not str:
            continue  # a comment or processing instruction
        entry = fields.get(tag)
        if entry is None:
            doc_value = _as_sent(child)
            notes.append(f"{where}{tag} is not an element the schema knows; kept as sent")
            repeats = False
        else:
            shape, repeats, check = entry
            if shape is None:
                if len(child):
                    doc_value = _as_sent(child)
                    notes.append(f"{where}{tag} holds elements where text was expected")
                else:
                    doc_value = child.text or ""
                    if check is not None and check[0](doc_value) is None:
                        notes.append(
                            f"{where}{tag} {_shown(doc_value)} is not {check[1]}; kept as sent"
                        )
            else:
                doc_value = _build(child, shape.fields, notes, f"{where}{tag}/")
        if repeats:
            held = doc.get(tag)
            if held is None:
                doc[tag] = [doc_value]
            else:
                held.append(doc_value)
        elif tag in doc:
            held = doc[tag]
            notes.append(f"{where}{tag} appears more than once; kept as a list")
            if type(held) is list:  # values are text or objects: a list is one made here
                held.append(doc_value)
            else:
                doc[tag] = [held, doc_value]
        else:
            doc[tag] = doc_value
    return doc


def identity_of(element: Any) -> str | None:
    """The ListID or TxnID of a Ret element, if it has one."""
    for tag in ("ListID", "TxnID"):
        value = element.findtext(tag)
        if value is not None and value.strip():
            return str(value.strip())
    return None


def _instant(text: str | None, name: str) -> datetime | None:
    """DATETIMETYPE as a UTC instant; the offset is taken as QuickBooks states it, even when
    it ignores daylight saving time, since the text goes back to QuickBooks in later queries."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise UnreadableRecord(f"{name} {_shown(text)} is not a date and time with a UTC offset")
    return value.astimezone(UTC)


def _token(value: Any) -> str | None:
    if type(value) is not str:
        return None
    return value.strip() or None


def document_of(element: Any) -> dict[str, Any]:
    """A ``…Ret`` as the document a sync would store of it (what breaks the schema kept as
    sent, without a report); an element no object is read from, as sent."""
    plan = _PLANS.get(element.tag)
    if plan is None:
        value = _as_sent(element)
        return value if type(value) is dict else {}
    return _build(element, plan.shape.fields, [], "")


def read_record(element: Any) -> tuple[RecordDocument, list[ParseProblem]]:
    """The record a complete ``…Ret`` holds, and what in it breaks the schema.

    Raises :class:`UnreadableRecord` when the record cannot be stored at all: it has no
    ListID/TxnID, or its TimeModified is not a time (the order of versions depends on it).
    """
    plan = _PLANS[element.tag]
    notes: list[str] = []
    doc = _build(element, plan.shape.fields, notes, "")
    if plan.identity is None:
        qb_id = plan.object_name  # Company, Preferences: one document per connection
    else:
        found = _token(doc.get(plan.identity))
        if found is None:
            raise UnreadableRecord(f"it has no {plan.identity}")
        qb_id = found
    modified_raw = _token(doc.get("TimeModified"))
    modified = _instant(modified_raw, "TimeModified")
    try:
        created = _instant(_token(doc.get("TimeCreated")), "TimeCreated")
    except UnreadableRecord as exc:
        created = None
        notes.append(str(exc))
    columns = dict.fromkeys(COLUMN_NAMES)
    for picked in plan.columns:
        for path in picked.paths:
            value = doc.get(path[0])
            if len(path) > 1 and type(value) is dict:
                value = value.get(path[1])
            if type(value) is str:
                break
        else:
            continue
        columns[picked.column.column], why = column_value(picked.column, value)
        if why is not None:
            where = "/".join(path) + " "
            # A value that broke its type is reported once, as kept as sent.
            if not any(note.startswith(where) for note in notes):
                notes.append(f"{where}{why}; not indexed")
    record = RecordDocument(
        plan.record_type,
        plan.object_name,
        qb_id,
        _token(doc.get("EditSequence")),
        created,
        modified,
        modified_raw,
        columns,
        doc,
    )
    problems = [ParseProblem(element.tag, qb_id, note) for note in notes]
    return record, problems


def deletion(element: Any) -> DeletedRecord:
    """A ``ListDeletedRet`` / ``TxnDeletedRet``, or the body of a ``ListDelRs`` / ``TxnDelRs``."""
    is_txn = element.find("TxnDelType") is not None or element.find("TxnID") is not None
    prefix = "Txn" if is_txn else "List"
    del_type = _token(element.findtext(f"{prefix}DelType"))
    qb_id = _token(element.findtext(f"{prefix}ID"))
    if del_type is None or qb_id is None:
        missing = f"{prefix}DelType" if del_type is None else f"{prefix}ID"
        raise UnreadableRecord(f"it has no {missing}")
    deleted_raw = _token(element.findtext("TimeDeleted"))
    return DeletedRecord(
        del_type=del_type,
        qb_id=qb_id,
        is_txn=is_txn,
        time_deleted=_instant(deleted_raw, "TimeDeleted"),
        time_deleted_raw=deleted_raw,
        time_created=_instant(_token(element.findtext("TimeCreated")), "TimeCreated"),
        full_name=element.findtext("FullName"),
        ref_number=_token(element.findtext("RefNumber")),
    )
