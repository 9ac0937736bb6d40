"""The server emits webhook events from a real Web Connector session.

These tests pass once the exchange calls the ``emit_*`` functions at its hook points
(after a response is handled, when the company is locked, when a company is refused).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from qwc_service.app import QwcApp
from qwc_service.webhooks.signing import verify_signature
from qwc_service.webhooks.worker import run_deliverer
from tests.factories import (
    customer_query,
    customer_response,
    enqueue,
    make_connection,
    make_machine,
    request_id_of,
)
from tests.soap_client import SoapClient
from tests.webhooks.factories import FAST, events, make_endpoint, make_token
from tests.webhooks.receiver import Receiver


def test_a_session_emits_job_first_sync_and_mismatch_events(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """Done and failed jobs, the first sync, then a refused company file: all delivered signed."""
    receiver = receiver_factory()
    client = SoapClient(app)
    connection_id = make_connection(app)
    _, secret = make_endpoint(app, receiver.url, token_id=make_token(app))
    good = enqueue(app, connection_id, customer_query(1), priority=5)
    bad = enqueue(app, connection_id, customer_query(2))
    after_bad = enqueue(app, connection_id, customer_query(3), depends_on=bad)

    front = make_machine(app, connection_id, "Front")
    ticket = client.authenticate(front.username, front.password)[0]
    first = client.send_request(ticket, company_file=r"C:\Acme.QBW")
    assert client.receive_response(ticket, customer_response(request_id_of(first))) == 50
    second = client.send_request(ticket)
    failed = customer_response(request_id_of(second), status=500)
    assert client.receive_response(ticket, failed) == 100
    client.call("closeConnection", ticket)

    enqueue(app, connection_id)
    back = make_machine(app, connection_id, "Back")
    ticket = client.authenticate(back.username, back.password)[0]
    assert client.send_request(ticket, company_file=r"C:\Beta.QBW") == ""

    by_kind: dict[str, list[dict[str, object]]] = {}
    for event in events(app):
        by_kind.setdefault(event.kind, []).append(json.loads(event.payload))
    assert [d["job_id"] for d in by_kind["job.done"]] == [good]
    assert [d["job_id"] for d in by_kind["job.failed"]] == [bad, after_bad]
    assert by_kind["job.failed"][0]["status_code"] == 500
    assert [d["company_file"] for d in by_kind["connection.first_sync"]] == [r"C:\Acme.QBW"]
    (mismatch,) = by_kind["connection.company_mismatch"]
    assert mismatch["seen"] == {"company_name": None, "company_file": r"C:\Beta.QBW"}

    assert run_deliverer(app.session_factory, FAST, once=True).delivered == 5
    assert len(receiver.received) == 5
    for request in receiver.received:
        assert verify_signature(secret, request.headers["qwc-signature"], request.body)
        assert json.loads(request.body)["connection_id"] == connection_id
