"""Sync definitions: what to keep in sync for a connection, how often, and how far it got."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime


class SyncDefinition(Base):
    """One record type kept in sync for one connection."""

    __tablename__ = "sync_definitions"
    __table_args__ = (
        Index("uq_sync_definitions_connection_type", "connection_id", "record_type", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    # The record type's plural (RecordType), up to 25 characters today.
    record_type: Mapped[str] = mapped_column(String(40))
    every_minutes: Mapped[int] = mapped_column(Integer)
    # Daily window in the connection's time zone, "HH:MM"; may wrap midnight (19:00-07:00).
    window_start: Mapped[str | None] = mapped_column(String(5))
    window_end: Mapped[str | None] = mapped_column(String(5))
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_returned: Mapped[int] = mapped_column(Integer, default=100)

    # Progress: the watermarks only move when a whole sync (query and deletions) completed.
    watermark: Mapped[str | None] = mapped_column(String(40))
    deleted_watermark: Mapped[str | None] = mapped_column(String(40))
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
