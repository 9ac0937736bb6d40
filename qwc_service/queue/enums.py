"""What a job's status and kind can be: the values stored on a job, without its table.

They live apart from :mod:`qwc_service.queue.models` so that what only lists them (the
command line's choices and help) need not load SQLAlchemy.
"""

from __future__ import annotations

import enum


class JobStatus(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    SENT = "sent"
    DONE = "done"
    ERROR = "error"
    CANCELLED = "cancelled"


#: The statuses a job ends in: nothing changes it after one of these.
FINISHED = frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED})


class JobKind(enum.StrEnum):
    """Who prepares a job's request and reads its response."""

    RAW = "raw"  # qbXML queued as it is; the response is stored on the job
    SYNC = "sync"  # one page of a scheduled sync (query or deletions)
    PAYMENT = "payment"  # a ReceivePaymentAdd written at most once (checked if its answer was lost)
