"""qwc_webhook_events{status}: pending, delivered and failed events, read from the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from qwc_service.app import QwcApp
from qwc_service.db import make_engine, make_session_factory
from qwc_service.reporting.gauges import DELIVERED_COUNT
from qwc_service.webhooks.delivery import DeliveryPolicy
from qwc_service.webhooks.worker import run_deliverer
from tests.factories import make_connection
from tests.metrics.wsgi import call, value
from tests.webhooks.factories import emit, make_endpoint
from tests.webhooks.receiver import Receiver

# One attempt only: a refused event fails at once instead of waiting for its retries.
ONE_ATTEMPT = DeliveryPolicy(timeout_seconds=5, give_up_after_seconds=0)


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    """One receiver that accepts every event and one that answers 500 to all."""
    accepting, refusing = Receiver(then=200).start(), Receiver(then=500).start()
    yield accepting, refusing
    accepting.stop()
    refusing.stop()


def _events(app: QwcApp) -> dict[str, float | None]:
    """The three webhook event gauges from GET /metrics of the app."""
    status, _, body = call(app)
    assert status == "200 OK"
    page = body.decode()
    return {
        s: value(page, "qwc_webhook_events", status=s) for s in ("pending", "delivered", "failed")
    }


def test_events_in_each_state_show_on_the_app_metrics_route(
    app: QwcApp, receivers: tuple[Receiver, Receiver]
) -> None:
    """Events delivered and failed by a deliverer with its own engine, and pending ones, count."""
    accepting, refusing = receivers
    assert _events(app) == {"pending": 0, "delivered": 0, "failed": 0}

    delivered_to, failing, waiting = (make_connection(app, name) for name in "ABC")
    make_endpoint(app, accepting.url, connection_id=delivered_to)
    make_endpoint(app, refusing.url, connection_id=failing)
    make_endpoint(app, accepting.url, connection_id=waiting)
    for _ in range(2):
        emit(app, delivered_to)
    emit(app, failing)

    # The deliverer shares nothing with the app but the database, as on another host.
    engine = make_engine(app.settings.database_url)
    try:
        totals = run_deliverer(make_session_factory(engine), ONE_ATTEMPT, once=True)
    finally:
        engine.dispose()
    assert (totals.delivered, totals.failed) == (2, 1)
    for _ in range(3):
        emit(app, waiting)

    assert _events(app) == {"pending": 3, "delivered": 2, "failed": 1}
    assert len(accepting.received) == 2 and len(refusing.received) == 1


EVENTS = 100_000


def _state(n: int) -> str:
    return "failed" if n % 50 == 0 else "pending" if n % 97 == 0 else "delivered"


_FILL = {
    "postgresql": (
        "INSERT INTO webhook_events (endpoint_id, connection_id, kind, payload, status,"
        " attempts, next_attempt_at, created_at) SELECT :endpoint, :connection, 'job.done',"
        " '{\"job_id\":' || n || '}', CASE WHEN n % 50 = 0 THEN 'failed'"
        " WHEN n % 97 = 0 THEN 'pending' ELSE 'delivered' END, 1,"
        " now() - (:count - n) * interval '1 second', now() - (:count - n) * interval '1 second'"
        " FROM generate_series(1, :count) AS n"
    ),
    "sqlite": (
        "INSERT INTO webhook_events (endpoint_id, connection_id, kind, payload, status,"
        " attempts, next_attempt_at, created_at)"
        " WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :count)"
        " SELECT :endpoint, :connection, 'job.done', '{\"job_id\":' || n || '}',"
        " CASE WHEN n % 50 = 0 THEN 'failed' WHEN n % 97 = 0 THEN 'pending'"
        " ELSE 'delivered' END, 1, datetime('now', (n - :count) || ' seconds'),"
        " datetime('now', (n - :count) || ' seconds') FROM g"
    ),
}


def test_delivered_count_reads_only_the_partial_index(app: QwcApp) -> None:
    """With 100k events the delivered count never touches the table; the gauges are exact."""
    connection_id = make_connection(app)
    endpoint_id, _ = make_endpoint(app, "https://hooks.example/", connection_id=connection_id)
    engine = app.engine
    dialect = engine.dialect.name
    with engine.begin() as conn:
        conn.execute(
            text(_FILL[dialect]),
            {"endpoint": endpoint_id, "connection": connection_id, "count": EVENTS},
        )
    statement = str(DELIVERED_COUNT.compile(engine))
    with engine.connect() as conn:
        if dialect == "postgresql":
            # What autovacuum does on a live server: statistics and the visibility map.
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE webhook_events"
            )
            plan = "\n".join(
                conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}").scalars()
            )
            assert "Index Only Scan using ix_webhook_events_delivered" in plan, plan
            assert "Heap Fetches: 0" in plan and "Seq Scan" not in plan, plan
        else:
            plan = " ".join(
                str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")
            )
            assert "COVERING INDEX" in plan, plan

    expected = Counter(_state(n) for n in range(1, EVENTS + 1))
    assert _events(app) == {s: expected[s] for s in ("pending", "delivered", "failed")}
