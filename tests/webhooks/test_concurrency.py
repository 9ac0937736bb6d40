"""Two deliverers at once share the outbox and never send an event twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from qwc_service.app import QwcApp
from qwc_service.webhooks.delivery import DeliveryTotals
from qwc_service.webhooks.worker import run_deliverer
from tests.factories import make_connection
from tests.webhooks.factories import FAST, emit, events, make_endpoint
from tests.webhooks.receiver import Receiver, ids_received

EVENTS = 40


def test_two_deliverer_threads_never_double_send(
    app: QwcApp, receiver_factory: Callable[..., Receiver]
) -> None:
    """Every event reaches the receiver with a 2xx exactly once, whichever thread sent it."""
    # Some first attempts fail, so retries interleave with first sends; each request is
    # held open a little so the two threads are sending at the same time.
    receiver = receiver_factory(*([500] * 10), hold_seconds=0.01)
    connection_id = make_connection(app)
    make_endpoint(app, receiver.url, connection_id=connection_id)
    emitted = [eid for _ in range(EVENTS) for eid in emit(app, connection_id)]
    policy = replace(FAST, batch_size=3)
    start = threading.Barrier(2)
    reports: list[DeliveryTotals] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            start.wait()
            reports.append(run_deliverer(app.session_factory, policy, once=True))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == [] and len(reports) == 2
    # A thread that found nothing due while the other still had retries left stops early;
    # one more pass finishes whatever is left.
    extra = run_deliverer(app.session_factory, policy, once=True)

    accepted = Counter(ids_received(receiver))
    assert sorted(accepted) == sorted(str(e) for e in emitted)
    assert set(accepted.values()) == {1}
    assert [r.lost for r in reports] == [0, 0]
    assert sum(r.delivered for r in reports) + extra.delivered == EVENTS
    assert all(e.status == "delivered" for e in events(app))
    assert len(receiver.received) == EVENTS + 10
