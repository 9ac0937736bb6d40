"""Plain dictionaries for Web Connector sessions (never the ticket or its hash)."""

from __future__ import annotations

from typing import Any

from qwc_service.clock import isoformat
from qwc_service.sessions.models import WcSession


def session_view(wc: WcSession) -> dict[str, Any]:
    """A session as JSON-ready data."""
    return {
        "session_id": wc.id,
        "machine_id": wc.machine_id,
        "created_at": isoformat(wc.created_at),
        "last_seen_at": isoformat(wc.last_seen_at),
        "closed_at": isoformat(wc.closed_at),
        "close_reason": wc.close_reason,
        "company_name": wc.company_name,
        "company_file": wc.company_file_name,
        "qbxml_version": wc.qbxml_version,
        "requests_sent": wc.requests_sent,
        "responses_received": wc.responses_received,
        "refused": wc.refused,
        "last_error": wc.last_error,
    }
