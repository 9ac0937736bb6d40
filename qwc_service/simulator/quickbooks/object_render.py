"""``…Ret`` aggregates of generated records, shaped by what the query asked for.

Lines come back only with the query's line flag (``IncludeLineItems``, BuildAssembly's
``IncludeComponentLineItems``) when the query has one; ``LinkedTxn`` only with
``IncludeLinkedTxns``; custom fields (``DataExtRet``) only for the OwnerIDs asked for (``0``
is the public custom fields). ``IncludeRetElement`` keeps the named top-level elements.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from lxml import etree

from qwc_service.qbxml.objects.registry import object_named
from qwc_service.qbxml.objects.specs import QuerySpec
from qwc_service.simulator.quickbooks.documents import (
    El,
    read_bool,
    texts_of,
    x_group,
    x_leaf,
    x_ret,
)
from qwc_service.simulator.quickbooks.objects import CUSTOM_FIELDS, ObjectRecord, line_tags
from qwc_service.simulator.quickbooks.records import format_bool, format_datetime

__all__ = ["Asked", "asked_of", "object_ret"]

LINKED_TXN = "LinkedTxn"


@dataclass(frozen=True)
class Asked:
    """What a query asked to have returned besides the record itself."""

    lines: bool
    links: bool
    owners: frozenset[str]  # OwnerIDs, upper-cased


def asked_of(query: QuerySpec, rq: etree._Element) -> Asked:
    """Read the flags of a query request, by what the registry says the query takes."""
    flag = query.line_items_flag
    return Asked(
        lines=flag is None or bool(read_bool(rq, flag)),
        links=not query.include_linked_txns or bool(read_bool(rq, "IncludeLinkedTxns")),
        owners=frozenset(o.upper() for o in texts_of(rq, "OwnerID") if query.owner_id),
    )


@cache
def _ret_element(object_name: str) -> str:
    return object_named(object_name).ret.element


def object_ret(record: ObjectRecord, asked: Asked, include: Collection[str] = ()) -> El:
    """The record's ``…Ret``."""
    element = _ret_element(record.object_name)
    lines = line_tags(element)
    parts: list[tuple[str, str]] = []
    for tag, xml in record.parts:
        if xml:
            if (tag in lines and not asked.lines) or (tag == LINKED_TXN and not asked.links):
                continue
            parts.append((tag, xml))
        elif tag == CUSTOM_FIELDS:
            parts += [(tag, field) for field in _custom_fields(record, asked.owners)]
        else:
            parts.append((tag, _dynamic(record, tag)))
    return x_ret(element, parts, include)


def _dynamic(record: ObjectRecord, tag: str) -> str:
    if tag in ("ListID", "TxnID"):
        return x_leaf(tag, record.id)
    if tag == "TimeCreated":
        return x_leaf(tag, format_datetime(record.time_created))
    if tag == "TimeModified":
        return x_leaf(tag, format_datetime(record.time_modified))
    if tag == "EditSequence":
        return x_leaf(tag, record.edit_sequence)
    return x_leaf(tag, format_bool(record.is_active))


def _custom_fields(record: ObjectRecord, owners: frozenset[str]) -> list[str]:
    return [
        x_group(
            CUSTOM_FIELDS,
            x_leaf("OwnerID", owner),
            x_leaf("DataExtName", name),
            x_leaf("DataExtType", kind),
            x_leaf("DataExtValue", value),
        )
        for owner, name, kind, value in record.custom_fields
        if owner.upper() in owners
    ]
