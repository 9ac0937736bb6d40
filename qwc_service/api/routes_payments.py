"""What a payments connector writes: payments, payouts, refunds, credits and customers.

Each route builds one write and answers with its job, like ``POST .../writes``: 201 for a
new write, 200 with the first job for a repeated idempotency key.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from qwc_service.api.common import CONNECTION_ID
from qwc_service.api.fields import Field
from qwc_service.api.routes_writes import submitted_reply
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.api.waits import WAIT
from qwc_service.http.errors import invalid
from qwc_service.payments import operations as ops
from qwc_service.writes.service import MAX_KEY_LENGTH

AMOUNT_PATTERN = r"^\d{1,13}(\.\d{1,2})?$"


def _applied(value: Any, field: str) -> list[ops.Applied]:
    items: list[ops.Applied] = []
    for entry in value or []:
        amount = entry.get("amount") if isinstance(entry, dict) else None
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("txn_id"), str)
            or not isinstance(amount, str)
            or re.fullmatch(AMOUNT_PATTERN, amount) is None
        ):
            raise invalid(field, f'each {field} entry is {{"txn_id": ..., "amount": "1.00"}}')
        items.append(ops.Applied(entry["txn_id"], Decimal(amount)))
    return items


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def record_payment(call: Call) -> Any:
    """A payment on one or more stored invoices (``apply``, or ``invoice_txn_id`` and
    ``amount``); an ``amount`` above what is applied stays as credit."""
    body = call.body
    submitted = ops.record_payment(
        call.db,
        call.params["connection_id"],
        applied=_applied(body.get("apply"), "apply"),
        invoice_txn_id=body.get("invoice_txn_id"),
        key=body["idempotency_key"],
        credits=_applied(body.get("credits"), "credits"),
        total=_decimal(body.get("amount")),
        discount=_decimal(body.get("discount")),
        discount_account=body.get("discount_account"),
        method=body.get("method"),
        deposit_to=body.get("deposit_to"),
        memo=body.get("memo"),
        reference=body.get("reference"),
        txn_date=body.get("date"),
    )
    return submitted_reply(call, submitted)


def record_payout(call: Call) -> Any:
    """A deposit of received payments into the bank, with the fee as a negative line."""
    body = call.body
    payments = body["payments"]
    if not all(isinstance(p, str) for p in payments):
        raise invalid("payments", "payments is a list of TxnIDs")
    submitted = ops.record_payout(
        call.db,
        call.params["connection_id"],
        payments=payments,
        bank=body["bank"],
        fee=_decimal(body.get("fee")),
        fee_account=body.get("fee_account"),
        key=body["idempotency_key"],
        txn_date=body.get("date"),
    )
    return submitted_reply(call, submitted)


def record_refund(call: Call) -> Any:
    """A card refund from a credit memo (or an unused payment)."""
    body = call.body
    submitted = ops.record_refund(
        call.db,
        call.params["connection_id"],
        credit=body["credit_txn_id"],
        amount=Decimal(body["amount"]),
        account=body["account"],
        customer=body.get("customer"),
        method=body.get("method"),
        key=body["idempotency_key"],
    )
    return submitted_reply(call, submitted)


def record_credit(call: Call) -> Any:
    """A credit memo of one line."""
    body = call.body
    submitted = ops.record_credit(
        call.db,
        call.params["connection_id"],
        customer=body["customer"],
        item=body["item"],
        amount=Decimal(body["amount"]),
        memo=body.get("memo"),
        key=body["idempotency_key"],
    )
    return submitted_reply(call, submitted)


def upsert_customer(call: Call) -> Any:
    """CustomerAdd, or CustomerMod of the stored customer with this ListID or Name."""
    body = call.body
    submitted = ops.upsert_customer(
        call.db, call.params["connection_id"], body["fields"], key=body["idempotency_key"]
    )
    return submitted_reply(call, submitted)


TAG = "payments"
BASE = "/api/connections/{connection_id}"
KEY = Field(
    "idempotency_key",
    "string",
    "The same key always means the same write: a retried call returns the first job.",
    required=True,
    min_length=1,
    max_length=MAX_KEY_LENGTH,
)
_ALSO = {200: "The idempotency key was used before with the same request: its job."}
_ERRORS = (400, 404, 409, 413, 415)


def _amount(name: str, description: str, *, required: bool = False) -> Field:
    return Field(name, "string", description, required=required, pattern=AMOUNT_PATTERN)


def _name(name: str, description: str, *, required: bool = False) -> Field:
    return Field(name, "string", description, required=required, max_length=159)


ROUTES = [
    Operation(
        "POST",
        BASE + "/payments",
        record_payment,
        "Record a payment on stored invoices (a ReceivePaymentAdd)",
        TAG,
        ref("Job"),
        status=201,
        also=_ALSO,
        query=(WAIT,),
        params=(CONNECTION_ID,),
        body=(
            Field("apply", "array", 'Invoices paid: [{"txn_id", "amount"}].'),
            Field("invoice_txn_id", "string", "One invoice paid (with amount).", max_length=40),
            _amount("amount", "Total received; above what is applied it stays as credit."),
            Field("credits", "array", 'Credit memos used: [{"txn_id", "amount"}].'),
            _amount("discount", "Early-payment discount on the first invoice."),
            _name("discount_account", "Account of the discount."),
            _name("method", "Payment method name."),
            _name("deposit_to", "Account deposited to (Undeposited Funds by default)."),
            Field("memo", "string", "Memo.", max_length=3000),
            Field("reference", "string", "RefNumber (generated when left out).", max_length=20),
            Field("date", "date", "The payment's date."),
            KEY,
        ),
        errors=_ERRORS,
    ),
    Operation(
        "POST",
        BASE + "/payouts",
        record_payout,
        "Record a payout: payments deposited into the bank, less the fee (a DepositAdd)",
        TAG,
        ref("Job"),
        status=201,
        also=_ALSO,
        query=(WAIT,),
        params=(CONNECTION_ID,),
        body=(
            Field("payments", "array", "TxnIDs of the payments paid out.", required=True),
            _name("bank", "The bank account.", required=True),
            _amount("fee", "The processor's fee."),
            _name("fee_account", "The account of the fee."),
            Field("date", "date", "The deposit's date."),
            KEY,
        ),
        errors=_ERRORS,
    ),
    Operation(
        "POST",
        BASE + "/refunds",
        record_refund,
        "Record a card refund (an ARRefundCreditCardAdd)",
        TAG,
        ref("Job"),
        status=201,
        also=_ALSO,
        query=(WAIT,),
        params=(CONNECTION_ID,),
        body=(
            Field("credit_txn_id", "string", "The credit memo refunded.", required=True),
            _amount("amount", "Amount refunded.", required=True),
            _name("account", "The account refunded from.", required=True),
            _name(
                "customer",
                "The customer (FullName or ListID); by default the synced credit memo's.",
            ),
            _name("method", "Payment method name."),
            KEY,
        ),
        errors=_ERRORS,
    ),
    Operation(
        "POST",
        BASE + "/credits",
        record_credit,
        "Record a credit memo of one line (a CreditMemoAdd)",
        TAG,
        ref("Job"),
        status=201,
        also=_ALSO,
        query=(WAIT,),
        params=(CONNECTION_ID,),
        body=(
            _name("customer", "The customer (FullName or ListID).", required=True),
            _name("item", "The item of the line.", required=True),
            _amount("amount", "Amount credited.", required=True),
            Field("memo", "string", "Memo.", max_length=3000),
            KEY,
        ),
        errors=_ERRORS,
    ),
    Operation(
        "POST",
        BASE + "/customers/upsert",
        upsert_customer,
        "Add a customer, or change the stored one with this ListID or Name",
        TAG,
        ref("Job"),
        status=201,
        also=_ALSO,
        query=(WAIT,),
        params=(CONNECTION_ID,),
        body=(
            Field("fields", "object", "The customer's fields named as in qbXML.", required=True),
            KEY,
        ),
        errors=_ERRORS,
    ),
]
