"""Reading stored records: the Python API behind the CLI and the HTTP API.

Every query is scoped to one connection, and an unknown connection is an error
(:class:`~qwc_service.connections.queries.ConnectionNotFound`) rather than an empty list.
A record type is named as qbXML names the object (``Invoice``, ``ItemService``) or by its
snake_case plural (``invoices``, ``service_items``), in any case; an item kind lists the items
of that kind. Pages are ordered by row id; pass the last ``row_id`` seen as ``after`` for
the next page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from qwc_service.connections.queries import get_connection
from qwc_service.qbxml.objects.registry import all_objects, find_object
from qwc_service.records.models import StoredRecord
from qwc_service.records.views import RecordView, record_view

__all__ = [
    "MAX_LIMIT",
    "RecordFilters",
    "RecordNotFound",
    "StoredType",
    "UnknownRecordType",
    "count_records",
    "get_record",
    "list_records",
    "stored_type",
]

MAX_LIMIT = 1000


class UnknownRecordType(ValueError):
    """The name is not an object of the registry."""

    def __init__(self, record_type: str) -> None:
        names = ", ".join(spec.name for spec in all_objects())
        super().__init__(f"unknown record type {record_type!r}: use one of {names}")


class RecordNotFound(LookupError):
    """The connection has no stored record with this ListID/TxnID."""

    def __init__(self, record_type: str, qb_id: str) -> None:
        super().__init__(f"no {record_type} record {qb_id!r} for this connection")


@dataclass(frozen=True)
class StoredType:
    """Where records of a named type are: their record type, and the object for an item kind."""

    record_type: str
    object_name: str | None  # only for an item kind: the items of that kind


def stored_type(text: str) -> StoredType:
    """The stored type ``text`` names (``Invoice``, ``invoices``, ``ItemService``);
    :class:`UnknownRecordType` listing the valid names otherwise."""
    try:
        spec = find_object(text)
    except KeyError:
        raise UnknownRecordType(text) from None
    if spec.read_through is not None:
        return StoredType(spec.read_through, spec.name)
    return StoredType(spec.name, None)


@dataclass(frozen=True)
class RecordFilters:
    """Filters on the indexed columns; None leaves a filter out.

    ``entity`` matches the customer, vendor or payee reference by ListID or FullName.
    """

    full_name: str | None = None
    name: str | None = None
    ref_number: str | None = None
    txn_date_from: date | None = None
    txn_date_to: date | None = None
    entity: str | None = None
    is_active: bool | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        """``query`` narrowed by these filters."""
        table = StoredRecord
        if self.full_name is not None:
            query = query.where(table.full_name == self.full_name)
        if self.name is not None:
            query = query.where(table.name == self.name)
        if self.ref_number is not None:
            query = query.where(table.ref_number == self.ref_number)
        if self.txn_date_from is not None:
            query = query.where(table.txn_date >= self.txn_date_from)
        if self.txn_date_to is not None:
            query = query.where(table.txn_date <= self.txn_date_to)
        if self.entity is not None:
            query = query.where(
                or_(table.entity_list_id == self.entity, table.entity_full_name == self.entity)
            )
        if self.is_active is not None:
            query = query.where(table.is_active == self.is_active)
        return query


NO_FILTERS = RecordFilters()


def _filtered(
    db: Session,
    connection_id: str,
    record_type: str,
    modified_since: datetime | None,
    include_deleted: bool,
    filters: RecordFilters,
) -> Select[Any]:
    """A SELECT of the rows that match, before ordering and paging."""
    kind = stored_type(record_type)
    get_connection(db, connection_id)
    if modified_since is not None and modified_since.tzinfo is None:
        raise ValueError("modified_since must carry a time zone")
    query = select(StoredRecord).where(
        StoredRecord.connection_id == connection_id,
        StoredRecord.record_type == kind.record_type,
    )
    if kind.object_name is not None:
        query = query.where(StoredRecord.object_name == kind.object_name)
    if modified_since is not None:
        query = query.where(StoredRecord.time_modified >= modified_since)
    if not include_deleted:
        query = query.where(StoredRecord.deleted_at.is_(None))
    return filters.apply(query)


def list_records(
    db: Session,
    connection_id: str,
    record_type: str,
    *,
    modified_since: datetime | None = None,
    include_deleted: bool = False,
    after: int | None = None,
    limit: int = 100,
    filters: RecordFilters = NO_FILTERS,
) -> list[RecordView]:
    """One page of a connection's records of ``record_type``, in row-id order.

    ``modified_since`` keeps records whose QuickBooks TimeModified is at or after it;
    deleted records are left out unless ``include_deleted``. ``after`` (a row id) is the
    cursor for the next page.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    query = _filtered(db, connection_id, record_type, modified_since, include_deleted, filters)
    if after is not None:
        query = query.where(StoredRecord.id > after)
    rows = db.scalars(query.order_by(StoredRecord.id).limit(limit)).all()
    return [record_view(row) for row in rows]


def count_records(
    db: Session,
    connection_id: str,
    record_type: str,
    *,
    modified_since: datetime | None = None,
    include_deleted: bool = False,
    filters: RecordFilters = NO_FILTERS,
) -> int:
    """How many records :func:`list_records` would page through with these filters."""
    query = _filtered(db, connection_id, record_type, modified_since, include_deleted, filters)
    return int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)


def get_record(db: Session, connection_id: str, record_type: str, qb_id: str) -> RecordView:
    """The stored record with this ListID/TxnID (deleted ones too), or RecordNotFound."""
    query = _filtered(db, connection_id, record_type, None, True, NO_FILTERS)
    row = db.scalar(query.where(StoredRecord.qb_id == qb_id))
    if row is None:
        raise RecordNotFound(record_type, qb_id)
    return record_view(row)
