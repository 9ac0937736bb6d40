"""Sync schedules: which record types a connection keeps in sync, how often, and when.

There is no scheduler process. A sync that is due becomes queued work when one of the
connection's machines authenticates (:func:`enqueue_due`), so any number of server
processes can share one database and nothing runs while no Web Connector is there to
take the work anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.connections.models import Connection
from qwc_service.connections.queries import ConnectionDisabled, get_connection
from qwc_service.qbxml.versions import DEFAULT_VERSION
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.queue.payload import store_payload
from qwc_service.records.registry import RecordType
from qwc_service.sync.defaults import DEFAULT_EVERY_MINUTES
from qwc_service.sync.models import SyncDefinition
from qwc_service.sync.requests import QUERY_REQUEST_NAMES, query_request
from qwc_service.sync.state import SyncState
from qwc_service.sync.windows import Window, window_of, zone_of

__all__ = [
    "DEFAULT_EVERY_MINUTES",
    "MAX_EVERY_MINUTES",
    "MAX_MAX_RETURNED",
    "PENDING",
    "SYNC_PRIORITY",
    "SyncNotFound",
    "SyncPlan",
    "SyncsAdded",
    "add_every_sync",
    "add_sync",
    "enqueue_due",
    "get_sync",
    "is_due",
    "list_syncs",
    "next_due_at",
    "pause_syncs",
    "read_plan",
    "remove_sync",
    "seconds_until_next_due",
    "sync_now",
]

# Scheduled reads give way to work queued by hand and to payment write-backs.
SYNC_PRIORITY = -100
MAX_EVERY_MINUTES = 7 * 24 * 60
MAX_MAX_RETURNED = 10_000
PENDING = (JobStatus.QUEUED, JobStatus.SENT)
_TYPE_ORDER = {t.value: n for n, t in enumerate(RecordType)}


class SyncNotFound(LookupError):
    """The connection has no sync of this record type."""


# -- managing definitions ------------------------------------------------------------------


def add_sync(
    db: Session,
    connection_id: str,
    record_type: RecordType | str,
    every_minutes: int,
    window: str | Window | None = None,
    max_returned: int = 100,
) -> SyncDefinition:
    """Keep a record type in sync every ``every_minutes``, optionally only inside a window.

    Adding a type the connection already syncs updates its interval, window and page size;
    its watermarks stay, so the next sync is still incremental.
    """
    get_connection(db, connection_id)
    kind = record_type if isinstance(record_type, RecordType) else RecordType.parse(record_type)
    if not 1 <= every_minutes <= MAX_EVERY_MINUTES:
        raise ValueError(f"the interval must be between 1 and {MAX_EVERY_MINUTES} minutes")
    if not 1 <= max_returned <= MAX_MAX_RETURNED:
        raise ValueError(f"max_returned must be between 1 and {MAX_MAX_RETURNED}")
    parsed = Window.parse(window) if isinstance(window, str) else window
    definition = _find(db, connection_id, kind)
    if definition is None:
        definition = SyncDefinition(connection_id=connection_id, record_type=kind.value)
        db.add(definition)
    definition.every_minutes = every_minutes
    definition.max_returned = max_returned
    definition.window_start = None if parsed is None else f"{parsed.start:%H:%M}"
    definition.window_end = None if parsed is None else f"{parsed.end:%H:%M}"
    db.flush()
    return definition


@dataclass(frozen=True)
class SyncsAdded:
    """What scheduling every record type did: the syncs it added and those it changed."""

    added: tuple[SyncDefinition, ...]
    updated: tuple[SyncDefinition, ...]


def add_every_sync(
    db: Session,
    connection_id: str,
    every_minutes: int | None = None,
    window: str | Window | None = None,
    max_returned: int | None = None,
) -> SyncsAdded:
    """Keep every record type in sync; a type already synced is changed, never doubled.

    A new sync runs every ``every_minutes`` (:data:`DEFAULT_EVERY_MINUTES` if not given),
    within ``window`` and ``max_returned`` records a page (100 if not given). An existing one
    takes only what is given and keeps the rest, and its watermarks, as they are.
    """
    get_connection(db, connection_id)
    parsed = Window.parse(window) if isinstance(window, str) else window
    existing = {d.record_type: d for d in list_syncs(db, connection_id)}
    added, updated = [], []
    for kind in RecordType:
        definition = existing.get(kind.value)
        if definition is None:
            added.append(
                add_sync(
                    db,
                    connection_id,
                    kind,
                    DEFAULT_EVERY_MINUTES if every_minutes is None else every_minutes,
                    parsed,
                    100 if max_returned is None else max_returned,
                )
            )
            continue
        add_sync(
            db,
            connection_id,
            kind,
            definition.every_minutes if every_minutes is None else every_minutes,
            window_of(definition) if parsed is None else parsed,
            definition.max_returned if max_returned is None else max_returned,
        )
        updated.append(definition)
    return SyncsAdded(tuple(added), tuple(updated))


def list_syncs(db: Session, connection_id: str) -> list[SyncDefinition]:
    """A connection's sync definitions, in the order of :class:`RecordType`."""
    get_connection(db, connection_id)
    rows = db.scalars(select(SyncDefinition).where(SyncDefinition.connection_id == connection_id))
    return sorted(rows, key=lambda d: _TYPE_ORDER.get(d.record_type, len(_TYPE_ORDER)))


def get_sync(db: Session, connection_id: str, record_type: RecordType | str) -> SyncDefinition:
    """The connection's sync of one record type, or SyncNotFound."""
    get_connection(db, connection_id)
    kind = record_type if isinstance(record_type, RecordType) else RecordType.parse(record_type)
    definition = _find(db, connection_id, kind)
    if definition is None:
        raise SyncNotFound(f"connection {connection_id!r} has no {kind.value} sync")
    return definition


def remove_sync(db: Session, connection_id: str, record_type: RecordType | str) -> int:
    """Stop syncing a record type; its queued work is cancelled. Returns how many jobs.

    A page already handed to QuickBooks is still read when it comes back; the sync then
    ends there. Records already stored stay.
    """
    definition = get_sync(db, connection_id, record_type)
    queued = list(
        db.scalars(
            select(Job).where(
                Job.sync_definition_id == definition.id, Job.status == JobStatus.QUEUED
            )
        )
    )
    now = utcnow()
    for job in queued:
        job.status = JobStatus.CANCELLED
        job.completed_at = now
        job.error = "the sync was removed"
    db.delete(definition)
    db.flush()
    return len(queued)


def pause_syncs(
    db: Session,
    connection_id: str,
    until: datetime,
    record_type: RecordType | str | None = None,
) -> list[SyncDefinition]:
    """Pause a connection's syncs (or one of them) until ``until``; a past time resumes them.

    Syncs queued but not yet started wait for the pause to end as well; a sync already
    reading pages finishes.
    """
    if until.tzinfo is None:
        raise ValueError("the pause needs a time with a UTC offset")
    if record_type is None:
        definitions = list_syncs(db, connection_id)
    else:
        definitions = [get_sync(db, connection_id, record_type)]
    for definition in definitions:
        definition.paused_until = until
    ids = [d.id for d in definitions]
    if ids:
        waiting = db.scalars(
            select(Job).where(
                Job.sync_definition_id.in_(ids),
                Job.status == JobStatus.QUEUED,
                Job.pinned_session_id.is_(None),
                Job.attempts == 0,
            )
        )
        for job in waiting:
            job.not_before = until
    db.flush()
    return definitions


def sync_now(
    db: Session, connection_id: str, record_type: RecordType | str | None = None
) -> list[Job]:
    """Queue a connection's syncs (or one) now, whatever their interval, window or pause.

    A sync that already has work queued or in QuickBooks is not queued a second time.
    Returns the jobs queued.
    """
    connection = _lock_connection(db, connection_id)
    if connection.disabled_at is not None:
        raise ConnectionDisabled(f"connection {connection_id!r} is disabled")
    if record_type is None:
        definitions = list_syncs(db, connection_id)
    else:
        definitions = [get_sync(db, connection_id, record_type)]
    busy = _pending_definition_ids(db, connection_id)
    now = utcnow()
    return [_queue(db, d, now) for d in definitions if d.id not in busy]


# -- what authenticate calls ---------------------------------------------------------------


def is_due(definition: SyncDefinition, zone: ZoneInfo, now: datetime) -> bool:
    """Whether a definition should run now, leaving aside work it already has queued."""
    return next_due_at(definition, zone, now) <= now


def next_due_at(definition: SyncDefinition, zone: ZoneInfo, now: datetime) -> datetime:
    """When a definition is next due: interval, pause and daily window taken together.

    The interval counts from the last start (or the last request to sync now), so a sync
    that failed is tried again one interval later, not at once.
    """
    due = now
    anchors = [a for a in (definition.last_started_at, definition.requested_at) if a is not None]
    if anchors:
        due = max(due, max(anchors) + timedelta(minutes=definition.every_minutes))
    if definition.paused_until is not None:
        due = max(due, definition.paused_until)
    window = window_of(definition)
    if window is not None:
        due = window.next_opening(due, zone)
    return due


@dataclass(frozen=True)
class SyncPlan:
    """What a login found about a connection's syncs, from one read.

    ``due``: the definitions to queue now, in type order. ``next_due_seconds``: when a
    sync next has work (0: now), counting queued pages that wait for a retry delay; None
    when the connection has no syncs.
    """

    due: tuple[SyncDefinition, ...]
    next_due_seconds: int | None


# Built once: a login reads it. Per definition, its pending jobs (queued or unanswered):
# how many, how many wait for a retry time, and the soonest such time.
_PENDING_OF = (
    select(
        Job.sync_definition_id.label("definition_id"),
        func.count().label("jobs"),
        func.count(Job.not_before).label("delayed"),
        func.min(Job.not_before).label("soonest"),
    )
    .where(
        Job.connection_id == bindparam("connection_id"),
        Job.sync_definition_id.is_not(None),
        Job.status.in_(PENDING),
    )
    .group_by(Job.sync_definition_id)
    .subquery()
)
_PLAN = (
    select(SyncDefinition, _PENDING_OF.c.jobs, _PENDING_OF.c.delayed, _PENDING_OF.c.soonest)
    .outerjoin(_PENDING_OF, _PENDING_OF.c.definition_id == SyncDefinition.id)
    .where(SyncDefinition.connection_id == bindparam("connection_id"))
)


def read_plan(db: Session, connection: Connection, now: datetime) -> SyncPlan:
    """The connection's due syncs and the time until the next one, in one query."""
    if connection.disabled_at is not None:
        return SyncPlan(due=(), next_due_seconds=None)
    zone = zone_of(connection)
    due: list[SyncDefinition] = []
    soonest: datetime | None = None
    for definition, jobs, delayed, retry_at in db.execute(_PLAN, {"connection_id": connection.id}):
        if jobs:
            # Pending work is ready now unless every page of it waits for a retry time.
            moment = now if delayed < jobs or retry_at is None else max(now, retry_at)
        else:
            moment = next_due_at(definition, zone, now)
            if moment <= now:
                due.append(definition)
        soonest = moment if soonest is None else min(soonest, moment)
    due.sort(key=lambda d: _TYPE_ORDER.get(d.record_type, len(_TYPE_ORDER)))
    seconds = None if soonest is None else max(0, ceil((soonest - now).total_seconds()))
    return SyncPlan(due=tuple(due), next_due_seconds=seconds)


def enqueue_due(
    db: Session, connection: Connection, now: datetime, plan: SyncPlan | None = None
) -> list[Job]:
    """Queue the first page of every sync of ``connection`` that is due and not pending.

    Called while a machine authenticates, with the connection row locked, so two logins
    never queue the same sync twice.
    """
    plan = plan or read_plan(db, connection, now)
    return [_queue(db, d, now, requested=False) for d in plan.due]


def seconds_until_next_due(db: Session, connection: Connection, now: datetime) -> int | None:
    """Seconds until a sync of ``connection`` has work (0: now), or None without syncs.

    Counts syncs that will come due and queued sync work that waits for a retry delay.
    """
    return read_plan(db, connection, now).next_due_seconds


# -- helpers -------------------------------------------------------------------------------


def _queue(
    db: Session, definition: SyncDefinition, now: datetime, *, requested: bool = True
) -> Job:
    """The first job of a sync; its handler writes each page's request when handed out."""
    kind = RecordType(definition.record_type)
    state = SyncState(
        type=kind,
        max_returned=definition.max_returned,
        modified_from=definition.watermark if kind.reads_changes else None,
        deleted_from=(definition.deleted_watermark or definition.watermark)
        if kind.reads_deletions
        else None,
    )
    job = Job(
        connection_id=definition.connection_id,
        kind=JobKind.SYNC,
        status=JobStatus.QUEUED,
        priority=SYNC_PRIORITY,
        sync_definition_id=definition.id,
        qbxml=query_request(kind, version=DEFAULT_VERSION, max_returned=definition.max_returned),
        request_names=QUERY_REQUEST_NAMES[kind],
        # A later sync has a deletions round after its pages.
        units_remaining=2 if state.reads_deletions else 1,
        attempts=0,
    )
    store_payload(job, state.to_payload())
    if requested:
        definition.requested_at = now
    db.add(job)
    db.flush()
    return job


def _find(db: Session, connection_id: str, kind: RecordType) -> SyncDefinition | None:
    return db.scalar(
        select(SyncDefinition).where(
            SyncDefinition.connection_id == connection_id,
            SyncDefinition.record_type == kind.value,
        )
    )


def _pending_definition_ids(db: Session, connection_id: str) -> set[int]:
    rows = db.scalars(
        select(Job.sync_definition_id).where(
            Job.connection_id == connection_id,
            Job.sync_definition_id.is_not(None),
            Job.status.in_(PENDING),
        )
    )
    return {row for row in rows if row is not None}


def _lock_connection(db: Session, connection_id: str) -> Connection:
    # Serialises with authenticate, which queues due syncs under the same lock.
    connection = db.scalar(
        select(Connection).where(Connection.id == connection_id).with_for_update()
    )
    if connection is None:
        return get_connection(db, connection_id)
    return connection
