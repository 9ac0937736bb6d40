"""What a payments connector writes to QuickBooks, each as one write at most once per key.

Every operation checks what it can against the stored records (the invoices it pays, the
customers and items it names), builds the request's fields as qbXML names them, and hands
them to :func:`~qwc_service.writes.service.submit_write`, which owns the rest: the
idempotency key, the message-set recovery, the lookup key written into the record.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.writes.service import Submitted, key_in_use, memo_marker, submit_write
from qwc_service.writes.shapes import refused
from qwc_service.writes.stored import (
    StoredInvoice,
    credit_customer,
    stored_customer,
    stored_invoice,
)

__all__ = [
    "Applied",
    "amount_text",
    "record_credit",
    "record_payment",
    "record_payout",
    "record_refund",
    "upsert_customer",
]

_CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999.99")
MAX_REF_NUMBER = 20
_REF_PREFIX = "QWC"


@dataclass(frozen=True)
class Applied:
    """An amount applied to one transaction (an invoice paid, a credit used)."""

    txn_id: str
    amount: Decimal


def amount_text(amount: Decimal | str, field: str, *, negative: bool = False) -> str:
    """An amount as qbXML's AMTTYPE, checked: more than 0, at most two decimals."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise refused(field, f"{amount!r} is not an amount like 125.50") from None
    if not value.is_finite() or value <= 0:
        raise refused(field, f"must be more than 0, not {amount}")
    if value != value.quantize(_CENT) or value > MAX_AMOUNT:
        raise refused(field, f"{amount} has more than 2 decimals or is too large")
    value = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    return format(-value if negative else value, "f")


def _ref(name_or_id: str) -> dict[str, str]:
    # ListIDs look like 80000001-1234567890; anything else is a FullName.
    text = name_or_id.strip()
    parts = text.split("-")
    if len(parts) == 2 and all(p and all(c in "0123456789ABCDEF" for c in p) for p in parts):
        return {"ListID": text}
    return {"FullName": text}


def _memo(text: str | None, key: str) -> str:
    marker = f"[{memo_marker(key)}]"
    return f"{text} {marker}" if text else f"Recorded by qwc-service {marker}"


def _reference(reference: str | None, key: str) -> str:
    if reference:
        reference = reference.strip()
        if len(reference) > MAX_REF_NUMBER:
            raise refused("RefNumber", f"is longer than {MAX_REF_NUMBER} characters")
        return reference
    # Derived from the idempotency key (unique per connection), so the same call made
    # again builds the same fields and gets the first write back.
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return _REF_PREFIX + base64.b32encode(digest).decode("ascii")[:13]


def _stored_invoice(db: Session, connection_id: str, txn_id: str) -> StoredInvoice:
    invoice = stored_invoice(db, connection_id, txn_id)
    if invoice is None or not invoice.customer_list_id:
        raise refused(
            "apply", f"invoice {txn_id!r} is not known for this connection; sync invoices first"
        )
    return invoice


def record_payment(
    db: Session,
    connection_id: str,
    *,
    applied: list[Applied],
    key: str,
    invoice_txn_id: str | None = None,
    credits: list[Applied] = (),  # type: ignore[assignment]
    total: Decimal | None = None,
    discount: Decimal | None = None,
    discount_account: str | None = None,
    method: str | None = None,
    deposit_to: str | None = None,
    memo: str | None = None,
    reference: str | None = None,
    txn_date: date | None = None,
) -> Submitted:
    """A ReceivePaymentAdd paying stored invoices of one customer.

    ``total`` above the amounts applied leaves the rest as the customer's credit (the
    result's ``UnusedPayment``). Credits (``SetCredit``) and the discount go on the first
    invoice. The payment carries a RefNumber and a marker in its memo besides its
    ExternalGUID, so it can be found again even by RefNumber alone. ``invoice_txn_id`` is the
    one-invoice form kept from before ``applied``: the whole ``total`` goes to that invoice.
    """
    if invoice_txn_id:
        if total is None:
            raise refused("amount", "a payment on one invoice needs its amount")
        applied = [*applied, Applied(invoice_txn_id, total)]
    if not applied:
        raise refused("apply", "name at least one invoice to pay (INVOICE_TXNID=AMOUNT)")
    invoices = [_stored_invoice(db, connection_id, a.txn_id) for a in applied]
    customers = {invoice.customer_list_id for invoice in invoices}
    if len(customers) > 1:
        raise refused("apply", "the invoices belong to different customers")
    # The balance check is for a new payment; the same call made again (after the payment
    # was recorded, say) must get the first write back, not a refusal.
    first_time = not key_in_use(db, connection_id, key)
    lines: list[dict[str, Any]] = []
    applied_sum = Decimal(0)
    for index, (item, invoice) in enumerate(zip(applied, invoices, strict=True)):
        amount = amount_text(item.amount, "apply")
        applied_sum += Decimal(amount)
        owed = invoice.balance_remaining
        if first_time and owed is not None and Decimal(amount) > owed + (discount or 0):
            raise refused(
                "apply",
                f"{amount} is more than invoice {invoice.txn_id!r} still owes ({owed:.2f})",
            )
        line: dict[str, Any] = {"TxnID": item.txn_id, "PaymentAmount": amount}
        if index == 0 and credits:
            line["SetCredit"] = [
                {"CreditTxnID": c.txn_id, "AppliedAmount": amount_text(c.amount, "credit")}
                for c in credits
            ]
        if index == 0 and discount is not None:
            if not discount_account:
                raise refused("discount_account", "a discount needs the account it goes to")
            line["DiscountAmount"] = amount_text(discount, "discount")
            line["DiscountAccountRef"] = _ref(discount_account)
        lines.append(line)
    total_text = amount_text(total if total is not None else applied_sum, "amount")
    if Decimal(total_text) < applied_sum:
        raise refused("amount", f"is less than the {applied_sum:.2f} applied to invoices")
    ref_number = _reference(reference, key)
    fields: dict[str, Any] = {"CustomerRef": {"ListID": invoices[0].customer_list_id}}
    if txn_date is not None:
        fields["TxnDate"] = txn_date.isoformat()
    fields["RefNumber"] = ref_number
    fields["TotalAmount"] = total_text
    if method:
        fields["PaymentMethodRef"] = _ref(method)
    fields["Memo"] = _memo(memo, key)
    if deposit_to:
        fields["DepositToAccountRef"] = _ref(deposit_to)
    fields["AppliedToTxnAdd"] = lines
    return _submit(db, connection_id, "ReceivePaymentAdd", fields, key, ref_number)


def record_payout(
    db: Session,
    connection_id: str,
    *,
    payments: list[str],
    bank: str,
    fee: Decimal | None,
    fee_account: str | None,
    key: str,
    txn_date: date | None = None,
    memo: str | None = None,
) -> Submitted:
    """A DepositAdd moving received payments out of Undeposited Funds into ``bank``, with
    a negative fee line, so the deposit equals what reached the bank."""
    ids = [p.strip() for p in payments if p.strip()]
    if not ids:
        raise refused("payments", "name the TxnIDs of the payments paid out")
    if len(set(ids)) != len(ids):
        raise refused("payments", "a payment is named twice")
    fields: dict[str, Any] = {}
    if txn_date is not None:
        fields["TxnDate"] = txn_date.isoformat()
    fields["DepositToAccountRef"] = _ref(bank)
    fields["Memo"] = _memo(memo or "Payout", key)
    lines: list[dict[str, Any]] = [{"PaymentTxnID": txn_id} for txn_id in ids]
    if fee is not None:
        if not fee_account:
            raise refused("fee_account", "a fee needs the account it is booked to")
        lines.append(
            {
                "AccountRef": _ref(fee_account),
                "Memo": "Processing fee",
                "Amount": amount_text(fee, "fee", negative=True),
            }
        )
    fields["DepositLineAdd"] = lines
    return _submit(db, connection_id, "DepositAdd", fields, key, None)


def record_refund(
    db: Session,
    connection_id: str,
    *,
    credit: str,
    amount: Decimal,
    account: str,
    key: str,
    customer: str | None = None,
    method: str | None = None,
    reference: str | None = None,
) -> Submitted:
    """An ARRefundCreditCardAdd refunding part of a credit memo (or unused payment); the
    customer is the synced credit memo's (or payment's) unless given."""
    if customer is None:
        customer_ref = credit_customer(db, connection_id, credit.strip())
        if customer_ref is None:
            raise refused(
                "customer",
                f"no synced credit memo or payment {credit.strip()!r} to take the customer "
                "from; name the customer",
            )
    else:
        customer_ref = _customer_ref(db, connection_id, customer, "customer")
    fields: dict[str, Any] = {
        "CustomerRef": customer_ref,
        "RefundFromAccountRef": _ref(account),
    }
    # Its RefNumber is short (11 characters): one is sent only when given; the server
    # finds the refund again by its ExternalGUID.
    if reference:
        fields["RefNumber"] = reference.strip()
    if method:
        fields["PaymentMethodRef"] = _ref(method)
    fields["Memo"] = _memo(None, key)
    fields["RefundAppliedToTxnAdd"] = [
        {"TxnID": credit.strip(), "RefundAmount": amount_text(amount, "amount")}
    ]
    return _submit(db, connection_id, "ARRefundCreditCardAdd", fields, key, None)


def record_credit(
    db: Session,
    connection_id: str,
    *,
    customer: str,
    item: str,
    amount: Decimal,
    key: str,
    memo: str | None = None,
    reference: str | None = None,
) -> Submitted:
    """A CreditMemoAdd of one line for ``amount``."""
    fields: dict[str, Any] = {"CustomerRef": _customer_ref(db, connection_id, customer, "customer")}
    if reference:
        fields["RefNumber"] = reference.strip()  # 11 characters at most; found by ExternalGUID
    fields.update(
        {
            "Memo": _memo(memo, key),
            "CreditMemoLineAdd": [{"ItemRef": _ref(item), "Amount": amount_text(amount, "amount")}],
        }
    )
    return _submit(db, connection_id, "CreditMemoAdd", fields, key, None)


def upsert_customer(db: Session, connection_id: str, fields: Any, *, key: str) -> Submitted:
    """CustomerAdd, or CustomerMod of the stored customer matched by ListID or Name."""
    if not isinstance(fields, dict) or not fields:
        raise refused("fields", "must be a non-empty JSON object named as in qbXML")
    list_id = fields.get("ListID")
    found = None
    if isinstance(list_id, str) and list_id:
        found = stored_customer(db, connection_id, list_id=list_id)
        if found is None:
            raise refused("ListID", f"no stored customer has ListID {list_id!r}")
    elif isinstance(fields.get("Name"), str):
        found = stored_customer(db, connection_id, full_name=fields["Name"])
    if found is None:
        return submit_write(
            db, connection_id, request="CustomerAdd", fields=fields, idempotency_key=key
        )
    mod = {"ListID": found.list_id, **{k: v for k, v in fields.items() if k != "ListID"}}
    if mod.get("Name") == found.name:
        del mod["Name"]  # unchanged: sending it would only risk a conflict
    return submit_write(db, connection_id, request="CustomerMod", fields=mod, idempotency_key=key)


def _customer_ref(
    db: Session, connection_id: str, customer: str | None, field: str
) -> dict[str, str]:
    if not customer or not customer.strip():
        raise refused(field, "name the customer (FullName or ListID)")
    return _ref(customer)


def _submit(
    db: Session,
    connection_id: str,
    request: str,
    fields: dict[str, Any],
    key: str,
    ref_number: str | None,
) -> Submitted:
    return submit_write(
        db,
        connection_id,
        request=request,
        fields=fields,
        idempotency_key=key,
        ref_number=ref_number,
    )
