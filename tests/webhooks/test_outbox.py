"""The outbox: events are rows in the caller's transaction, one per matching endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.connections.lock import CompanySeen, lock_company
from qwc_service.connections.queries import get_connection
from qwc_service.db import unit_of_work
from qwc_service.queue.models import JobStatus
from qwc_service.queue.service import fail_dependants, get_job
from qwc_service.webhooks.events import (
    emit_company_mismatch,
    emit_event,
    emit_first_sync,
    emit_job_finished,
    event_body,
)
from qwc_service.webhooks.models import WebhookEndpoint
from tests.factories import enqueue, make_connection
from tests.webhooks.factories import emit, events, make_endpoint, make_token


class Boom(Exception):
    """Raised inside a unit of work to roll it back."""


def test_one_event_per_matching_endpoint(app: QwcApp) -> None:
    """The connection's endpoint and every live token's endpoint get it; others do not."""
    acme, beta = make_connection(app, "Acme"), make_connection(app, "Beta")
    for_acme, _ = make_endpoint(app, "https://acme.example/", connection_id=acme)
    make_endpoint(app, "https://beta.example/", connection_id=beta)
    for_token, _ = make_endpoint(app, "https://vendor.example/", token_id=make_token(app))
    revoked = make_token(app, revoked_at=datetime(2026, 1, 1, tzinfo=UTC))
    with unit_of_work(app.session_factory) as db:
        # A token revoked after its endpoint was added stops receiving.
        db.add(WebhookEndpoint(url="https://old.example/", secret="s", api_token_id=revoked))
    emit(app, acme, "job.done", job_id=7)
    rows = events(app)
    assert sorted(e.endpoint_id for e in rows) == sorted([for_acme, for_token])
    assert all(e.status == "pending" and e.attempts == 0 and e.kind == "job.done" for e in rows)
    assert {e.connection_id for e in rows} == {acme}


def test_an_event_emitted_in_a_unit_of_work_that_fails_is_never_written(app: QwcApp) -> None:
    """Rolled-back work leaves no event behind: nothing is sent for a change that did not happen."""
    connection_id = make_connection(app)
    make_endpoint(app, "https://acme.example/", connection_id=connection_id)
    with pytest.raises(Boom), unit_of_work(app.session_factory) as db:
        emitted = emit_event(db, "job.done", connection_id, {"job_id": 1})
        db.flush()
        assert emitted and emitted[0].id is not None
        raise Boom()
    assert events(app) == []
    emit(app, connection_id)
    assert len(events(app)) == 1


def test_unknown_kinds_are_refused(app: QwcApp) -> None:
    """Only the documented event types can be emitted."""
    connection_id = make_connection(app)
    with unit_of_work(app.session_factory) as db, pytest.raises(ValueError):
        emit_event(db, "job.maybe", connection_id, {})


def test_body_has_the_documented_envelope(app: QwcApp) -> None:
    """id, type, created_at, connection_id and data; the same bytes every time."""
    connection_id = make_connection(app)
    make_endpoint(app, "https://acme.example/", connection_id=connection_id)
    emit(app, connection_id, "job.failed", error="nope")
    event = events(app)[0]
    body = json.loads(event_body(event))
    assert list(body) == ["id", "type", "created_at", "connection_id", "data"]
    assert body["id"] == event.id and body["type"] == "job.failed"
    assert body["connection_id"] == connection_id
    assert body["data"] == {"job_id": 1, "error": "nope"}
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert event_body(event) == event_body(events(app)[0])


@pytest.mark.parametrize(
    ("status", "kind"),
    [(JobStatus.DONE, "job.done"), (JobStatus.ERROR, "job.failed"), (JobStatus.QUEUED, None)],
)
def test_job_finished_events(app: QwcApp, status: JobStatus, kind: str | None) -> None:
    """A done job gives job.done, a failed one job.failed, a requeued one nothing."""
    connection_id = make_connection(app)
    make_endpoint(app, "https://acme.example/", connection_id=connection_id)
    job_id = enqueue(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        job = get_job(db, connection_id, job_id)
        job.status = status
        job.status_code = 3100 if status == JobStatus.ERROR else 0
        job.error = "The name is already in use." if status == JobStatus.ERROR else None
        emit_job_finished(db, job)
    rows = events(app)
    if kind is None:
        assert rows == []
        return
    assert [e.kind for e in rows] == [kind]
    data = json.loads(rows[0].payload)
    assert data["job_id"] == job_id and data["status"] == status.value
    assert data["kind"] == "raw" and data["request_names"] == ["CustomerQueryRq"]
    assert data["status_code"] == job.status_code and data["error"] == job.error
    assert "response" not in data


def test_first_sync_and_company_mismatch_payloads(app: QwcApp) -> None:
    """The lock event names the company locked; the refusal names both companies."""
    connection_id = make_connection(app)
    make_endpoint(app, "https://acme.example/", connection_id=connection_id)
    acme = CompanySeen("{file-id}", "Acme Widgets", r"C:\Acme.QBW")
    beta = CompanySeen("{other}", "Beta Bakery", r"C:\Beta.QBW")
    with unit_of_work(app.session_factory) as db:
        connection = get_connection(db, connection_id)
        assert lock_company(connection, acme, datetime(2026, 11, 1, tzinfo=UTC))
        emit_first_sync(db, connection, job_id=3)
        emit_company_mismatch(db, connection, beta, message="wrong file", machine_id=9)
    first, mismatch = events(app)
    assert first.kind == "connection.first_sync"
    assert json.loads(first.payload) == {
        "company_name": "Acme Widgets",
        "company_file": r"C:\Acme.QBW",
        "locked_at": "2026-11-01T00:00:00+00:00",
        "job_id": 3,
    }
    assert mismatch.kind == "connection.company_mismatch"
    data = json.loads(mismatch.payload)
    assert data["expected"]["company_name"] == "Acme Widgets"
    assert data["seen"] == {"company_name": "Beta Bakery", "company_file": r"C:\Beta.QBW"}
    assert data["message"] == "wrong file" and data["machine_id"] == 9


def test_jobs_failed_with_a_failed_job_get_their_own_event(app: QwcApp) -> None:
    """Dependants failed because their dependency failed are reported too, once each."""
    connection_id = make_connection(app)
    make_endpoint(app, "https://acme.example/", connection_id=connection_id)
    first = enqueue(app, connection_id)
    second = enqueue(app, connection_id, depends_on=first)
    third = enqueue(app, connection_id, depends_on=second)
    unrelated = enqueue(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        job = get_job(db, connection_id, first)
        now = utcnow()
        job.status, job.completed_at, job.error = JobStatus.ERROR, now, "QuickBooks said no"
        assert fail_dependants(db, job, now) == 2
        emit_job_finished(db, job, now=now)
    failed = [json.loads(e.payload) for e in events(app)]
    assert [d["job_id"] for d in failed] == [first, second, third]
    assert [d["depends_on"] for d in failed] == [None, first, second]
    assert "not sent" in failed[1]["error"] and unrelated not in [d["job_id"] for d in failed]
