"""Login throttling: temporary lockouts per username, per address and per pair of both.

A wrong password counts against three keys. The pair (this username from this address)
locks soonest; an address trying many usernames locks next; a username attacked from
many addresses locks last and only briefly, and never for an address that this machine
has logged in from before, so an attacker cannot keep a customer's own Web Connector
out. Every lockout expires by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from qwc_service.db import Base, UTCDateTime

FAILURE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Rule:
    """When a key locks, and for how long at most."""

    threshold: int
    base: timedelta
    cap: timedelta


PAIR = Rule(threshold=5, base=timedelta(seconds=30), cap=timedelta(minutes=15))
ADDRESS = Rule(threshold=20, base=timedelta(seconds=30), cap=timedelta(minutes=15))
USERNAME = Rule(threshold=50, base=timedelta(seconds=10), cap=timedelta(seconds=60))


class LoginThrottle(Base):
    """Recent failed logins for one key, and until when it is locked."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _keys(username: str, address: str) -> dict[str, Rule]:
    user, addr = username[:64], address[:64]
    keys = {f"u:{user}": USERNAME}
    if addr:
        keys[f"a:{addr}"] = ADDRESS
        keys[f"p:{user}|{addr}"] = PAIR
    return keys


@dataclass(frozen=True)
class Gate:
    """What the throttle says about one login attempt, read in one query."""

    #: Until when the attempt is refused without checking the password, if at all.
    locked_until: datetime | None
    #: The keys a good login clears (failures on record for its pair or its address).
    to_clear: tuple[str, ...]


def check_keys(username: str, address: str) -> list[str]:
    """Every key a login attempt is checked against (the username's is dropped later for
    an address the machine has logged in from)."""
    return list(_keys(username, address))


def gate_of(
    rows: list[LoginThrottle], username: str, now: datetime, *, known_address: bool
) -> Gate:
    """What the throttle rows read for :func:`check_keys` say about this attempt."""
    if known_address:
        rows = [row for row in rows if row.key != f"u:{username[:64]}"]
    until = [row.locked_until for row in rows if row.locked_until and row.locked_until > now]
    # Most logins have nothing on record, so a success usually deletes nothing.
    to_clear = tuple(row.key for row in rows if not row.key.startswith("u:"))
    return Gate(max(until) if until else None, to_clear)


def record_failure(db: Session, username: str, address: str, now: datetime) -> datetime | None:
    """Count a failed login against every key; returns when a lockout it started ends."""
    started: datetime | None = None
    for key, rule in _keys(username, address).items():
        row = _upsert(db, key, now)
        if row.first_failure_at < now - FAILURE_WINDOW:
            row.failures, row.first_failure_at, row.locked_until = 1, now, None
        else:
            row.failures += 1
        over = row.failures - rule.threshold
        if over >= 0:
            row.locked_until = now + min(rule.cap, rule.base * (2 ** min(over, 20)))
            started = max(started or row.locked_until, row.locked_until)
    return started


def record_success(db: Session, gate: Gate) -> None:
    """A good login clears its pair and its address (a statement only if they hold failures)."""
    if gate.to_clear:
        db.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(gate.to_clear)))


def _upsert(db: Session, key: str, now: datetime) -> LoginThrottle:
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LoginThrottle).values(key=key, failures=0, first_failure_at=now)
    db.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
    row = db.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    assert row is not None
    return row
