"""Sample fields for any write request, made from its spec alone.

``sample_fields(name)`` gives the smallest valid fields (required elements only, the first
alternative of each required choice); with ``full=True`` every element that may be given
together, each once. They are for tests and fixtures of anything that writes: a fake
QuickBooks answering every write, a builder checked against the schema.
"""

from __future__ import annotations

from typing import Any

from qwc_service.qbxml.objects.specs import ValueType
from qwc_service.qbxml.objects.writes import write_spec
from qwc_service.qbxml.objects.writespecs import FieldSpec, Group, GroupKind

__all__ = ["sample_fields", "sample_value"]

_SAMPLES: dict[ValueType, Any] = {
    ValueType.TEXT: "A",
    ValueType.ID: "80000001-1700000000",
    ValueType.AMOUNT: "1.00",
    ValueType.PRICE: "1.5",
    ValueType.QUANTITY: "2",
    ValueType.PERCENT: "5",
    ValueType.FLOAT: "1.0",
    ValueType.INT: 1,
    ValueType.BOOLEAN: True,
    ValueType.DATE: "2026-05-01",
    ValueType.DATETIME: "2026-05-01T09:30:00",
    ValueType.DURATION: "PT1H",
    ValueType.GUID: "{3F2504E0-4F89-41D3-9A0C-0305E82C3301}",
}


def sample_fields(request_name: str, *, full: bool = False) -> dict[str, Any]:
    """Valid fields for the write request ``request_name``; KeyError for an unknown one."""
    spec = write_spec(request_name)
    return _aggregate(spec.content, full)


def sample_value(field: FieldSpec) -> Any:
    """A valid value for the leaf ``field``: its first enumerated value, or one of its type."""
    if field.values:
        return field.values[0]
    return _SAMPLES[field.type]


def _aggregate(content: Group, full: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    _group(content, full, True, fields)
    if not fields and content.has("ListID"):
        fields["ListID"] = sample_value(content.element("ListID"))  # a reference names one
    return fields


def _group(group: Group, full: bool, required: bool, out: dict[str, Any]) -> None:
    if not required and not full:
        return
    if group.kind is GroupKind.CHOICE and len(group.items) > 1:
        # A repeating choice takes each alternative; a single one, the first.
        chosen = group.items if (full and group.repeats) else group.items[:1]
        for item in chosen:
            _item(item, full, True, out)
        return
    for item in group.items:
        _item(item, full, required and group.min_occurs > 0, out)


def _item(item: FieldSpec | Group, full: bool, required: bool, out: dict[str, Any]) -> None:
    if isinstance(item, Group):
        _group(item, full, required and item.min_occurs > 0, out)
        return
    if not full and (not required or item.min_occurs == 0):
        return
    value = sample_value(item) if item.content is None else _aggregate(item.content, full)
    repeats = item.max_occurs is None or item.max_occurs > 1
    out[item.name] = [value] if repeats else value
