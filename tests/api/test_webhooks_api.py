"""Webhook endpoints through the API: add, list, read, remove, and their events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.tokens.service import create_token
from qwc_service.webhooks.worker import run_deliverer
from tests.api.client import ApiClient
from tests.api.helpers import add_computer, create_connection, run_session
from tests.factories import customer_query
from tests.webhooks.factories import FAST, emit
from tests.webhooks.receiver import Receiver

HOOK = "https://app.example.com/hooks/qbwc"


@pytest.fixture
def token_client(app: QwcApp, anonymous: ApiClient) -> tuple[ApiClient, int]:
    """A client with a live token, and that token's id."""
    with unit_of_work(app.session_factory) as db:
        created = create_token(db, "billing app")
        secret, token_id = created.secret, created.token.id
    return anonymous.with_token(secret), token_id


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP receiver that answers 500 once, then 200."""
    started = Receiver((500,)).start()
    yield started
    started.stop()


def test_endpoint_without_connection_belongs_to_the_calling_token(
    token_client: tuple[ApiClient, int],
) -> None:
    """No connection_id: scoped to the caller's token; the secret is in the 201 reply only."""
    client, token_id = token_client
    created = client.post("/api/webhooks", {"url": HOOK})
    assert created.status == 201
    data = created.data
    assert data["api_token_id"] == token_id and data["connection_id"] is None
    assert data["url"] == HOOK and data["removed_at"] is None
    assert data["secret"].startswith("whsec_")

    one = client.get(f"/api/webhooks/{data['webhook_id']}")
    assert one.status == 200 and "secret" not in one.data
    assert one.data == {k: v for k, v in data.items() if k != "secret"}
    listed = client.get("/api/webhooks").data["data"]
    assert [w["webhook_id"] for w in listed] == [data["webhook_id"]]
    assert data["secret"].encode() not in client.get("/api/webhooks").body


def test_endpoint_for_a_connection_gets_only_that_connections_events(
    client: ApiClient, app: QwcApp
) -> None:
    """With connection_id the endpoint is the connection's; the token's endpoint sees both."""
    one, two = create_connection(client, "One"), create_connection(client, "Two")
    scoped = client.post("/api/webhooks", {"url": HOOK, "connection_id": one}).data
    assert scoped["connection_id"] == one and scoped["api_token_id"] is None
    everything = client.post("/api/webhooks", {"url": HOOK + "/all", "connection_id": None}).data
    assert everything["api_token_id"] is not None
    emit(app, one)
    emit(app, two)
    for webhook, expected in ((scoped, {one}), (everything, {one, two})):
        page = client.get(f"/api/webhooks/{webhook['webhook_id']}/events").data
        assert {e["connection_id"] for e in page["data"]} == expected
        assert all(e["webhook_id"] == webhook["webhook_id"] for e in page["data"])


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"url": "ftp://files.example.com/x"}, "url", "invalid_field"),
        ({"url": "not a url"}, "url", "invalid_field"),
        ({"url": "https://user:secret@app.example.com/hook"}, "url", "invalid_field"),
        ({"url": ""}, "url", "invalid_field"),
        ({"url": "https://" + "a" * 2000 + ".com/"}, "url", "invalid_field"),
        ({}, "url", "missing_field"),
        ({"url": 7}, "url", "invalid_field"),
        ({"url": HOOK, "connection_id": "nosuchconnection"}, "connection_id", "invalid_field"),
        ({"url": HOOK, "events": ["job.done"]}, "events", "unknown_field"),
    ],
)
def test_invalid_input_names_the_field(
    client: ApiClient, body: dict[str, Any], field: str, code: str
) -> None:
    """A bad URL, a missing one, an unknown connection or member: 400 naming the field."""
    reply = client.post("/api/webhooks", body)
    assert reply.status == 400, reply.body
    assert (reply.error["field"], reply.error["code"]) == (field, code)
    assert client.get("/api/webhooks").data["data"] == []


def test_removing_an_endpoint_keeps_it_readable(client: ApiClient, app: QwcApp) -> None:
    """DELETE disables: listed only with include_removed, still readable, pending events failed."""
    connection_id = create_connection(client)
    webhook = client.post("/api/webhooks", {"url": HOOK}).data
    path = f"/api/webhooks/{webhook['webhook_id']}"
    emit(app, connection_id)

    removed = client.delete(path)
    assert removed.status == 200 and removed.data["removed_at"] is not None
    assert client.get(path).data["removed_at"] == removed.data["removed_at"]
    assert client.get("/api/webhooks").data["data"] == []
    listed = client.get("/api/webhooks", include_removed=True).data["data"]
    assert [w["webhook_id"] for w in listed] == [webhook["webhook_id"]]
    events = client.get(f"{path}/events").data["data"]
    assert [e["status"] for e in events] == ["failed"]

    again = client.delete(path)
    assert (again.status, again.error["code"]) == (404, "webhook_not_found")
    for method, suffix in (("GET", ""), ("DELETE", ""), ("GET", "/events")):
        missing = client.request(method, f"/api/webhooks/999999{suffix}")
        assert (missing.status, missing.error["code"]) == (404, "webhook_not_found")


def test_events_show_status_attempts_and_deliveries_newest_first(
    client: ApiClient, server: Any, app: QwcApp, receiver: Receiver
) -> None:
    """A synced job's event and others, delivered after one 500: paged, with every attempt."""
    connection_id = create_connection(client)
    webhook = client.post("/api/webhooks", {"url": receiver.url}).data
    computer = add_computer(client, connection_id, "PC")
    job = client.post(f"/api/connections/{connection_id}/jobs", {"qbxml": customer_query()})
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0, payments=0))
    assert run_session(server, computer, quickbooks).outcome == "completed"
    for n in range(4):
        emit(app, connection_id, job_id=100 + n)
    path = f"/api/webhooks/{webhook['webhook_id']}/events"
    pending = client.get(path, status="pending").data["data"]
    assert len(pending) >= 6 and all(e["attempts"] == 0 for e in pending)
    assert all(e["next_attempt_at"] and e["deliveries"] == [] for e in pending)

    run_deliverer(app.session_factory, FAST, once=True)

    events: list[dict[str, Any]] = []
    after = None
    while True:
        page = client.get(path, limit=2, after=after).data
        assert len(page["data"]) <= 2
        events += page["data"]
        after = page["next_after"]
        if after is None:
            break
    ids = [e["event_id"] for e in events]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(pending)
    assert all(e["status"] == "delivered" and e["delivered_at"] for e in events)
    assert all(e["next_attempt_at"] is None for e in events)
    assert all(e["attempts"] == len(e["deliveries"]) for e in events)
    codes = sorted([d["status_code"] for d in e["deliveries"]] for e in events)
    assert codes == [[200]] * (len(events) - 1) + [[500, 200]]
    done = [e for e in events if e["type"] == "job.done"]
    assert {e["connection_id"] for e in done} == {connection_id}
    assert any(
        '"job_id":' + str(job.data["job"]["job_id"]) in r.body.decode() for r in receiver.received
    )
    assert client.get(path, status="pending").data == {"data": [], "next_after": None}
    assert client.get(path, status="bogus").error["field"] == "status"
