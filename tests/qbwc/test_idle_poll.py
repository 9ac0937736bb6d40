"""An idle poll: one short transaction for authenticate, nothing else touches the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select, update

from qwc_service.app import QwcApp
from qwc_service.audit.models import AuditEvent
from qwc_service.clock import utcnow
from qwc_service.connections.queries import get_machine
from qwc_service.db import unit_of_work
from qwc_service.queue.service import cancel_job
from qwc_service.sessions.service import LOGIN_ANSWERED
from qwc_service.sync import schedule
from qwc_service.sync.models import SyncDefinition
from tests.factories import customer_query, enqueue, make_connection, make_machine
from tests.soap_client import SoapClient

VERSION = "2.3.0.215"
#: the machine with its throttle, the connection (locked), the syncs with their pending
#: work, the queue.
IDLE_STATEMENTS = 4


@contextmanager
def _statements(app: QwcApp) -> Iterator[list[str]]:
    """The SQL statements run while the block runs, transaction control left out."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.append(statement)

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.engine, "before_cursor_execute", record)


@contextmanager
def _transactions(app: QwcApp) -> Iterator[list[int]]:
    begun: list[int] = []

    def record(conn: Any) -> None:
        begun.append(1)

    event.listen(app.engine, "begin", record)
    try:
        yield begun
    finally:
        event.remove(app.engine, "begin", record)


def _poll(soap: SoapClient, username: str, password: str) -> list[str]:
    """serverVersion, clientVersion, authenticate, closeConnection: a Web Connector's run."""
    soap.call("serverVersion")
    assert soap.call("clientVersion", VERSION) in ("", None)
    answer = soap.authenticate(username, password)
    assert soap.call("closeConnection", answer[0])
    return answer


def _login_events(app: QwcApp, machine_id: int) -> list[str]:
    with unit_of_work(app.session_factory) as db:
        query = select(AuditEvent.message).where(
            AuditEvent.machine_id == machine_id, AuditEvent.kind == "login"
        )
        return list(db.scalars(query.order_by(AuditEvent.id)))


def test_an_idle_poll_is_one_transaction_that_writes_nothing(app: QwcApp) -> None:
    """After the first run, an idle poll within the minute runs one transaction of reads:
    no insert, no update, no delete."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    soap = SoapClient(app)
    assert _poll(soap, machine.username, machine.password)[1] == "none"
    with _statements(app) as statements, _transactions(app) as transactions:
        assert _poll(soap, machine.username, machine.password)[1] == "none"
    assert len(transactions) == 1
    assert len(statements) <= IDLE_STATEMENTS, statements
    assert [s for s in statements if not s.lstrip().upper().startswith("SELECT")] == []


def test_an_idle_poll_with_schedules_reads_them_once(app: QwcApp) -> None:
    """With syncs scheduled and none due, the idle poll still reads each table once, and
    the postpone hint says when the next sync comes due."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        for record_type in ("customers", "invoices", "items"):
            schedule.add_sync(db, connection_id, record_type, 60)
        # Each ran a minute ago, so each is next due in 59 minutes.
        db.execute(
            update(SyncDefinition)
            .where(SyncDefinition.connection_id == connection_id)
            .values(last_started_at=utcnow() - timedelta(minutes=1))
        )
    soap = SoapClient(app)
    assert _poll(soap, machine.username, machine.password)[1] == "none"
    with _statements(app) as statements, _transactions(app) as transactions:
        answer = _poll(soap, machine.username, machine.password)
    assert answer[1] == "none" and 3000 < int(answer[2]) <= 3540, answer
    assert len(transactions) == 1
    assert len(statements) <= IDLE_STATEMENTS, "\n\n".join(statements)


def test_server_and_client_version_leave_the_database_alone(app: QwcApp) -> None:
    """serverVersion never, and a version already reported never again within minutes."""
    soap = SoapClient(app)
    soap.call("clientVersion", VERSION)
    with _statements(app) as statements:
        soap.call("serverVersion")
        soap.call("clientVersion", VERSION)
        soap.call("closeConnection", soap.authenticate("nobody", "x")[0])
    assert [s for s in statements if "client_versions" in s or "sessions" in s] == []


def test_idle_polls_are_not_audited_but_changes_are(app: QwcApp) -> None:
    """The first login, a session with work and the return to idle are audit events; the
    idle polls between them are not, and last_seen_at moves at most once a minute."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    soap = SoapClient(app)
    for _ in range(3):
        _poll(soap, machine.username, machine.password)
    with unit_of_work(app.session_factory) as db:
        row = get_machine(db, machine.username)
        machine_id, first_seen = row.id, row.last_seen_at
        assert row.last_answer == "none" and row.qbwc_version == VERSION
    assert _login_events(app, machine_id) == [LOGIN_ANSWERED + "none"]

    job_id = enqueue(app, connection_id, customer_query())
    ticket, status = soap.authenticate(machine.username, machine.password)[:2]
    assert status == ""
    soap.call("closeConnection", ticket)
    with unit_of_work(app.session_factory) as db:
        cancel_job(db, connection_id, job_id)
    _poll(soap, machine.username, machine.password)
    _poll(soap, machine.username, machine.password)
    assert _login_events(app, machine_id) == [
        LOGIN_ANSWERED + "none",
        LOGIN_ANSWERED + "work",
        LOGIN_ANSWERED + "none",
    ]
    with unit_of_work(app.session_factory) as db:
        row = get_machine(db, machine.username)
        assert row.last_seen_at == first_seen
        # A minute later the next poll moves it.
        row.last_seen_at = first_seen - timedelta(minutes=1)
    _poll(soap, machine.username, machine.password)
    with unit_of_work(app.session_factory) as db:
        assert get_machine(db, machine.username).last_seen_at > first_seen
    assert len(_login_events(app, machine_id)) == 3


def test_failures_and_lockouts_are_still_audited(app: QwcApp) -> None:
    """Every failed login is an audit event, and the fifth from one address a lockout."""
    machine = make_machine(app, make_connection(app))
    soap = SoapClient(app)
    for _ in range(5):
        assert soap.authenticate(machine.username, "wrong")[1] == "nvu"
    with unit_of_work(app.session_factory) as db:
        kinds = list(db.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))
    assert kinds.count("login_failed") == 5 and kinds.count("lockout") == 1
