"""Storing records read from QuickBooks: batched upserts of whole documents, and deletions.

Rows of ``records`` are keyed by (connection_id, record_type, ListID/TxnID) and every
statement filters by the connection, so two connections with the same IDs never touch each
other's rows. Records are applied in batches of :data:`BATCH_SIZE` per type — one SELECT of
the existing IDs, then bulk INSERTs and bulk UPDATEs by primary key — while the records are
still being read, so a response of 50,000 invoices never sits in memory as a whole.

An incoming record older than the stored row (by TimeModified, then EditSequence) leaves the
row alone: incremental queries overlap their time window and so re-send old versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, select, update
from sqlalchemy.orm import Session, SessionTransaction

from qwc_service.db import PLAN_FOR_VALUES, one_of
from qwc_service.records.models import StoredRecord
from qwc_service.records.parsed import DeletedRecord, ParseProblem, RecordDocument
from qwc_service.records.pgcopy import insert_rows, without_unwritable
from qwc_service.records.writebehind import WriteBehind

__all__ = [
    "BATCH_SIZE",
    "ApplyResult",
    "apply_deletions",
    "apply_records",
]

BATCH_SIZE = 500
# The bound parameter naming the row of a bulk UPDATE ("id" would be SET as a column).
_ROW_ID = "row_id"


@dataclass
class ApplyResult:
    """What applying a stream of records did.

    ``upserted`` counts rows inserted or updated (``by_type`` per record type); ``kept_newer``
    the records skipped because the stored row is newer. ``max_time_modified`` (and its raw
    text, to send back to QuickBooks) covers every record read, stored or not; with
    ``max_modified_by_type`` per type. Deletions met in the stream are counted in ``deleted``.
    """

    upserted: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    problems: list[ParseProblem] = field(default_factory=list)
    max_time_modified: datetime | None = None
    max_time_modified_raw: str | None = None
    max_modified_by_type: dict[str, tuple[datetime, str | None]] = field(default_factory=dict)
    kept_newer: int = 0
    deleted: int = 0
    max_time_deleted: datetime | None = None
    max_time_deleted_raw: str | None = None

    def merge(self, part: ApplyResult) -> None:
        """Add the counts and problems of a write made for this result into it."""
        self.upserted += part.upserted
        self.kept_newer += part.kept_newer
        self.problems += part.problems
        for record_type, count in part.by_type.items():
            self.by_type[record_type] = self.by_type.get(record_type, 0) + count

    def _saw(self, record: RecordDocument) -> None:
        when = record.time_modified
        if when is None:
            return
        raw = record.time_modified_raw
        if self.max_time_modified is None or when > self.max_time_modified:
            self.max_time_modified, self.max_time_modified_raw = when, raw
        best = self.max_modified_by_type.get(record.record_type)
        if best is None or when > best[0]:
            self.max_modified_by_type[record.record_type] = (when, raw)

    def _saw_deletion(self, gone: DeletedRecord) -> None:
        when = gone.time_deleted
        if when is not None and (self.max_time_deleted is None or when > self.max_time_deleted):
            self.max_time_deleted, self.max_time_deleted_raw = when, gone.time_deleted_raw


def apply_records(
    db: Session,
    connection_id: str,
    records: Iterable[RecordDocument | DeletedRecord | ParseProblem],
    *,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    write_behind: bool = False,
) -> ApplyResult:
    """Upsert ``records`` for one connection, batch by batch, as the iterable yields them.

    Takes everything a :class:`~qwc_service.records.parse.ResponseReader` yields: problems are
    collected in the result, deletions are applied as by :func:`apply_deletions`, in stream
    order with the records. Does not commit. A record whose identity does not fit its
    column, or whose document PostgreSQL refuses, becomes a problem naming it, not an error.

    All or nothing: when iterating ``records`` raises (a response that breaks off half way),
    what was written from it is rolled back and the unit of work's earlier changes are kept.

    With ``write_behind``, a full batch met while the stream is being read is written on a
    second thread while the next one is read, so the wait for the database overlaps the
    reading; ``records`` must then not use ``db``.
    """
    pending = _Pending(db, connection_id, now, batch_size, write_behind)
    try:
        try:
            for item in records:
                if isinstance(item, ParseProblem):
                    pending.result.problems.append(item)
                elif isinstance(item, DeletedRecord):
                    pending.add_deletion(item)
                else:
                    pending.add_record(item)
            pending.settle()
        except BaseException:
            # The write in flight uses the session: it must be over before the rollback.
            pending.behind.close()
            if pending.savepoint is not None:
                pending.savepoint.rollback()
            raise
        # The stream is read to its end: what is left cannot be undone by a reading error.
        pending.streaming = False
        pending.flush_records()
        pending.flush_deletions()
        if pending.savepoint is not None:
            pending.savepoint.commit()
        return pending.result
    finally:
        pending.behind.close()


class _Pending:
    """Records and deletions waiting to be written, a batch per record type.

    Switching between records and deletions writes what is waiting first, so a record that
    comes back after its deletion in one stream ends up live, and the other way round.

    A savepoint is taken before the first write made while the stream is still being read,
    and only then: a page of a sync is written after it has been read whole, and the two
    round trips of a savepoint would be a tenth of its cost.
    """

    def __init__(
        self, db: Session, connection_id: str, now: datetime, size: int, write_behind: bool
    ) -> None:
        self.session, self.connection_id, self.now, self.size = db, connection_id, now, size
        self.write_behind = write_behind
        self.result = ApplyResult()
        self.records: dict[str, list[RecordDocument]] = {}
        self.deletions: list[DeletedRecord] = []
        self.streaming = True
        self.savepoint: SessionTransaction | None = None
        self.behind = WriteBehind()
        self._in_flight: ApplyResult | None = None

    def _before_write(self) -> None:
        # Whatever comes next uses the session: the write in flight must be over.
        self.settle()
        if self.streaming and self.savepoint is None:
            self.savepoint = self.session.begin_nested()

    def add_record(self, record: RecordDocument) -> None:
        """Queue a record; a full batch of its type is written at once."""
        self.result._saw(record)
        if self.deletions:
            self.flush_deletions()
        batch = self.records.setdefault(record.record_type, [])
        batch.append(record)
        if len(batch) < self.size:
            return
        if self.write_behind:
            self._write_behind(record.record_type, batch)
            self.records[record.record_type] = []
        else:
            self._write(record.record_type, batch)

    def add_deletion(self, gone: DeletedRecord) -> None:
        """Queue a deletion, after writing the records read before it."""
        self.result._saw_deletion(gone)
        self.flush_records()
        self.deletions.append(gone)
        if len(self.deletions) >= self.size:
            self.flush_deletions()

    def _write(self, record_type: str, batch: list[RecordDocument]) -> None:
        self._before_write()
        _upsert(self.session, self.connection_id, record_type, batch, self.now, self.result)
        batch.clear()

    def _write_behind(self, record_type: str, batch: list[RecordDocument]) -> None:
        """Write ``batch`` on the writer thread; its counts join the result once it is done."""
        self._before_write()
        db, connection_id, now = self.session, self.connection_id, self.now
        # The write counts into a result of its own, merged once it is over, so the result
        # is only ever changed by this thread.
        part = self._in_flight = ApplyResult()
        self.behind.submit(lambda: _upsert(db, connection_id, record_type, batch, now, part))

    def settle(self) -> None:
        """Wait for the write in flight (raising its error) and count what it stored."""
        self.behind.wait()
        part, self._in_flight = self._in_flight, None
        if part is not None:
            self.result.merge(part)

    def flush_records(self) -> None:
        """Write every waiting record."""
        for record_type, batch in self.records.items():
            if batch:
                self._write(record_type, batch)

    def flush_deletions(self) -> None:
        """Mark every waiting deletion."""
        if self.deletions:
            self._before_write()
            self.result.deleted += apply_deletions(
                self.session, self.connection_id, self.deletions, now=self.now
            )
            self.deletions = []


def _stored_is_newer(
    stored_modified: datetime | None, stored_sequence: str | None, record: RecordDocument
) -> bool:
    """True when the stored version is strictly later than ``record``."""
    incoming = record.time_modified
    if stored_modified is None or incoming is None:
        return False
    if stored_modified != incoming:
        return stored_modified > incoming
    # Same second: EditSequence (QuickBooks writes a number that grows with each edit).
    stored, new = stored_sequence or "", record.edit_sequence or ""
    if stored.isdigit() and new.isdigit():
        return int(stored) > int(new)
    return False


def _latest_per_id(batch: list[RecordDocument]) -> dict[str, RecordDocument]:
    """One record per ID: when a batch holds an ID twice, the later version."""
    latest: dict[str, RecordDocument] = {}
    for record in batch:
        key = record.qb_id
        earlier = latest.get(key)
        if earlier is None or not _stored_is_newer(
            earlier.time_modified, earlier.edit_sequence, record
        ):
            latest[key] = record
    return latest


_TABLE = cast(Table, StoredRecord.__table__)


def _row(record: RecordDocument, connection_id: str, now: datetime) -> dict[str, Any]:
    """The column values of a record's row (a record read again is live again)."""
    return {
        "connection_id": connection_id,
        "record_type": record.record_type,
        "object_name": record.object_name,
        "qb_id": record.qb_id,
        "edit_sequence": record.edit_sequence,
        "time_created": record.time_created,
        "time_modified": record.time_modified,
        "time_modified_raw": record.time_modified_raw,
        "deleted_at": None,
        "synced_at": now,
        **record.columns,
        "document": record.document,
    }


def _misfit(record: RecordDocument) -> str | None:
    """Why the record's stamps cannot be stored as they are, or None."""
    if len(record.qb_id) > _ID_LENGTH:
        return f"its ID has {len(record.qb_id)} characters, more than the {_ID_LENGTH} stored"
    sequence = record.edit_sequence
    if sequence is not None and len(sequence) > _SEQUENCE_LENGTH:
        return f"its EditSequence has {len(sequence)} characters, more than {_SEQUENCE_LENGTH}"
    raw = record.time_modified_raw
    if raw is not None and len(raw) > _RAW_TIME_LENGTH:
        return f"its TimeModified has {len(raw)} characters, more than {_RAW_TIME_LENGTH}"
    return None


def _length(column: str) -> int:
    kind = _TABLE.c[column].type
    assert isinstance(kind, String) and kind.length is not None
    return kind.length


_ID_LENGTH = _length("qb_id")
_SEQUENCE_LENGTH = _length("edit_sequence")
_RAW_TIME_LENGTH = _length("time_modified_raw")


def _upsert(
    db: Session,
    connection_id: str,
    record_type: str,
    batch: list[RecordDocument],
    now: datetime,
    result: ApplyResult,
) -> None:
    """Write one batch of one record type: newer versions in, stale ones counted and left."""
    latest = _latest_per_id(batch)
    existing = {
        key: (row_id, modified, sequence)
        for row_id, key, modified, sequence in db.execute(
            select(
                _TABLE.c.id, _TABLE.c.qb_id, _TABLE.c.time_modified, _TABLE.c.edit_sequence
            ).where(
                _TABLE.c.connection_id == connection_id,
                _TABLE.c.record_type == record_type,
                one_of(db, _TABLE.c.qb_id, list(latest)),
            ),
            execution_options=PLAN_FOR_VALUES,
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, record in latest.items():
        stored = existing.get(key)
        if stored is not None and _stored_is_newer(stored[1], stored[2], record):
            result.kept_newer += 1
            continue
        problem = _misfit(record)
        if problem is not None:
            result.problems.append(ParseProblem(record.ret_name, key[:80], problem))
            continue
        row = _row(record, connection_id, now)
        if stored is None:
            inserts.append(row)
        else:
            row[_ROW_ID] = stored[0]
            updates.append(row)
    # Core statements on the table: one COPY or multi-row INSERT and one executemany UPDATE
    # per batch (the ORM's bulk paths split a batch wherever the pattern of None values
    # changes).
    unwritten = insert_rows(db, _TABLE, inserts)
    inserted = len(inserts) - len(unwritten)
    updates, refused = without_unwritable(db, _TABLE, updates)
    unwritten += refused
    if updates:
        db.execute(_update_by_id(), updates)
        _expire(db, [u[_ROW_ID] for u in updates])
    for row, why in unwritten:
        result.problems.append(ParseProblem(f"{row['object_name']}Ret", row["qb_id"], why))
    stored_count = inserted + len(updates)
    result.upserted += stored_count
    result.by_type[record_type] = result.by_type.get(record_type, 0) + stored_count


def _update_by_id() -> Any:
    """An UPDATE of the row whose id is the ``row_id`` parameter; SET comes from the other
    parameters (executed with a list, it runs once per row)."""
    return update(_TABLE).where(_TABLE.c.id == bindparam(_ROW_ID))


def _expire(db: Session, row_ids: list[int]) -> None:
    """Bulk statements bypass the session: let loaded copies of these rows reload."""
    if not db.identity_map:
        return
    for row_id in row_ids:
        loaded = db.identity_map.get(db.identity_key(StoredRecord, row_id))
        if loaded is not None:
            db.expire(loaded)


def apply_deletions(
    db: Session, connection_id: str, deleted: Iterable[DeletedRecord], *, now: datetime
) -> int:
    """Mark the stored rows QuickBooks reports deleted; returns how many rows were marked.

    ``deleted_at`` is QuickBooks' TimeDeleted (``now`` when it gave none); rows are never
    removed. Deletions of records not stored, or of types the registry does not know,
    change nothing.
    """
    by_type: dict[str, dict[str, DeletedRecord]] = {}
    for gone in deleted:
        record_type = gone.record_type
        if record_type is not None:
            by_type.setdefault(record_type, {})[gone.qb_id] = gone
    marked = 0
    for record_type, wanted in by_type.items():
        ids = list(wanted)
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            marked += _mark_deleted(db, connection_id, record_type, wanted, chunk, now)
    return marked


def _mark_deleted(
    db: Session,
    connection_id: str,
    record_type: str,
    wanted: dict[str, DeletedRecord],
    ids: list[str],
    now: datetime,
) -> int:
    found = db.execute(
        select(_TABLE.c.id, _TABLE.c.qb_id).where(
            _TABLE.c.connection_id == connection_id,
            _TABLE.c.record_type == record_type,
            one_of(db, _TABLE.c.qb_id, ids),
        ),
        execution_options=PLAN_FOR_VALUES,
    ).all()
    if not found:
        return 0
    changes = [
        {_ROW_ID: row_id, "deleted_at": wanted[key].time_deleted or now, "synced_at": now}
        for row_id, key in found
    ]
    db.execute(_update_by_id(), changes)
    _expire(db, [row_id for row_id, _ in found])
    return len(found)
