"""What a write request is made of: its name, its fields, and the XML they become.

Fields come as a JSON object named as in qbXML: a leaf is a string (or a number or a
boolean, written as qbXML spells them), an aggregate an object, a repeated element a list.
The request is built in the order of the fields given here; the write registry of the
object catalog (schema order, validation against the qbXML 13.0 schema) takes over both
jobs in :func:`build_request_element` and :func:`check_fields` once it is available.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from typing import Any

from lxml import etree

__all__ = [
    "EXTERNAL_GUID_REQUESTS",
    "InvalidWrite",
    "WriteKind",
    "build_request_element",
    "check_fields",
    "kind_of",
    "object_of",
    "with_external_guid",
]

_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_DELETES = {"TxnVoid": "void", "TxnDel": "delete", "ListDel": "delete"}

#: The Adds whose record carries an ExternalGUID (qbXML 13.0), each with the elements its
#: schema puts after ExternalGUID: the server writes a GUID of its own into each, to find
#: the record again when QuickBooks' answer is lost, and must put it in its place.
_AFTER_GUID: dict[str, str] = {
    "CustomerAdd": "TaxRegistrationNumber CurrencyRef",
    "EmployeeAdd": "",
    "OtherNameAdd": "",
    "VendorAdd": "SalesTaxCodeRef SalesTaxCountry IsSalesTaxAgency SalesTaxReturnRef "
    "TaxRegistrationNumber ReportingPeriod IsTaxTrackedOnPurchases TaxOnPurchasesAccountRef "
    "IsTaxTrackedOnSales TaxOnSalesAccountRef IsTaxOnTax PrefillAccountRef CurrencyRef",
    "ItemServiceAdd": "",
    "ItemNonInventoryAdd": "",
    "ItemOtherChargeAdd": "",
    "ItemInventoryAdd": "",
    "ItemInventoryAssemblyAdd": "ItemInventoryAssemblyLine",
    "ItemFixedAssetAdd": "",
    "ItemSubtotalAdd": "",
    "ItemDiscountAdd": "",
    "ItemPaymentAdd": "",
    "ItemSalesTaxAdd": "",
    "ItemSalesTaxGroupAdd": "ItemSalesTaxRef",
    "ItemGroupAdd": "ItemGroupLine",
    "SpecialItemAdd": "",
    "InvoiceAdd": "LinkToTxnID SetCredit InvoiceLineAdd InvoiceLineGroupAdd DiscountLineAdd "
    "SalesTaxLineAdd ShippingLineAdd",
    "EstimateAdd": "EstimateLineAdd EstimateLineGroupAdd",
    "SalesOrderAdd": "SalesOrderLineAdd SalesOrderLineGroupAdd",
    "SalesReceiptAdd": "SalesReceiptLineAdd SalesReceiptLineGroupAdd DiscountLineAdd "
    "SalesTaxLineAdd ShippingLineAdd",
    "CreditMemoAdd": "CreditMemoLineAdd CreditMemoLineGroupAdd DiscountLineAdd SalesTaxLineAdd "
    "ShippingLineAdd",
    "ReceivePaymentAdd": "IsAutoApply AppliedToTxnAdd",
    "ChargeAdd": "",
    "PurchaseOrderAdd": "PurchaseOrderLineAdd PurchaseOrderLineGroupAdd",
    "BillAdd": "LinkToTxnID ExpenseLineAdd ItemLineAdd ItemGroupLineAdd",
    "ItemReceiptAdd": "LinkToTxnID ExpenseLineAdd ItemLineAdd ItemGroupLineAdd",
    "VendorCreditAdd": "ExpenseLineAdd ItemLineAdd ItemGroupLineAdd",
    "BillPaymentCheckAdd": "AppliedToTxnAdd",
    "BillPaymentCreditCardAdd": "AppliedToTxnAdd",
    "SalesTaxPaymentCheckAdd": "SalesTaxPaymentCheckLineAdd",
    "InventoryAdjustmentAdd": "InventoryAdjustmentLineAdd",
    "TimeTrackingAdd": "",
    "CheckAdd": "ApplyCheckToTxnAdd ExpenseLineAdd ItemLineAdd ItemGroupLineAdd",
    "CreditCardChargeAdd": "ExpenseLineAdd ItemLineAdd ItemGroupLineAdd",
    "CreditCardCreditAdd": "ExpenseLineAdd ItemLineAdd ItemGroupLineAdd",
    "JournalEntryAdd": "JournalDebitLine JournalCreditLine",
    "DepositAdd": "DepositLineAdd",
    "BuildAssemblyAdd": "",
    "ARRefundCreditCardAdd": "RefundAppliedToTxnAdd",
    "TransferInventoryAdd": "TransferInventoryLineAdd",
}
EXTERNAL_GUID_REQUESTS = frozenset(_AFTER_GUID)


class WriteKind(enum.StrEnum):
    """What a write request does."""

    ADD = "add"
    MOD = "mod"
    VOID = "void"
    DELETE = "delete"


class InvalidWrite(ValueError):
    """A write that cannot be sent as asked: ``field`` names the input at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def kind_of(request: str) -> WriteKind:
    """Whether ``request`` (``CustomerMod``, ``TxnVoid``...) adds, modifies, voids or deletes."""
    if request in _DELETES:
        return WriteKind(_DELETES[request])
    if _NAME.match(request) and request.endswith("Add") and len(request) > 3:
        return WriteKind.ADD
    if _NAME.match(request) and request.endswith("Mod") and len(request) > 3:
        return WriteKind.MOD
    raise InvalidWrite(
        "request",
        f"{request!r} is not a write request: name an Add or Mod request (such as "
        "ReceivePaymentAdd or CustomerMod), TxnVoid, TxnDel or ListDel, without the Rq",
    )


def object_of(request: str) -> str:
    """The object an Add or Mod request writes: ``CustomerMod`` -> ``Customer``."""
    return request[:-3]


def check_fields(request: str, fields: Any) -> None:
    """Refuse fields that cannot become the request, naming the field and the reason."""
    kind = kind_of(request)
    if not isinstance(fields, dict) or not fields:
        raise InvalidWrite("fields", "must be a non-empty JSON object named as in qbXML")
    _check_value("", fields)
    if (
        kind is WriteKind.MOD
        and "EditSequence" in fields
        and not isinstance(fields["EditSequence"], str)
    ):
        raise InvalidWrite("EditSequence", "must be a string")
    if kind in (WriteKind.VOID, WriteKind.DELETE):
        needed = "ListID" if request == "ListDel" else "TxnID"
        if not isinstance(fields.get(needed), str) or not fields[needed].strip():
            raise InvalidWrite(needed, f"{request} needs the {needed} of the record")
        if request != "TxnVoid" and not fields.get(request + "Type"):
            raise InvalidWrite(request + "Type", f"{request} needs the type of the record")


def _check_value(path: str, value: Any) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            where = f"{path}.{name}" if path else name
            if not isinstance(name, str) or not _NAME.match(name):
                raise InvalidWrite(where, "is not a qbXML element name")
            _check_value(where, item)
    elif isinstance(value, list):
        if not value:
            raise InvalidWrite(path, "an empty list writes nothing; leave the field out")
        for index, item in enumerate(value):
            if isinstance(item, list):
                raise InvalidWrite(f"{path}[{index}]", "a list cannot hold a list")
            _check_value(f"{path}[{index}]", item)
    elif value is None:
        raise InvalidWrite(path, "null is not a value; leave the field out")
    elif isinstance(value, str):
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise InvalidWrite(path, "contains characters XML cannot carry")
    elif not isinstance(value, (bool, int, float, Decimal)):
        raise InvalidWrite(path, f"{type(value).__name__} is not a qbXML value")


def build_request_element(request: str, fields: dict[str, Any]) -> Any:
    """The ``<…Rq>`` element for ``request`` with ``fields``.

    Adds and Mods wrap their fields in the object's aggregate (``ReceivePaymentAddRq >
    ReceivePaymentAdd``); TxnVoid, TxnDel and ListDel carry them directly.
    """
    rq = etree.Element(request + "Rq")
    parent = rq
    if kind_of(request) in (WriteKind.ADD, WriteKind.MOD):
        parent = etree.SubElement(rq, request)
    _append(parent, fields)
    return rq


def _append(parent: Any, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            node = etree.SubElement(parent, name)
            if isinstance(item, dict):
                _append(node, item)
            else:
                node.text = _text(item)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    return str(value)


def with_external_guid(request: str, fields: dict[str, Any], guid: str) -> dict[str, Any]:
    """``fields`` with ``ExternalGUID`` set to ``guid``, in its place in schema order."""
    following = set(_AFTER_GUID[request].split())
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "ExternalGUID":
            continue
        if name in following and "ExternalGUID" not in out:
            out["ExternalGUID"] = guid
        out[name] = value
    out.setdefault("ExternalGUID", guid)
    return out
