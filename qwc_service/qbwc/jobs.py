"""Job handlers: who writes a job's qbXML and who reads QuickBooks' answer.

The exchange owns the protocol (tickets, leases, progress); a handler owns one kind of
work. A job that was handed out and lost (its session died) is simply queued again; its
handler sees on the next claim that it was sent before and decides what that means (a
sync restarts its iterator, a payment first checks whether QuickBooks already has it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from qwc_service.queue.models import Job


@dataclass(frozen=True)
class JobContext:
    """What a handler may use: the unit of work, the session's id and qbXML version, the time."""

    db: Session
    session_id: int
    qbxml_version: str
    now: datetime


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
