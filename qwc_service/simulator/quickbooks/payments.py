"""Receiving payments against invoices, and deleting them again.

Kept apart from ``qb_company`` because applying money touches three records at once (the
payment, each invoice it pays, and the customer's balance) and must check everything before
it changes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from qwc_service.simulator.quickbooks.errors import (
    AmountExceedsBalance,
    AppliedExceedsTotal,
    RecordNotFound,
)
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    AppliedTxn,
    DeletedTxn,
    Invoice,
    LinkedTxn,
    Payment,
    qb_epoch,
)

if TYPE_CHECKING:
    from .qb_store import CompanyStore


def plan_applications(
    company: CompanyStore,
    customer_list_id: str,
    applications: Sequence[tuple[str, Decimal | None]],
    total_amount: Decimal | None,
    auto_apply: bool,
) -> tuple[list[tuple[Invoice, Decimal]], Decimal]:
    """Work out which invoice gets how much, raising before anything is changed."""
    if auto_apply:
        return _auto_apply(company, customer_list_id, total_amount or ZERO)
    owed: dict[str, Decimal] = {}
    plan: list[tuple[Invoice, Decimal]] = []
    unassigned = total_amount
    for txn_id, amount in applications:
        invoice = company.invoices.get(txn_id)
        # An invoice of another customer is not among this customer's open invoices.
        if invoice is None or invoice.customer_list_id != customer_list_id:
            raise RecordNotFound("Invoice", txn_id)
        left = owed.get(txn_id, invoice.balance_remaining)
        if amount is None:
            amount = left if unassigned is None else min(left, max(unassigned, ZERO))
        if amount > left:
            raise AmountExceedsBalance(txn_id, amount, left)
        owed[txn_id] = left - amount
        if unassigned is not None:
            unassigned -= amount
        plan.append((invoice, amount))
    applied = sum((amount for _, amount in plan), ZERO)
    total = applied if total_amount is None else total_amount
    if applied > total:
        raise AppliedExceedsTotal(applied, total)
    return plan, total


def _auto_apply(
    company: CompanyStore, customer_list_id: str, total: Decimal
) -> tuple[list[tuple[Invoice, Decimal]], Decimal]:
    plan: list[tuple[Invoice, Decimal]] = []
    left = total
    for invoice in company.open_invoices_for(customer_list_id):
        if left <= ZERO:
            break
        amount = min(left, invoice.balance_remaining)
        plan.append((invoice, amount))
        left -= amount
    return plan, total


def receive_payment(
    company: CompanyStore,
    customer_list_id: str,
    applications: Sequence[tuple[str, Decimal | None]] = (),
    *,
    total_amount: Decimal | None = None,
    auto_apply: bool = False,
    txn_date: date | None = None,
    ref_number: str | None = None,
    payment_method_name: str | None = None,
    deposit_to_account_name: str | None = "Undeposited Funds",
    memo: str | None = None,
    at: datetime | None = None,
) -> Payment:
    """Record a received payment and apply it to the customer's invoices."""
    customer = company.require_customer(customer_list_id)
    plan, total = plan_applications(
        company, customer_list_id, applications, total_amount, auto_apply
    )
    now = company._time(at)
    txn_id = company._new_txn_id(now)
    company._txn_number += 1
    day = txn_date or now.date()
    payment = Payment(
        txn_id=txn_id,
        edit_sequence=str(qb_epoch(now)),
        txn_number=company._txn_number,
        time_created=now,
        time_modified=now,
        customer_list_id=customer.list_id,
        customer_full_name=customer.full_name,
        txn_date=day,
        ref_number=ref_number,
        total_amount=total,
        payment_method_name=payment_method_name,
        deposit_to_account_name=deposit_to_account_name,
        memo=memo,
    )
    if payment_method_name:
        company.payment_method_list_id(payment_method_name)
    if deposit_to_account_name:
        company.account_list_id(deposit_to_account_name)
    for invoice, amount in plan:
        payment.applied.append(
            AppliedTxn(invoice.txn_id, invoice.ref_number, invoice.txn_date, amount)
        )
        link = LinkedTxn(txn_id, "ReceivePayment", day, ref_number, -amount)
        company._link(invoice, link, now)
    company.payments[txn_id] = payment
    company._index_txn(customer.list_id, txn_id, ref_number, company._payment_refs)
    company._adjust_balance(customer, -total)
    return payment


def delete_payment(company: CompanyStore, txn_id: str, *, at: datetime | None = None) -> DeletedTxn:
    """Delete a received payment; the invoices it paid owe that money again."""
    payment = company.payments.get(txn_id)
    if payment is None:
        raise RecordNotFound("ReceivePayment", txn_id)
    now = company._time(at)
    for applied in payment.applied:
        invoice = company.invoices.get(applied.txn_id)
        if invoice is not None:
            company._unlink(invoice, txn_id, now)
    del company.payments[txn_id]
    company._unindex_txn(
        payment.customer_list_id, txn_id, payment.ref_number, company._payment_refs
    )
    customer = company.customers.get(payment.customer_list_id)
    if customer is not None:
        company._adjust_balance(customer, payment.total_amount)
    gone = DeletedTxn("ReceivePayment", txn_id, payment.ref_number, payment.time_created, now)
    company.deleted_txns.append(gone)
    return gone
