"""The server's health for operators: `qwc-service check` and `GET /health`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select, text
from sqlalchemy.orm import Session

from qwc_service import __version__
from qwc_service.clock import isoformat, utcnow
from qwc_service.connections.models import Connection
from qwc_service.db import SchemaOutOfDate, check_schema
from qwc_service.queue.models import Job, JobStatus
from qwc_service.sessions.models import WcSession


def database_status(engine: Engine) -> dict[str, Any]:
    """Whether the database answers and its schema is current."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return {"database": "unreachable", "schema": "unknown"}
    try:
        check_schema(engine)
    except SchemaOutOfDate:
        return {"database": "ok", "schema": "out of date: run `qwc-service db upgrade`"}
    return {"database": "ok", "schema": "current"}


def queue_status(db: Session, now: datetime | None = None) -> dict[str, Any]:
    """Queue depth, the oldest waiting job, live sessions, connections with unresolved errors."""
    now = now or utcnow()
    depth, oldest = db.execute(
        select(func.count(), func.min(Job.created_at)).where(Job.status == JobStatus.QUEUED)
    ).one()
    sent = db.scalar(select(func.count()).where(Job.status == JobStatus.SENT))
    live = db.scalar(
        select(func.count()).where(WcSession.closed_at.is_(None), WcSession.expires_at > now)
    )
    failing = list(
        db.scalars(
            select(Connection.id).where(
                Connection.last_error_at.is_not(None),
                or_(
                    Connection.last_success_at.is_(None),
                    Connection.last_success_at < Connection.last_error_at,
                ),
            )
        )
    )
    return {
        "queue_depth": int(depth or 0),
        "jobs_in_flight": int(sent or 0),
        "oldest_queued_at": isoformat(oldest),
        "oldest_queued_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "sessions_active": int(live or 0),
        "connections_with_unresolved_errors": failing,
    }


def full_status(engine: Engine, session_factory: Any) -> tuple[bool, dict[str, Any]]:
    """Everything above in one document, and whether the server can do its work."""
    report: dict[str, Any] = {"version": __version__, **database_status(engine)}
    healthy = report["database"] == "ok" and report["schema"] == "current"
    if healthy:
        db: Session = session_factory()
        try:
            report.update(queue_status(db))
        finally:
            db.close()
    report["status"] = "ok" if healthy else "error"
    return healthy, report
