"""Where a sync job stands: the state its handler keeps in the job's payload between pages.

A sync job carries one :class:`SyncState`, stored as JSON in ``Job.payload``. The JSON keys
are fixed by the jobs already queued: ``type``, ``phase``, ``from``, ``deleted_from``,
``max_returned``, ``iterator_id``, ``pages``, ``restarts``, ``max_seen_raw``, ``started_at``
and ``expected_pages`` from the moment the job is queued, and the :data:`OPTIONAL_KEYS` from
the moment the handler first sets them. A payload is written back with exactly the keys it
was read with, plus those set since, so a job moves between releases without a migration.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from math import ceil
from typing import Any

from qwc_service.clock import isoformat
from qwc_service.records.registry import RecordType
from qwc_service.sync.requests import later_of

__all__ = ["OPTIONAL_KEYS", "PROBLEM_SAMPLES", "Phase", "SyncState"]

#: How many unreadable records a sync keeps as examples.
PROBLEM_SAMPLES = 3

#: Keys the JSON holds only once the handler has set them (their fields share the name).
OPTIONAL_KEYS = frozenset(
    {
        "awaiting",
        "iterator_session",
        "retries",
        "stored",
        "deleted",
        "problems",
        "problem_samples",
        "warning",
        "max_deleted_raw",
    }
)


class Phase(enum.StrEnum):
    """A sync reads pages of records, then (when it had a watermark) the deletions since."""

    QUERY = "query"
    DELETED = "deleted"


@dataclass(frozen=True)
class SyncState:
    """One sync: its watermarks, the iterator it reads, its pages and what they held.

    The ``*_raw`` and watermark members are QuickBooks' own date-time text with its offset,
    kept as written so a watermark is never moved by this server's clock.
    """

    type: RecordType
    max_returned: int
    phase: Phase = Phase.QUERY
    # The watermark: changes since this time (overlapping a little), or everything if None
    # (always None for a type whose query cannot ask for changes).
    modified_from: str | None = None
    # The deletion watermark the deletions round asks from (None: no deletions round).
    deleted_from: str | None = None
    iterator_id: str | None = None
    # The session whose QuickBooks holds the iterator: it dies with that session.
    iterator_session: int | None = None
    # A request was handed out and its answer has not come back.
    awaiting: bool = False
    pages: int = 0
    expected_pages: int | None = None
    restarts: int = 0
    retries: int = 0
    max_seen_raw: str | None = None
    max_deleted_raw: str | None = None
    started_at: datetime | None = None
    stored: int = 0
    deleted: int = 0
    problems: int = 0
    problem_samples: tuple[str, ...] = ()
    warning: str | None = None
    # Optional keys written even at their default: those read and those set since. It keeps
    # the JSON as the handler has always written it, and is no part of the state's value.
    present: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    # -- the stored JSON -------------------------------------------------------------------

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> SyncState:
        """The state a job's payload holds; a missing key reads as the handler's default."""
        started = payload.get("started_at")
        return cls(
            type=RecordType(payload["type"]),
            max_returned=int(payload["max_returned"]),
            phase=Phase(payload["phase"]),
            modified_from=payload.get("from"),
            deleted_from=payload.get("deleted_from"),
            iterator_id=payload.get("iterator_id"),
            iterator_session=payload.get("iterator_session"),
            awaiting=bool(payload.get("awaiting")),
            pages=int(payload.get("pages") or 0),
            expected_pages=payload.get("expected_pages"),
            restarts=int(payload.get("restarts") or 0),
            retries=int(payload.get("retries") or 0),
            max_seen_raw=payload.get("max_seen_raw"),
            max_deleted_raw=payload.get("max_deleted_raw"),
            started_at=None if started is None else datetime.fromisoformat(started),
            stored=int(payload.get("stored") or 0),
            deleted=int(payload.get("deleted") or 0),
            problems=int(payload.get("problems") or 0),
            problem_samples=tuple(payload.get("problem_samples") or ()),
            warning=payload.get("warning"),
            present=OPTIONAL_KEYS & payload.keys(),
        )

    def to_payload(self) -> dict[str, Any]:
        """The JSON to store: the keys the job was queued with, optional ones once set."""
        payload: dict[str, Any] = {
            "type": self.type.value,
            "phase": self.phase.value,
            "from": self.modified_from,
            "deleted_from": self.deleted_from,
            "max_returned": self.max_returned,
            "iterator_id": self.iterator_id,
            "pages": self.pages,
            "restarts": self.restarts,
            "max_seen_raw": self.max_seen_raw,
            "started_at": isoformat(self.started_at),
            "expected_pages": self.expected_pages,
        }
        for name in sorted(OPTIONAL_KEYS):
            value = getattr(self, name)
            if name in self.present or value != _DEFAULTS[name]:
                payload[name] = list(value) if isinstance(value, tuple) else value
        return payload

    # -- reading it ------------------------------------------------------------------------

    @property
    def incremental(self) -> bool:
        """A later sync of a type that can ask for changes: it reads those since its watermark."""
        return self.modified_from is not None

    @property
    def reads_deletions(self) -> bool:
        """After its pages the sync asks for deletions: a later sync of a type QuickBooks
        reports deletions of (a first sync has nothing stored that could have gone)."""
        return self.deleted_from is not None and self.type.reads_deletions

    def interrupted(self, session_id: int) -> bool:
        """The last page went unanswered, or its iterator died with another session."""
        return self.awaiting or (bool(self.iterator_id) and self.iterator_session != session_id)

    def summary(self) -> str:
        """One line for the job's status message: pages, records, deletions, problems."""
        text = f"{self.type.value}: {self.stored} stored in {self.pages} page(s)"
        if self.expected_pages:
            text += f" of {self.expected_pages} expected"
        if self.phase == Phase.DELETED or self.deleted:
            text += f"; {self.deleted} marked deleted"
        if self.warning:
            text += f"; QuickBooks warned {self.warning}"
        if self.problems:
            samples = "; ".join(self.problem_samples)
            text += f"; {self.problems} record(s) could not be read: {samples}"
        return text[:2000]

    # -- moving it on ----------------------------------------------------------------------

    def started(self, at: datetime) -> SyncState:
        """The sync's first request goes out at ``at`` (kept to the second, as stored)."""
        return replace(self, started_at=at.astimezone(UTC).replace(microsecond=0))

    def sent(self) -> SyncState:
        """A request is with QuickBooks."""
        return self._set(awaiting=True)

    def answered(self) -> SyncState:
        """QuickBooks answered the request."""
        return self._set(awaiting=False)

    def warned(self, text: str) -> SyncState:
        """QuickBooks answered with a warning; the last one is kept."""
        return self._set(warning=text[:300])

    def counted(self, upserted: int, deleted: int, problems: Sequence[object]) -> SyncState:
        """Add what one response stored, marked deleted, and could not read."""
        changes: dict[str, Any] = {
            "stored": self.stored + upserted,
            "deleted": self.deleted + deleted,
        }
        if problems:
            samples = list(self.problem_samples)
            samples += [str(p)[:200] for p in problems[: PROBLEM_SAMPLES - len(samples)]]
            changes["problems"] = self.problems + len(problems)
            changes["problem_samples"] = tuple(samples)
        return self._set(**changes)

    def page_read(self, max_time_modified_raw: str | None, remaining: int) -> SyncState:
        """One more page read; the first page tells how many pages the iterator holds."""
        pages = self.pages + 1
        expected = self.expected_pages
        if pages == 1:
            expected = 1 + ceil(remaining / self.max_returned)
        return replace(
            self,
            pages=pages,
            expected_pages=expected,
            max_seen_raw=later_of(self.max_seen_raw, max_time_modified_raw),
        )

    def continued(self, iterator_id: str, session_id: int) -> SyncState:
        """The next page is read through ``iterator_id``, in this session only."""
        return self._set(iterator_id=iterator_id, iterator_session=session_id)

    def pages_done(self) -> SyncState:
        """The iterator is exhausted."""
        return self._set(iterator_id=None, iterator_session=None)

    def deletions_read(self, max_time_deleted_raw: str | None) -> SyncState:
        """The deletions round answered; keep the latest deletion time seen."""
        return self._set(max_deleted_raw=later_of(self.max_deleted_raw, max_time_deleted_raw))

    def retried(self) -> SyncState:
        """A passing failure: the sync is tried again later."""
        return self._set(retries=self.retries + 1)

    def restarted(self) -> SyncState:
        """Forget the iterator: the next request reads again from the same watermark.

        The counts describe the read that completes; records read twice are stored once.
        """
        return replace(
            self,
            phase=Phase.QUERY,
            iterator_id=None,
            iterator_session=None,
            pages=0,
            expected_pages=None,
            max_seen_raw=None,
            stored=0,
            problems=0,
            problem_samples=(),
            warning=None,
            present=(self.present | {"iterator_session"})
            - {"stored", "problems", "problem_samples", "warning"},
        )

    def _set(self, **changes: Any) -> SyncState:
        # Optional keys set here are written even when the value is their default.
        return replace(self, present=self.present | (OPTIONAL_KEYS & changes.keys()), **changes)


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(SyncState)}
