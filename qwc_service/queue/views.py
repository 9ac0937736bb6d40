"""Plain dictionaries for jobs (CLI output, later the HTTP API)."""

from __future__ import annotations

from typing import Any

from qwc_service.clock import isoformat
from qwc_service.queue.models import Job


def job_view(job: Job, *, include_payloads: bool = True) -> dict[str, Any]:
    """A job as JSON-ready data."""
    view: dict[str, Any] = {
        "job_id": job.id,
        "connection_id": job.connection_id,
        "status": job.status,
        "priority": job.priority,
        "dedup_key": job.dedup_key,
        "requests": [name for name in job.request_names.split(",") if name],
        "request_id": job.request_id,
        "attempts": job.attempts,
        "status_code": job.status_code,
        "status_severity": job.status_severity,
        "status_message": job.status_message,
        "hresult": job.hresult,
        "error": job.error,
        "created_at": isoformat(job.created_at),
        "sent_at": isoformat(job.sent_at),
        "completed_at": isoformat(job.completed_at),
    }
    if include_payloads:
        view["request"] = job.qbxml
        view["response"] = job.response
    return view
