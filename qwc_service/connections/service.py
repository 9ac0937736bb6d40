"""Connections and machines: create, list, credentials, revocation and .qwc files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from qwc_service.audit.service import record_event
from qwc_service.clock import utcnow
from qwc_service.config import Settings
from qwc_service.connections.credentials import (
    PasswordHashing,
    new_connection_id,
    new_guid,
    new_password,
    new_username,
)
from qwc_service.connections.lock import release_lock
from qwc_service.connections.models import Connection, Machine, SetupLink
from qwc_service.connections.queries import (
    ConnectionDisabled,
    get_connection,
    get_machine,
)
from qwc_service.connections.qwc import QwcSpec, check_urls, render_qwc, write_qwc
from qwc_service.connections.qwc_names import QwcNames, machine_number, qwc_names


@dataclass(frozen=True)
class NewCredentials:
    """A machine with the password that was just set: the only time it is visible."""

    machine: Machine
    password: str
    qwc_path: Path | None


def create_connection(db: Session, *, name: str, company_file: str | None = None) -> Connection:
    """Create a connection with its own Connection ID, OwnerID and FileID."""
    name = name.strip()
    if not name:
        raise ValueError("a connection needs a non-empty name")
    connection = Connection(
        id=new_connection_id(),
        name=name,
        owner_id=new_guid(),
        file_id=new_guid(),
        company_file=(company_file or None),
    )
    db.add(connection)
    db.flush()
    return connection


def list_connections(db: Session) -> list[Connection]:
    """Every connection, oldest first."""
    return list(db.scalars(select(Connection).order_by(Connection.created_at, Connection.id)))


def find_connections(
    db: Session, *, search: str = "", after: str | None = None, limit: int = 50
) -> tuple[list[Connection], str | None]:
    """A page of connections by Connection ID, whose name or ID contains ``search``.

    Returns the page and the ``after`` value of the next page (None on the last page).
    """
    query = select(Connection).order_by(Connection.id)
    matches = search_clause(search)
    if matches is not None:
        query = query.where(matches)
    if after is not None:
        query = query.where(Connection.id > after)
    rows = list(db.scalars(query.limit(limit + 1)))
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


def search_clause(search: str) -> ColumnElement[bool] | None:
    """Connections whose name or ID contains ``search`` (any case, wildcards taken
    literally); None for a blank search."""
    text = search.strip()
    if not text:
        return None
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        Connection.name.ilike(pattern, escape="\\"),
        Connection.id.ilike(pattern, escape="\\"),
    )


def list_machines(db: Session, connection_id: str) -> list[Machine]:
    """The machines of a connection, oldest first (revoked ones included)."""
    get_connection(db, connection_id)
    return list(
        db.scalars(
            select(Machine).where(Machine.connection_id == connection_id).order_by(Machine.id)
        )
    )


def machine_qwc_names(settings: Settings, connection: Connection, machine: Machine) -> QwcNames:
    """The AppName, AppDescription and download file name of ``machine``'s .qwc.

    AppName keys the application in the Web Connector and QuickBooks, so machines of the
    connection with the same label are numbered (see :mod:`.qwc_names`).
    """
    siblings = {m.id: m.label for m in connection.machines} | {machine.id: machine.label}
    number = machine_number(machine.id, siblings.items())
    return qwc_names(settings.brand.name, connection.name, machine.label, number)


def qwc_spec(settings: Settings, connection: Connection, machine: Machine) -> QwcSpec:
    """What goes into ``machine``'s .qwc: the connection's OwnerID/FileID, its own UserName."""
    names = machine_qwc_names(settings, connection, machine)
    return QwcSpec(
        app_name=names.app_name,
        app_id=connection.id,
        app_url=settings.soap_url,
        app_description=names.app_description,
        app_support=settings.support_url,
        username=machine.username,
        owner_id=connection.owner_id,
        file_id=connection.file_id,
        run_every_minutes=settings.run_every_minutes,
        run_every_seconds=connection.qwc_run_seconds,
    )


def qwc_document(settings: Settings, connection: Connection, machine: Machine) -> str:
    """The .qwc file for ``machine``, rendered from the database."""
    return render_qwc(qwc_spec(settings, connection, machine))


def add_machine(
    db: Session,
    settings: Settings,
    hashing: PasswordHashing,
    connection_id: str,
    *,
    label: str,
    write_file: bool = True,
    password: str | None = None,
) -> NewCredentials:
    """Add a machine to a connection: new username, new password, and its .qwc file.

    ``password`` is for callers that derive it (setup links); by default it is random.
    """
    check_urls(settings.soap_url, settings.support_url)
    connection = get_connection(db, connection_id)
    if connection.disabled_at is not None:
        raise ConnectionDisabled(f"connection {connection_id!r} is disabled")
    label = label.strip()
    if not label:
        raise ValueError("a machine needs a non-empty label")
    password = password or new_password()
    # Through the relationship, so connection.machines (which numbers AppNames) has it.
    machine = Machine(
        connection=connection,
        label=label[:200],
        username=new_username(connection.id),
        password_hash=hashing.hash(password),
    )
    db.add(machine)
    db.flush()
    record_event(
        db,
        "machine_added",
        f"machine {machine.username} ({machine.label}) added",
        connection_id=connection.id,
        machine_id=machine.id,
        username=machine.username,
    )
    path = None
    if write_file:
        document = qwc_document(settings, connection, machine)
        path = write_qwc(settings.files_dir, connection.id, machine.username, document)
    return NewCredentials(machine=machine, password=password, qwc_path=path)


class MachineRevoked(ValueError):
    """The machine is revoked: it gets no new password or setup link."""


def reset_password(
    db: Session, hashing: PasswordHashing, username: str, *, password: str | None = None
) -> NewCredentials:
    """Give a machine a new password; the old one stops working at once.

    Setup links issued before show the old password, so they are revoked too.
    """
    machine = get_machine(db, username)
    if machine.is_revoked:
        raise MachineRevoked(f"machine {username!r} is revoked; add a new machine instead")
    password = password or new_password()
    machine.password_hash = hashing.hash(password)
    machine.password_changed_at = utcnow()
    revoke_machine_links(db, machine.id)
    record_event(
        db,
        "password_reset",
        f"password of {machine.username} reset",
        connection_id=machine.connection_id,
        machine_id=machine.id,
        username=machine.username,
    )
    db.flush()
    return NewCredentials(machine=machine, password=password, qwc_path=None)


def revoke_machine(db: Session, username: str) -> Machine:
    """Revoke a machine: its logins get ``nvu`` (ending its sessions is
    :func:`qwc_service.qbwc.operations.revoke_machine`'s part)."""
    machine = get_machine(db, username)
    now = utcnow()
    if machine.revoked_at is None:
        machine.revoked_at = now
    revoke_machine_links(db, machine.id)
    record_event(
        db,
        "machine_revoked",
        f"machine {machine.username} revoked",
        connection_id=machine.connection_id,
        machine_id=machine.id,
        username=machine.username,
    )
    db.flush()
    return machine


def release_company_lock(db: Session, connection_id: str) -> Connection:
    """Release a connection's company-file lock (the file was moved or restored)."""
    connection = get_connection(db, connection_id)
    was = connection.lock_company_name or connection.lock_file_path or "no company"
    release_lock(connection)
    record_event(
        db,
        "company_unlocked",
        f"company lock released (was: {was})",
        connection_id=connection.id,
    )
    db.flush()
    return connection


def revoke_machine_links(db: Session, machine_id: int) -> int:
    """Revoke every live setup link of a machine; how many were live."""
    now = utcnow()
    result = db.execute(
        update(SetupLink)
        .where(
            SetupLink.machine_id == machine_id,
            SetupLink.revoked_at.is_(None),
            SetupLink.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
