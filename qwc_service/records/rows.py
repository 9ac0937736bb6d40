"""Turning records into column values, and checking that they fit the columns.

A value that does not fit (a RefNumber longer than its column, an amount beyond the numeric
precision) would make PostgreSQL reject a whole batch and SQLite silently keep it; instead
the record is reported as a problem and the rest of the batch is stored.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Numeric, String

from qwc_service.records.parsed import Record
from qwc_service.records.registry import RecordTypeSpec

__all__ = ["child_rows", "misfit", "record_row", "ret_name"]

_INT32 = 2**31 - 1
# Fields of a record that are rows of their own, not columns.
_NOT_COLUMNS = frozenset({"lines", "applications"})
# A column's limit: (name, bound).
Limit = tuple[str, int]


def record_row(record: Record, connection_id: str, now: datetime) -> dict[str, Any]:
    """The column values of a record's row (a record read again is live again)."""
    # A record's fields are its columns, less its lines; vars() copies them in one call.
    row = {**vars(record), "connection_id": connection_id, "deleted_at": None, "synced_at": now}
    for name in _NOT_COLUMNS:
        row.pop(name, None)
    return row


def child_rows(kind: RecordTypeSpec, record: Record) -> list[dict[str, Any]] | None:
    """The rows of a record's lines or applications, numbered from 1; None for list records."""
    if kind.children is None:
        return None
    items = getattr(record, kind.children.attribute)
    if not items:
        return []
    return [{**vars(child), "position": position} for position, child in enumerate(items, start=1)]


def ret_name(kind: RecordTypeSpec, record: Record) -> str:
    """The element a record was read from, for problem reports."""
    item_kind = getattr(record, "kind", None)
    return f"Item{item_kind}Ret" if item_kind else kind.ret_name


def misfit(
    kind: RecordTypeSpec, row: dict[str, Any], children: list[dict[str, Any]] | None
) -> str | None:
    """Why the row (or one of its lines) cannot be stored as it is, or None."""
    problem = _column_misfit(kind.model.__table__, row)
    if problem is None and kind.children is not None:
        for child in children or ():
            problem = _column_misfit(kind.children.model.__table__, child)
            if problem is not None:
                return f"line {child['position']}: {problem}"
    return problem


@cache
def _limits(table: Any) -> tuple[tuple[Limit, ...], tuple[Limit, ...], tuple[Limit, ...]]:
    """The table's limits as (text, number, integer) groups, each checked its own way."""
    texts: list[Limit] = []
    numbers: list[Limit] = []
    integers: list[Limit] = []
    for column in table.columns:
        kind = column.type
        if isinstance(kind, String) and kind.length is not None:
            texts.append((column.key, kind.length))
        elif isinstance(kind, Numeric) and kind.precision is not None:
            numbers.append((column.key, 10 ** (kind.precision - (kind.scale or 0))))
        elif isinstance(kind, Integer) and not column.primary_key:
            integers.append((column.key, _INT32))
    return tuple(texts), tuple(numbers), tuple(integers)


def _column_misfit(table: Any, row: dict[str, Any]) -> str | None:
    # Runs for every record and line stored: the common case, nothing out of bounds, is
    # one lookup and one comparison per limited column.
    texts, numbers, integers = _limits(table)
    for name, bound in texts:
        value = row.get(name)
        if value is not None and len(value) > bound:
            return f"{name} has {len(value)} characters, more than the {bound} stored"
    for name, bound in numbers:
        value = row.get(name)
        if value is not None and abs(value) >= bound:
            return f"{name} {value} is too large to store"
    for name, bound in integers:
        value = row.get(name)
        if isinstance(value, int) and abs(value) > bound:
            return f"{name} {value} is too large to store"
    return None
