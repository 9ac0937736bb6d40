"""Reading stored records: the Python API behind the CLI and the HTTP API.

Every query is scoped to one connection, and an unknown connection is an error
(:class:`~qwc_service.connections.queries.ConnectionNotFound`) rather than an empty list.
Pages are ordered by row id; pass the last id seen as ``after`` for the next page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, overload

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from qwc_service.connections.queries import get_connection
from qwc_service.records.models import Customer, Invoice, Item, Payment
from qwc_service.records.registry import RECORD_TYPES, RecordTypeSpec, StoredRecord, spec_of

__all__ = [
    "MAX_LIMIT",
    "RECORD_TYPES",
    "RecordNotFound",
    "UnknownRecordType",
    "count_records",
    "get_invoice",
    "get_record",
    "list_records",
]

MAX_LIMIT = 1000


class UnknownRecordType(ValueError):
    """The record type is not one of :data:`RECORD_TYPES`."""

    def __init__(self, record_type: str) -> None:
        super().__init__(
            f"unknown record type {record_type!r}: expected one of {', '.join(RECORD_TYPES)}"
        )


class RecordNotFound(LookupError):
    """The connection has no stored record with this ListID/TxnID."""

    def __init__(self, record_type: str, qb_id: str) -> None:
        super().__init__(f"no {record_type} record {qb_id!r} for this connection")


def _kind(record_type: str) -> RecordTypeSpec:
    try:
        return spec_of(record_type)
    except KeyError:
        raise UnknownRecordType(record_type) from None


def _filtered(
    db: Session,
    connection_id: str,
    record_type: str,
    modified_since: datetime | None,
    include_deleted: bool,
) -> tuple[RecordTypeSpec, Select[Any]]:
    """The kind and a SELECT of the rows that match, before ordering and paging."""
    kind = _kind(record_type)
    get_connection(db, connection_id)
    if modified_since is not None and modified_since.tzinfo is None:
        raise ValueError("modified_since must carry a time zone")
    model = kind.model
    query = select(model).where(model.connection_id == connection_id)
    if modified_since is not None:
        query = query.where(model.time_modified >= modified_since)
    if not include_deleted:
        query = query.where(model.deleted_at.is_(None))
    return kind, query


@overload
def list_records(
    db: Session,
    connection_id: str,
    record_type: Literal["customers"],
    *,
    modified_since: datetime | None = ...,
    include_deleted: bool = ...,
    limit: int = ...,
    offset: int = ...,
    after: int | None = ...,
) -> list[Customer]: ...


@overload
def list_records(
    db: Session,
    connection_id: str,
    record_type: Literal["items"],
    *,
    modified_since: datetime | None = ...,
    include_deleted: bool = ...,
    limit: int = ...,
    offset: int = ...,
    after: int | None = ...,
) -> list[Item]: ...


@overload
def list_records(
    db: Session,
    connection_id: str,
    record_type: Literal["invoices"],
    *,
    modified_since: datetime | None = ...,
    include_deleted: bool = ...,
    limit: int = ...,
    offset: int = ...,
    after: int | None = ...,
) -> list[Invoice]: ...


@overload
def list_records(
    db: Session,
    connection_id: str,
    record_type: Literal["payments"],
    *,
    modified_since: datetime | None = ...,
    include_deleted: bool = ...,
    limit: int = ...,
    offset: int = ...,
    after: int | None = ...,
) -> list[Payment]: ...


@overload
def list_records(
    db: Session,
    connection_id: str,
    record_type: str,
    *,
    modified_since: datetime | None = ...,
    include_deleted: bool = ...,
    limit: int = ...,
    offset: int = ...,
    after: int | None = ...,
) -> list[StoredRecord]: ...


def list_records(
    db: Session,
    connection_id: str,
    record_type: str,
    *,
    modified_since: datetime | None = None,
    include_deleted: bool = False,
    limit: int = 100,
    offset: int = 0,
    after: int | None = None,
) -> list[Any]:
    """One page of a connection's records of ``record_type``, in row-id order.

    ``modified_since`` keeps records whose QuickBooks TimeModified is at or after it;
    deleted records are left out unless ``include_deleted``. ``after`` (a row id) is the
    cursor for the next page; ``offset`` skips rows after that. Invoices come with their lines
    and payments with their applications, loaded in one extra query per page.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise ValueError("offset must not be negative")
    kind, query = _filtered(db, connection_id, record_type, modified_since, include_deleted)
    model = kind.model
    if after is not None:
        query = query.where(model.id > after)
    query = query.order_by(model.id).offset(offset).limit(limit)
    if kind.children is not None:
        query = query.options(selectinload(getattr(model, kind.children.attribute)))
    rows: Sequence[StoredRecord] = db.scalars(query).all()
    return list(rows)


def count_records(
    db: Session,
    connection_id: str,
    record_type: str,
    *,
    modified_since: datetime | None = None,
    include_deleted: bool = False,
) -> int:
    """How many records :func:`list_records` would page through with these filters."""
    _, query = _filtered(db, connection_id, record_type, modified_since, include_deleted)
    return int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)


def get_record(db: Session, connection_id: str, record_type: str, qb_id: str) -> StoredRecord:
    """The stored record with this ListID/TxnID (deleted ones too), or RecordNotFound."""
    kind = _kind(record_type)
    get_connection(db, connection_id)
    model = kind.model
    query = select(model).where(
        model.connection_id == connection_id, getattr(model, kind.key) == qb_id
    )
    if kind.children is not None:
        query = query.options(selectinload(getattr(model, kind.children.attribute)))
    row: StoredRecord | None = db.scalar(query)
    if row is None:
        raise RecordNotFound(record_type, qb_id)
    return row


def get_invoice(db: Session, connection_id: str, txn_id: str) -> Invoice:
    """The stored invoice with ``txn_id`` and its lines, or RecordNotFound."""
    row = get_record(db, connection_id, "invoices", txn_id)
    assert isinstance(row, Invoice)
    return row
