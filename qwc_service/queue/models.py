"""Jobs: qbXML work waiting for, or done by, a connection's Web Connector."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ForeignKey, Index, Integer, String, Text, event, inspect, text
from sqlalchemy.orm import Mapped, mapped_column

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime

# Declared without the table (for the command line) and re-exported for the rest of the package.
from qwc_service.queue.enums import FINISHED as FINISHED
from qwc_service.queue.enums import JobKind as JobKind
from qwc_service.queue.enums import JobStatus as JobStatus
from qwc_service.queue.notify import announce_finished


class Job(Base):
    """One qbXML request set for one connection."""

    __tablename__ = "jobs"
    __table_args__ = (
        # The claim query: a connection's queued jobs, highest priority first, FIFO within.
        Index("ix_jobs_claim", "connection_id", "status", text("priority DESC"), "id"),
        # A de-duplication key names at most one queued job per connection.
        Index(
            "uq_jobs_queued_dedup_key",
            "connection_id",
            "dedup_key",
            unique=True,
            postgresql_where=text("status = 'queued' AND dedup_key IS NOT NULL"),
            sqlite_where=text("status = 'queued' AND dedup_key IS NOT NULL"),
        ),
        Index("ix_jobs_session_id", "session_id"),
        # Ending a session unpins its jobs; few jobs are ever pinned, so index only those.
        Index(
            "ix_jobs_pinned_session_id",
            "pinned_session_id",
            postgresql_where=text("pinned_session_id IS NOT NULL"),
            sqlite_where=text("pinned_session_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    qbxml: Mapped[str] = mapped_column(Text)
    request_names: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16), default=JobKind.RAW)
    # Handler state (a sync's filters and iterator, a payment's id) as a JSON object.
    payload: Mapped[str | None] = mapped_column(Text)
    depends_on_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    sync_definition_id: Mapped[int | None] = mapped_column(
        ForeignKey("sync_definitions.id", ondelete="SET NULL"), index=True
    )
    # An iterator lives inside one QuickBooks session: its next page goes to that session only.
    pinned_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL")
    )
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many round trips this job still needs, for honest progress (iterator pages).
    units_remaining: Mapped[int] = mapped_column(Integer, default=1)

    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    request_id: Mapped[str | None] = mapped_column(String(50))
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    response: Mapped[str | None] = mapped_column(Text)
    hresult: Mapped[str | None] = mapped_column(String(32))
    status_code: Mapped[int | None] = mapped_column(Integer)
    status_severity: Mapped[str | None] = mapped_column(String(16))
    status_message: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(Job, "after_update")
def _announce_when_finished(_mapper: Any, connection: Connection, job: Job) -> None:
    # Every way a job ends (a handler reading its answer, a cancel, a failed dependency, a
    # removed sync) changes the row through the ORM, so this one hook tells the waiters,
    # on the flush's connection, inside the transaction that ends the job.
    if job.status in FINISHED and inspect(job).attrs.status.history.has_changes():
        announce_finished(connection, job.id, job.status)
