"""Builders for webhook tests: API tokens, endpoints, events and fast retry policies."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.tokens.models import ApiToken
from qwc_service.webhooks.delivery import DeliveryPolicy
from qwc_service.webhooks.endpoints import add_endpoint
from qwc_service.webhooks.events import emit_event
from qwc_service.webhooks.models import WebhookDelivery, WebhookEvent

# Retries due at once, so a test can run pass after pass without waiting.
FAST = DeliveryPolicy(timeout_seconds=5, base_delay_seconds=0, max_delay_seconds=0)


def make_token(app: QwcApp, name: str = "vendor app", revoked_at: datetime | None = None) -> int:
    """An API token row; returns its id."""
    raw = secrets.token_urlsafe(32)
    with unit_of_work(app.session_factory) as db:
        token = ApiToken(
            name=name,
            prefix=raw[:8],
            token_hash=hashlib.sha256(raw.encode()).hexdigest(),
            revoked_at=revoked_at,
        )
        db.add(token)
        db.flush()
        return token.id


def make_endpoint(
    app: QwcApp, url: str, *, connection_id: str | None = None, token_id: int | None = None
) -> tuple[int, str]:
    """Register an endpoint; returns its id and secret."""
    with unit_of_work(app.session_factory) as db:
        created = add_endpoint(db, url, connection_id=connection_id, api_token_id=token_id)
        return created.endpoint.id, created.secret


def emit(app: QwcApp, connection_id: str, kind: str = "job.done", **data: object) -> list[int]:
    """Emit one event in its own committed unit of work; returns the event ids."""
    with unit_of_work(app.session_factory) as db:
        events = emit_event(db, kind, connection_id, {"job_id": 1, **data})
        db.flush()
        return [e.id for e in events]


def events(app: QwcApp) -> list[WebhookEvent]:
    """Every outbox row, oldest first."""
    with unit_of_work(app.session_factory) as db:
        return list(db.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def deliveries(app: QwcApp, event_id: int) -> list[WebhookDelivery]:
    """An event's recorded attempts, oldest first."""
    with unit_of_work(app.session_factory) as db:
        query = select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)
        return list(db.scalars(query.order_by(WebhookDelivery.id)))
