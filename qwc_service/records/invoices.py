"""What the payment write-back needs of a stored invoice: its customer and balance.

The invoice is read from its document; a new balance is written into the document (as
QuickBooks writes amounts) and into the indexed ``balance`` column, so the record reads as
the next invoice sync will store it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.records.models import StoredRecord

__all__ = ["StoredInvoice", "stored_invoice", "update_invoice_balance"]

INVOICE = "Invoice"
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class StoredInvoice:
    """The parts of a stored invoice a payment is checked against."""

    txn_id: str
    customer_list_id: str | None
    balance_remaining: Decimal | None
    subtotal: Decimal | None
    sales_tax_total: Decimal | None
    applied_amount: Decimal | None
    is_paid: bool | None
    deleted: bool


def _decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _flag(value: Any) -> bool | None:
    if not isinstance(value, str) or value.strip().lower() not in ("true", "false"):
        return None
    return value.strip().lower() == "true"


def _row(db: Session, connection_id: str, txn_id: str) -> StoredRecord | None:
    return db.scalar(
        select(StoredRecord).where(
            StoredRecord.connection_id == connection_id,
            StoredRecord.record_type == INVOICE,
            StoredRecord.qb_id == txn_id,
        )
    )


def stored_invoice(db: Session, connection_id: str, txn_id: str) -> StoredInvoice | None:
    """The stored invoice with ``txn_id`` (deleted ones too), or None."""
    row = _row(db, connection_id, txn_id)
    if row is None:
        return None
    doc = row.document
    customer = doc.get("CustomerRef")
    return StoredInvoice(
        txn_id=row.qb_id,
        customer_list_id=row.entity_list_id
        or (customer.get("ListID") if isinstance(customer, dict) else None),
        balance_remaining=_decimal(doc.get("BalanceRemaining")),
        subtotal=_decimal(doc.get("Subtotal")),
        sales_tax_total=_decimal(doc.get("SalesTaxTotal")),
        applied_amount=_decimal(doc.get("AppliedAmount")),
        is_paid=_flag(doc.get("IsPaid")),
        deleted=row.deleted_at is not None,
    )


def _amount(value: Decimal) -> str:
    """AMTTYPE as QuickBooks writes it: two decimals."""
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def update_invoice_balance(
    db: Session,
    connection_id: str,
    txn_id: str,
    balance_remaining: Decimal,
    applied_amount: Decimal | None = None,
    is_paid: bool | None = None,
    *,
    now: datetime | None = None,
) -> bool:
    """Record an invoice's new balance after a payment was written to QuickBooks.

    ``applied_amount`` and ``is_paid`` change only when given. Returns False when the invoice
    is not stored for this connection (it arrives with the next sync).
    """
    row = _row(db, connection_id, txn_id)
    if row is None:
        return False
    # A new dict: the column then sees the change (JSON values are not tracked in place).
    doc = dict(row.document)
    doc["BalanceRemaining"] = _amount(balance_remaining)
    if applied_amount is not None:
        doc["AppliedAmount"] = _amount(applied_amount)
    if is_paid is not None:
        doc["IsPaid"] = "true" if is_paid else "false"
    row.document = doc
    row.balance = balance_remaining
    if now is not None:
        row.synced_at = now
    return True
