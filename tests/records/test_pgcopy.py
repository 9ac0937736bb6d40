"""New records go in by COPY on PostgreSQL and by INSERT elsewhere, with identical results."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.records.models import Customer, Invoice, InvoiceLine
from qwc_service.records.parse import CustomerRecord, InvoiceLineRecord, InvoiceRecord
from qwc_service.records.pgcopy import copy_text, uses_copy
from qwc_service.records.store import apply_records
from tests.factories import make_connection

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
# Every character COPY's text format treats specially, and some it does not.
AWKWARD = "tab\there\nnew line\r\\N back\\slash \\\\ 'quote' \"dq\" Zoë 中文 𝄞 NULL"


def _customers(count: int) -> list[CustomerRecord]:
    offset = timezone(timedelta(hours=-8))
    return [
        CustomerRecord(
            list_id=f"80000{index:03d}-1234567890",
            edit_sequence=str(1234567890 + index),
            time_created=datetime(2025, 3, 1, 9, 30, tzinfo=offset).astimezone(UTC),
            time_modified=datetime(2025, 3, 2, 9, 30, index, tzinfo=offset).astimezone(UTC),
            time_modified_raw=f"2025-03-02T09:30:{index:02d}-08:00",
            name=f"{AWKWARD} {index}" if index % 2 else None,
            full_name=f"Customer {index}",
            is_active=index % 3 != 0,
            company_name="" if index == 1 else None,
            email=None,
            phone="\\N",
            bill_address="1 Main St\nSpringfield, IL 62701\nUSA",
            balance=Decimal("-1234.56789"),
            total_balance=Decimal("1234567.12345") if index == 2 else Decimal("0"),
        )
        for index in range(count)
    ]


def _invoices(count: int) -> list[InvoiceRecord]:
    return [
        InvoiceRecord(
            txn_id=f"1{index:04d}-1234567890",
            edit_sequence="1",
            time_modified=NOW - timedelta(days=index),
            time_modified_raw=None,
            txn_number=index,
            txn_date=date(2025, 12, 31),
            due_date=None,
            memo=AWKWARD,
            is_paid=False,
            lines=tuple(
                InvoiceLineRecord(
                    txn_line_id=f"{index}-{line}",
                    description=AWKWARD if line == 0 else "",
                    quantity=Decimal("1.5"),
                    rate=None,
                    amount=Decimal("0.00001"),
                )
                for line in range(3)
            ),
        )
        for index in range(count)
    ]


def test_awkward_values_round_trip(app: QwcApp) -> None:
    """Tabs, newlines, backslashes, \\N, astral characters, empty strings and NULLs survive."""
    connection_id = make_connection(app)
    customers, invoices = _customers(20), _invoices(12)
    with unit_of_work(app.session_factory) as db:
        result = apply_records(db, connection_id, [*customers, *invoices], now=NOW)
        assert result.upserted == 32 and not result.problems
        assert uses_copy(db, 20) == (db.get_bind().dialect.name == "postgresql")
    with unit_of_work(app.session_factory) as db:
        stored = {
            c.list_id: c
            for c in db.scalars(select(Customer).where(Customer.connection_id == connection_id))
        }
        for record in customers:
            row = stored[record.list_id]
            assert (row.name, row.company_name, row.email, row.phone) == (
                record.name,
                record.company_name,
                record.email,
                record.phone,
            )
            assert (row.is_active, row.balance, row.total_balance) == (
                record.is_active,
                record.balance,
                record.total_balance,
            )
            assert (row.time_created, row.time_modified) == (
                record.time_created,
                record.time_modified,
            )
            assert row.bill_address == record.bill_address and row.synced_at == NOW
        rows = db.scalars(select(Invoice).where(Invoice.connection_id == connection_id)).all()
        assert len(rows) == 12
        for row in rows:
            assert row.memo == AWKWARD and row.txn_date == date(2025, 12, 31)
            lines = db.scalars(
                select(InvoiceLine)
                .where(InvoiceLine.invoice_id == row.id)
                .order_by(InvoiceLine.position)
            ).all()
            assert [line.position for line in lines] == [1, 2, 3]
            assert lines[0].description == AWKWARD and lines[1].description == ""
            assert lines[0].amount == Decimal("0.00001") and lines[0].rate is None


def test_copy_text_writes_each_type_as_postgresql_reads_it() -> None:
    """NULL is \\N, delimiters are escaped, flags are t/f and instants carry their offset."""
    table = Customer.__table__
    columns = ["list_id", "name", "is_active", "balance", "time_modified"]
    rows = [
        {
            "list_id": "A-1",
            "name": "tab\there \\ and\nline",
            "is_active": True,
            "balance": Decimal("1.50"),
            "time_modified": NOW,
        },
        {
            "list_id": "A-2",
            "name": None,
            "is_active": False,
            "balance": None,
            "time_modified": None,
        },
    ]
    assert copy_text(table, columns, rows) == (
        "A-1\ttab\\there \\\\ and\\nline\tt\t1.50\t2026-01-05T12:00:00+00:00\n"
        "A-2\t\\N\tf\t\\N\t\\N\n"
    )


def test_copy_text_refuses_a_naive_instant() -> None:
    """An instant without a time zone is an error, never stored as some local time."""
    row = {"list_id": "A-1", "time_modified": datetime(2026, 1, 5, 12, 0)}
    with pytest.raises(ValueError, match="naive"):
        copy_text(Customer.__table__, ["list_id", "time_modified"], [row])
