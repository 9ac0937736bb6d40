"""Facts of the registry, checked by hand against Intuit's schema and the reference notes.

Each expectation here was read off ``qbxmlops130.xsd``/``qbxml130.xsd``, not the generator, so
a generator that misreads the schema fails these even though ``--check`` passes.
"""

from __future__ import annotations

from qwc_service.qbxml.objects.registry import object_named, objects_in
from qwc_service.qbxml.objects.specs import Category, CollectionRole, ValueType

ITEM_KINDS = (
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


def test_customer() -> None:
    """Customer: a list keyed by ListID, iterable, FromModifiedDate directly, ListDelType."""
    customer = object_named("Customer")
    assert (customer.category, customer.identity) == (Category.LIST, "ListID")
    assert customer.edit_sequence and customer.time_modified and customer.custom_fields
    query = customer.query
    assert (query.request, query.response) == ("CustomerQueryRq", "CustomerQueryRs")
    assert query.iterator and query.max_returned and query.active_status and query.owner_id
    assert query.modified_since == ("FromModifiedDate",)
    # ListFilter: MaxReturned, ActiveStatus, FromModifiedDate, ToModifiedDate, then names.
    assert query.elements[:6] == (
        "ListID",
        "FullName",
        "MaxReturned",
        "ActiveStatus",
        "FromModifiedDate",
        "ToModifiedDate",
    )
    assert query.elements[-2:] == ("IncludeRetElement", "OwnerID")
    assert query.line_items_flag is None and not query.include_linked_txns
    assert customer.deletions is not None
    assert customer.deletions.request == "ListDeletedQueryRq"
    assert (customer.deletions.type_element, customer.deletions.types) == (
        "ListDelType",
        ("Customer",),
    )
    ret = customer.ret
    assert ret.element == "CustomerRet"
    assert [e.name for e in ret.elements[:4]] == [
        "ListID",
        "TimeCreated",
        "TimeModified",
        "EditSequence",
    ]
    assert ret.child("Name").max_length == 41
    assert ret.child("ShipToAddress").max_occurs == 50
    assert ret.child("AdditionalContactRef").max_occurs == 8
    assert ret.child("ContactsRet").max_occurs is None
    assert ret.child("CustomerTypeRef").type is ValueType.REF
    assert ret.child("Balance").type is ValueType.AMOUNT
    assert ret.child("JobStatus").values == (
        "Awarded",
        "Closed",
        "InProgress",
        "None",
        "NotAwarded",
        "Pending",
    )
    bill_address = ret.child("BillAddress")
    assert bill_address.type is ValueType.AGGREGATE
    assert bill_address.child("Addr1").max_length == 41
    assert [c.elements for c in ret.collections] == [
        ("ShipToAddress",),
        ("AdditionalContactRef",),
        ("ContactsRet",),
        ("AdditionalNotesRet",),
        ("DataExtRet",),
    ]
    assert ret.collections[-1].role is CollectionRole.CUSTOM_FIELDS


def test_invoice() -> None:
    """Invoice: a transaction keyed by TxnID, ModifiedDateRangeFilter, lines, TxnDelType."""
    invoice = object_named("Invoice")
    assert (invoice.category, invoice.identity, invoice.plural) == (
        Category.TRANSACTION,
        "TxnID",
        "invoices",
    )
    assert invoice.edit_sequence and invoice.time_modified and invoice.custom_fields
    query = invoice.query
    assert query.iterator and query.max_returned and not query.active_status
    assert query.modified_since == ("ModifiedDateRangeFilter", "FromModifiedDate")
    assert query.line_items_flag == "IncludeLineItems" and query.include_linked_txns
    assert query.in_order(["OwnerID", "IncludeLineItems", "ModifiedDateRangeFilter"]) == (
        "ModifiedDateRangeFilter",
        "IncludeLineItems",
        "OwnerID",
    )
    assert query.position("MaxReturned") < query.position("ModifiedDateRangeFilter")
    assert query.position("PaidStatus") < query.position("IncludeLineItems")
    assert invoice.deletions is not None
    assert (invoice.deletions.request, invoice.deletions.type_element) == (
        "TxnDeletedQueryRq",
        "TxnDelType",
    )
    assert invoice.deletions.types == ("Invoice",)
    ret = invoice.ret
    lines = ret.collections[1]
    assert lines.elements == ("InvoiceLineRet", "InvoiceLineGroupRet")
    assert lines.role is CollectionRole.LINES
    assert ret.child("InvoiceLineRet").max_occurs is None
    assert ret.child("InvoiceLineRet").min_occurs == 0
    assert ret.child("InvoiceLineRet").child("TxnLineID").min_occurs == 1
    assert ret.child("InvoiceLineRet").child("Quantity").type is ValueType.QUANTITY
    assert ret.child("InvoiceLineRet").child("Rate").type is ValueType.PRICE
    group = ret.child("InvoiceLineGroupRet")
    assert group.child("InvoiceLineRet").repeats
    assert ret.child("LinkedTxn").repeats
    assert ret.child("TxnDate").type is ValueType.DATE
    assert ret.child("TimeModified").type is ValueType.DATETIME
    assert ret.child("IsPaid").type is ValueType.BOOLEAN
    assert ret.child("TxnNumber").type is ValueType.INT
    assert ret.child("RefNumber").max_length == 11
    assert not ret.child("DiscountLineRet").repeats


def test_receive_payment() -> None:
    """ReceivePayment keeps its plural ``payments``; its lines are AppliedToTxnRet."""
    payment = object_named("ReceivePayment")
    assert (payment.label, payment.plural, payment.category) == (
        "Payment",
        "payments",
        Category.TRANSACTION,
    )
    assert payment.query.iterator
    assert payment.query.line_items_flag == "IncludeLineItems"
    assert not payment.query.include_linked_txns
    assert payment.deletions is not None and payment.deletions.types == ("ReceivePayment",)
    applied = payment.ret.child("AppliedToTxnRet")
    assert applied.max_occurs is None and applied.child("TxnID").min_occurs == 1
    assert [c.elements for c in payment.ret.collections] == [
        ("AppliedToTxnRet",),
        ("DataExtRet",),
    ]


def test_items_are_read_through_item_query() -> None:
    """Item holds every kind ItemQueryRs returns; each kind reads through ItemQueryRq."""
    item = object_named("Item")
    assert (item.category, item.plural, item.identity) == (Category.LIST, "items", "ListID")
    assert item.kinds == ITEM_KINDS
    assert item.ret_elements == tuple(f"{kind}Ret" for kind in ITEM_KINDS)
    assert item.query.request == "ItemQueryRq" and item.query.iterator
    assert item.query.modified_since == ("FromModifiedDate",)
    assert item.query.active_status and item.custom_fields
    assert item.deletions is not None and item.deletions.types == ITEM_KINDS
    for kind in ITEM_KINDS:
        spec = object_named(kind)
        assert spec.category is Category.ITEM_KIND
        assert spec.read_through == "Item"
        assert spec.query == item.query
        assert spec.ret_elements == (f"{kind}Ret",)
        assert spec.ret is item.rets[ITEM_KINDS.index(kind)]
        assert spec.deletions is not None and spec.deletions.types == (kind,)
    assert object_named("ItemGroup").ret.child("ItemGroupLine").max_occurs is None
    assert object_named("ItemInventoryAssembly").ret.collections[0].elements == (
        "ItemInventoryAssemblyLine",
    )


def test_company_and_preferences_are_singletons() -> None:
    """Company and Preferences: one document, no identity, no paging, filter or deletions."""
    for name in ("Company", "Preferences"):
        spec = object_named(name)
        assert spec.category is Category.SINGLETON
        assert spec.identity is None and not spec.edit_sequence and not spec.time_modified
        assert not spec.query.iterator and not spec.query.max_returned
        assert spec.query.modified_since == ()
        assert spec.deletions is None
    # CompanyQueryRq takes OwnerID and CompanyRet carries DataExtRet; Preferences has neither.
    assert object_named("Company").custom_fields
    assert not object_named("Preferences").custom_fields
    assert object_named("Preferences").query.elements == ("IncludeRetElement",)


def test_lists_without_iterator() -> None:
    """Only Customer, Vendor and Item page among lists; Employee and OtherName do not."""
    # MaxReturned there only truncates the answer.
    for name in ("Account", "Class", "Employee", "OtherName", "PaymentMethod", "SalesTaxCode"):
        query = object_named(name).query
        assert not query.iterator, name
        assert query.max_returned, name
    for name in ("Customer", "Vendor", "Item"):
        assert object_named(name).query.iterator, name


def test_queries_without_paging_or_filters() -> None:
    """InventorySite has no MaxReturned; Template has no filter at all and no ActiveStatus."""
    site = object_named("InventorySite").query
    assert not site.max_returned and site.active_status and not site.iterator
    assert site.modified_since == ("FromModifiedDate",)
    template = object_named("Template")
    assert template.query.elements == ("IncludeRetElement",)
    assert template.query.modified_since == () and not template.query.active_status
    assert not object_named("BillingRate").query.active_status


def test_objects_without_deletions() -> None:
    """TxnDelType has no Transfer and ListDelType no Template: their deletions can't be read."""
    assert object_named("Transfer").deletions is None
    assert object_named("Template").deletions is None
    assert object_named("TransferInventory").deletions is not None


def test_line_flags_and_custom_fields_of_transactions() -> None:
    """Which transaction queries take IncludeLineItems, IncludeLinkedTxns and OwnerID."""
    # BuildAssembly calls it IncludeComponentLineItems; these four have no flag at all.
    without_lines = {"Charge", "TimeTracking", "Transfer", "VehicleMileage"}
    without_custom_fields = {"TimeTracking", "Transfer", "TransferInventory", "VehicleMileage"}
    linked = {
        "Bill",
        "Charge",
        "Check",
        "CreditMemo",
        "Estimate",
        "Invoice",
        "ItemReceipt",
        "PurchaseOrder",
        "SalesOrder",
        "VendorCredit",
    }
    transactions = objects_in(Category.TRANSACTION)
    assert len(transactions) == 26
    for spec in transactions:
        flag = spec.query.line_items_flag
        if spec.name in without_lines:
            assert flag is None, spec.name
        elif spec.name == "BuildAssembly":
            assert flag == "IncludeComponentLineItems"
        else:
            assert flag == "IncludeLineItems", spec.name
        assert spec.custom_fields is (spec.name not in without_custom_fields), spec.name
        assert spec.query.include_linked_txns is (spec.name in linked), spec.name
        assert spec.query.iterator, spec.name
        assert spec.query.modified_since == ("ModifiedDateRangeFilter", "FromModifiedDate")


def test_how_lines_are_laid_out() -> None:
    """Purchase, journal, refund and deposit lines are collections as the schema lays them out."""
    for name in ("Bill", "Check", "ItemReceipt", "VendorCredit", "CreditCardCharge"):
        collections = object_named(name).ret.collections
        lines = [c.elements for c in collections if c.role is CollectionRole.LINES]
        assert lines == [("ExpenseLineRet",), ("ItemLineRet", "ItemGroupLineRet")], name
    journal = object_named("JournalEntry").ret.collections[0]
    assert journal.elements == ("JournalDebitLine", "JournalCreditLine")
    refund = object_named("ARRefundCreditCard").ret.collections[0]
    assert refund.elements == ("RefundAppliedToTxnRet",)
    assert object_named("Deposit").ret.collections[0].elements == ("DepositLineRet",)


def test_repeating_elements_depend_on_their_parent() -> None:
    """Vendor has PrefillAccountRef (at most 3); price levels and billing rates repeat per item."""
    vendor = object_named("Vendor").ret
    assert vendor.child("PrefillAccountRef").max_occurs == 3
    assert not vendor.has("ShipToAddress")
    assert object_named("PriceLevel").ret.child("PriceLevelPerItemRet").repeats
    assert object_named("BillingRate").ret.child("BillingRatePerItemRet").repeats
    assert object_named("ItemSalesTaxGroup").ret.child("ItemSalesTaxRef").repeats
    # Bill's RefNumber is longer than an invoice's.
    assert object_named("Bill").ret.child("RefNumber").max_length == 20
