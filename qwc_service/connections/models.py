"""Connections (one customer's company file) and machines (one Web Connector each)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime


class Connection(Base):
    """One customer's QuickBooks company file, reached through one or more machines."""

    __tablename__ = "connections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(String(38))
    file_id: Mapped[str] = mapped_column(String(38), unique=True)
    company_file: Mapped[str | None] = mapped_column(String(1024))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The company file this connection is locked to after its first successful session.
    lock_file_id: Mapped[str | None] = mapped_column(String(38))
    lock_company_name: Mapped[str | None] = mapped_column(String(200))
    lock_file_path: Mapped[str | None] = mapped_column(String(1024))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What the last session reported about QuickBooks.
    qbxml_version: Mapped[str | None] = mapped_column(String(16))
    product_name: Mapped[str | None] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(200))
    last_company_file: Mapped[str | None] = mapped_column(String(1024))

    # The one active Web Connector session (a lease: valid while that session is).
    active_session_id: Mapped[int | None] = mapped_column(Integer)

    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A last error is unresolved until a request succeeds after it.
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The shortest interval, in seconds, a Web Connector may run this connection at
    # (authenticate's fourth string, MinimumRunEveryNSeconds); None leaves it to the .qwc.
    min_poll_seconds: Mapped[int | None] = mapped_column(Integer)
    # Whether .qwc files ask for RunEveryNSeconds ("Real Time") rather than minutes.
    qwc_run_seconds: Mapped[int | None] = mapped_column(Integer)

    machines: Mapped[list[Machine]] = relationship(
        back_populates="connection", order_by="Machine.id"
    )


class Machine(Base):
    """One Web Connector installation (a computer or a seat on a shared server)."""

    __tablename__ = "machines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_address: Mapped[str | None] = mapped_column(String(64))
    qbwc_version: Mapped[str | None] = mapped_column(String(32))
    # What authenticate answered last (work, none, busy); audit events mark its changes.
    last_answer: Mapped[str | None] = mapped_column(String(8))

    connection: Mapped[Connection] = relationship(back_populates="machines")

    @property
    def is_revoked(self) -> bool:
        """Whether this machine may no longer log in."""
        return self.revoked_at is not None


class SetupLink(Base):
    """A link that shows one machine's setup steps and password to the customer's IT person.

    The link's token is the only secret: the database keeps its SHA-256, and the
    machine's password is derived from the token, so neither can be read back from here.
    """

    __tablename__ = "setup_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    machine_id: Mapped[int] = mapped_column(
        ForeignKey("machines.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    machine: Mapped[Machine] = relationship()


class InstallLink(Base):
    """A connection's installation link: whoever holds it adds their own machine.

    Like a setup link its token is the only secret and the database keeps its SHA-256. A
    connection has at most one live link; ``installs`` counts the machines it added, up to
    ``max_installs`` when that is set.
    """

    __tablename__ = "install_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_installs: Mapped[int | None] = mapped_column(Integer)
    installs: Mapped[int] = mapped_column(Integer, default=0)

    connection: Mapped[Connection] = relationship()


class InstallForm(Base):
    """One rendered installation form: a one-time value, so a form adds at most one machine.

    The value is random and only its SHA-256 is kept. Submitting the form marks it used and
    names the machine it added, so the same form sent again (a refresh, a double click)
    finds that machine instead of adding another.
    """

    __tablename__ = "install_forms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("install_links.id", ondelete="CASCADE"), index=True
    )
    value_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    machine_id: Mapped[int | None] = mapped_column(ForeignKey("machines.id", ondelete="SET NULL"))
