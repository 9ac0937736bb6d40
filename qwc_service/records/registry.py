"""The record types the server syncs: each QuickBooks object, declared once.

A record type names the ``…Ret`` element it is read from and how a sync asks for it: its
query, and the deletions query with the types that name it. How a record is stored is not
declared here: every record is a whole document in ``records``, read from the object
registry (:mod:`qwc_service.qbxml.objects`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "ITEM_DELETED_TYPES",
    "RECORD_TYPES",
    "REGISTRY",
    "RecordType",
    "RecordTypeSpec",
    "spec_of",
]


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
class RecordTypeSpec:
    """What the server knows about one record type."""

    record_type: RecordType
    name: str  # one record, as the API and the pages call it
    ret_name: str
    query_request: str
    is_list: bool  # list queries take FromModifiedDate directly; transactions wrap it
    deleted_request: str
    deleted_element: str
    deleted_types: tuple[str, ...]


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
            "CustomerRet",
            "CustomerQueryRq",
            True,
            *_LIST_DELETED,
            ("Customer",),
        ),
        RecordTypeSpec(
            RecordType.ITEMS,
            "Item",
            "ItemRet",
            "ItemQueryRq",
            True,
            *_LIST_DELETED,
            ITEM_DELETED_TYPES,
        ),
        RecordTypeSpec(
            RecordType.INVOICES,
            "Invoice",
            "InvoiceRet",
            "InvoiceQueryRq",
            False,
            *_TXN_DELETED,
            ("Invoice",),
        ),
        RecordTypeSpec(
            RecordType.PAYMENTS,
            "Payment",
            "ReceivePaymentRet",
            "ReceivePaymentQueryRq",
            False,
            *_TXN_DELETED,
            ("ReceivePayment",),
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
