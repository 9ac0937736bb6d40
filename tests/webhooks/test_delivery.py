"""Delivery to a real HTTP receiver: signed, retried with backoff, recorded, sent once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.db import unit_of_work
from qwc_service.webhooks.delivery import (
    DeliveryPolicy,
    deliver_once,
    lease_due,
    record_attempt,
)
from qwc_service.webhooks.http import AttemptResult
from qwc_service.webhooks.models import WebhookEndpoint, WebhookEvent
from qwc_service.webhooks.signing import verify_signature
from qwc_service.webhooks.worker import run_deliverer
from tests.factories import make_connection
from tests.webhooks.factories import FAST, deliveries, emit, events, make_endpoint
from tests.webhooks.receiver import Receiver, ids_received


def _set(app: QwcApp, event_id: int, **values: object) -> None:
    with unit_of_work(app.session_factory) as db:
        db.execute(update(WebhookEvent).where(WebhookEvent.id == event_id).values(values))


def test_retried_after_failures_then_delivered_once_signed(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """Two 500s, then a 200: three signed POSTs of the same event, one delivery, all recorded."""
    receiver = receiver_factory(500, 500)
    connection_id = make_connection(app)
    _, secret = make_endpoint(app, receiver.url, connection_id=connection_id)
    (event_id,) = emit(app, connection_id, "job.done", job_id=11)

    totals = run_deliverer(app.session_factory, FAST, once=True)
    assert (totals.retrying, totals.delivered, totals.failed) == (2, 1, 0)
    assert deliver_once(app.session_factory, FAST).idle

    assert [r.status for r in receiver.received] == [500, 500, 200]
    assert ids_received(receiver) == [str(event_id)]
    assert len({r.body for r in receiver.received}) == 1
    for request in receiver.received:
        assert request.headers["qwc-event-id"] == str(event_id)
        assert request.headers["qwc-event-type"] == "job.done"
        assert request.headers["content-type"] == "application/json"
        assert verify_signature(secret, request.headers["qwc-signature"], request.body)
        assert not verify_signature("whsec_wrong", request.headers["qwc-signature"], request.body)
    body = json.loads(receiver.received[-1].body)
    assert body["id"] == event_id and body["type"] == "job.done"
    assert body["connection_id"] == connection_id and body["data"] == {"job_id": 11}

    (event,) = events(app)
    assert event.status == "delivered" and event.attempts == 3
    assert event.delivered_at is not None and event.leased_until is None
    attempts = deliveries(app, event_id)
    assert [a.status_code for a in attempts] == [500, 500, 200]
    assert attempts[0].error and "500" in attempts[0].error and attempts[2].error is None
    assert all(a.duration_ms is not None and a.duration_ms >= 0 for a in attempts)


def test_failed_attempt_waits_for_its_backoff(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """After a failure the event is not due again until its backoff has passed."""
    receiver = receiver_factory(503)
    connection_id = make_connection(app)
    make_endpoint(app, receiver.url, connection_id=connection_id)
    (event_id,) = emit(app, connection_id)
    before = utcnow()
    assert deliver_once(app.session_factory, DeliveryPolicy()).retrying == [event_id]
    (event,) = events(app)
    assert event.next_attempt_at >= before + timedelta(seconds=10)
    assert deliver_once(app.session_factory, DeliveryPolicy()).idle
    _set(app, event_id, next_attempt_at=utcnow() - timedelta(seconds=1))
    assert deliver_once(app.session_factory, DeliveryPolicy()).delivered == [event_id]
    assert len(receiver.received) == 2


def test_backoff_doubles_and_is_capped() -> None:
    """10 s, 20 s, 40 s... up to the cap."""
    policy = DeliveryPolicy(base_delay_seconds=10, max_delay_seconds=300)
    delays = [policy.delay_after(n).total_seconds() for n in range(1, 8)]
    assert delays == [10, 20, 40, 80, 160, 300, 300]
    assert policy.delay_after(10_000).total_seconds() == 300


def test_gives_up_after_the_retry_window(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """An event still failing when its window closes is marked failed and not sent again."""
    receiver = receiver_factory(then=500)
    connection_id = make_connection(app)
    make_endpoint(app, receiver.url, connection_id=connection_id)
    (event_id,) = emit(app, connection_id)
    _set(app, event_id, created_at=utcnow() - timedelta(hours=23, minutes=59, seconds=55))
    assert deliver_once(app.session_factory, DeliveryPolicy()).failed == [event_id]
    assert deliver_once(app.session_factory, FAST).idle
    (event,) = events(app)
    assert event.status == "failed" and event.attempts == 1
    assert len(receiver.received) == 1 and len(deliveries(app, event_id)) == 1


def test_redirects_are_not_followed(app: QwcApp, receiver_factory: Callable[..., Receiver]) -> None:
    """A 302 is a failed attempt: the POST is not replayed elsewhere as a GET."""
    target = receiver_factory()
    receiver = receiver_factory(302, location=target.url)
    connection_id = make_connection(app)
    make_endpoint(app, receiver.url, connection_id=connection_id)
    (event_id,) = emit(app, connection_id)
    assert deliver_once(app.session_factory, FAST).retrying == [event_id]
    assert target.received == []
    assert [d.status_code for d in deliveries(app, event_id)] == [302]


def test_unreachable_receiver_is_recorded_as_an_error(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """No answer at all: no status code, an error saying why, and a retry."""
    receiver = receiver_factory()
    url = receiver.url
    receiver.stop()
    connection_id = make_connection(app)
    make_endpoint(app, url, connection_id=connection_id)
    (event_id,) = emit(app, connection_id)
    assert deliver_once(app.session_factory, FAST).retrying == [event_id]
    (attempt,) = deliveries(app, event_id)
    assert attempt.status_code is None and attempt.error and "connect" in attempt.error


def test_a_leased_event_is_not_sent_by_another_deliverer_until_its_lease_ends(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """A crashed deliverer's lease holds the event until it ends; then the event is resent."""
    receiver = receiver_factory()
    connection_id = make_connection(app)
    make_endpoint(app, receiver.url, connection_id=connection_id)
    (event_id,) = emit(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        (crashed,) = lease_due(db, FAST, utcnow()).events
    assert deliver_once(app.session_factory, FAST).idle
    assert receiver.received == []

    _set(app, event_id, leased_until=utcnow() - timedelta(seconds=1))
    assert deliver_once(app.session_factory, FAST).delivered == [event_id]
    assert ids_received(receiver) == [str(event_id)]

    # The crashed deliverer's late answer finds its lease gone and changes nothing.
    with unit_of_work(app.session_factory) as db:
        late = AttemptResult(status_code=500, error="HTTP 500", duration_ms=1)
        now = utcnow()
        assert record_attempt(db, crashed, late, FAST, attempted_at=now, now=now) == "lost"
    (event,) = events(app)
    assert event.status == "delivered" and event.attempts == 1
    assert [d.status_code for d in deliveries(app, event_id)] == [200, 500]


def test_events_of_a_removed_endpoint_are_dropped(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """An endpoint disabled behind the outbox's back gets nothing; its events fail."""
    receiver = receiver_factory()
    connection_id = make_connection(app)
    endpoint_id, _ = make_endpoint(app, receiver.url, connection_id=connection_id)
    (event_id,) = emit(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        db.get(WebhookEndpoint, endpoint_id).disabled_at = utcnow()  # type: ignore[union-attr]
    assert deliver_once(app.session_factory, FAST).dropped == [event_id]
    assert receiver.received == [] and events(app)[0].status == "failed"


def test_policy_rejects_a_lease_shorter_than_the_timeout() -> None:
    """A lease that could end while a POST is still waiting would allow a concurrent resend."""
    with pytest.raises(ValueError, match="lease"):
        DeliveryPolicy(timeout_seconds=30, lease_seconds=30)
