"""What the writes read from the stored records: names to check references against, and
a record's EditSequence and values for a Mod.

Every read of the record tables by the writes goes through this module, so the tables
can change shape without the rest of the writes noticing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.records.models import Customer, Invoice, Item

__all__ = [
    "StoredCustomer",
    "StoredInvoice",
    "StoredRecord",
    "ref_kind",
    "stored_customer",
    "stored_invoice",
    "stored_names",
    "stored_record",
]

#: Which stored list a reference element names, by the reference's name.
_REF_KINDS = {"CustomerRef": "customer", "ItemRef": "item"}
_CUSTOMER_VALUES = {
    "Name": "name",
    "CompanyName": "company_name",
    "Email": "email",
    "Phone": "phone",
}


@dataclass(frozen=True)
class StoredRecord:
    """A stored record as a Mod needs it."""

    edit_sequence: str | None
    #: Values of the record's fields, named as in qbXML (only those the store keeps).
    values: dict[str, Any]
    #: The record's lines by their Ret element (``InvoiceLineRet``), each with its TxnLineID.
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def ref_kind(ref_name: str) -> str | None:
    """The stored list a ``…Ref`` element names (None when names of it are not stored)."""
    return _REF_KINDS.get(ref_name)


def stored_names(db: Session, connection_id: str, kind: str) -> list[tuple[str, str]]:
    """``(ListID, FullName)`` of every live stored record of ``kind``."""
    model: Any = Customer if kind == "customer" else Item
    rows = db.execute(
        select(model.list_id, model.full_name).where(
            model.connection_id == connection_id, model.deleted_at.is_(None)
        )
    )
    return [(list_id, full_name or "") for list_id, full_name in rows]


def stored_record(db: Session, connection_id: str, obj: str, qb_id: str) -> StoredRecord | None:
    """The stored ``obj`` (``Customer``, ``Invoice``) with this ListID or TxnID, if kept."""
    if obj == "Customer":
        customer = db.scalar(
            select(Customer).where(
                Customer.connection_id == connection_id, Customer.list_id == qb_id
            )
        )
        if customer is None:
            return None
        values = {
            name: getattr(customer, column)
            for name, column in _CUSTOMER_VALUES.items()
            if getattr(customer, column) is not None
        }
        return StoredRecord(customer.edit_sequence, values)
    if obj == "Invoice":
        invoice = db.scalar(
            select(Invoice).where(Invoice.connection_id == connection_id, Invoice.txn_id == qb_id)
        )
        if invoice is None:
            return None
        lines = [{"TxnLineID": line.txn_line_id} for line in invoice.lines if line.txn_line_id]
        return StoredRecord(invoice.edit_sequence, {}, {"InvoiceLineRet": lines})
    return None


@dataclass(frozen=True)
class StoredInvoice:
    """What a payment needs of a stored invoice."""

    txn_id: str
    customer_list_id: str | None
    balance_remaining: Decimal | None


@dataclass(frozen=True)
class StoredCustomer:
    """A stored customer's identity."""

    list_id: str
    name: str | None


def stored_invoice(db: Session, connection_id: str, txn_id: str) -> StoredInvoice | None:
    """The live stored invoice with this TxnID, if any."""
    invoice = db.scalar(
        select(Invoice).where(
            Invoice.connection_id == connection_id,
            Invoice.txn_id == txn_id,
            Invoice.deleted_at.is_(None),
        )
    )
    if invoice is None:
        return None
    balance = None if invoice.balance_remaining is None else Decimal(invoice.balance_remaining)
    return StoredInvoice(invoice.txn_id, invoice.customer_list_id, balance)


def stored_customer(
    db: Session, connection_id: str, *, list_id: str | None = None, full_name: str | None = None
) -> StoredCustomer | None:
    """The live stored customer with this ListID (or else this FullName), if any."""
    condition = Customer.list_id == list_id if list_id else Customer.full_name == full_name
    customer = db.scalar(
        select(Customer).where(
            Customer.connection_id == connection_id, Customer.deleted_at.is_(None), condition
        )
    )
    return None if customer is None else StoredCustomer(customer.list_id, customer.name)
