"""A job's handler state: a JSON object stored on the job row, read and written whole."""

from __future__ import annotations

import json
from typing import Any

from qwc_service.queue.models import Job


def load_payload(job: Job) -> dict[str, Any]:
    """A job's handler state."""
    return dict(json.loads(job.payload)) if job.payload else {}


def store_payload(job: Job, payload: dict[str, Any]) -> None:
    """Save a job's handler state."""
    job.payload = json.dumps(payload, sort_keys=True, separators=(",", ":"))
