"""New records go in by COPY on PostgreSQL and by INSERT elsewhere, with identical results."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.records.indexed import COLUMN_NAMES
from qwc_service.records.models import StoredRecord
from qwc_service.records.parse import RecordDocument
from qwc_service.records.pgcopy import copy_text, uses_copy
from qwc_service.records.store import apply_records
from tests.factories import make_connection

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
# Every character COPY's text format treats specially, and some it does not.
AWKWARD = "tab\there\nnew line\r\\N back\\slash \\\\ 'quote' \"dq\" Zoë 中文 𝄞 NULL \\u0000"
TABLE = StoredRecord.__table__


def _record(index: int, document: dict[str, Any], **columns: Any) -> RecordDocument:
    offset = timezone(timedelta(hours=-8))
    return RecordDocument(
        record_type="Customer",
        object_name="Customer",
        qb_id=f"80000{index:03d}-1234567890",
        edit_sequence=str(1234567890 + index),
        time_created=datetime(2025, 3, 1, 9, 30, tzinfo=offset).astimezone(UTC),
        time_modified=datetime(2025, 3, 2, 9, 30, index, tzinfo=offset).astimezone(UTC),
        time_modified_raw=f"2025-03-02T09:30:{index:02d}-08:00",
        columns={**dict.fromkeys(COLUMN_NAMES), **columns},
        document=document,
    )


def _customers(count: int) -> list[RecordDocument]:
    return [
        _record(
            index,
            {
                "ListID": f"80000{index:03d}-1234567890",
                "Name": f"{AWKWARD} {index}",
                "CompanyName": "",
                "Phone": "\\N",
                "ShipToAddress": [{"Name": "a\tb"}, {"Name": "c\nd"}],
                "Balance": "-1234.56789",
            },
            name=f"{AWKWARD} {index}" if index % 2 else None,
            full_name=f"Customer {index}",
            is_active=index % 3 != 0,
            txn_date=date(2025, 12, 31),
            balance=Decimal("-1234.56789"),
            total_balance=Decimal("1234567.12345") if index == 2 else Decimal("0"),
        )
        for index in range(count)
    ]


def test_awkward_values_round_trip(app: QwcApp) -> None:
    """Tabs, newlines, backslashes, \\N, astral characters, empty strings and NULLs survive,
    in the columns and in the document."""
    connection_id = make_connection(app)
    customers = _customers(20)
    with unit_of_work(app.session_factory) as db:
        result = apply_records(db, connection_id, customers, now=NOW)
        assert result.upserted == 20 and not result.problems
        assert uses_copy(db, 20) == (db.get_bind().dialect.name == "postgresql")
    with unit_of_work(app.session_factory) as db:
        query = select(StoredRecord).where(StoredRecord.connection_id == connection_id)
        stored = {row.qb_id: row for row in db.scalars(query)}
    for record in customers:
        row = stored[record.qb_id]
        assert row.document == record.document
        assert {name: getattr(row, name) for name in COLUMN_NAMES} == record.columns
        assert (row.time_created, row.time_modified, row.time_modified_raw) == (
            record.time_created,
            record.time_modified,
            record.time_modified_raw,
        )
        assert row.synced_at == NOW and row.deleted_at is None


@pytest.mark.parametrize("count", [3, 10])
def test_a_document_with_a_nul_character_is_reported_not_written(app: QwcApp, count: int) -> None:
    """PostgreSQL's JSON refuses U+0000: by INSERT, COPY or UPDATE that record is a problem
    naming it, and the rest of the batch is stored."""
    connection_id = make_connection(app)
    customers = _customers(count)
    nul = _record(1, {"ListID": customers[1].qb_id, "Name": "nul\x00here"})
    with unit_of_work(app.session_factory) as db:
        postgresql = db.get_bind().dialect.name == "postgresql"
        first = apply_records(db, connection_id, [*customers[:1], nul, *customers[2:]], now=NOW)
        apply_records(db, connection_id, [customers[1]], now=NOW)
        # A newer version of a stored record is an UPDATE.
        again = apply_records(db, connection_id, [replace(nul, time_modified=NOW)], now=NOW)
    if postgresql:
        problem = "its document holds a NUL character, which JSON storage refuses"
        assert first.upserted == count - 1
        assert [(p.identity, p.message) for p in first.problems] == [(nul.qb_id, problem)]
        assert [(p.identity, p.message) for p in again.problems] == [(nul.qb_id, problem)]
    else:
        assert first.upserted == count and not first.problems and not again.problems


def test_copy_text_writes_each_type_as_postgresql_reads_it() -> None:
    """NULL is \\N, delimiters are escaped, flags are t/f, instants carry their offset and
    documents are JSON."""
    columns = ["qb_id", "name", "is_active", "balance", "time_modified", "document"]
    rows = [
        {
            "qb_id": "A-1",
            "name": "tab\there \\ and\nline",
            "is_active": True,
            "balance": Decimal("1.50"),
            "time_modified": NOW,
            "document": {"Name": "a\tb", "Amount": "1.50"},
        },
        {
            "qb_id": "A-2",
            "name": None,
            "is_active": False,
            "balance": None,
            "time_modified": None,
            "document": None,
        },
    ]
    assert copy_text(TABLE, columns, rows) == (
        "A-1\ttab\\there \\\\ and\\nline\tt\t1.50\t2026-01-05T12:00:00+00:00\t"
        '{"Name":"a\\\\tb","Amount":"1.50"}\n'
        "A-2\t\\N\tf\t\\N\t\\N\t\\N\n"
    )


def test_copy_text_refuses_a_naive_instant() -> None:
    """An instant without a time zone is an error, never stored as some local time."""
    row = {"qb_id": "A-1", "time_modified": datetime(2026, 1, 5, 12, 0)}
    with pytest.raises(ValueError, match="naive"):
        copy_text(TABLE, ["qb_id", "time_modified"], [row])


@pytest.mark.parametrize("count", [3, 12])
def test_inserts_and_copies_store_the_same(app: QwcApp, count: int) -> None:
    """A small batch (INSERT) and a large one (COPY on PostgreSQL) store equal documents."""
    connection_id = make_connection(app)
    customers = _customers(count)
    with unit_of_work(app.session_factory) as db:
        apply_records(db, connection_id, customers, now=NOW)
    with unit_of_work(app.session_factory) as db:
        documents = db.scalars(
            select(StoredRecord.document)
            .where(StoredRecord.connection_id == connection_id)
            .order_by(StoredRecord.qb_id)
        ).all()
    assert documents == [c.document for c in customers]
