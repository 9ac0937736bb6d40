"""Looking up connections and machines, and the errors for when they are missing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.connections.models import Connection, Machine


class ConnectionNotFound(LookupError):
    """No connection has this Connection ID."""

    def __init__(self, connection_id: str) -> None:
        super().__init__(f"no connection with id {connection_id!r}")


class MachineNotFound(LookupError):
    """No machine has this username (or id)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no machine {what!r}")


class ConnectionDisabled(ValueError):
    """The connection is disabled and takes no new machines or work."""


def get_connection(db: Session, connection_id: str) -> Connection:
    """The connection with ``connection_id``, or ConnectionNotFound."""
    connection = db.get(Connection, connection_id)
    if connection is None:
        raise ConnectionNotFound(connection_id)
    return connection


def get_machine(db: Session, username: str) -> Machine:
    """The machine with ``username``, or MachineNotFound."""
    machine = db.scalar(select(Machine).where(Machine.username == username))
    if machine is None:
        raise MachineNotFound(username)
    return machine


def get_connection_machine(db: Session, connection_id: str, username: str) -> Machine:
    """The machine ``username`` of connection ``connection_id``.

    ConnectionNotFound for an unknown connection; MachineNotFound for a username that does
    not exist or belongs to another connection (the same answer, so one tenant cannot learn
    another's usernames).
    """
    get_connection(db, connection_id)
    machine = get_machine(db, username)
    if machine.connection_id != connection_id:
        raise MachineNotFound(username)
    return machine
