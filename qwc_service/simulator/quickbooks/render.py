"""``*Ret`` aggregates for the records of a company, in the qbXML 13.0 element order.

Each record is rendered straight to text as ``(child tag, xml)`` parts, so that paging through
tens of thousands of invoices stays cheap and ``IncludeRetElement`` can still drop children.
"""

from __future__ import annotations

from collections.abc import Collection

from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.documents import El, x_group, x_leaf, x_ref, x_ret
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    Address,
    Customer,
    DeletedListElement,
    DeletedTxn,
    Invoice,
    InvoiceLine,
    Item,
    LinkedTxn,
    Payment,
    format_amount,
    format_bool,
    format_datetime,
    format_price,
    format_quantity,
)

ITEM_RET_TAGS = {
    "Service": "ItemServiceRet",
    "NonInventory": "ItemNonInventoryRet",
    "Inventory": "ItemInventoryRet",
}
AR_ACCOUNT = "Accounts Receivable"
Parts = list[tuple[str, str]]


def _p(tag: str, value: str | None) -> tuple[str, str]:
    return tag, x_leaf(tag, value)


def _header(id_tag: str, record: Customer | Item | Invoice | Payment, record_id: str) -> Parts:
    return [
        _p(id_tag, record_id),
        _p("TimeCreated", format_datetime(record.time_created)),
        _p("TimeModified", format_datetime(record.time_modified)),
        _p("EditSequence", record.edit_sequence),
    ]


def address_xml(tag: str, address: Address | None) -> str:
    """``BillAddress``-style aggregate."""
    if address is None:
        return ""
    lines = [x_leaf(f"Addr{i}", line) for i, line in enumerate(address.lines[:5], start=1)]
    return x_group(
        tag,
        *lines,
        x_leaf("City", address.city),
        x_leaf("State", address.state),
        x_leaf("PostalCode", address.postal_code),
        x_leaf("Country", address.country),
    )


def address_block_xml(tag: str, address: Address | None) -> str:
    """``BillAddressBlock``: the address as printed, five lines at most."""
    if address is None:
        return ""
    return x_group(tag, *(x_leaf(f"Addr{i}", ln) for i, ln in enumerate(address.block(), start=1)))


def customer_ret(customer: Customer, include: Collection[str] = ()) -> El:
    """A ``CustomerRet``."""
    address = customer.bill_address
    parts = [
        *_header("ListID", customer, customer.list_id),
        _p("Name", customer.name),
        _p("FullName", customer.full_name),
        _p("IsActive", format_bool(customer.is_active)),
        _p("Sublevel", "0"),
        _p("CompanyName", customer.company_name),
        ("BillAddress", address_xml("BillAddress", address)),
        ("BillAddressBlock", address_block_xml("BillAddressBlock", address)),
        _p("Phone", customer.phone),
        _p("Email", customer.email),
        _p("Balance", format_amount(customer.balance)),
        _p("TotalBalance", format_amount(customer.total_balance)),
        _p("JobStatus", "None"),
        _p("ExternalGUID", customer.external_guid),
    ]
    return x_ret("CustomerRet", parts, include)


def _account_ref(tag: str, company: Company, name: str) -> tuple[str, str]:
    return tag, x_ref(tag, company.account_list_id(name), name)


def item_ret(item: Item, company: Company, include: Collection[str] = ()) -> El:
    """An ``ItemServiceRet``, ``ItemNonInventoryRet`` or ``ItemInventoryRet``."""
    parts = [
        *_header("ListID", item, item.list_id),
        _p("Name", item.name),
        _p("FullName", item.full_name),
        _p("IsActive", format_bool(item.is_active)),
        _p("Sublevel", "0"),
    ]
    if item.kind != "Inventory":
        account = x_ref(
            "AccountRef", company.account_list_id(item.income_account), item.income_account
        )
        sales = x_group(
            "SalesOrPurchase",
            x_leaf("Desc", item.description),
            x_leaf("Price", format_price(item.price)),
            account,
        )
        return x_ret(ITEM_RET_TAGS[item.kind], [*parts, ("SalesOrPurchase", sales)], include)
    on_hand = item.quantity_on_hand if item.quantity_on_hand is not None else ZERO
    parts += [
        _p("SalesDesc", item.description),
        _p("SalesPrice", format_price(item.price)),
        _account_ref("IncomeAccountRef", company, item.income_account),
        _account_ref("COGSAccountRef", company, "Cost of Goods Sold"),
        _account_ref("AssetAccountRef", company, "Inventory Asset"),
        _p("QuantityOnHand", format_quantity(on_hand)),
        _p("QuantityOnOrder", "0"),
        _p("QuantityOnSalesOrder", "0"),
    ]
    return x_ret("ItemInventoryRet", parts, include)


def linked_txn_xml(link: LinkedTxn) -> str:
    """A ``LinkedTxn`` (``LinkType`` is literally ``AMTTYPE`` in QuickBooks' output)."""
    return x_group(
        "LinkedTxn",
        x_leaf("TxnID", link.txn_id),
        x_leaf("TxnType", link.txn_type),
        x_leaf("TxnDate", link.txn_date.isoformat()),
        x_leaf("RefNumber", link.ref_number),
        x_leaf("LinkType", "AMTTYPE"),
        x_leaf("Amount", format_amount(link.amount)),
    )


def invoice_line_xml(line: InvoiceLine) -> str:
    """An ``InvoiceLineRet``."""
    return x_group(
        "InvoiceLineRet",
        x_leaf("TxnLineID", line.txn_line_id),
        x_ref("ItemRef", line.item_list_id, line.item_full_name),
        x_leaf("Desc", line.desc),
        x_leaf("Quantity", None if line.quantity is None else format_quantity(line.quantity)),
        x_leaf("Rate", None if line.rate is None else format_price(line.rate)),
        x_leaf("Amount", format_amount(line.amount)),
    )


def invoice_ret(
    invoice: Invoice, company: Company, *, lines: bool, links: bool, include: Collection[str] = ()
) -> El:
    """An ``InvoiceRet``; line items and linked transactions only when asked for."""
    tax = invoice.sales_tax_total
    parts = [
        *_header("TxnID", invoice, invoice.txn_id),
        _p("TxnNumber", str(invoice.txn_number)),
        ("CustomerRef", x_ref("CustomerRef", invoice.customer_list_id, invoice.customer_full_name)),
        _account_ref("ARAccountRef", company, AR_ACCOUNT),
        _p("TxnDate", invoice.txn_date.isoformat()),
        _p("RefNumber", invoice.ref_number),
        _p("IsPending", "false"),
        _p("IsFinanceCharge", "false"),
        _p("DueDate", invoice.due_date.isoformat() if invoice.due_date else None),
        _p("Subtotal", format_amount(invoice.subtotal)),
        _p("SalesTaxPercentage", None if tax is None else "0.00"),
        _p("SalesTaxTotal", None if tax is None else format_amount(tax)),
        _p("AppliedAmount", format_amount(invoice.applied_amount)),
        _p("BalanceRemaining", format_amount(invoice.balance_remaining)),
        _p("Memo", invoice.memo),
        _p("IsPaid", format_bool(invoice.is_paid)),
        _p("IsToBePrinted", "false"),
        _p("IsToBeEmailed", "false"),
    ]
    if links:
        parts += [("LinkedTxn", linked_txn_xml(link)) for link in invoice.linked_txns]
    if lines:
        parts += [("InvoiceLineRet", invoice_line_xml(line)) for line in invoice.lines]
    return x_ret("InvoiceRet", parts, include)


def payment_ret(
    payment: Payment, company: Company, *, applied: bool = True, include: Collection[str] = ()
) -> El:
    """A ``ReceivePaymentRet``; ``AppliedToTxnRet`` carries each invoice's current balance."""
    method = payment.payment_method_name
    deposit = payment.deposit_to_account_name
    parts = [
        *_header("TxnID", payment, payment.txn_id),
        _p("TxnNumber", str(payment.txn_number)),
        ("CustomerRef", x_ref("CustomerRef", payment.customer_list_id, payment.customer_full_name)),
        _account_ref("ARAccountRef", company, AR_ACCOUNT),
        _p("TxnDate", payment.txn_date.isoformat()),
        _p("RefNumber", payment.ref_number),
        _p("TotalAmount", format_amount(payment.total_amount)),
        (
            "PaymentMethodRef",
            x_ref("PaymentMethodRef", company.payment_method_list_id(method), method)
            if method
            else "",
        ),
        _p("Memo", payment.memo),
        _account_ref("DepositToAccountRef", company, deposit) if deposit else ("", ""),
        _p("UnusedPayment", format_amount(payment.unused_payment)),
        _p("UnusedCredits", "0.00"),
        _p("ExternalGUID", payment.external_guid),
    ]
    for part in payment.applied if applied else []:
        invoice = company.invoices.get(part.txn_id)
        balance = format_amount(invoice.balance_remaining) if invoice else None
        discount_account = part.discount_account_name
        xml = x_group(
            "AppliedToTxnRet",
            x_leaf("TxnID", part.txn_id),
            x_leaf("TxnType", "Invoice"),
            x_leaf("TxnDate", part.txn_date.isoformat()),
            x_leaf("RefNumber", part.ref_number),
            x_leaf("BalanceRemaining", balance),
            x_leaf("Amount", format_amount(part.amount)),
            x_leaf("DiscountAmount", format_amount(part.discount) if part.discount else None),
            x_ref("DiscountAccountRef", company.account_list_id(discount_account), discount_account)
            if discount_account
            else "",
            *(linked_txn_xml(link) for link in part.credits),
        )
        parts.append(("AppliedToTxnRet", xml))
    return x_ret("ReceivePaymentRet", parts, include)


def list_deleted_ret(gone: DeletedListElement, include: Collection[str] = ()) -> El:
    """A ``ListDeletedRet``."""
    parts = [
        _p("ListDelType", gone.list_del_type),
        _p("ListID", gone.list_id),
        _p("TimeCreated", format_datetime(gone.time_created)),
        _p("TimeDeleted", format_datetime(gone.time_deleted)),
        _p("FullName", gone.full_name),
    ]
    return x_ret("ListDeletedRet", parts, include)


def txn_deleted_ret(gone: DeletedTxn, include: Collection[str] = ()) -> El:
    """A ``TxnDeletedRet``."""
    parts = [
        _p("TxnDelType", gone.txn_del_type),
        _p("TxnID", gone.txn_id),
        _p("TimeCreated", format_datetime(gone.time_created)),
        _p("TimeDeleted", format_datetime(gone.time_deleted)),
        _p("RefNumber", gone.ref_number),
    ]
    return x_ret("TxnDeletedRet", parts, include)
