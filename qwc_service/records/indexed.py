"""Which elements of a document are copied into the columns the server filters on.

One small table, read against the object registry: for each column, the element paths that
may feed it, first present wins. Each ``…Ret`` gets the paths its schema has, worked out once
(:func:`columns_of`); a test checks every path against the registry, so a path that names no
element of any object fails there rather than staying silently empty.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from qwc_service.qbxml.objects.specs import ElementSpec, RetSpec, ValueType

__all__ = ["COLUMNS", "ColumnKind", "IndexedColumn", "Picked", "column_value", "columns_of"]


class ColumnKind(enum.Enum):
    """How an element's text becomes a column value."""

    TEXT = "text"
    DATE = "date"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"


@dataclass(frozen=True)
class IndexedColumn:
    """A column of ``records`` filled from the document: the paths that may feed it."""

    column: str
    kind: ColumnKind
    paths: tuple[tuple[str, ...], ...]
    max_length: int | None = None


_ENTITY_REFS = ("CustomerRef", "VendorRef", "PayeeEntityRef", "EntityRef")

COLUMNS: tuple[IndexedColumn, ...] = (
    IndexedColumn("name", ColumnKind.TEXT, (("Name",),), 255),
    # Objects without a hierarchy (vendors, subtotal items) carry no FullName: their Name is it.
    IndexedColumn("full_name", ColumnKind.TEXT, (("FullName",), ("Name",)), 255),
    IndexedColumn("ref_number", ColumnKind.TEXT, (("RefNumber",),), 40),
    IndexedColumn("txn_date", ColumnKind.DATE, (("TxnDate",),)),
    # The customer a sale names, the vendor a purchase names, the payee of a check or bill
    # payment, the employee of a time entry without a customer.
    IndexedColumn(
        "entity_list_id", ColumnKind.TEXT, tuple((ref, "ListID") for ref in _ENTITY_REFS), 40
    ),
    IndexedColumn(
        "entity_full_name", ColumnKind.TEXT, tuple((ref, "FullName") for ref in _ENTITY_REFS), 255
    ),
    IndexedColumn("is_active", ColumnKind.BOOLEAN, (("IsActive",),)),
    IndexedColumn(
        "balance", ColumnKind.DECIMAL, (("Balance",), ("BalanceRemaining",), ("OpenAmount",))
    ),
    IndexedColumn("total_balance", ColumnKind.DECIMAL, (("TotalBalance",),)),
    IndexedColumn(
        "total_amount", ColumnKind.DECIMAL, (("TotalAmount",), ("Amount",), ("DepositTotal",))
    ),
)

#: The names of the indexed columns, in table order.
COLUMN_NAMES: tuple[str, ...] = tuple(c.column for c in COLUMNS)

# The largest number a Numeric(18, 5) column holds.
_DECIMAL_BOUND = Decimal(10) ** 13


@dataclass(frozen=True)
class Picked:
    """One indexed column of one ``…Ret``: the paths that may feed it there, in order (the
    first one present in a record wins)."""

    column: IndexedColumn
    paths: tuple[tuple[str, ...], ...]


def element_at(elements: Iterable[ElementSpec], path: tuple[str, ...]) -> ElementSpec | None:
    """The element at ``path`` below ``elements``, or None when the schema has none there."""
    found: ElementSpec | None = None
    for name in path:
        found = next((e for e in elements if e.name == name), None)
        if found is None:
            return None
        elements = found.children
    return found


def _fits(element: ElementSpec, column: IndexedColumn) -> bool:
    if element.repeats or not element.type.is_leaf:
        return False
    if column.kind is ColumnKind.DATE:
        return element.type is ValueType.DATE
    if column.kind is ColumnKind.BOOLEAN:
        return element.type is ValueType.BOOLEAN
    if column.kind is ColumnKind.DECIMAL:
        return element.type in (ValueType.AMOUNT, ValueType.PRICE, ValueType.QUANTITY)
    return True


@cache
def columns_of(ret: RetSpec) -> tuple[Picked, ...]:
    """The indexed columns a ``…Ret`` may fill, each with those of its paths the Ret has."""
    picked = []
    for column in COLUMNS:
        paths = tuple(
            path
            for path in column.paths
            if (element := element_at(ret.elements, path)) is not None and _fits(element, column)
        )
        if paths:
            picked.append(Picked(column, paths))
    return tuple(picked)


def column_value(column: IndexedColumn, text: str) -> tuple[Any, str | None]:
    """The column value of an element's text, and why it could not be had (None if it could).

    A value that cannot be read or does not fit leaves the column empty: the document keeps
    the text as sent, and the caller reports the reason.
    """
    kind = column.kind
    if kind is ColumnKind.TEXT:
        if column.max_length is not None and len(text) > column.max_length:
            return None, (
                f"has {len(text)} characters, more than the {column.max_length} "
                f"the {column.column} column holds"
            )
        return text, None
    value = text.strip()
    try:
        if kind is ColumnKind.DATE:
            return date.fromisoformat(value), None
        if kind is ColumnKind.BOOLEAN:
            lowered = value.lower()
            if lowered in ("true", "false"):
                return lowered == "true", None
            raise ValueError(value)
        number = Decimal(value)
    except (ValueError, InvalidOperation):
        return None, f"{_shown(text)} is not a {kind.value}"
    if not number.is_finite() or abs(number) >= _DECIMAL_BOUND:
        return None, f"{_shown(text)} is too large to index"
    return number, None


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:39] + "…")
