"""Records written by requests, put in the schema's element order by the object registry.

A write handler gives the values it knows by tag (nested mappings for aggregates, lists for
repeating elements) and the registry's element tree of the ``…Ret`` puts them in order, so a
hand-written Ret cannot drift from Intuit's schema. The parts read back with
:func:`part_text` and change with :func:`set_part`, which is how later writes update a
record's balances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Union

from lxml import etree

from qwc_service.qbxml.objects.specs import ElementSpec, RetSpec
from qwc_service.simulator.quickbooks.documents import x_leaf
from qwc_service.simulator.quickbooks.objects import CUSTOM_FIELDS, DYNAMIC, ObjectRecord

__all__ = [
    "Value",
    "append_parts",
    "element_xml",
    "part_amount",
    "part_text",
    "ret_parts",
    "set_part",
]

# A leaf's text, an aggregate's children by tag, or the occurrences of a repeating element.
Value = Union[str, Mapping[str, "Value"], Sequence[Mapping[str, "Value"]], None]  # noqa: UP007


def element_xml(spec: ElementSpec, value: Value) -> str:
    """One element (or each of a repeated one) with its children in schema order."""
    if value is None:
        return ""
    if isinstance(value, str):
        return x_leaf(spec.name, value)
    if isinstance(value, Mapping):
        body = "".join(element_xml(c, value.get(c.name)) for c in spec.children)
        return f"<{spec.name}>\n{body}</{spec.name}>\n" if body else ""
    return "".join(element_xml(spec, item) for item in value)


def ret_parts(ret: RetSpec, values: Mapping[str, Value]) -> list[tuple[str, str]]:
    """``(tag, xml)`` parts of an ``ObjectRecord``: the values given, in order, with empty
    placeholders where the record's identity, times and custom fields go."""
    known = {e.name for e in ret.elements}
    unknown = set(values) - known
    if unknown:
        raise KeyError(f"{ret.element} has no {sorted(unknown)}")
    parts: list[tuple[str, str]] = []
    for element in ret.elements:
        name = element.name
        if name in DYNAMIC or name == CUSTOM_FIELDS:
            parts.append((name, ""))
            continue
        value = values.get(name)
        if isinstance(value, Sequence) and not isinstance(value, str):
            parts += [(name, element_xml(element, item)) for item in value]
        elif value is not None:
            xml = element_xml(element, value)
            if xml:
                parts.append((name, xml))
    return parts


def part_text(record: ObjectRecord, tag: str, path: str = "") -> str | None:
    """The text of a top-level leaf (or of ``path`` inside the aggregate ``tag``)."""
    for name, xml in record.parts:
        if name == tag and xml:
            node = etree.fromstring(xml.encode("utf-8"))
            found = node.text if not path else node.findtext(path)
            return None if found is None else str(found)
    return None


def part_amount(record: ObjectRecord, tag: str) -> Decimal | None:
    """A top-level amount of the record."""
    text = part_text(record, tag)
    return None if text is None else Decimal(text)


def set_part(ret: RetSpec, record: ObjectRecord, tag: str, value: Value) -> None:
    """Replace (or add, in schema order) one non-repeating top-level element."""
    xml = element_xml(ret.child(tag), value)
    if not xml:
        # An empty part stands for a dynamic element; an absent value is no part at all.
        record.parts[:] = [(name, x) for name, x in record.parts if name != tag]
        return
    for index, (name, _) in enumerate(record.parts):
        if name == tag:
            record.parts[index] = (tag, xml)
            return
    order = [e.name for e in ret.elements]
    position = order.index(tag)
    at = next(
        (i for i, (name, _) in enumerate(record.parts) if order.index(name) > position),
        len(record.parts),
    )
    record.parts.insert(at, (tag, xml))


def append_parts(ret: RetSpec, record: ObjectRecord, tag: str, value: Mapping[str, Value]) -> None:
    """Add one more occurrence of a repeating top-level element, after its last one."""
    xml = element_xml(ret.child(tag), value)
    order = [e.name for e in ret.elements]
    position = order.index(tag)
    at = next(
        (i for i, (name, _) in enumerate(record.parts) if order.index(name) > position),
        len(record.parts),
    )
    record.parts.insert(at, (tag, xml))
