"""Looking objects up in the registry: every listed object is there, once, under one plural."""

from __future__ import annotations

import pytest

from qwc_service.qbxml.objects import names
from qwc_service.qbxml.objects.registry import (
    all_objects,
    find_object,
    object_for_ret,
    object_named,
    objects_in,
)
from qwc_service.qbxml.objects.specs import Category

LISTS = [
    "Account",
    "Class",
    "Currency",
    "CustomerType",
    "Customer",
    "DateDrivenTerms",
    "StandardTerms",
    "Employee",
    "InventorySite",
    "OtherName",
    "PaymentMethod",
    "PriceLevel",
    "SalesRep",
    "SalesTaxCode",
    "ShipMethod",
    "Template",
    "UnitOfMeasureSet",
    "Vendor",
    "VendorType",
    "JobType",
    "CustomerMsg",
    "BillingRate",
    "PayrollItemWage",
    "PayrollItemNonWage",
    "WorkersCompCode",
    "Vehicle",
]
ITEM_KINDS = [
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
]
TRANSACTIONS = [
    "ARRefundCreditCard",
    "Bill",
    "BillPaymentCheck",
    "BillPaymentCreditCard",
    "BuildAssembly",
    "Charge",
    "Check",
    "CreditCardCharge",
    "CreditCardCredit",
    "CreditMemo",
    "Deposit",
    "Estimate",
    "InventoryAdjustment",
    "Invoice",
    "ItemReceipt",
    "JournalEntry",
    "PurchaseOrder",
    "ReceivePayment",
    "SalesOrder",
    "SalesReceipt",
    "SalesTaxPaymentCheck",
    "TimeTracking",
    "Transfer",
    "TransferInventory",
    "VehicleMileage",
    "VendorCredit",
]
SINGLETONS = ["Company", "Preferences"]


def test_every_listed_object_is_present_in_its_category() -> None:
    """The lists, Item, every item kind, the transactions and the singletons are all there."""
    assert sorted(s.name for s in objects_in(Category.LIST)) == sorted([*LISTS, "Item"])
    assert [s.name for s in objects_in(Category.ITEM_KIND)] == ITEM_KINDS
    assert sorted(s.name for s in objects_in(Category.TRANSACTION)) == sorted(TRANSACTIONS)
    assert [s.name for s in objects_in(Category.SINGLETON)] == SINGLETONS
    assert len(all_objects()) == len(LISTS) + 1 + len(ITEM_KINDS) + len(TRANSACTIONS) + 2


def test_names_and_plurals_are_unique_in_any_case() -> None:
    """No two objects share a name or plural, even ignoring case, so lookups are unambiguous."""
    words: dict[str, str] = {}
    for spec in all_objects():
        for word in {spec.name.lower(), spec.plural.lower()}:
            assert words.setdefault(word, spec.name) == spec.name, word
    assert len({s.plural for s in all_objects()}) == len(all_objects())


def test_plurals_are_snake_case() -> None:
    """Plurals are lower-case words joined by underscores (they name tables and API paths)."""
    for spec in all_objects():
        assert spec.plural.replace("_", "").isalpha() and spec.plural == spec.plural.lower()
        assert spec.label[0].isupper()


def test_the_plurals_in_use_stay() -> None:
    """The record types' names before the registry still name the same objects."""
    assert find_object("customers").name == "Customer"
    assert find_object("items").name == "Item"
    assert find_object("invoices").name == "Invoice"
    assert find_object("payments").name == "ReceivePayment"


def test_find_by_name_or_plural_in_any_case() -> None:
    """``CreditMemo``, ``creditmemo``, ``credit_memos`` and `` Credit_Memos `` all find it."""
    for text in ("CreditMemo", "creditmemo", "credit_memos", " Credit_Memos "):
        assert find_object(text).name == "CreditMemo"
    with pytest.raises(KeyError, match="credit_memos"):
        find_object("credit memos")


def test_object_named_is_exact() -> None:
    """``object_named`` takes the qbXML name as written."""
    assert object_named("CreditMemo").label == "Credit memo"
    with pytest.raises(KeyError):
        object_named("creditmemo")


def test_find_by_ret_element() -> None:
    """Each Ret element names one object; an item kind's Ret names the kind."""
    assert object_for_ret("InvoiceRet").name == "Invoice"
    assert object_for_ret("ItemServiceRet").name == "ItemService"
    assert object_for_ret("ReceivePaymentRet").plural == "payments"
    assert object_for_ret("CompanyRet").name == "Company"
    with pytest.raises(KeyError):
        object_for_ret("ItemRet")
    every_ret = [r for s in all_objects() if not s.kinds for r in s.ret_elements]
    assert len(every_ret) == len(set(every_ret)) == len(all_objects()) - 1


def test_registry_order_follows_names() -> None:
    """The catalog lists objects in the order names.py gives them."""
    assert [s.name for s in all_objects()] == list(names.NAMES)
    assert [(s.label, s.plural) for s in all_objects()] == list(names.NAMES.values())
