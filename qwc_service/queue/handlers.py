"""Job handlers: who writes a job's qbXML and who reads QuickBooks' answer.

The exchange owns the protocol (tickets, leases, progress); a handler owns one kind of
work. A job that was handed out and lost (its session died) is simply queued again; its
handler sees on the next claim that it was sent before and decides what that means (a
sync restarts its iterator, a payment first checks whether QuickBooks already has it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from qwc_service.config import Settings
from qwc_service.connections.models import Connection
from qwc_service.queue.models import Job
from qwc_service.sessions.models import WcSession


@dataclass(frozen=True)
class JobContext:
    """What a handler may use: the unit of work, the session, its connection, the time."""

    db: Session
    wc: WcSession
    connection: Connection
    now: datetime
    settings: Settings

    @property
    def qbxml_version(self) -> str:
        """The qbXML version requests are written at for this session."""
        return self.wc.qbxml_version or "13.0"


class JobHandler(Protocol):
    """One kind of work."""

    def request_for(self, ctx: JobContext, job: Job) -> str:
        """The qbXML request set to hand out for ``job`` (requestID is stamped afterwards)."""
        ...

    def on_response(
        self, ctx: JobContext, job: Job, response: str, hresult: str, message: str
    ) -> None:
        """Read QuickBooks' answer; leave the job done, error, or queued for another round."""
        ...


def load_payload(job: Job) -> dict[str, Any]:
    """A job's handler state."""
    return dict(json.loads(job.payload)) if job.payload else {}


def store_payload(job: Job, payload: dict[str, Any]) -> None:
    """Save a job's handler state."""
    job.payload = json.dumps(payload, sort_keys=True, separators=(",", ":"))
