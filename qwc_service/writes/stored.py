"""What the writes read from the stored records: names to check references against, and
a record's EditSequence, values and lines for a Mod.

Every read of the stored records by the writes goes through this module. A reference is
checked against the list it names, found from the reference's element name through the
object registry (``CustomerRef`` names a Customer, ``DepositToAccountRef`` an Account).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qwc_service.qbxml.objects.registry import find_object, objects_in
from qwc_service.qbxml.objects.specs import Category
from qwc_service.records.invoices import StoredInvoice
from qwc_service.records.invoices import stored_invoice as _stored_invoice
from qwc_service.records.models import StoredRecord

__all__ = [
    "Mod",
    "StoredCustomer",
    "StoredInvoice",
    "credit_customer",
    "find_reference",
    "has_records",
    "ref_kind",
    "stored_customer",
    "stored_invoice",
    "stored_names",
    "stored_record",
]

#: The lists a reference can name by its own name (``ClassRef`` -> Class).
_LISTS = frozenset(spec.name for spec in objects_in(Category.LIST))
#: References whose element name is not their list's.
_SUFFIXES = (("AccountRef", "Account"), ("SalesTaxCodeRef", "SalesTaxCode"))
_NAMED = {"ItemSalesTaxRef": "Item"}


@dataclass(frozen=True)
class Mod:
    """A stored record as a Mod needs it."""

    edit_sequence: str | None
    #: The record's stored document: every element, named as in qbXML.
    values: dict[str, Any]
    #: The record's lines by their Ret element (``InvoiceLineRet``), each with its TxnLineID.
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def ref_kind(ref_name: str) -> str | None:
    """The stored list (record type) a ``…Ref`` element names, or None when it names no one
    list (``EntityRef``, ``TermsRef``, ``ParentRef``)."""
    if ref_name in _NAMED:
        return _NAMED[ref_name]
    for suffix, kind in _SUFFIXES:
        if ref_name.endswith(suffix):
            return kind
    kind = ref_name.removesuffix("Ref")
    return kind if kind in _LISTS else None


def _live(connection_id: str, kind: str) -> tuple[Any, ...]:
    return (
        StoredRecord.connection_id == connection_id,
        StoredRecord.record_type == kind,
        StoredRecord.deleted_at.is_(None),
    )


def has_records(db: Session, connection_id: str, kind: str) -> bool:
    """Whether any live record of ``kind`` is stored (a list never synced has none)."""
    found = db.scalar(select(StoredRecord.id).where(*_live(connection_id, kind)).limit(1))
    return found is not None


def find_reference(
    db: Session,
    connection_id: str,
    kind: str,
    *,
    list_id: str | None = None,
    full_name: str | None = None,
) -> bool:
    """Whether a live stored ``kind`` has this ListID, or else this FullName (in any case,
    as QuickBooks compares names)."""
    where = _live(connection_id, kind)
    if list_id:
        condition: Any = StoredRecord.qb_id == list_id
    elif full_name:
        exact = select(StoredRecord.id).where(*where, StoredRecord.full_name == full_name)
        if db.scalar(exact.limit(1)) is not None:
            return True
        condition = func.lower(StoredRecord.full_name) == full_name.lower()
    else:
        return False
    return db.scalar(select(StoredRecord.id).where(*where, condition).limit(1)) is not None


def stored_names(db: Session, connection_id: str, kind: str) -> list[str]:
    """The FullName of every live stored ``kind`` (to suggest the closest to a typo)."""
    rows = db.scalars(select(StoredRecord.full_name).where(*_live(connection_id, kind)))
    return [name for name in rows if name]


def stored_record(db: Session, connection_id: str, obj: str, qb_id: str) -> Mod | None:
    """The stored ``obj`` (``Customer``, ``Invoice``, ``ItemService``) with this ListID or
    TxnID, if kept."""
    try:
        spec = find_object(obj)
    except KeyError:
        return None
    row = db.scalar(
        select(StoredRecord).where(
            StoredRecord.connection_id == connection_id,
            StoredRecord.record_type == (spec.read_through or spec.name),
            StoredRecord.qb_id == qb_id,
        )
    )
    if row is None:
        return None
    document = dict(row.document)
    lines = {
        name: [{"TxnLineID": line["TxnLineID"]} for line in value if _has_line_id(line)]
        for name, value in document.items()
        if name.endswith("LineRet") and isinstance(value, list)
    }
    return Mod(row.edit_sequence, document, lines)


def _has_line_id(line: Any) -> bool:
    return isinstance(line, dict) and isinstance(line.get("TxnLineID"), str)


@dataclass(frozen=True)
class StoredCustomer:
    """A stored customer's identity."""

    list_id: str
    name: str | None


def stored_invoice(db: Session, connection_id: str, txn_id: str) -> StoredInvoice | None:
    """The live stored invoice with this TxnID, if any."""
    invoice = _stored_invoice(db, connection_id, txn_id)
    return None if invoice is None or invoice.deleted else invoice


def stored_customer(
    db: Session, connection_id: str, *, list_id: str | None = None, full_name: str | None = None
) -> StoredCustomer | None:
    """The live stored customer with this ListID (or else this FullName), if any."""
    condition = StoredRecord.qb_id == list_id if list_id else StoredRecord.full_name == full_name
    row = db.scalar(select(StoredRecord).where(*_live(connection_id, "Customer"), condition))
    return None if row is None else StoredCustomer(row.qb_id, row.name)


def credit_customer(db: Session, connection_id: str, txn_id: str) -> dict[str, str] | None:
    """The ``CustomerRef`` of the live synced credit memo or payment with this TxnID: whom
    a refund of it goes to."""
    row = db.scalar(
        select(StoredRecord).where(
            StoredRecord.connection_id == connection_id,
            StoredRecord.record_type.in_(("CreditMemo", "ReceivePayment")),
            StoredRecord.qb_id == txn_id,
            StoredRecord.deleted_at.is_(None),
        )
    )
    if row is None or not row.entity_list_id:
        return None
    return {"ListID": row.entity_list_id}
