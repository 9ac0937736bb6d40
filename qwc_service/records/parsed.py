"""Records as read from a qbXML response, before they are stored.

Field names are the column names of :mod:`qwc_service.records.models`, so storing a record is a
matter of copying its fields. Money is ``Decimal``, dates are ``date``, times are aware UTC
``datetime`` values next to QuickBooks' own text (``time_modified_raw``), which is what an
incremental query sends back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

__all__ = [
    "AppliedToTxnRecord",
    "CustomerRecord",
    "DeletedRecord",
    "InvoiceLineRecord",
    "InvoiceRecord",
    "ItemRecord",
    "ParseProblem",
    "PaymentRecord",
    "Record",
]


@dataclass(frozen=True)
class ParseProblem:
    """A record that could not be read: reported, never dropped silently.

    ``record_kind`` is the element name (``InvoiceRet``); ``identity`` is its ListID/TxnID when
    it has one, else its position (``InvoiceQueryRs #3``).
    """

    record_kind: str
    identity: str
    message: str

    def __str__(self) -> str:
        return f"{self.record_kind} {self.identity}: {self.message}"


@dataclass(frozen=True, kw_only=True)
class _Stamped:
    """The change-tracking fields every list element and transaction carries."""

    edit_sequence: str | None = None
    time_created: datetime | None = None
    time_modified: datetime | None = None
    time_modified_raw: str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerRecord(_Stamped):
    """A ``CustomerRet``."""

    record_type: ClassVar[str] = "customers"

    list_id: str
    name: str | None = None
    full_name: str | None = None
    is_active: bool | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    bill_address: str | None = None
    balance: Decimal | None = None
    total_balance: Decimal | None = None

    @property
    def qb_id(self) -> str:
        """The ListID."""
        return self.list_id


@dataclass(frozen=True, kw_only=True)
class ItemRecord(_Stamped):
    """Any ``Item*Ret``; ``kind`` is the element name without ``Item`` and ``Ret``."""

    record_type: ClassVar[str] = "items"

    list_id: str
    kind: str | None = None
    name: str | None = None
    full_name: str | None = None
    is_active: bool | None = None
    description: str | None = None
    price: Decimal | None = None
    income_account: str | None = None
    quantity_on_hand: Decimal | None = None

    @property
    def qb_id(self) -> str:
        """The ListID."""
        return self.list_id


@dataclass(frozen=True, kw_only=True)
class InvoiceLineRecord:
    """One ``InvoiceLineRet`` (lines of a group are flattened into the invoice's lines)."""

    txn_line_id: str | None = None
    item_list_id: str | None = None
    item_full_name: str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    rate: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class InvoiceRecord(_Stamped):
    """An ``InvoiceRet`` with its lines in document order."""

    record_type: ClassVar[str] = "invoices"

    txn_id: str
    txn_number: int | None = None
    customer_list_id: str | None = None
    customer_full_name: str | None = None
    txn_date: date | None = None
    ref_number: str | None = None
    due_date: date | None = None
    subtotal: Decimal | None = None
    sales_tax_total: Decimal | None = None
    applied_amount: Decimal | None = None
    balance_remaining: Decimal | None = None
    is_paid: bool | None = None
    memo: str | None = None
    lines: tuple[InvoiceLineRecord, ...] = ()

    @property
    def qb_id(self) -> str:
        """The TxnID."""
        return self.txn_id


@dataclass(frozen=True, kw_only=True)
class AppliedToTxnRecord:
    """One ``AppliedToTxnRet`` of a received payment."""

    invoice_txn_id: str
    txn_type: str | None = None
    ref_number: str | None = None
    amount: Decimal | None = None
    balance_remaining: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class PaymentRecord(_Stamped):
    """A ``ReceivePaymentRet`` with the transactions it was applied to."""

    record_type: ClassVar[str] = "payments"

    txn_id: str
    txn_number: int | None = None
    customer_list_id: str | None = None
    customer_full_name: str | None = None
    txn_date: date | None = None
    ref_number: str | None = None
    total_amount: Decimal | None = None
    payment_method: str | None = None
    deposit_to_account: str | None = None
    memo: str | None = None
    unused_payment: Decimal | None = None
    applications: tuple[AppliedToTxnRecord, ...] = ()

    @property
    def qb_id(self) -> str:
        """The TxnID."""
        return self.txn_id


Record = CustomerRecord | ItemRecord | InvoiceRecord | PaymentRecord

# (is a transaction, ListDelType / TxnDelType) for the deletions of stored record types.
_DELETED_TYPES = {
    (False, "Customer"): "customers",
    (True, "Invoice"): "invoices",
    (True, "ReceivePayment"): "payments",
}


@dataclass(frozen=True, kw_only=True)
class DeletedRecord:
    """A deleted list element or transaction (``ListDeletedRet``, ``TxnDeletedRet``, or the
    answer to a ``ListDelRq`` / ``TxnDelRq``)."""

    del_type: str
    qb_id: str
    is_txn: bool
    time_deleted: datetime | None = None
    time_deleted_raw: str | None = None
    time_created: datetime | None = None
    full_name: str | None = None
    ref_number: str | None = None

    @property
    def record_type(self) -> str | None:
        """The stored record type this deletion concerns, or None for a type not stored."""
        if not self.is_txn and self.del_type.startswith("Item"):
            return "items"
        return _DELETED_TYPES.get((self.is_txn, self.del_type))
