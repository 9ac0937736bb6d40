"""Bulk inserts with PostgreSQL's COPY: the fast path for new records.

A page of 100 records inserted with a multi-row ``INSERT … VALUES`` costs PostgreSQL a
parse and plan of 1,700 parameters, and us their adaptation; ``COPY … FROM STDIN`` streams
the same rows as tab-separated text for about a third of the time. Other databases (SQLite)
take the ordinary INSERT.

Values are written in COPY's text format: ``\\N`` for NULL, backslash escapes for the
characters that delimit rows and columns, and every other value as the text PostgreSQL's
input function for its column reads (ISO dates and instants with their offset, decimal
numbers, ``t``/``f``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from json import JSONEncoder
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Numeric, Table, insert
from sqlalchemy.orm import Session

from qwc_service.db import UTCDateTime

__all__ = ["Unwritten", "copy_text", "insert_rows", "uses_copy", "without_unwritable"]

#: A row that could not be written, and why.
Unwritten = tuple[dict[str, Any], str]

_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
# Below this many rows the INSERT is as quick, and keeps the statement in the session's log.
_COPY_FROM_ROWS = 8


def uses_copy(db: Session, rows: int) -> bool:
    """Whether ``rows`` new rows go in with COPY on this session's database."""
    return rows >= _COPY_FROM_ROWS and db.get_bind().dialect.name == "postgresql"


# Values are formatted a column at a time: a comprehension per column costs a third less
# than a function call per value.
Formatter = Callable[[list[Any]], list[str]]


def _texts(values: list[Any]) -> list[str]:
    out = [v if v is None or type(v) is str else str(v) for v in values]
    # One scan of the whole column shows whether any value needs escaping; str.translate
    # walks a text a character at a time and so runs only when one does.
    joined = "".join(filter(None, out))
    if "\\" in joined or "\n" in joined or "\r" in joined or "\t" in joined:
        out = [None if text is None else text.translate(_ESCAPES) for text in out]
    return [_NULL if text is None else text for text in out]


def _plains(values: list[Any]) -> list[str]:
    # Numbers, and dates in ISO form: nothing in them needs escaping.
    return [_NULL if v is None else str(v) for v in values]


def _flags(values: list[Any]) -> list[str]:
    return [_NULL if v is None else ("t" if v else "f") for v in values]


def _instants(values: list[Any]) -> list[str]:
    if any(v is not None and v.tzinfo is None for v in values):
        raise ValueError("naive datetime given to a UTC column")
    return [_NULL if v is None else v.isoformat() for v in values]


# Documents hold only dicts, lists and text: no cycles to look for, no spaces to add.
dumps = JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode
# U+0000 as json.dumps escapes it, and not an escaped backslash followed by "u0000".
_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


class _Json(str):
    """A document already serialized by :func:`insert_rows`."""

    __slots__ = ()


def _documents(values: list[Any]) -> list[str]:
    # The text COPY hands to jsonb's input function, serialized once. JSON text never holds a
    # raw newline, carriage return or tab (json.dumps escapes them), so doubling backslashes
    # is all COPY's escaping needs, and str.replace does that far quicker than translate.
    out = []
    for value in values:
        if value is None:
            out.append(_NULL)
            continue
        text = value if type(value) is _Json else dumps(value)
        out.append(text.replace("\\", "\\\\") if "\\" in text else text)
    return out


def _formatter(column: Any) -> Formatter:
    kind = column.type
    if isinstance(kind, JSON):
        return _documents
    if isinstance(kind, Boolean):
        return _flags
    if isinstance(kind, UTCDateTime | DateTime):
        return _instants
    if isinstance(kind, Numeric | Integer | Date):
        return _plains
    return _texts


@cache
def _formatters(table: Table, columns: tuple[str, ...]) -> tuple[Formatter, ...]:
    return tuple(_formatter(table.c[name]) for name in columns)


def copy_text(table: Table, columns: Sequence[str], rows: list[dict[str, Any]]) -> str:
    """``rows`` in COPY's text format, one line per row with ``columns`` in order."""
    names = tuple(columns)
    formatted = [
        form(list(map(itemgetter(name), rows)))
        for name, form in zip(names, _formatters(table, names), strict=True)
    ]
    return "\n".join(map("\t".join, zip(*formatted, strict=True))) + "\n"


def copy_rows(
    db: Session, table: Table, columns: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """Stream ``rows`` (dicts holding every one of ``columns``) into ``table`` with COPY."""
    names = tuple(columns)
    text = copy_text(table, names, rows)
    quoted = ", ".join(f'"{name}"' for name in names)
    driver = db.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
    ):
        copy.write(text)


def insert_rows(db: Session, table: Table, rows: list[dict[str, Any]]) -> list[Unwritten]:
    """Insert ``rows`` (every one with the same columns) into ``table``.

    Returns the rows left out because a value could not be written (a document PostgreSQL
    refuses as JSON), each with the reason; the rest are written.
    """
    if not rows:
        return []
    copy = uses_copy(db, len(rows))
    columns = list(rows[0])
    rows, unwritten = without_unwritable(db, table, rows, serialize=copy)
    if not rows:
        return unwritten
    if copy:
        copy_rows(db, table, columns, rows)
    else:
        db.execute(insert(table), rows)
    return unwritten


def without_unwritable(
    db: Session, table: Table, rows: list[dict[str, Any]], *, serialize: bool = False
) -> tuple[list[dict[str, Any]], list[Unwritten]]:
    """``rows`` less those whose document PostgreSQL would refuse, and those with the reason.

    A refused document would fail the whole statement, so it is found first. SQLite stores any
    JSON text, and a document read from XML is always JSON, so only PostgreSQL is checked.
    With ``serialize`` (for COPY), the documents of the rows kept are serialized in place.
    """
    if not rows or db.get_bind().dialect.name != "postgresql":
        return rows, []
    unwritten = _unwritable(table, list(rows[0]), rows, serialize)
    if not unwritten:
        return rows, []
    left_out = {id(row) for row, _ in unwritten}
    return [row for row in rows if id(row) not in left_out], unwritten


def _unwritable(
    table: Table, columns: list[str], rows: list[dict[str, Any]], serialize: bool
) -> list[Unwritten]:
    """The rows whose JSON cannot be produced, or holds what jsonb refuses (U+0000), with the
    reason; with ``serialize`` the others' documents are serialized in place."""
    out: list[Unwritten] = []
    for name in (c for c in columns if c in table.c and isinstance(table.c[c].type, JSON)):
        for row in rows:
            value = row[name]
            if value is None:
                continue
            try:
                text = dumps(value)
            except (TypeError, ValueError) as exc:
                out.append((row, f"its document cannot be written as JSON: {exc}"))
                continue
            if "\\u0000" in text and _NUL.search(text):
                out.append((row, "its document holds a NUL character, which JSON storage refuses"))
                continue
            if serialize:
                row[name] = _Json(text)
    return out
