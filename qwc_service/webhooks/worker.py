"""The delivery loop, in the foreground (``qwc-service webhook deliver``) or in a thread.

Where to run it
---------------
The recommended deployment is one or more ``qwc-service webhook deliver`` processes next to
the web server (a systemd unit or a container of its own): delivery then never competes
with SOAP calls for gunicorn's threads, and it can be restarted on its own. Running several
copies, on one host or many, is safe: events are leased (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so copies share the work and never send an event at the same time.

A small deployment may instead start a ``DeliveryThread`` in each gunicorn worker (see
``start_delivery_thread``); the same leases make that equally safe. On SQLite every
process takes the database write lock in turn, so one deliverer is plenty.
"""

from __future__ import annotations

import threading

import structlog
from sqlalchemy.exc import SQLAlchemyError

from qwc_service.db import SessionFactory
from qwc_service.webhooks.delivery import DeliveryPolicy, DeliveryTotals, deliver_once
from qwc_service.webhooks.http import Sender, post
from qwc_service.webhooks.pacing import POLL_SECONDS

log = structlog.get_logger("qwc_service.webhooks")

ERROR_PAUSE_SECONDS = 10.0


def run_deliverer(
    session_factory: SessionFactory,
    policy: DeliveryPolicy | None = None,
    *,
    stop: threading.Event | None = None,
    once: bool = False,
    poll_seconds: float = POLL_SECONDS,
    sender: Sender = post,
) -> DeliveryTotals:
    """Deliver due events until ``stop`` is set; with ``once``, until nothing is due now.

    A database error pauses the loop instead of ending it (the database may be restarting);
    with ``once`` it is raised.
    """
    policy = policy or DeliveryPolicy()
    stop = stop or threading.Event()
    total = DeliveryTotals()
    while not stop.is_set():
        try:
            report = deliver_once(session_factory, policy, sender=sender)
        except SQLAlchemyError:
            if once:
                raise
            log.exception("webhook_delivery_error")
            stop.wait(ERROR_PAUSE_SECONDS)
            continue
        total.add(report)
        if report.idle:
            if once:
                break
            stop.wait(poll_seconds)
    return total


class DeliveryThread(threading.Thread):
    """The delivery loop in a daemon thread; ``stop()`` ends it after the current attempt."""

    def __init__(
        self,
        session_factory: SessionFactory,
        policy: DeliveryPolicy | None = None,
        *,
        poll_seconds: float = POLL_SECONDS,
        sender: Sender = post,
    ) -> None:
        super().__init__(name="qwc-webhook-delivery", daemon=True)
        self._session_factory = session_factory
        self._policy = policy or DeliveryPolicy()
        self._poll_seconds = poll_seconds
        self._sender = sender
        self._stop_event = threading.Event()
        self.totals = DeliveryTotals()

    def run(self) -> None:
        """Run the loop until stopped."""
        self.totals = run_deliverer(
            self._session_factory,
            self._policy,
            stop=self._stop_event,
            poll_seconds=self._poll_seconds,
            sender=self._sender,
        )

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to end and wait for it."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)


def start_delivery_thread(
    session_factory: SessionFactory, policy: DeliveryPolicy | None = None
) -> DeliveryThread:
    """Start a delivery thread (for gunicorn's ``post_worker_init``); returns it."""
    thread = DeliveryThread(session_factory, policy)
    thread.start()
    return thread
