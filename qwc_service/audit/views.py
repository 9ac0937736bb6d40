"""Plain dictionaries for audit events."""

from __future__ import annotations

from typing import Any

from qwc_service.audit.models import AuditEvent
from qwc_service.clock import isoformat


def event_view(event: AuditEvent) -> dict[str, Any]:
    """An audit event as JSON-ready data."""
    return {
        "id": event.id,
        "at": isoformat(event.created_at),
        "kind": event.kind,
        "connection_id": event.connection_id,
        "machine_id": event.machine_id,
        "username": event.username,
        "client_address": event.client_address,
        "message": event.message,
    }
