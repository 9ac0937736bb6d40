"""``InvoiceModRq`` and ``TxnVoidRq``.

InvoiceMod follows QuickBooks' Mod rules (notes ``qbxml-error-recovery.md`` §9): it changes
only the elements sent; a stale ``EditSequence`` answers 3200 with the current InvoiceRet;
and once it lists any ``InvoiceLineMod``, every line it does not list is deleted, while
``TxnLineID`` ``-1`` adds a line. A line ID the invoice does not have answers 3120, and a
change that would leave less owed than was already paid answers 3180.

TxnVoid empties an invoice, a credit memo or a deposit the way QuickBooks voids one: amounts
go to zero, the memo starts with ``VOID:``, the record stays (a received payment is not in
TxnVoidType's enumeration). An invoice with payments applied or a credit memo already used
answers 3180; a voided deposit puts its payments back in Undeposited Funds. Other
transaction types are not voided here (1030).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from qwc_service.qbxml.objects.registry import find_object
from qwc_service.simulator.quickbooks.company import Company, LineSpec
from qwc_service.simulator.quickbooks.context import Context, Response
from qwc_service.simulator.quickbooks.documents import (
    El,
    child,
    read_date,
    read_decimal,
    text_of,
    texts_of,
)
from qwc_service.simulator.quickbooks.objects import ObjectRecord
from qwc_service.simulator.quickbooks.ordered import part_amount, part_text, set_part
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    Invoice,
    InvoiceLine,
    format_amount,
    format_datetime,
    to_cents,
)
from qwc_service.simulator.quickbooks.refs import resolve_customer, resolve_item
from qwc_service.simulator.quickbooks.render import invoice_ret
from qwc_service.simulator.quickbooks.status import (
    OK,
    UNSUPPORTED_REQUEST,
    QbxmlParseError,
    RequestFailed,
    edit_sequence_out_of_date,
    object_not_found,
    save_failed,
)
from qwc_service.simulator.quickbooks.store import INVOICE_REF_MAX

__all__ = ["invoice_mod", "txn_void"]

NEW_LINE = "-1"


def _modified_line(company: Company, line: InvoiceLine, node: etree._Element) -> InvoiceLine:
    item = resolve_item(company, child(node, "ItemRef"), "Invoice line")
    quantity = read_decimal(node, "Quantity")
    rate = read_decimal(node, "Rate")
    amount = read_decimal(node, "Amount")
    desc = text_of(node, "Desc")
    if item is not None:
        line.item_list_id, line.item_full_name = item.list_id, item.full_name
    if desc is not None:
        line.desc = desc or None
    if quantity is not None:
        line.quantity = quantity
    if rate is not None:
        line.rate = rate
    if amount is not None:
        line.amount = to_cents(amount)
    elif (quantity is not None or rate is not None) and line.rate is not None:
        line.amount = to_cents((line.quantity or Decimal(1)) * line.rate)
    return line


def _new_lines(company: Company, invoice: Invoice, mods: list[etree._Element]) -> list[InvoiceLine]:
    existing = {line.txn_line_id: line for line in invoice.lines}
    now = company.clock.now()
    out: list[InvoiceLine] = []
    for node in mods:
        line_id = text_of(node, "TxnLineID") or ""
        if line_id == NEW_LINE:
            item = resolve_item(company, child(node, "ItemRef"), "Invoice line")
            spec = LineSpec(
                item.list_id if item else None,
                quantity=read_decimal(node, "Quantity"),
                rate=read_decimal(node, "Rate"),
                amount=read_decimal(node, "Amount"),
                desc=text_of(node, "Desc"),
            )
            out.append(company._build_line(spec, now))
        elif line_id in existing:
            original = existing.pop(line_id)
            copy = InvoiceLine(**vars(original))
            out.append(_modified_line(company, copy, node))
        else:
            raise RequestFailed(object_not_found(line_id))
    return out


def invoice_mod(ctx: Context, rq: etree._Element) -> Response:
    """``InvoiceModRq``."""
    node = child(rq, "InvoiceMod")
    if node is None:
        raise QbxmlParseError("InvoiceModRq needs an InvoiceMod")
    company = ctx.company
    txn_id = text_of(node, "TxnID") or ""
    invoice = company.invoices.get(txn_id)
    if invoice is None:
        raise RequestFailed(object_not_found(txn_id))
    include = frozenset(texts_of(rq, "IncludeRetElement"))
    edit_sequence = text_of(node, "EditSequence") or ""
    if edit_sequence != invoice.edit_sequence:
        ret = invoice_ret(invoice, company, lines=True, links=False, include=include)
        return Response("InvoiceModRs", edit_sequence_out_of_date(edit_sequence), [ret])
    if child(node, "CustomerRef") is not None:
        customer = resolve_customer(company, child(node, "CustomerRef"), "Invoice")
        if customer.list_id != invoice.customer_list_id:
            reason = "Moving an invoice to another customer is not simulated."
            raise RequestFailed(save_failed("Invoice", reason))
    ref_number = text_of(node, "RefNumber")
    if ref_number is not None and len(ref_number) > INVOICE_REF_MAX:
        raise QbxmlParseError(f"RefNumber is longer than {INVOICE_REF_MAX} characters")
    mods = node.findall("InvoiceLineMod")
    lines = _new_lines(company, invoice, mods) if mods else invoice.lines
    subtotal = sum((line.amount for line in lines), ZERO)
    balance = subtotal + (invoice.sales_tax_total or ZERO) + invoice.applied_amount
    if balance < ZERO:
        reason = "The invoice would total less than the payments applied to it."
        raise RequestFailed(save_failed("Invoice", reason))
    _apply(company, invoice, lines, subtotal, balance, node)
    ret = invoice_ret(invoice, company, lines=True, links=False, include=include)
    return Response("InvoiceModRs", OK, [ret])


def _apply(
    company: Company,
    invoice: Invoice,
    lines: list[InvoiceLine],
    subtotal: Decimal,
    balance: Decimal,
    node: etree._Element,
) -> None:
    for line in invoice.lines:
        if line.item_list_id:
            company._item_uses[line.item_list_id] -= 1
    for line in lines:
        if line.item_list_id:
            company._item_uses[line.item_list_id] = company._item_uses.get(line.item_list_id, 0) + 1
    customer = company.customers[invoice.customer_list_id]
    company._adjust_balance(customer, balance - invoice.balance_remaining)
    invoice.lines = lines
    invoice.subtotal = subtotal
    invoice.balance_remaining = balance
    invoice.is_paid = balance <= ZERO
    txn_date = read_date(node, "TxnDate")
    if txn_date is not None:
        invoice.txn_date = txn_date
    due_date = read_date(node, "DueDate")
    if due_date is not None:
        invoice.due_date = due_date
    memo = text_of(node, "Memo")
    if memo is not None:
        invoice.memo = memo or None
    ref_number = text_of(node, "RefNumber")
    if ref_number is not None and ref_number != invoice.ref_number:
        company._unindex_txn(
            customer.list_id, invoice.txn_id, invoice.ref_number, company._invoice_refs
        )
        invoice.ref_number = ref_number or None
        company._index_txn(
            customer.list_id, invoice.txn_id, invoice.ref_number, company._invoice_refs
        )
    company._bump(invoice, company._time(None))


def _void_invoice(company: Company, invoice: Invoice) -> None:
    if invoice.linked_txns:
        reason = "This transaction has payments applied to it."
        raise RequestFailed(save_failed("Invoice", reason, action="voiding"))
    customer = company.customers[invoice.customer_list_id]
    company._adjust_balance(customer, -invoice.balance_remaining)
    for line in invoice.lines:
        line.amount, line.quantity, line.rate = ZERO, None, None
    invoice.subtotal = invoice.balance_remaining = ZERO
    invoice.is_paid = True
    invoice.memo = f"VOID: {invoice.memo or ''}".rstrip()
    company._bump(invoice, company._time(None))


def _void_deposit(company: Company, record: ObjectRecord) -> None:
    """The payments go back to Undeposited Funds; the deposit keeps its lines at zero."""
    ret = find_object("Deposit").ret
    now = company._time(None)
    for payment in company.payments.values():
        if payment.deposit_txn_id == record.id:
            payment.deposit_txn_id = None
            company._bump(payment, now)
    record.parts[:] = [(tag, xml) for tag, xml in record.parts if tag != "DepositLineRet"]
    set_part(ret, record, "DepositTotal", format_amount(ZERO))
    set_part(ret, record, "Memo", f"VOID: {part_text(record, 'Memo') or ''}".rstrip())
    company._bump(record, now)


def _void_credit_memo(company: Company, record: ObjectRecord) -> None:
    """Only a credit memo nothing has used can be voided."""
    total = part_amount(record, "TotalAmount") or ZERO
    if (part_amount(record, "CreditRemaining") or ZERO) != total:
        reason = "This credit has been applied or refunded."
        raise RequestFailed(save_failed("CreditMemo", reason, action="voiding"))
    ret = find_object("CreditMemo").ret
    for tag in ("Subtotal", "TotalAmount", "CreditRemaining"):
        set_part(ret, record, tag, format_amount(ZERO))
    set_part(ret, record, "Memo", f"VOID: {part_text(record, 'Memo') or ''}".rstrip())
    customer = company.customers.get(record.entity_id or "")
    if customer is not None:
        company._adjust_balance(customer, total)
    company._bump(record, company._time(None))


_VOIDABLE = {"Deposit": _void_deposit, "CreditMemo": _void_credit_memo}


def txn_void(ctx: Context, rq: etree._Element) -> Response:
    """``TxnVoidRq`` for an invoice or a received payment."""
    company = ctx.company
    void_type = text_of(rq, "TxnVoidType") or ""
    txn_id = text_of(rq, "TxnID") or ""
    found: Invoice | ObjectRecord
    if void_type == "Invoice" and txn_id in company.invoices:
        found = company.invoices[txn_id]
        _void_invoice(company, found)
    elif void_type in _VOIDABLE and txn_id in company.objects.get(void_type, {}):
        found = company.objects[void_type][txn_id]
        _VOIDABLE[void_type](company, found)
    elif void_type == "Invoice" or void_type in _VOIDABLE:
        raise RequestFailed(object_not_found(txn_id))
    else:
        raise RequestFailed(UNSUPPORTED_REQUEST)
    children = [
        El("TxnVoidType", void_type),
        El("TxnID", txn_id),
        El("TimeCreated", format_datetime(found.time_created)),
        El("TimeModified", format_datetime(found.time_modified)),
    ]
    if found.ref_number is not None:
        children.append(El("RefNumber", found.ref_number))
    return Response("TxnVoidRs", OK, children)
