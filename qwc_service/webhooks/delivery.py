"""Delivering the outbox: lease due events, POST them signed, record every attempt.

Guarantees
----------
* **No concurrent double send.** A deliverer takes due events under a lease (``leased_until``)
  in a short transaction (on PostgreSQL with ``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite
  serialises writers), commits, and only then POSTs, holding no database locks while the
  receiver answers. Another deliverer skips leased events. An event is sent only while at
  least the HTTP timeout plus a margin remains of its lease, so a slow batch never sends
  an event whose lease may already have passed to someone else.
* **Delivered once to a receiver that answers 2xx.** The answer is recorded with a
  compare-and-set on the lease; a delivered event is never leased again.
* **At least once on the wire.** A deliverer that dies after sending and before recording
  the answer (or a 2xx lost on the way back) leaves the event pending; when its lease runs
  out it is sent again with the same event id, which receivers use to de-duplicate.
* **Bounded retries.** A failed attempt (no answer, timeout, non-2xx) is retried after
  ``base_delay * 2**(attempts - 1)`` capped at ``max_delay``; an event that would still be
  undelivered ``give_up_after`` after it was created is marked failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.metrics import count_webhook_delivery
from qwc_service.tokens.models import ApiToken
from qwc_service.webhooks.events import EventStatus, event_body
from qwc_service.webhooks.http import AttemptResult, Sender, post
from qwc_service.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from qwc_service.webhooks.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    sign,
)

log = structlog.get_logger("qwc_service.webhooks")

LEASE_MARGIN = timedelta(seconds=5)


@dataclass(frozen=True)
class DeliveryPolicy:
    """Timeouts, leases and the retry schedule."""

    timeout_seconds: float = 10.0
    base_delay_seconds: float = 10.0
    max_delay_seconds: float = 3600.0
    give_up_after_seconds: float = 24 * 3600.0
    lease_seconds: float = 120.0
    batch_size: int = 10

    def __post_init__(self) -> None:
        if self.lease_seconds < self.timeout_seconds + LEASE_MARGIN.total_seconds():
            raise ValueError("the lease must outlast the HTTP timeout by at least 5 seconds")
        if self.batch_size < 1:
            raise ValueError("the batch size must be at least 1")

    def delay_after(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt."""
        exponent = min(max(attempts - 1, 0), 40)
        return timedelta(seconds=min(self.base_delay_seconds * 2**exponent, self.max_delay_seconds))


@dataclass(frozen=True)
class LeasedEvent:
    """An event this deliverer holds, with everything needed to send it without the database."""

    event_id: int
    kind: str
    url: str
    secret: str
    body: bytes
    attempts: int
    created_at: datetime
    lease: datetime


@dataclass
class DeliveryReport:
    """What one pass did: event ids by outcome."""

    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        """How many POSTs were made."""
        return len(self.delivered) + len(self.retrying) + len(self.failed) + len(self.lost)

    @property
    def idle(self) -> bool:
        """Whether the pass found nothing due."""
        return not (self.attempted or self.released or self.dropped)


@dataclass
class DeliveryTotals:
    """Counts over many passes (a long-running loop keeps counts, not every event id)."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0
    released: int = 0
    dropped: int = 0

    def add(self, report: DeliveryReport) -> None:
        """Count one pass."""
        for name in ("delivered", "retrying", "failed", "lost", "released", "dropped"):
            setattr(self, name, getattr(self, name) + len(getattr(report, name)))


def _receives(db: Session, endpoint: WebhookEndpoint) -> bool:
    if endpoint.disabled_at is not None:
        return False
    if endpoint.api_token_id is None:
        return True
    token = db.get(ApiToken, endpoint.api_token_id)
    return token is not None and token.revoked_at is None


@dataclass(frozen=True)
class Lease:
    """What one lease pass took: events to send, and events dropped (their endpoint is gone)."""

    events: list[LeasedEvent]
    dropped: list[int]


def lease_due(db: Session, policy: DeliveryPolicy, now: datetime) -> Lease:
    """Lease up to a batch of due events to the caller; the caller commits, then sends.

    Events of a removed endpoint or a revoked token are failed instead of leased.
    """
    query = (
        select(WebhookEvent, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookEvent.endpoint_id)
        .where(
            WebhookEvent.status == EventStatus.PENDING,
            WebhookEvent.next_attempt_at <= now,
            (WebhookEvent.leased_until.is_(None)) | (WebhookEvent.leased_until <= now),
        )
        .order_by(WebhookEvent.next_attempt_at, WebhookEvent.id)
        .limit(policy.batch_size)
        .with_for_update(skip_locked=True, of=WebhookEvent)
    )
    until = now + timedelta(seconds=policy.lease_seconds)
    lease = Lease([], [])
    for event, endpoint in db.execute(query):
        if not _receives(db, endpoint):
            event.status = EventStatus.FAILED
            event.leased_until = None
            lease.dropped.append(event.id)
            continue
        event.leased_until = until
        lease.events.append(
            LeasedEvent(
                event.id,
                event.kind,
                endpoint.url,
                endpoint.secret,
                event_body(event),
                event.attempts,
                event.created_at,
                until,
            )
        )
    db.flush()
    return lease


def send(leased: LeasedEvent, policy: DeliveryPolicy, sender: Sender = post) -> AttemptResult:
    """POST one leased event, signed now."""
    headers = {
        SIGNATURE_HEADER: sign(leased.secret, leased.body),
        EVENT_ID_HEADER: str(leased.event_id),
        EVENT_TYPE_HEADER: leased.kind,
    }
    return sender(leased.url, leased.body, headers, policy.timeout_seconds)


def record_attempt(
    db: Session,
    leased: LeasedEvent,
    result: AttemptResult,
    policy: DeliveryPolicy,
    *,
    attempted_at: datetime,
    now: datetime,
) -> str:
    """Store the attempt and move the event on; returns delivered, retrying, failed or lost.

    ``lost`` means the lease had passed to another deliverer: the attempt is recorded, the
    event is left to its new holder.
    """
    db.add(
        WebhookDelivery(
            event_id=leased.event_id,
            attempted_at=attempted_at,
            status_code=result.status_code,
            error=(result.error or None) and str(result.error)[:2000],
            duration_ms=result.duration_ms,
        )
    )
    attempts = leased.attempts + 1
    if result.ok:
        outcome = "delivered"
        values: dict[str, object] = {
            "status": EventStatus.DELIVERED,
            "delivered_at": now,
        }
    else:
        next_at = now + policy.delay_after(attempts)
        deadline = leased.created_at + timedelta(seconds=policy.give_up_after_seconds)
        outcome = "failed" if next_at > deadline else "retrying"
        values = (
            {"status": EventStatus.FAILED}
            if outcome == "failed"
            else {"status": EventStatus.PENDING, "next_attempt_at": next_at}
        )
    changed = db.execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.id == leased.event_id,
            WebhookEvent.status == EventStatus.PENDING,
            WebhookEvent.leased_until == leased.lease,
        )
        .values(attempts=attempts, leased_until=None, **values)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        return "lost"
    return outcome


def release(db: Session, leased: LeasedEvent) -> None:
    """Give back an event that was not sent, if this deliverer still holds it."""
    db.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == leased.event_id, WebhookEvent.leased_until == leased.lease)
        .values(leased_until=None)
    )


def deliver_once(
    session_factory: SessionFactory,
    policy: DeliveryPolicy | None = None,
    *,
    sender: Sender = post,
) -> DeliveryReport:
    """Lease one batch of due events, send each, record each answer."""
    policy = policy or DeliveryPolicy()
    report = DeliveryReport()
    with unit_of_work(session_factory) as db:
        lease = lease_due(db, policy, utcnow())
    report.dropped.extend(lease.dropped)
    for leased in lease.events:
        attempted_at = utcnow()
        if attempted_at + timedelta(seconds=policy.timeout_seconds) + LEASE_MARGIN > leased.lease:
            # Too little of the lease left to be sure no one else sends it meanwhile.
            with unit_of_work(session_factory) as db:
                release(db, leased)
            report.released.append(leased.event_id)
            continue
        result = send(leased, policy, sender)
        with unit_of_work(session_factory) as db:
            outcome = record_attempt(
                db, leased, result, policy, attempted_at=attempted_at, now=utcnow()
            )
        count_webhook_delivery(outcome)
        log.info(
            "webhook_attempt",
            event_id=leased.event_id,
            kind=leased.kind,
            status_code=result.status_code,
            outcome=outcome,
            duration_ms=result.duration_ms,
        )
        getattr(report, outcome).append(leased.event_id)
    return report
