"""Syncs and sync jobs as the CLI and the HTTP API show them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.clock import isoformat
from qwc_service.connections.queries import get_connection
from qwc_service.queue.models import Job
from qwc_service.queue.payload import load_payload
from qwc_service.sync.models import SyncDefinition
from qwc_service.sync.schedule import PENDING, list_syncs, next_due_at
from qwc_service.sync.state import SyncState
from qwc_service.sync.windows import window_of, zone_of

__all__ = ["SyncJobReport", "definition_view", "sync_views"]


def definition_view(
    definition: SyncDefinition,
    *,
    timezone: str,
    next_due: datetime | None = None,
    pending: Job | None = None,
) -> dict[str, Any]:
    """A sync definition as JSON-ready data, with its last success and watermarks."""
    window = window_of(definition)
    return {
        "connection_id": definition.connection_id,
        "type": definition.record_type,
        "every_minutes": definition.every_minutes,
        "window": None if window is None else str(window),
        "timezone": timezone,
        "max_returned": definition.max_returned,
        "paused_until": isoformat(definition.paused_until),
        "last_started_at": isoformat(definition.last_started_at),
        "last_success_at": isoformat(definition.last_success_at),
        "watermark": definition.watermark,
        "deleted_watermark": definition.deleted_watermark,
        "last_error": definition.last_error,
        "next_due_at": None if pending is not None else isoformat(next_due),
        "pending_job": None if pending is None else SyncJobReport.of(pending).to_payload(),
    }


@dataclass(frozen=True)
class SyncJobReport:
    """Where one sync job stands: phase, pages read of those expected, records stored."""

    job_id: int
    # Every sync job has a type and a phase; the published schema has always let them be null.
    type: str | None
    status: str
    phase: str | None
    pages: int
    expected_pages: int | None
    stored: int
    deleted: int
    problems: int
    restarts: int
    summary: str | None
    error: str | None

    @classmethod
    def of(cls, job: Job) -> SyncJobReport:
        """The report of a sync job, read from its stored state."""
        state = SyncState.from_payload(load_payload(job))
        return cls(
            job_id=job.id,
            type=state.type.value,
            status=str(job.status),
            phase=state.phase.value,
            pages=state.pages,
            expected_pages=state.expected_pages,
            stored=state.stored,
            deleted=state.deleted,
            problems=state.problems,
            restarts=state.restarts,
            summary=job.status_message,
            error=job.error,
        )

    def to_payload(self) -> dict[str, Any]:
        """The report as JSON-ready data, one member per field."""
        return asdict(self)


def sync_views(db: Session, connection_id: str, now: datetime) -> list[dict[str, Any]]:
    """Every sync of a connection, with when it is next due or the work it has pending."""
    connection = get_connection(db, connection_id)
    definitions = list_syncs(db, connection_id)
    pending: dict[int, Job] = {}
    jobs = db.scalars(
        select(Job)
        .join(SyncDefinition, Job.sync_definition_id == SyncDefinition.id)
        .where(SyncDefinition.connection_id == connection_id, Job.status.in_(PENDING))
        .order_by(Job.id)
    )
    for job in jobs:
        if job.sync_definition_id is not None:
            pending.setdefault(job.sync_definition_id, job)
    zone = zone_of(connection)
    return [
        definition_view(
            d,
            timezone=zone.key,
            next_due=next_due_at(d, zone, now),
            pending=pending.get(d.id),
        )
        for d in definitions
    ]
