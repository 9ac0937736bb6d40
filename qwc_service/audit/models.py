"""Audit events: what an operator needs to see later (logins, refusals, credential changes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime


class AuditEvent(Base):
    """One thing that happened, with who and where (never a password or a ticket)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_connection_created", "connection_id", "created_at"),
        Index("ix_audit_events_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    connection_id: Mapped[str | None] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    machine_id: Mapped[int | None] = mapped_column(ForeignKey("machines.id", ondelete="CASCADE"))
    username: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
