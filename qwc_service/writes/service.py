"""Queuing a write, at most once per idempotency key, and an operator's way out of doubt.

``submit_write`` checks the request (its name, its fields, the lists it names), writes the
server's own lookup key into it (an ExternalGUID where the record has one), and stores the
write with its job. The idempotency key is the caller's promise that the same key always
means the same write: the same key with the same fields returns the first write, with
other fields it is refused.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qwc_service.connections.queries import ConnectionDisabled, get_connection
from qwc_service.qbxml.requests import build_request
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.queue.payload import store_payload
from qwc_service.queue.service import get_job
from qwc_service.writes.merge import keep_lines
from qwc_service.writes.models import Write, WriteStatus
from qwc_service.writes.references import check_references
from qwc_service.writes.shapes import (
    EXTERNAL_GUID_REQUESTS,
    WriteKind,
    build_request_element,
    canonical,
    check_fields,
    kind_of,
    object_of,
    refused,
    with_external_guid,
)
from qwc_service.writes.stored import stored_record

__all__ = [
    "MAX_KEY_LENGTH",
    "IdempotencyKeyReused",
    "Submitted",
    "WriteNotFound",
    "WriteNotResolvable",
    "fields_digest",
    "get_write",
    "key_in_use",
    "memo_marker",
    "submit_write",
    "write_of_job",
]

MAX_KEY_LENGTH = 200
PHASE = "phase"


class IdempotencyKeyReused(ValueError):
    """The idempotency key was already used for a write with other fields."""


class WriteNotFound(LookupError):
    """No write with this id (or job) exists for this connection."""


class WriteNotResolvable(ValueError):
    """The write is not waiting for an operator, or the resolution asked for is not possible."""


@dataclass(frozen=True)
class Submitted:
    """The write and whether it was made now (False: the key's first write is returned)."""

    write: Write
    created: bool


def fields_digest(request: str, fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the request name and fields, in a canonical JSON form."""
    text = json.dumps([request, fields], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def memo_marker(idempotency_key: str) -> str:
    """``qwc:`` and 16 hex digits of the key's hash, written into a memo to find it again."""
    return "qwc:" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:16]


def submit_write(
    db: Session,
    connection_id: str,
    *,
    request: str,
    fields: Any,
    idempotency_key: str | None,
    depends_on: int | None = None,
    ref_number: str | None = None,
) -> Submitted:
    """Queue one write; the same key and fields return the first one.

    ``ref_number`` names the RefNumber the caller wrote together with :func:`memo_marker`
    into the Memo, as a second way to find the record. Raises :class:`InvalidWrite` (with
    the field), :class:`IdempotencyKeyReused`, ConnectionDisabled, ConnectionNotFound, and
    JobNotFound for a ``depends_on`` of no job of the connection.
    """
    key = _check_key(idempotency_key)
    request = canonical((request or "").strip())
    kind = kind_of(request)
    check_fields(request, fields)
    digest = fields_digest(request, fields)
    connection = get_connection(db, connection_id)
    existing = _by_key(db, connection_id, key)
    if existing is not None:
        return Submitted(_replay(existing, digest), created=False)
    if connection.disabled_at is not None:
        raise ConnectionDisabled(f"connection {connection_id!r} is disabled")
    if depends_on is not None:
        get_job(db, connection_id, depends_on)
    check_references(db, connection_id, fields)
    sent_fields = dict(fields)
    write = Write(
        connection_id=connection_id,
        idempotency_key=key,
        request=request,
        fields_digest=digest,
        status=WriteStatus.QUEUED,
    )
    if request in EXTERNAL_GUID_REQUESTS:
        guid = sent_fields.get("ExternalGUID")
        if not isinstance(guid, str) or not guid.strip("{}0"):
            guid = "{" + str(uuid.uuid4()).upper() + "}"
        sent_fields = with_external_guid(sent_fields, guid)
        write.external_guid = guid
    marker = memo_marker(key)
    if ref_number and marker in str(sent_fields.get("Memo", "")):
        write.ref_number, write.memo_marker = ref_number, marker
    if kind is WriteKind.MOD:
        sent_fields, write.based_on = _mod_base(db, connection_id, request, sent_fields)
    write.fields = json.dumps(sent_fields, separators=(",", ":"))
    try:
        # A concurrent call with the same key loses on the unique index; the savepoint
        # keeps the caller's transaction usable so the winner can be returned.
        with db.begin_nested():
            db.add(write)
            db.flush()
            _queue_job(db, write, sent_fields, depends_on)
    except IntegrityError:
        winner = _by_key(db, connection_id, key)
        if winner is None:
            raise
        return Submitted(_replay(winner, digest), created=False)
    return Submitted(write, created=True)


def key_in_use(db: Session, connection_id: str, key: str) -> bool:
    """Whether the connection already has a write under this idempotency key."""
    return _by_key(db, connection_id, key.strip()) is not None


def get_write(db: Session, connection_id: str, write_id: int) -> Write:
    """One write of a connection, or :class:`WriteNotFound`."""
    write = db.get(Write, write_id)
    if write is None or write.connection_id != connection_id:
        raise WriteNotFound(f"no write {write_id} for connection {connection_id!r}")
    return write


def write_of_job(db: Session, job: Job) -> Write | None:
    """The write a job carries, if it is a write job."""
    if job.kind != JobKind.WRITE:
        return None
    return db.scalar(select(Write).where(Write.job_id == job.id))


def sent_fields(write: Write) -> dict[str, Any]:
    """The fields the write sends (the caller's, with the server's lookup key)."""
    value = json.loads(write.fields)
    assert isinstance(value, dict)
    return value


def _check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise refused("idempotency_key", "is required: the same key never writes twice")
    if len(key) > MAX_KEY_LENGTH:
        raise refused("idempotency_key", f"is longer than {MAX_KEY_LENGTH} characters")
    return key


def _by_key(db: Session, connection_id: str, key: str) -> Write | None:
    return db.scalar(
        select(Write).where(Write.connection_id == connection_id, Write.idempotency_key == key)
    )


def _replay(existing: Write, digest: str) -> Write:
    if existing.fields_digest != digest:
        raise IdempotencyKeyReused(
            f"idempotency key already used for write {existing.id} ({existing.request}) with "
            "other fields; use a new key for a different write"
        )
    return existing


def _mod_base(
    db: Session, connection_id: str, request: str, fields: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """The EditSequence to send (the caller's, else the stored record's), and the stored
    values of the caller's fields, which a stale EditSequence is judged against."""
    qb_id = fields.get("ListID") or fields.get("TxnID")
    if not isinstance(qb_id, str) or not qb_id:
        raise refused("ListID", f"{request} needs the ListID or TxnID of the record")
    stored = stored_record(db, connection_id, object_of(request), qb_id)
    if "EditSequence" not in fields:
        if stored is None or not stored.edit_sequence:
            raise refused(
                "EditSequence",
                f"no stored record {qb_id!r} to take it from; pass the record's EditSequence",
            )
        id_name = "ListID" if "ListID" in fields else "TxnID"
        ordered: dict[str, Any] = {}
        for name, value in fields.items():
            ordered[name] = value
            if name == id_name:
                ordered["EditSequence"] = stored.edit_sequence
        fields = ordered
    base = None
    if stored is not None:
        base = json.dumps({k: v for k, v in stored.values.items() if k in fields})
        # A transaction Mod that lists lines deletes the lines it leaves out: every stored
        # line goes with it, unchanged, so adding a line (a fee) never drops the others.
        for name, value in list(fields.items()):
            if isinstance(value, list) and name.endswith("LineMod"):
                current = stored.lines.get(name[: -len("Mod")] + "Ret")
                if current is not None:
                    fields = {**fields, name: keep_lines(value, current)}
    return fields, base


def _queue_job(db: Session, write: Write, fields: dict[str, Any], depends_on: int | None) -> Job:
    job = Job(
        connection_id=write.connection_id,
        # What will go out, without the message-set ID each attempt gets when handed out.
        qbxml=build_request(build_request_element(write.request, fields)),
        request_names=write.request + "Rq",
        kind=JobKind.WRITE,
        status=JobStatus.QUEUED,
        units_remaining=1,
        depends_on_id=depends_on,
    )
    store_payload(job, {"write_id": write.id, PHASE: "send"})
    db.add(job)
    db.flush()
    write.job_id = job.id
    return job
