"""Plain dictionaries for webhook endpoints and events (the CLI's JSON; never the secret)."""

from __future__ import annotations

from typing import Any

from qwc_service.clock import isoformat
from qwc_service.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def endpoint_view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as JSON-ready data, without its secret."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "connection_id": endpoint.connection_id,
        "api_token_id": endpoint.api_token_id,
        "created_at": isoformat(endpoint.created_at),
        "removed_at": isoformat(endpoint.disabled_at),
    }


def event_view(event: WebhookEvent) -> dict[str, Any]:
    """An outbox event and where its delivery stands."""
    return {
        "id": event.id,
        "endpoint_id": event.endpoint_id,
        "type": event.kind,
        "connection_id": event.connection_id,
        "status": event.status,
        "attempts": event.attempts,
        "created_at": isoformat(event.created_at),
        "next_attempt_at": isoformat(event.next_attempt_at) if event.status == "pending" else None,
        "delivered_at": isoformat(event.delivered_at),
    }


def delivery_view(delivery: WebhookDelivery) -> dict[str, Any]:
    """One delivery attempt."""
    return {
        "at": isoformat(delivery.attempted_at),
        "status_code": delivery.status_code,
        "error": delivery.error,
        "duration_ms": delivery.duration_ms,
    }
