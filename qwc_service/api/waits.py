"""Answering once a job has finished: the ``wait`` parameter and the limit on waits.

A waiting request keeps one of its worker's threads for up to :data:`MAX_WAIT_SECONDS`,
and the same threads answer the Web Connector; so a worker lets only so many requests
wait at once (``QWC_MAX_WAITS_PER_WORKER``) and refuses the next with 429 and a
``Retry-After``, before doing anything else: a refused enqueue has queued nothing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import monotonic
from typing import Any

from qwc_service.api.fields import Field
from qwc_service.http.errors import HttpError
from qwc_service.queue.models import Job

__all__ = ["MAX_WAIT_SECONDS", "WAIT", "JobWait", "WaitSlots"]

MAX_WAIT_SECONDS = 60

WAIT = Field(
    "wait",
    "integer",
    "Answer once the job has finished (done, error or cancelled) or after this many "
    "seconds, whichever comes first; the job's status tells which. 0 answers at once. "
    "A server process lets only a few requests wait at once: more get 429 with Retry-After.",
    minimum=0,
    maximum=MAX_WAIT_SECONDS,
    default=0,
)


@dataclass(frozen=True)
class JobWait:
    """A handler's answer that is given once the job finishes or ``seconds`` pass.

    The API commits the handler's unit of work first (a job just queued must be visible to
    the Web Connector), waits, then calls ``reply`` with the job as it is then.
    """

    connection_id: str
    job_id: int
    seconds: int
    reply: Callable[[Job], Any]


class WaitSlots:
    """How many requests of this process may wait at once, and when the first one ends."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._deadlines: list[float] = []

    def resize(self, capacity: int) -> None:
        """Allow ``capacity`` waits from now on (those already waiting go on)."""
        with self._lock:
            self.capacity = capacity

    @property
    def held(self) -> int:
        """How many requests wait now."""
        with self._lock:
            return len(self._deadlines)

    @contextmanager
    def hold(self, seconds: int) -> Iterator[None]:
        """A slot for a wait of up to ``seconds``, or a 429 when every slot is taken."""
        deadline = monotonic() + seconds
        with self._lock:
            if len(self._deadlines) >= self.capacity:
                raise self._full()
            self._deadlines.append(deadline)
        try:
            yield
        finally:
            with self._lock:
                self._deadlines.remove(deadline)

    def _full(self) -> HttpError:
        # By then the soonest wait has ended, whether or not its job finished.
        soonest = min(self._deadlines, default=monotonic())
        retry = max(1, math.ceil(soonest - monotonic()))
        return HttpError(
            429,
            "too_many_waits",
            f"{self.capacity} request(s) already wait for jobs in this server process; "
            f"retry in {retry} s, or read the job without wait",
            field="wait",
            headers=(("Retry-After", str(retry)),),
        )
