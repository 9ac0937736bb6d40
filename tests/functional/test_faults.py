"""Faults during a session: killed workers, a dropped database, a vanished Web Connector."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.serving import ServerProcess, free_port
from qwc_service.simulator import wire
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.transport import HttpClientTransport
from qwc_service.simulator.wire import SoapFault
from tests.factories import (
    customer_query,
    enqueue,
    let_sessions_expire,
    make_connection,
    make_machine,
    make_test_settings,
    request_id_of,
)
from tests.functional.faults import TcpProxy, kill, start_post, wait_healthy
from tests.soap_client import SoapClient

pytestmark = pytest.mark.gunicorn


@pytest.fixture
def pg_settings(pg_url: str, tmp_path: Path) -> Settings:
    """Settings on a fresh PostgreSQL database, .qwc files on a free port."""
    return make_test_settings(pg_url, tmp_path / "files").with_overrides(
        public_url=f"http://localhost:{free_port()}"
    )


@pytest.fixture
def app(pg_settings: Settings) -> Iterator[QwcApp]:
    """The composition root on the test database (for setting up and checking data)."""
    application = create_app(pg_settings)
    yield application
    application.engine.dispose()


def _port(settings: Settings) -> int:
    return int(settings.public_url.rsplit(":", 1)[1])


def _job(app: QwcApp, connection_id: str, job_id: int) -> queue.Job:
    with unit_of_work(app.session_factory) as db:
        return queue.get_job(db, connection_id, job_id)


def test_worker_killed_after_commit_loses_nothing(
    app: QwcApp, pg_settings: Settings, tmp_path: Path
) -> None:
    """SIGKILL of the worker right after it handed out a job: another worker takes the answer."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id, customer_query(3))
    quickbooks = FakeQuickBooks(generate_company(customers=5))
    with ServerProcess(
        pg_settings, port=_port(pg_settings), workers=1, log_path=tmp_path / "g.log"
    ) as server:
        client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
        ticket = client.authenticate(machine.username, machine.password)[0]
        request = client.send_request(ticket)
        (worker,) = server.worker_pids()
        kill(worker)
        wait_healthy(server.url)
        assert worker not in server.worker_pids()
        assert client.receive_response(ticket, quickbooks.process(request)) == 100
        client.call("closeConnection", ticket)
    job = _job(app, connection_id, job_id)
    print(f"killed worker {worker} after commit: job {job.status}, attempts {job.attempts}")
    assert job.status == "done" and job.attempts == 1 and quickbooks.request_log == [f"{job_id}-1"]


def test_worker_killed_mid_request_before_commit(
    app: QwcApp, pg_settings: Settings, tmp_path: Path
) -> None:
    """SIGKILL while a response is being received: nothing half-written, the job runs again."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id, customer_query(3))
    other = enqueue(app, connection_id, customer_query(4))
    quickbooks = FakeQuickBooks(generate_company(customers=5))
    with ServerProcess(
        pg_settings, port=_port(pg_settings), workers=1, log_path=tmp_path / "g.log"
    ) as server:
        client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
        ticket = client.authenticate(machine.username, machine.password)[0]
        request = client.send_request(ticket)
        body = wire.envelope(
            "receiveResponseXML",
            [
                ("ticket", ticket),
                ("response", quickbooks.process(request)),
                ("hresult", ""),
                ("message", ""),
            ],
        )
        raw = start_post(server.port, "receiveResponseXML", body, len(body) // 2)
        time.sleep(0.3)
        for pid in server.worker_pids():
            kill(pid)
        raw.settimeout(10)
        assert raw.recv(1024) == b""  # the connection died without a reply
        raw.close()
        wait_healthy(server.url)
        assert _job(app, connection_id, job_id).status == "sent"

        # The Web Connector starts over: the same machine logs in again, the job comes back.
        client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
        ticket = client.authenticate(machine.username, machine.password)[0]
        progress = []
        while (request := client.send_request(ticket)) != "":
            progress.append(client.receive_response(ticket, quickbooks.process(request)))
            if progress[-1] == 100:
                break
        client.call("closeConnection", ticket)
    first, second = _job(app, connection_id, job_id), _job(app, connection_id, other)
    print(
        f"killed mid-request: job {first.status} after {first.attempts} hand-outs; "
        f"other {second.status}"
    )
    assert first.status == "done" and first.attempts == 2 and second.status == "done"
    assert progress[-1] == 100


def test_database_drop_mid_session_then_recovery(
    app: QwcApp, pg_settings: Settings, tmp_path: Path
) -> None:
    """The database connection drops: a clean fault, nothing half-written, the retry works."""
    url = make_url(pg_settings.database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = pg_settings.with_overrides(
        database_url=url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )
    )
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id, customer_query(3))
    quickbooks = FakeQuickBooks(generate_company(customers=5))
    try:
        with ServerProcess(
            proxied, port=_port(pg_settings), workers=1, log_path=tmp_path / "g.log"
        ) as server:
            client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
            ticket = client.authenticate(machine.username, machine.password)[0]
            response = quickbooks.process(client.send_request(ticket))
            dropped = proxy.cut()
            with pytest.raises(SoapFault) as fault:
                client.receive_response(ticket, response)
            assert "could not process" in str(fault.value) and "psycopg" not in str(fault.value)
            assert _job(app, connection_id, job_id).status == "sent"
            proxy.restore()
            assert client.receive_response(ticket, response) == 100
            client.call("closeConnection", ticket)
    finally:
        proxy.close()
    job = _job(app, connection_id, job_id)
    print(f"cut {dropped} database connections mid-session: fault answered, job {job.status}")
    assert job.status == "done" and job.attempts == 1


def test_web_connector_that_never_closes(
    app: QwcApp, pg_settings: Settings, tmp_path: Path
) -> None:
    """A session abandoned without closeConnection blocks others only until its ticket expires."""
    connection_id = make_connection(app)
    first, second = make_machine(app, connection_id, "A"), make_machine(app, connection_id, "B")
    done_id = enqueue(app, connection_id, customer_query(2))
    held_id = enqueue(app, connection_id, customer_query(3))
    quickbooks = FakeQuickBooks(generate_company(customers=5))
    with ServerProcess(pg_settings, port=_port(pg_settings), log_path=tmp_path / "g.log") as server:
        client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
        ticket = client.authenticate(first.username, first.password)[0]
        assert (
            client.receive_response(ticket, quickbooks.process(client.send_request(ticket))) == 50
        )
        held = client.send_request(ticket)
        assert request_id_of(held) == f"{held_id}-1"
        # Machine A vanishes here, holding a job, without closeConnection.
        assert client.authenticate(second.username, second.password)[1] == "busy"
        let_sessions_expire(app, connection_id)
        ticket_b = client.authenticate(second.username, second.password)[0]
        request = client.send_request(ticket_b)
        assert request_id_of(request) == f"{held_id}-2"
        assert client.receive_response(ticket_b, quickbooks.process(request)) == 100
        assert client.receive_response(ticket, quickbooks.process(held)) < 0
    statuses = (_job(app, connection_id, done_id).status, _job(app, connection_id, held_id).status)
    print(f"abandoned session: jobs {statuses}, the held job went to machine B after expiry")
    assert statuses == ("done", "done")


def test_graceful_stop_finishes_the_call_in_flight(
    app: QwcApp, pg_settings: Settings, tmp_path: Path
) -> None:
    """SIGTERM to gunicorn while a response is being uploaded: the call still completes."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id, customer_query(3))
    quickbooks = FakeQuickBooks(generate_company(customers=5))
    server = ServerProcess(pg_settings, port=_port(pg_settings), log_path=tmp_path / "g.log")
    with server:
        client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
        ticket = client.authenticate(machine.username, machine.password)[0]
        request = client.send_request(ticket)
        body = wire.envelope(
            "receiveResponseXML",
            [
                ("ticket", ticket),
                ("response", quickbooks.process(request)),
                ("hresult", ""),
                ("message", ""),
            ],
        )
        raw = start_post(server.port, "receiveResponseXML", body, 100, close=True)
        time.sleep(0.3)
        server.process.terminate()  # type: ignore[union-attr]
        time.sleep(0.3)
        raw.sendall(body[100:])
        raw.settimeout(20)
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
        raw.close()
        server.process.wait(30)  # type: ignore[union-attr]
    print(f"stopped gunicorn mid-call: reply {reply.split(b' ', 2)[1].decode()}")
    assert reply.startswith(b"HTTP/1.1 200") and b"receiveResponseXMLResult>100<" in reply
    assert _job(app, connection_id, job_id).status == "done"


def test_payment_answer_lost_in_a_crash_is_written_once(
    app: QwcApp, pg_settings: Settings, tmp_path: Path
) -> None:
    """The worker dies while receiving a payment's answer: the next session asks QuickBooks
    (or looks the payment up), never sends it again."""
    from decimal import Decimal

    from qwc_service.payments import operations as payments
    from qwc_service.simulator.connector import WebConnector
    from qwc_service.simulator.qwcfile import read_qwc
    from qwc_service.sync import schedule
    from qwc_service.writes.service import get_write

    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    company = generate_company(customers=5, invoices=10, payments=0)
    quickbooks = FakeQuickBooks(company)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "invoices", every_minutes=15)
    assert machine.qwc_path is not None
    connector = WebConnector(
        read_qwc(machine.qwc_path), machine.password, quickbooks, noop_wait_seconds=0
    )
    with ServerProcess(
        pg_settings, port=_port(pg_settings), workers=1, log_path=tmp_path / "g.log"
    ) as server:
        connector.add_application()
        assert connector.run_session().outcome == "completed"
        invoice = next(i for i in company.invoices.values() if i.balance_remaining > 10)
        with unit_of_work(app.session_factory) as db:
            write = payments.record_payment(
                db,
                connection_id,
                applied=[payments.Applied(invoice.txn_id, Decimal("10.00"))],
                key="order-1001",
            ).write
            write_id, ref = write.id, write.ref_number

        client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
        ticket = client.authenticate(machine.username, machine.password)[0]
        request = client.send_request(ticket, hcp=quickbooks.hcp_response(connector.qwc.owner_id))
        assert "ReceivePaymentAddRq" in request
        answer = quickbooks.process(request)  # QuickBooks records the payment...
        body = wire.envelope(
            "receiveResponseXML",
            [("ticket", ticket), ("response", answer), ("hresult", ""), ("message", "")],
        )
        raw = start_post(server.port, "receiveResponseXML", body, len(body) // 2)
        time.sleep(0.3)
        for pid in server.worker_pids():
            kill(pid)  # ...and the server dies before the answer is stored.
        raw.settimeout(10)
        assert raw.recv(1024) == b""
        raw.close()
        wait_healthy(server.url)

        # The Web Connector's next update: the same machine logs in again.
        result = connector.run_session()
        assert result.outcome == "completed", result.last_error
    with unit_of_work(app.session_factory) as db:
        write = get_write(db, connection_id, write_id)
    assert ref is not None
    in_quickbooks = company.payments_by_ref(ref)
    print(
        f"payment answer lost in a crash: {len(in_quickbooks)} payment(s) in QuickBooks, "
        f"write {write.status} after {write.sends} send(s), {write.probes} status check(s) "
        f"and {write.lookups} lookup(s)"
    )
    assert len(in_quickbooks) == 1 and write.status == "done"
    assert write.sends == 1 and write.qb_id == in_quickbooks[0].txn_id


def test_ticket_expiring_mid_iterator(app: QwcApp, pg_settings: Settings, tmp_path: Path) -> None:
    """The ticket expires between two pages of an iterator: the next session reads it all again."""
    from qwc_service.simulator.connector import WebConnector
    from qwc_service.simulator.qwcfile import read_qwc
    from qwc_service.sync import schedule
    from tests.records.compare import assert_customers_match

    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 15, max_returned=20)
    company = generate_company(customers=60)
    quickbooks = FakeQuickBooks(company)
    with ServerProcess(pg_settings, port=_port(pg_settings), log_path=tmp_path / "g.log") as server:
        assert machine.qwc_path is not None
        connector = WebConnector(read_qwc(machine.qwc_path), machine.password, quickbooks)
        connector.add_application()
        client = SoapClient(HttpClientTransport(), f"{server.url}/qbwc")
        ticket = client.authenticate(machine.username, machine.password)[0]
        quickbooks.begin_session("PC", connector.qwc.owner_id)
        first_page = client.send_request(
            ticket, hcp=quickbooks.hcp_response(connector.qwc.owner_id)
        )
        assert 0 < client.receive_response(ticket, quickbooks.process(first_page)) < 100
        second_page = quickbooks.process(client.send_request(ticket))
        # The ticket expires with the second page in QuickBooks' hands.
        let_sessions_expire(app, connection_id)
        assert client.receive_response(ticket, second_page) < 0
        assert client.call("getLastError", ticket)
        client.call("closeConnection", ticket)
        quickbooks.end_session()

        result = connector.run_session()
        assert result.outcome == "completed", result.last_error
    with unit_of_work(app.session_factory) as db:
        assert_customers_match(db, connection_id, company)
        (definition,) = schedule.list_syncs(db, connection_id)
    print(f"ticket expired mid-iterator: next session read {result.requests_processed} pages")
    assert definition.watermark and definition.last_success_at
