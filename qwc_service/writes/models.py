"""A write: one Add, Mod, Void or Delete request for QuickBooks, under an idempotency key.

The row is the write's whole memory: what the caller asked for (request name and fields,
as qbXML names them), the message-set ID its current attempt went out under (stored before
the set is handed out), the key written into the record so it can be found again, and
how it ended (QuickBooks' answer as a document, or the conflict, or the error).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime


class WriteStatus(enum.StrEnum):
    """Where a write is. The last four are ends; only an operator moves a write out of them."""

    QUEUED = "queued"  # waiting to go out (first time, or again after QuickBooks had nothing)
    SENT = "sent"  # handed out; the answer, a status check or a lookup is still to come
    DONE = "done"  # in QuickBooks, once
    FAILED = "failed"  # QuickBooks refused it (or never parsed it): nothing was applied
    OUTCOME_UNKNOWN = "outcome_unknown"  # may or may not be applied: an operator decides
    CONFLICT = "conflict"  # a Mod's fields were changed in QuickBooks too: not overwritten


#: The statuses a write ends in.
ENDED = frozenset(
    {WriteStatus.DONE, WriteStatus.FAILED, WriteStatus.OUTCOME_UNKNOWN, WriteStatus.CONFLICT}
)


class Write(Base):
    """One write request of a connection."""

    __tablename__ = "writes"
    __table_args__ = (
        Index("uq_writes_connection_key", "connection_id", "idempotency_key", unique=True),
        Index("uq_writes_message_set_id", "message_set_id", unique=True),
        Index("ix_writes_job_id", "job_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    #: The request without its Rq: ``ReceivePaymentAdd``, ``CustomerMod``, ``TxnVoid``.
    request: Mapped[str] = mapped_column(String(60))
    #: The caller's fields as a JSON object named as in qbXML, and their SHA-256 (hex).
    fields: Mapped[str] = mapped_column(Text)
    fields_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=WriteStatus.QUEUED)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))

    #: The newMessageSetID of the attempt in flight (or the last one), at most 23 characters.
    message_set_id: Mapped[str | None] = mapped_column(String(23))
    #: Which session, and which machine, that attempt went out on: only that machine's
    #: application can ask QuickBooks about it.
    message_set_session_id: Mapped[int | None] = mapped_column(Integer)
    message_set_machine_id: Mapped[int | None] = mapped_column(Integer)
    sends: Mapped[int] = mapped_column(Integer, default=0)
    probes: Mapped[int] = mapped_column(Integer, default=0)
    lookups: Mapped[int] = mapped_column(Integer, default=0)

    #: What the server wrote into the record to find it again: an ExternalGUID, or a
    #: RefNumber with a marker in the memo.
    external_guid: Mapped[str | None] = mapped_column(String(38))
    ref_number: Mapped[str | None] = mapped_column(String(20))
    memo_marker: Mapped[str | None] = mapped_column(String(40))
    #: For a Mod: the stored record's values of the caller's fields when it was queued
    #: (JSON), what a 3200 is compared with.
    based_on: Mapped[str | None] = mapped_column(Text)

    #: The record's TxnID or ListID once known; QuickBooks' Ret as a document (JSON).
    qb_id: Mapped[str | None] = mapped_column(String(40))
    result: Mapped[str | None] = mapped_column(Text)
    #: ``{field: {"requested": ..., "in_quickbooks": ...}}`` (JSON) for a conflict.
    conflict: Mapped[str | None] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
