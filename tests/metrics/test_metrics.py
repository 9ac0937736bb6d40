"""/metrics: process counters, database gauges at scrape time, Prometheus text format."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.db import make_engine, make_session_factory, unit_of_work
from qwc_service.metrics import (
    PROCESS_REGISTRY,
    count_login_failure,
    count_webhook_delivery,
    observe_soap_call,
    outcome_label,
)
from qwc_service.queue.service import claim_next
from qwc_service.status.metrics import metrics_page
from qwc_service.webhooks.endpoints import add_endpoint
from qwc_service.webhooks.events import emit_event
from tests.factories import enqueue, make_connection, open_session
from tests.metrics.wsgi import call, families, value


def _sample(name: str, **labels: str) -> float:
    return PROCESS_REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        (0, "progress"),
        (57, "progress"),
        (100, "complete"),
        (-101, "error"),
        ("-101", "error"),
        ("nvu", "nvu"),
        ("", "empty"),
        ("x" * 100, "x" * 40),
    ],
)
def test_outcome_labels_have_bounded_cardinality(outcome: object, label: str) -> None:
    """Progress percentages collapse to three labels; text is kept but cut short."""
    assert outcome_label(outcome) == label


def test_soap_calls_are_counted_and_timed() -> None:
    """Each call adds one to its method/outcome counter and one observation to its histogram."""
    calls = _sample("qwc_soap_calls_total", method="receiveResponseXML", outcome="progress")
    count = _sample("qwc_soap_call_duration_seconds_count", method="receiveResponseXML")
    fast = _sample("qwc_soap_call_duration_seconds_bucket", method="receiveResponseXML", le="0.005")
    observe_soap_call("receiveResponseXML", 50, 0.003)
    observe_soap_call("receiveResponseXML", 75, 1.7)
    assert _sample("qwc_soap_calls_total", method="receiveResponseXML", outcome="progress") == (
        calls + 2
    )
    assert _sample("qwc_soap_call_duration_seconds_count", method="receiveResponseXML") == (
        count + 2
    )
    assert _sample(
        "qwc_soap_call_duration_seconds_bucket", method="receiveResponseXML", le="0.005"
    ) == (fast + 1)


def test_login_failures_and_webhook_deliveries_are_counted() -> None:
    """Counters by reason and by result."""
    before = _sample("qwc_login_failures_total", reason="throttled")
    delivered = _sample("qwc_webhook_deliveries_total", result="delivered")
    count_login_failure("throttled")
    count_webhook_delivery("delivered")
    assert _sample("qwc_login_failures_total", reason="throttled") == before + 1
    assert _sample("qwc_webhook_deliveries_total", result="delivered") == delivered + 1


def test_page_reports_database_gauges_at_scrape_time(app: QwcApp) -> None:
    """Live sessions, queue depth by status and pending webhooks come from the database."""
    page = metrics_page(app.engine, app.session_factory)
    status, headers, body = call(page)
    assert status == "200 OK" and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = body.decode()
    assert value(text, "qwc_database_up", database=app.engine.dialect.name) == 1
    assert value(text, "qwc_sessions_active") == 0
    assert value(text, "qwc_queue_jobs", status="queued") == 0
    assert value(text, "qwc_webhook_events", status="pending") == 0

    connection_id = make_connection(app)
    session_id = open_session(app, connection_id)
    for _ in range(3):
        enqueue(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        now = utcnow()
        assert claim_next(db, connection_id, session_id, now, now) is not None
        add_endpoint(db, "https://hooks.example/", connection_id=connection_id)
        db.flush()
        emit_event(db, "job.done", connection_id, {"job_id": 1})

    text = call(page)[2].decode()
    assert value(text, "qwc_sessions_active") == 1
    assert value(text, "qwc_queue_jobs", status="queued") == 2
    assert value(text, "qwc_queue_jobs", status="sent") == 1
    assert value(text, "qwc_webhook_events", status="pending") == 1
    assert value(text, "qwc_webhook_events", status="failed") == 0
    assert (value(text, "qwc_queue_oldest_queued_seconds") or 0) >= 0
    before = value(text, "qwc_soap_calls_total", method="serverVersion", outcome="ok") or 0
    observe_soap_call("serverVersion", "ok", 0.001)
    after = value(
        call(page)[2].decode(), "qwc_soap_calls_total", method="serverVersion", outcome="ok"
    )
    assert after == before + 1


def test_head_has_no_body_and_other_methods_are_refused(app: QwcApp) -> None:
    """HEAD answers like GET without the body; POST gets 405."""
    page = metrics_page(app.engine, app.session_factory)
    status, headers, body = call(page, "HEAD")
    assert status == "200 OK" and body == b"" and int(headers["Content-Length"]) > 0
    status, headers, _ = call(page, "POST")
    assert status.startswith("405") and headers["Allow"] == "GET, HEAD"


def test_unreachable_database_still_answers_with_database_up_zero(tmp_path: Path) -> None:
    """A scrape during a database outage reports it instead of failing."""
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    page = metrics_page(engine, make_session_factory(engine))
    status, _, body = call(page)
    text = body.decode()
    assert status == "200 OK"
    assert value(text, "qwc_database_up", database="sqlite") == 0
    assert value(text, "qwc_sessions_active") is None
    assert "qwc_soap_calls" in families(text)
