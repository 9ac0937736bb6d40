"""The company-file lock: one company file per connection after the first successful session."""

from __future__ import annotations

from qwc_service.app import QwcApp
from qwc_service.audit.service import list_events
from qwc_service.connections import service
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.simulator.connector import WebConnector, WsgiTransport
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.factories import MachineCredentials, enqueue, make_connection, make_machine


def _run(app: QwcApp, machine: MachineCredentials, quickbooks: FakeQuickBooks):  # type: ignore[no-untyped-def]
    assert machine.qwc_path is not None
    connector = WebConnector(
        read_qwc(machine.qwc_path),
        machine.password,
        quickbooks,
        http=WsgiTransport(app),
        url="http://localhost/qbwc",
        noop_wait_seconds=0,
    )
    connector.add_application()
    return connector.run_session()


def test_other_company_file_gets_no_work_and_a_clear_message(app: QwcApp) -> None:
    """After the first session locks the connection, another company file gets nothing."""
    connection_id = make_connection(app)
    front, back = (
        make_machine(app, connection_id, "Front"),
        make_machine(app, connection_id, "Back"),
    )
    acme = FakeQuickBooks(generate_company(name="Acme Widgets", customers=5))
    other = FakeQuickBooks(generate_company(name="Beta Bakery", customers=5, seed=2))

    enqueue(app, connection_id)
    assert _run(app, front, acme).outcome == "completed"
    with unit_of_work(app.session_factory) as db:
        connection = service.get_connection(db, connection_id)
        assert connection.locked_at is not None and connection.lock_company_name == "Acme Widgets"
        assert connection.lock_file_id == connection.file_id

    job_id = enqueue(app, connection_id)
    result = _run(app, back, other)
    assert result.outcome != "completed" and result.requests_processed == 0
    assert (
        result.last_error
        and "Beta Bakery" in result.last_error
        and "Acme Widgets" in result.last_error
    )
    with unit_of_work(app.session_factory) as db:
        assert queue.get_job(db, connection_id, job_id).status == "queued"
        kinds = [e.kind for e in list_events(db, connection_id=connection_id)]
        assert "company_mismatch" in kinds

    # The right file still works, from either machine.
    assert _run(app, back, acme).outcome == "completed"
    with unit_of_work(app.session_factory) as db:
        assert queue.get_job(db, connection_id, job_id).status == "done"


def test_unlock_lets_the_next_session_lock_again(app: QwcApp) -> None:
    """An operator releases the lock; the next successful session locks the new file."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    assert (
        _run(app, machine, FakeQuickBooks(generate_company(name="Old Name"))).outcome == "completed"
    )
    with unit_of_work(app.session_factory) as db:
        service.release_company_lock(db, connection_id)
    enqueue(app, connection_id)
    restored = FakeQuickBooks(generate_company(name="Restored Copy", seed=3))
    assert _run(app, machine, restored).outcome == "completed"
    with unit_of_work(app.session_factory) as db:
        assert service.get_connection(db, connection_id).lock_company_name == "Restored Copy"
