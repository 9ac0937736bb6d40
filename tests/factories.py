"""Test data builders: settings, connections, machines and queued work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.config import Settings
from qwc_service.connections import service as connections
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.sessions.models import WcSession


def make_test_settings(database_url: str, files_dir: Path) -> Settings:
    """Settings for tests: files under a temporary directory, quiet console logs."""
    return Settings(
        database_url=database_url,
        files_dir=files_dir,
        log_format="console",
        log_level="warning",
    )


@dataclass(frozen=True)
class MachineCredentials:
    """A machine as a test needs it: who it is, its password and its .qwc file."""

    connection_id: str
    username: str
    password: str
    qwc_path: Path | None


def make_connection(
    app: QwcApp, name: str = "Acme Widgets", company_file: str | None = None
) -> str:
    """Create a connection; returns its Connection ID."""
    with unit_of_work(app.session_factory) as db:
        return connections.create_connection(db, name=name, company_file=company_file).id


def make_machine(
    app: QwcApp, connection_id: str, label: str = "Front office PC"
) -> MachineCredentials:
    """Add a machine to a connection, writing its .qwc file."""
    with unit_of_work(app.session_factory) as db:
        created = connections.add_machine(db, app.settings, app.hashing, connection_id, label=label)
        return MachineCredentials(
            connection_id, created.machine.username, created.password, created.qwc_path
        )


def customer_query(max_returned: int = 10, iterator: bool = False) -> str:
    """A small CustomerQueryRq request set."""
    attrs = ' iterator="Start"' if iterator else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq{attrs}>'
        f"<MaxReturned>{max_returned}</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
    )


def enqueue(app: QwcApp, connection_id: str, qbxml: str | None = None, **kwargs: object) -> int:
    """Queue a request set (a customer query by default); returns the job id."""
    with unit_of_work(app.session_factory) as db:
        return queue.enqueue(db, connection_id, qbxml or customer_query(), **kwargs).job.id  # type: ignore[arg-type]


def customer_response(
    request_id: str | None, names: tuple[str, ...] = ("Ann",), status: int = 0
) -> str:
    """A CustomerQueryRs as QuickBooks writes it, echoing ``request_id``."""
    rid = f' requestID="{request_id}"' if request_id else ""
    if status:
        return (
            '<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n'
            f'<CustomerQueryRs{rid} statusCode="{status}" statusSeverity="Error" '
            'statusMessage="Object &quot;X&quot; specified in the request cannot be found." />\n'
            "</QBXMLMsgsRs>\n</QBXML>\n"
        )
    rets = "".join(
        f"<CustomerRet><ListID>8000000{i}-1234567890</ListID><Name>{n}</Name></CustomerRet>"
        for i, n in enumerate(names)
    )
    return (
        '<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n'
        f'<CustomerQueryRs{rid} statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
        f"{rets}</CustomerQueryRs>\n</QBXMLMsgsRs>\n</QBXML>\n"
    )


def request_id_of(qbxml: str) -> str:
    """The requestID the server stamped on the first request of a set."""
    from lxml import etree

    root = etree.fromstring(qbxml.encode())
    first = root.find("QBXMLMsgsRq")[0]  # type: ignore[index]
    return str(first.get("requestID"))


def open_session(app: QwcApp, connection_id: str, minutes: int = 30) -> int:
    """A live Web Connector session row for a new machine of the connection; returns its id."""

    from qwc_service.clock import utcnow
    from qwc_service.sessions.models import WcSession
    from qwc_service.sessions.tickets import hash_ticket, new_ticket

    machine = make_machine(app, connection_id, "session machine")
    with unit_of_work(app.session_factory) as db:
        row = WcSession(
            ticket_hash=hash_ticket(new_ticket()),
            machine_id=connections.get_machine(db, machine.username).id,
            connection_id=connection_id,
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
        db.add(row)
        db.flush()
        return row.id


def let_sessions_expire(app: QwcApp, connection_id: str) -> None:
    """Move a connection's sessions and the leases they hold into the past, as time would."""
    past = utcnow() - timedelta(seconds=1)
    with unit_of_work(app.session_factory) as db:
        db.execute(
            update(WcSession)
            .where(WcSession.connection_id == connection_id)
            .values(expires_at=past)
        )
        db.execute(
            update(queue.Job)
            .where(queue.Job.connection_id == connection_id, queue.Job.leased_until.is_not(None))
            .values(leased_until=past)
        )
