"""Web Connector sessions: one per successful authenticate, found again by ticket hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qwc_service.clock import utcnow
from qwc_service.connections.models import Connection
from qwc_service.db import Base, UTCDateTime


class WcSession(Base):
    """One Web Connector update run, from authenticate to closeConnection or expiry."""

    __tablename__ = "sessions"
    # A connection's newest sessions are read often (its page, its health, the admin list's
    # connections in error): by connection, newest id first, without a sort.
    __table_args__ = (Index("ix_sessions_connection_id_id", "connection_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)
    machine_id: Mapped[int] = mapped_column(ForeignKey("machines.id", ondelete="CASCADE"))
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(32))

    # Reported by the Web Connector on the first sendRequestXML.
    company_file_name: Mapped[str | None] = mapped_column(String(1024))
    qbxml_country: Mapped[str | None] = mapped_column(String(8))
    qbxml_major: Mapped[int | None] = mapped_column(Integer)
    qbxml_minor: Mapped[int | None] = mapped_column(Integer)
    # Kept for diagnosis, read by no call: a real HCP document runs to kilobytes, which
    # every round trip would otherwise load with the session.
    hcp_response: Mapped[str | None] = mapped_column(Text, deferred=True)
    qbxml_version: Mapped[str | None] = mapped_column(String(16))
    company_name: Mapped[str | None] = mapped_column(String(200))
    file_id_stamp: Mapped[str | None] = mapped_column(String(38))
    # Set when the server decided to send this session nothing (e.g. the wrong company file).
    refused: Mapped[str | None] = mapped_column(String(32))

    requests_sent: Mapped[int] = mapped_column(Integer, default=0)
    responses_received: Mapped[int] = mapped_column(Integer, default=0)
    connection_errors: Mapped[int] = mapped_column(Integer, default=0)
    # The last progress reported: estimates may grow as iterators report their size, but the
    # Web Connector's progress bar should not move backwards.
    progress: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    def is_live(self, now: datetime) -> bool:
        """Whether the session can still be used."""
        return self.closed_at is None and self.expires_at > now

    # Loaded with the session by find_session (every call needs both).
    connection: Mapped[Connection] = relationship(lazy="select", viewonly=True)
