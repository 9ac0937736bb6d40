"""``ReceivePaymentAddRq``: a payment applied to several invoices, with credits and discounts.

Each ``AppliedToTxnAdd`` pays one invoice with ``PaymentAmount``, may apply credit memos to it
(``SetCredit``: ``CreditTxnID`` and ``AppliedAmount``) and may take an early-payment discount
(``DiscountAmount`` booked to ``DiscountAccountRef``). Money not applied stays on the payment
as ``UnusedPayment``. Everything is checked before anything changes:

* an invoice or credit memo that is not the customer's, or does not exist, or an invoice
  paid already: 3120;
* a payment method, deposit-to or discount account the company lacks: 3140;
* more applied to an invoice (money, credits and discount together) than it owes, or more
  credit than a credit memo has left: 3210;
* more applied to invoices than the payment's TotalAmount: 3180.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from qwc_service.qbxml.objects.registry import find_object
from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.context import Context, Response
from qwc_service.simulator.quickbooks.documents import (
    child,
    read_bool,
    read_date,
    read_decimal,
    text_of,
    texts_of,
)
from qwc_service.simulator.quickbooks.errors import (
    AmountExceedsBalance,
    AppliedExceedsTotal,
    RecordNotFound,
)
from qwc_service.simulator.quickbooks.objects import ObjectRecord
from qwc_service.simulator.quickbooks.ordered import append_parts, part_amount, set_part
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    Invoice,
    LinkedTxn,
    format_amount,
)
from qwc_service.simulator.quickbooks.refs import resolve_customer, resolve_list
from qwc_service.simulator.quickbooks.render import payment_ret
from qwc_service.simulator.quickbooks.status import (
    OK,
    QbxmlParseError,
    RequestFailed,
    invalid_field_value,
    object_not_found,
    payment_exceeds_due,
    save_failed,
)
from qwc_service.simulator.quickbooks.store import PAYMENT_REF_MAX

__all__ = ["credit_memo_of", "receive_payment_add", "reduce_credit"]

UNDEPOSITED_FUNDS = "Undeposited Funds"


@dataclass(frozen=True)
class _Credit:
    memo: ObjectRecord
    amount: Decimal


@dataclass(frozen=True)
class _Applied:
    invoice: Invoice
    amount: Decimal | None
    discount: Decimal
    discount_account: str | None
    credits: tuple[_Credit, ...]


def credit_memo_of(company: Company, txn_id: str, customer_list_id: str) -> ObjectRecord:
    """The customer's credit memo with this TxnID, or 3120."""
    memo = company.objects.get("CreditMemo", {}).get(txn_id)
    if memo is None or memo.entity_id != customer_list_id:
        raise RequestFailed(object_not_found(txn_id))
    return memo


def reduce_credit(memo: ObjectRecord, amount: Decimal, field: str) -> Decimal:
    """Check that ``amount`` of credit is left on ``memo`` (3210 if not); what is left after."""
    left = part_amount(memo, "CreditRemaining") or ZERO
    if amount > left:
        reason = "The amount applied is more than the credit remaining."
        raise RequestFailed(invalid_field_value(field, format_amount(amount), reason))
    return left - amount


def _read_applied(company: Company, node: etree._Element, customer_id: str) -> list[_Applied]:
    out: list[_Applied] = []
    for applied in node.findall("AppliedToTxnAdd"):
        txn_id = text_of(applied, "TxnID") or ""
        invoice = company.invoices.get(txn_id)
        # A paid invoice is no longer among the customer's open invoices: not found.
        if invoice is None or invoice.customer_list_id != customer_id or invoice.is_paid:
            raise RequestFailed(object_not_found(txn_id))
        credits = tuple(
            _Credit(
                credit_memo_of(company, text_of(c, "CreditTxnID") or "", customer_id),
                read_decimal(c, "AppliedAmount") or ZERO,
            )
            for c in applied.findall("SetCredit")
        )
        discount = read_decimal(applied, "DiscountAmount") or ZERO
        account = resolve_list(
            company, "Account", child(applied, "DiscountAccountRef"), "ReceivePayment discount"
        )
        if discount and account is None:
            reason = "A discount needs an account to post it to."
            raise RequestFailed(invalid_field_value("DiscountAccountRef", "", reason))
        out.append(
            _Applied(
                invoice,
                read_decimal(applied, "PaymentAmount"),
                discount,
                account.full_name if account is not None else None,
                credits,
            )
        )
    return out


def _check_amounts(applications: list[_Applied]) -> None:
    owed: dict[str, Decimal] = {}
    credit_left: dict[str, Decimal] = {}
    for app in applications:
        txn_id = app.invoice.txn_id
        for credit in app.credits:
            memo_id = credit.memo.id
            left = credit_left.get(memo_id, part_amount(credit.memo, "CreditRemaining") or ZERO)
            if credit.amount > left:
                reason = "The amount applied is more than the credit remaining."
                value = format_amount(credit.amount)
                raise RequestFailed(invalid_field_value("SetCredit applied amount", value, reason))
            credit_left[memo_id] = left - credit.amount
        left = owed.get(txn_id, app.invoice.balance_remaining)
        total = (app.amount or ZERO) + app.discount + sum((c.amount for c in app.credits), ZERO)
        if total > left:
            raise RequestFailed(payment_exceeds_due(app.amount or total))
        owed[txn_id] = left - total


def _apply_extras(company: Company, payment_txn_id: str, applications: list[_Applied]) -> None:
    """Apply credits and discounts after the money (``receive_payment``) is applied."""
    payment = company.payments[payment_txn_id]
    ret = find_object("CreditMemo").ret
    now = payment.time_created
    for app, part in zip(applications, payment.applied, strict=False):
        invoice = app.invoice
        for credit in app.credits:
            memo = credit.memo
            set_part(
                ret,
                memo,
                "CreditRemaining",
                format_amount(reduce_credit(memo, credit.amount, "AppliedAmount")),
            )
            append_parts(ret, memo, "LinkedTxn", _link_value(invoice, credit.amount))
            company._bump(memo, now)
            link = LinkedTxn(
                memo.id, "CreditMemo", memo.txn_date or now.date(), memo.ref_number, -credit.amount
            )
            part.credits.append(link)
            company._link(invoice, link, now)
        if app.discount:
            part.discount = app.discount
            part.discount_account_name = app.discount_account
            invoice.applied_amount -= app.discount
            invoice.balance_remaining -= app.discount
            invoice.is_paid = invoice.balance_remaining <= ZERO
            customer = company.customers[invoice.customer_list_id]
            company._adjust_balance(customer, -app.discount)


def _link_value(invoice: Invoice, amount: Decimal) -> dict[str, str | None]:
    return {
        "TxnID": invoice.txn_id,
        "TxnType": "Invoice",
        "TxnDate": invoice.txn_date.isoformat(),
        "RefNumber": invoice.ref_number,
        "LinkType": "AMTTYPE",
        "Amount": format_amount(-amount),
    }


def receive_payment_add(ctx: Context, rq: etree._Element) -> Response:
    """``ReceivePaymentAddRq``."""
    node = child(rq, "ReceivePaymentAdd")
    if node is None:
        raise QbxmlParseError("ReceivePaymentAddRq needs a ReceivePaymentAdd")
    company = ctx.company
    customer = resolve_customer(company, child(node, "CustomerRef"), "ReceivePayment")
    method = resolve_list(company, "PaymentMethod", child(node, "PaymentMethodRef"), "payment")
    deposit = resolve_list(company, "Account", child(node, "DepositToAccountRef"), "ReceivePayment")
    ref_number = text_of(node, "RefNumber")
    if ref_number is not None and len(ref_number) > PAYMENT_REF_MAX:
        raise QbxmlParseError(f"RefNumber is longer than {PAYMENT_REF_MAX} characters")
    applications = _read_applied(company, node, customer.list_id)
    _check_amounts(applications)
    try:
        payment = company.receive_payment(
            customer.list_id,
            [(a.invoice.txn_id, a.amount) for a in applications],
            total_amount=read_decimal(node, "TotalAmount"),
            auto_apply=bool(read_bool(node, "IsAutoApply")),
            txn_date=read_date(node, "TxnDate"),
            ref_number=ref_number or None,
            payment_method_name=method.full_name if method is not None else None,
            deposit_to_account_name=deposit.full_name if deposit is not None else UNDEPOSITED_FUNDS,
            memo=text_of(node, "Memo") or None,
        )
    except RecordNotFound as exc:
        raise RequestFailed(object_not_found(exc.ref)) from None
    except AmountExceedsBalance as exc:
        raise RequestFailed(payment_exceeds_due(exc.amount)) from None
    except AppliedExceedsTotal:
        reason = "The amount applied to invoices is more than the amount of the payment."
        raise RequestFailed(save_failed("ReceivePayment", reason)) from None
    payment.external_guid = text_of(node, "ExternalGUID") or None
    _apply_extras(company, payment.txn_id, applications)
    include = frozenset(texts_of(rq, "IncludeRetElement"))
    return Response("ReceivePaymentAddRs", OK, [payment_ret(payment, company, include=include)])
