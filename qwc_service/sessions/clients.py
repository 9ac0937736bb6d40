"""Which Web Connector version an address reported, so machines can be listed with theirs.

clientVersion carries no username, so the version is remembered per client address and
picked up by the authenticate call that follows from the same address.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from qwc_service.db import Base, UTCDateTime

PAIRING_WINDOW = timedelta(minutes=5)
#: How often one process writes the same version for the same address again; well inside
#: the pairing window, so a login always finds a fresh report.
REWRITE_AFTER = timedelta(minutes=2)


class ClientVersion(Base):
    """The last Web Connector version seen from one client address."""

    __tablename__ = "client_versions"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


def version_tuple(version: str) -> tuple[int, ...]:
    """A version string as numbers for comparison ("2.1.0.30" → (2, 1, 0, 30))."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:4]]
    return tuple(parts + [0] * (4 - len(parts)))


class WrittenVersions:
    """Which reports this process wrote lately, so a Web Connector polling every minute
    costs no write per poll.

    Only writes are skipped: the database holds every report, and a process that forgot
    this (a new worker) writes once more. It is bounded, and cleared when full.
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self._written: dict[str, tuple[str, datetime]] = {}

    def due(self, address: str, version: str, now: datetime) -> bool:
        """Whether the report of ``version`` from ``address`` should be written."""
        last = self._written.get(address)
        return last is None or last[0] != version or now - last[1] >= REWRITE_AFTER

    def wrote(self, address: str, version: str, now: datetime) -> None:
        """Note a report written."""
        if len(self._written) >= self.LIMIT:
            self._written.clear()
        self._written[address] = (version, now)


def remember_version(db: Session, address: str, version: str, now: datetime) -> None:
    """Remember the version ``address`` reported in clientVersion.

    One statement that inserts or overwrites: seats of a terminal server share one address
    and their Web Connectors call clientVersion at the same moment, so a read followed by
    an insert would let the second of them fail on the primary key.
    """
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"address": address[:64], "version": version, "seen_at": now}
    statement = insert(ClientVersion).values(**values)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["address"], set_={"version": version, "seen_at": now}
        )
    )


def recent_version(db: Session, address: str, now: datetime) -> str | None:
    """The version ``address`` reported moments ago, if any."""
    return db.scalar(
        select(ClientVersion.version).where(
            ClientVersion.address == address[:64],
            ClientVersion.seen_at >= now - PAIRING_WINDOW,
        )
    )
