"""Records read from QuickBooks: one table, one whole JSON document per record.

A row is keyed by (connection_id, record_type, qb_id). ``record_type`` is the registry object
the record is stored under (``Customer``, ``Item`` for every item kind, ``Invoice``);
``object_name`` is the object its ``…Ret`` holds (``ItemService``), the same as the record
type everywhere but items. ``qb_id`` is the ListID or TxnID, or the object's name for the
singletons Company and Preferences, which are one document per connection.

``document`` holds every element QuickBooks returned, as it sent it. The columns beside it
are copies of the few elements the server filters, sorts and joins on (see
:mod:`qwc_service.records.indexed`), and the change stamps: ``time_modified_raw`` keeps
QuickBooks' own text (with its offset), which incremental syncs send back;
``time_modified`` is the same instant in UTC for queries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime

__all__ = ["DOCUMENT_TYPE", "Money", "StoredRecord"]

Money = Numeric(18, 5)
#: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
DOCUMENT_TYPE = JSON().with_variant(JSONB(), "postgresql")


class StoredRecord(Base):
    """One QuickBooks record of any type, whole."""

    __tablename__ = "records"
    __table_args__ = (
        Index(
            "uq_records_connection_type_qb_id",
            "connection_id",
            "record_type",
            "qb_id",
            unique=True,
        ),
        Index(
            "ix_records_connection_type_modified", "connection_id", "record_type", "time_modified"
        ),
        Index("ix_records_connection_type_full_name", "connection_id", "record_type", "full_name"),
        Index(
            "ix_records_connection_type_ref_number", "connection_id", "record_type", "ref_number"
        ),
        Index("ix_records_connection_type_txn_date", "connection_id", "record_type", "txn_date"),
        Index(
            "ix_records_connection_type_entity", "connection_id", "record_type", "entity_list_id"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    record_type: Mapped[str] = mapped_column(String(40))
    object_name: Mapped[str] = mapped_column(String(40))
    qb_id: Mapped[str] = mapped_column(String(40))
    edit_sequence: Mapped[str | None] = mapped_column(String(16))
    time_created: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_modified_raw: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Copies of elements of the document, for filters and joins.
    name: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(255))
    ref_number: Mapped[str | None] = mapped_column(String(40))
    txn_date: Mapped[date | None] = mapped_column(Date)
    entity_list_id: Mapped[str | None] = mapped_column(String(40))
    entity_full_name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool | None] = mapped_column(Boolean)
    balance: Mapped[Decimal | None] = mapped_column(Money)
    total_balance: Mapped[Decimal | None] = mapped_column(Money)
    total_amount: Mapped[Decimal | None] = mapped_column(Money)
    document: Mapped[dict[str, Any]] = mapped_column(DOCUMENT_TYPE)
