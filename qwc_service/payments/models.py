"""Payment write-backs: a ReceivePaymentAdd recorded at most once per idempotency key."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime


class PaymentStatus(enum.StrEnum):
    """Where a write-back is."""

    PENDING = "pending"  # queued, or being checked after an unknown outcome
    SENT = "sent"  # handed to QuickBooks, answer not yet back
    UNKNOWN = "unknown"  # the session died after handing it out: check before sending again
    RECORDED = "recorded"
    FAILED = "failed"


class PaymentWrite(Base):
    """One payment to record in QuickBooks for one invoice."""

    __tablename__ = "payment_writes"
    __table_args__ = (
        Index("uq_payment_writes_connection_key", "connection_id", "idempotency_key", unique=True),
        Index("uq_payment_writes_connection_ref", "connection_id", "ref_number", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    invoice_txn_id: Mapped[str] = mapped_column(String(40))
    customer_list_id: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    txn_date: Mapped[date] = mapped_column(Date)
    payment_method: Mapped[str | None] = mapped_column(String(31))
    deposit_to_account: Mapped[str | None] = mapped_column(String(159))
    # Our own reference, written as the payment's RefNumber, so a lost answer can be found.
    ref_number: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str | None] = mapped_column(String(4095))
    status: Mapped[str] = mapped_column(String(16), default=PaymentStatus.PENDING)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    txn_id: Mapped[str | None] = mapped_column(String(40))
    sends: Mapped[int] = mapped_column(Integer, default=0)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
