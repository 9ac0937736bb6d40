"""Tenant isolation: two connections syncing at once never see each other's data."""

from __future__ import annotations

import threading

import pytest

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.records import service as records
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import SessionResult, WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.simulator.transport import HttpClientTransport
from qwc_service.sync import schedule
from tests.factories import customer_response, enqueue, make_connection, make_machine, request_id_of
from tests.records.compare import assert_company_matches
from tests.soap_client import SoapClient

pytestmark = pytest.mark.gunicorn


def test_two_connections_sync_side_by_side(server: ServerProcess, served_app: QwcApp) -> None:
    """Two customers sync at the same moment; each connection holds exactly its own records."""
    app = served_app
    tenants = []
    for name in ("Alpha Supplies", "Beta Bakery"):
        connection_id = make_connection(app, name)
        machine = make_machine(app, connection_id)
        with unit_of_work(app.session_factory) as db:
            for record_type in ("customers", "items", "invoices", "payments"):
                schedule.add_sync(db, connection_id, record_type, 15, max_returned=25)
        # The same seed: identical ListIDs and TxnIDs in both companies, different names.
        company = generate_company(name=name, customers=120, items=30, invoices=150, seed=5)
        tenants.append((connection_id, machine, company))
    results: list[SessionResult] = []

    def run(machine, company) -> None:  # type: ignore[no-untyped-def]
        assert machine.qwc_path is not None
        connector = WebConnector(
            read_qwc(machine.qwc_path), machine.password, FakeQuickBooks(company)
        )
        connector.add_application()
        results.append(connector.run_session())

    threads = [threading.Thread(target=run, args=(m, c)) for _, m, c in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.outcome for r in results] == ["completed", "completed"], results
    with unit_of_work(app.session_factory) as db:
        for connection_id, _, company in tenants:
            assert_company_matches(db, connection_id, company)
            names = {
                c.data["Name"]
                for c in records.list_records(db, connection_id, "customers", limit=1000)
            }
            assert names == {c.name for c in company.customers.values()}
    print("two connections synced at once: each holds exactly its own company's records")


def test_a_ticket_works_only_for_its_own_connection(
    server: ServerProcess, served_app: QwcApp
) -> None:
    """A response naming another connection's job is refused and changes nothing there."""
    app = served_app
    mine, theirs = make_connection(app, "Mine"), make_connection(app, "Theirs")
    my_machine, their_machine = make_machine(app, mine), make_machine(app, theirs)
    my_job, their_job = enqueue(app, mine), enqueue(app, theirs)
    client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
    my_ticket = client.authenticate(my_machine.username, my_machine.password)[0]
    their_ticket = client.authenticate(their_machine.username, their_machine.password)[0]
    client.send_request(my_ticket)
    their_request = client.send_request(their_ticket)
    # My ticket, answering their job's requestID: refused, their job untouched.
    assert client.receive_response(my_ticket, customer_response(request_id_of(their_request))) < 0
    with unit_of_work(app.session_factory) as db:
        assert queue.get_job(db, theirs, their_job).status == "sent"
        assert queue.get_job(db, mine, my_job).status == "sent"
    assert (
        client.receive_response(their_ticket, customer_response(request_id_of(their_request)))
        == 100
    )
