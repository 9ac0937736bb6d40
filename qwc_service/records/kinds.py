"""The stored record types: which model, which QuickBooks key, which child rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qwc_service.records.models import (
    Customer,
    Invoice,
    InvoiceLine,
    Item,
    Payment,
    PaymentApplication,
)

__all__ = ["KINDS", "ChildRows", "RecordKind", "StoredRecord"]

StoredRecord = Customer | Item | Invoice | Payment


@dataclass(frozen=True)
class ChildRows:
    """Rows that belong to one stored record and are replaced with it (lines, applications)."""

    model: Any
    parent_fk: str
    attribute: str


@dataclass(frozen=True)
class RecordKind:
    """One stored record type."""

    record_type: str
    model: Any
    key: str
    ret_name: str
    children: ChildRows | None = None


KINDS: dict[str, RecordKind] = {
    "customers": RecordKind("customers", Customer, "list_id", "CustomerRet"),
    "items": RecordKind("items", Item, "list_id", "ItemRet"),
    "invoices": RecordKind(
        "invoices", Invoice, "txn_id", "InvoiceRet", ChildRows(InvoiceLine, "invoice_id", "lines")
    ),
    "payments": RecordKind(
        "payments",
        Payment,
        "txn_id",
        "ReceivePaymentRet",
        ChildRows(PaymentApplication, "payment_id", "applications"),
    ),
}
