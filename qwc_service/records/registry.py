"""The record types: each QuickBooks object the server syncs and stores, declared once.

A record type names the model its rows go in, the key QuickBooks identifies it by, the
``…Ret`` element it is read from, the rows that belong to it (lines, applications), and
how a sync asks for it: its query, and the deletions query with the types that name it.
Everything that lists record types (the sync, the store, the API, the CLI, the admin
pages) reads them from here.
"""

from __future__ import annotations

import enum
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

__all__ = [
    "ITEM_DELETED_TYPES",
    "RECORD_TYPES",
    "REGISTRY",
    "ChildRows",
    "RecordType",
    "RecordTypeSpec",
    "StoredRecord",
    "spec_of",
]

StoredRecord = Customer | Item | Invoice | Payment


class RecordType(enum.StrEnum):
    """A kind of stored record, in the order a full sync usually fetches them."""

    CUSTOMERS = "customers"
    ITEMS = "items"
    INVOICES = "invoices"
    PAYMENTS = "payments"

    @classmethod
    def parse(cls, text: str) -> RecordType:
        """The record type named ``text``; ValueError listing the valid names otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(t.value for t in cls)
            raise ValueError(f"unknown record type {text!r}; use one of {names}") from None


@dataclass(frozen=True)
class ChildRows:
    """Rows that belong to one stored record and are replaced with it (lines, applications)."""

    model: Any
    parent_fk: str
    attribute: str


@dataclass(frozen=True)
class RecordTypeSpec:
    """What the server knows about one record type."""

    record_type: RecordType
    name: str  # one record, as the API and the pages call it
    model: Any
    key: str  # the column holding QuickBooks' identity: list_id or txn_id
    ret_name: str
    query_request: str
    is_list: bool  # list queries take FromModifiedDate directly; transactions wrap it
    deleted_request: str
    deleted_element: str
    deleted_types: tuple[str, ...]
    children: ChildRows | None = None


# Every item kind ItemQueryRq returns, as ListDeletedQuery names it.
ITEM_DELETED_TYPES = (
    "ItemService",
    "ItemNonInventory",
    "ItemOtherCharge",
    "ItemInventory",
    "ItemInventoryAssembly",
    "ItemFixedAsset",
    "ItemSubtotal",
    "ItemDiscount",
    "ItemPayment",
    "ItemSalesTax",
    "ItemSalesTaxGroup",
    "ItemGroup",
)

_LIST_DELETED = ("ListDeletedQueryRq", "ListDelType")
_TXN_DELETED = ("TxnDeletedQueryRq", "TxnDelType")

REGISTRY: dict[RecordType, RecordTypeSpec] = {
    spec.record_type: spec
    for spec in (
        RecordTypeSpec(
            RecordType.CUSTOMERS,
            "Customer",
            Customer,
            "list_id",
            "CustomerRet",
            "CustomerQueryRq",
            True,
            *_LIST_DELETED,
            ("Customer",),
        ),
        RecordTypeSpec(
            RecordType.ITEMS,
            "Item",
            Item,
            "list_id",
            "ItemRet",
            "ItemQueryRq",
            True,
            *_LIST_DELETED,
            ITEM_DELETED_TYPES,
        ),
        RecordTypeSpec(
            RecordType.INVOICES,
            "Invoice",
            Invoice,
            "txn_id",
            "InvoiceRet",
            "InvoiceQueryRq",
            False,
            *_TXN_DELETED,
            ("Invoice",),
            ChildRows(InvoiceLine, "invoice_id", "lines"),
        ),
        RecordTypeSpec(
            RecordType.PAYMENTS,
            "Payment",
            Payment,
            "txn_id",
            "ReceivePaymentRet",
            "ReceivePaymentQueryRq",
            False,
            *_TXN_DELETED,
            ("ReceivePayment",),
            ChildRows(PaymentApplication, "payment_id", "applications"),
        ),
    )
}

#: The record types' names, in the registry's order.
RECORD_TYPES: tuple[str, ...] = tuple(t.value for t in RecordType)


def spec_of(record_type: RecordType | str) -> RecordTypeSpec:
    """The spec of a record type given by value or name; KeyError for an unknown one."""
    try:
        return REGISTRY[RecordType(record_type)]
    except ValueError:
        raise KeyError(record_type) from None
