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

import io
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import psycopg
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, Table, insert, select
from sqlalchemy.orm import Session

from qwc_service.db import PLAN_FOR_VALUES, UTCDateTime, one_of

__all__ = ["insert_rows", "uses_copy"]

_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
# Below this many rows the INSERT is as quick, and keeps the statement in the session's log.
_COPY_FROM_ROWS = 8


def uses_copy(session: Session, rows: int) -> bool:
    """Whether ``rows`` new rows go in with COPY on this session's database."""
    return rows >= _COPY_FROM_ROWS and session.get_bind().dialect.name == "postgresql"


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    # str.translate walks the text a character at a time through a dict: ten times the
    # cost of the four scans that show nearly every value needs no escaping.
    if "\\" in text or "\n" in text or "\r" in text or "\t" in text:
        return text.translate(_ESCAPES)
    return text


def _plain(value: Any) -> str:
    # Numbers, and dates in ISO form: nothing in them needs escaping.
    return "\\N" if value is None else str(value)


def _flag(value: Any) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _instant(value: Any) -> str:
    if value is None:
        return "\\N"
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return str(value.isoformat())


def _formatter(column: Any) -> Callable[[Any], str]:
    kind = column.type
    if isinstance(kind, Boolean):
        return _flag
    if isinstance(kind, UTCDateTime | DateTime):
        return _instant
    if isinstance(kind, Numeric | Integer | Date):
        return _plain
    return _text


@cache
def _formatters(table: Table, columns: tuple[str, ...]) -> tuple[Callable[[Any], str], ...]:
    return tuple(_formatter(table.c[name]) for name in columns)


def copy_rows(
    session: Session, table: Table, columns: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """Stream ``rows`` (dicts holding every one of ``columns``) into ``table`` with COPY."""
    names = tuple(columns)
    plan = list(zip(names, _formatters(table, names), strict=True))
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join([form(row[name]) for name, form in plan]))
        write("\n")
    quoted = ", ".join(f'"{name}"' for name in names)
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
    ):
        copy.write(buffer.getvalue())


def insert_rows(
    session: Session, table: Table, key: str | None, rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Insert ``rows`` into ``table``; with ``key``, return the new ids by that column.

    ``key`` names a column unique among these rows (ListID, TxnID) whose rows are looked up
    after a COPY; every row must carry the same columns.
    """
    if not rows:
        return {}
    if not uses_copy(session, len(rows)):
        statement = insert(table)
        if key is None:
            session.execute(statement, rows)
            return {}
        returned = session.execute(statement.returning(table.c.id, table.c[key]), rows)
        return {value: row_id for row_id, value in returned}
    columns = list(rows[0])
    copy_rows(session, table, columns, rows)
    if key is None:
        return {}
    connection_id = rows[0]["connection_id"]
    found = session.execute(
        select(table.c.id, table.c[key]).where(
            table.c.connection_id == connection_id,
            one_of(session, table.c[key], [r[key] for r in rows]),
        ),
        execution_options=PLAN_FOR_VALUES,
    )
    return {value: row_id for row_id, value in found}
