"""Whole sessions over real HTTP to a real gunicorn, with the shipped simulator."""

from __future__ import annotations

import urllib.request

import pytest

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.demo import CUSTOMER_QUERY, INVOICE_QUERY, count_records
from qwc_service.queue import service as queue
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.factories import enqueue, make_connection, make_machine

pytestmark = pytest.mark.gunicorn


def test_simulated_machine_completes_a_session(server: ServerProcess, served_app: QwcApp) -> None:
    """A machine adds its .qwc, logs in, and every queued job comes back done."""
    connection_id = make_connection(served_app)
    machine = make_machine(served_app, connection_id)
    make_machine(served_app, connection_id, "Second PC")
    enqueue(served_app, connection_id, CUSTOMER_QUERY, priority=10)
    enqueue(served_app, connection_id, INVOICE_QUERY)
    company = FakeQuickBooks(generate_company(customers=25, invoices=40))
    assert machine.qwc_path is not None
    connector = WebConnector(read_qwc(machine.qwc_path), machine.password, company)
    connector.add_application()
    result = connector.run_session()
    assert result.outcome == "completed", result
    assert result.progress[-1] == 100 and all(p < 100 for p in result.progress[:-1])
    with unit_of_work(served_app.session_factory) as db:
        jobs = queue.list_jobs(db, connection_id)
        assert [j.status for j in jobs] == ["done", "done"]
        assert count_records(jobs[0].response)["CustomerRet"] == 10
        assert count_records(jobs[1].response)["InvoiceRet"] == 20
    methods = [call.method for call in result.calls]
    assert methods[:3] == ["serverVersion", "clientVersion", "authenticate"]
    assert methods[-1] == "closeConnection"


def test_wrong_password_over_http_gets_nvu(server: ServerProcess, served_app: QwcApp) -> None:
    """The simulator stops with nvu when the password is wrong."""
    connection_id = make_connection(served_app)
    machine = make_machine(served_app, connection_id)
    enqueue(served_app, connection_id)
    assert machine.qwc_path is not None
    company = FakeQuickBooks(generate_company(customers=3))
    connector = WebConnector(read_qwc(machine.qwc_path), "wrong password", company)
    connector.add_application()
    assert connector.run_session().outcome == "nvu"


def test_support_health_and_wsdl_pages(server: ServerProcess) -> None:
    """/support and /health answer 200, and ?wsdl serves a WSDL in the Intuit namespace."""
    for path, expected in (
        ("/support", b"Web Connector"),
        ("/health", b'"ok"'),
        ("/qbwc?wsdl", b"http://developer.intuit.com/"),
    ):
        with urllib.request.urlopen(server.url + path, timeout=10) as reply:
            assert reply.status == 200
            assert expected in reply.read()
