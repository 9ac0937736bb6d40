"""What each record type supports, for people and programs: ``GET /api/types``,
``qwc-service types`` and the README's table of record types.

Every fact is read from the object registry (:mod:`qwc_service.qbxml.objects`); whether a
type can be synced, from :class:`~qwc_service.records.registry.RecordType`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from qwc_service.qbxml.objects.registry import all_objects
from qwc_service.qbxml.objects.specs import Category, CollectionRole, ObjectSpec
from qwc_service.records.registry import RecordType

__all__ = ["RecordTypeReport", "record_type_reports", "types_table"]


def _d(text: str) -> dict[str, str]:
    return {"description": text}


@dataclass(frozen=True)
class RecordTypeReport:
    """One record type: its names, how QuickBooks files it, and how a sync reads it."""

    name: str = field(
        metadata=_d("The qbXML object name (CreditMemo); --type and the API take it.")
    )
    plural: str = field(
        metadata=_d("The snake_case plural (credit_memos), taken wherever name is.")
    )
    label: str = field(metadata=_d("What a person calls one record (Credit memo)."))
    category: Category = field(
        metadata=_d(
            "list, item_kind (one kind of item, read through ItemQuery), transaction, or "
            "singleton (one document per company file)."
        )
    )
    identity: str | None = field(metadata=_d("ListID, TxnID, or null for a singleton."))
    stored_under: str = field(
        metadata=_d("The record type its records are stored as: Item for item kinds.")
    )
    query: str = field(metadata=_d("The qbXML query that reads it."))
    iterator: bool = field(
        metadata=_d("Whether the query reads page by page; false: in one answer.")
    )
    incremental: str | None = field(
        metadata=_d(
            "Where the query takes the time to read changes since (FromModifiedDate, "
            "ModifiedDateRangeFilter/FromModifiedDate); null: every sync reads it in full."
        )
    )
    deletions: str | None = field(
        metadata=_d(
            "The query that reports its deletions (ListDeletedQueryRq, TxnDeletedQueryRq); "
            "null: QuickBooks does not report them."
        )
    )
    deleted_types: tuple[str, ...] = field(
        metadata=_d("The ListDelType or TxnDelType values naming it.")
    )
    custom_fields: bool = field(
        metadata=_d("Whether its records carry custom fields (DataExtRet).")
    )
    lines: tuple[str, ...] = field(
        metadata=_d("Its line elements (InvoiceLineRet, AppliedToTxnRet).")
    )
    kinds: tuple[str, ...] = field(metadata=_d("For Item: the item kinds its query returns."))
    syncable: bool = field(metadata=_d("Whether `sync add --type` and the schedules take it."))

    @classmethod
    def of(cls, spec: ObjectSpec, syncable: bool, query: str | None = None) -> RecordTypeReport:
        """The report of one object of the registry; ``query`` is the request a sync sends
        when it is not the object's own (an item kind synced on its own asks its own)."""
        lines = (
            element
            for ret in spec.rets
            for collection in ret.collections
            if collection.role is CollectionRole.LINES
            for element in collection.elements
        )
        return cls(
            name=spec.name,
            plural=spec.plural,
            label=spec.label,
            category=spec.category,
            identity=spec.identity,
            stored_under=spec.read_through or spec.name,
            query=query or spec.query.request,
            iterator=spec.query.iterator,
            incremental="/".join(spec.query.modified_since) or None,
            deletions=spec.deletions.request if spec.deletions else None,
            deleted_types=spec.deletions.types if spec.deletions else (),
            custom_fields=spec.custom_fields,
            lines=tuple(dict.fromkeys(lines)),
            kinds=spec.kinds,
            syncable=syncable,
        )

    def to_payload(self) -> dict[str, Any]:
        """The report as JSON: one member per field."""
        return {
            "name": self.name,
            "plural": self.plural,
            "label": self.label,
            "category": self.category.value,
            "identity": self.identity,
            "stored_under": self.stored_under,
            "query": self.query,
            "iterator": self.iterator,
            "incremental": self.incremental,
            "deletions": self.deletions,
            "deleted_types": list(self.deleted_types),
            "custom_fields": self.custom_fields,
            "lines": list(self.lines),
            "kinds": list(self.kinds),
            "syncable": self.syncable,
        }


@cache
def record_type_reports() -> tuple[RecordTypeReport, ...]:
    """Every object of the registry, in its order: lists, Item and its kinds, transactions,
    the singletons."""
    synced = {record_type.value: record_type for record_type in RecordType}
    return tuple(
        RecordTypeReport.of(
            spec,
            spec.plural in synced,
            synced[spec.plural].query.request if spec.plural in synced else None,
        )
        for spec in all_objects()
    )


_CATEGORY = {
    Category.LIST: "list",
    Category.ITEM_KIND: "item kind",
    Category.TRANSACTION: "transaction",
    Category.SINGLETON: "one per company",
}


def _cells(report: RecordTypeReport) -> tuple[str, ...]:
    return (
        f"`{report.name}`",
        f"`{report.plural}`",
        _CATEGORY[report.category],
        "pages" if report.iterator else "whole",
        f"`{report.incremental.split('/')[0]}`" if report.incremental else "full read",
        ", ".join(report.deleted_types) if report.deleted_types else "no",
        "yes" if report.custom_fields else "no",
    )


def types_table() -> str:
    """The README's table of record types, one row per object of the registry."""
    rows = [
        "| type | plural | category | read | changes since a time | deleted as | custom fields |",
        "|---|---|---|---|---|---|---|",
    ]
    for report in record_type_reports():
        cells = _cells(report)
        if report.kinds:  # every kind's deletion type: the kinds' own rows list them
            cells = (*cells[:5], "by kind", cells[6])
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
