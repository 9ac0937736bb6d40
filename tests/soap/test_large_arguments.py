"""Large text arguments reach the service whole, whether or not the guard carries them."""

from __future__ import annotations

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.soap.guard import CARRY_ABOVE_CHARS
from tests.factories import (
    customer_query,
    customer_response,
    enqueue,
    make_connection,
    make_machine,
    request_id_of,
)
from tests.soap_client import SoapClient


def test_response_larger_than_the_carry_limit_is_stored_exactly(app: QwcApp) -> None:
    """A response over the carry limit, with markup and non-ASCII text, is stored as sent."""
    client = SoapClient(app)
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id, customer_query(5000))
    ticket = client.authenticate(machine.username, machine.password)[0]
    request_id = request_id_of(client.send_request(ticket))
    names = tuple(f"Zoë &amp; &lt;Søn&gt; {i}" for i in range(CARRY_ABOVE_CHARS // 40))
    response = customer_response(request_id, names=names)
    assert len(response) > CARRY_ABOVE_CHARS
    assert client.receive_response(ticket, response) == 100
    with unit_of_work(app.session_factory) as db:
        job = queue.get_job(db, connection_id, job_id)
        assert job.status == "done", job.error
        assert job.response == response


def test_small_and_large_messages_reach_connection_error(app: QwcApp) -> None:
    """connectionError's message is read whole either way and shows in getLastError."""
    client = SoapClient(app)
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    ticket = client.authenticate(machine.username, machine.password)[0]
    long_message = "Could not start QuickBooks. " * (CARRY_ABOVE_CHARS // 20)
    assert client.call("connectionError", ticket, "0x80040408", long_message) == ""
    assert "Could not start QuickBooks." in client.call("getLastError", ticket)
