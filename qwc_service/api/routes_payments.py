"""Payment write-backs: record a payment on a stored invoice at most once per key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from qwc_service.api.common import CONNECTION_ID
from qwc_service.api.fields import Field
from qwc_service.api.http import json_reply
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.payments import service
from qwc_service.payments.models import PaymentStatus, PaymentWrite
from qwc_service.payments.views import payment_write_view

AMOUNT_PATTERN = r"^\d{1,13}(\.\d{1,2})?$"


def _known_key(call: Call, key: str | None) -> bool:
    if key is None or not key.strip():
        return False
    found = call.db.scalar(
        select(PaymentWrite.id).where(
            PaymentWrite.connection_id == call.params["connection_id"],
            PaymentWrite.idempotency_key == key.strip(),
        )
    )
    return found is not None


def record_payment(call: Call) -> Any:
    """Queue a ReceivePaymentAdd on a stored invoice; the same key returns the same write."""
    body = call.body
    replay = _known_key(call, body.get("idempotency_key"))
    write = service.record_payment(
        call.db,
        call.params["connection_id"],
        invoice_txn_id=body["invoice_txn_id"],
        amount=Decimal(body["amount"]),
        txn_date=body.get("date"),
        method=body.get("method"),
        reference=body.get("reference"),
        deposit_to=body.get("deposit_to"),
        idempotency_key=body.get("idempotency_key"),
    )
    return json_reply(200 if replay else 201, payment_write_view(write))


def list_payments(call: Call) -> Any:
    """The connection's payment writes, newest first."""
    writes = service.list_payment_writes(
        call.db,
        call.params["connection_id"],
        status=call.query["status"],
        limit=call.query["limit"],
    )
    return {"data": [payment_write_view(w) for w in writes]}


def get_payment(call: Call) -> Any:
    """One payment write: its status, the TxnID QuickBooks gave it, or its error."""
    write = service.get_payment_write(
        call.db, call.params["connection_id"], call.params["payment_id"]
    )
    return payment_write_view(write)


TAG = "payments"
PAYMENTS = "/api/connections/{connection_id}/payments"
ROUTES = [
    Operation(
        "POST",
        PAYMENTS,
        record_payment,
        "Record a payment on a stored invoice (written back to QuickBooks)",
        TAG,
        ref("PaymentWrite"),
        status=201,
        also={200: "The idempotency key was used before for this same payment; it is returned."},
        params=(CONNECTION_ID,),
        body=(
            Field(
                "invoice_txn_id",
                "string",
                "TxnID of a stored invoice.",
                required=True,
                min_length=1,
                max_length=40,
            ),
            Field(
                "amount",
                "string",
                'Amount as a decimal string with at most two decimals, e.g. "125.50".',
                required=True,
                pattern=AMOUNT_PATTERN,
            ),
            Field("date", "date", "The payment's date (today in UTC if left out)."),
            Field("method", "string", "Payment method name in QuickBooks.", nullable=True),
            Field(
                "reference",
                "string",
                "The payment's RefNumber (one is generated if left out).",
                nullable=True,
            ),
            Field(
                "deposit_to",
                "string",
                "Account to deposit to (QuickBooks' default if left out).",
                nullable=True,
            ),
            Field(
                "idempotency_key",
                "string",
                "The same key always means the same payment: a retried call returns the first "
                "write. One is generated if left out, but then a retry would pay twice.",
                max_length=service.MAX_KEY_LENGTH,
            ),
        ),
        errors=(400, 404, 409, 413, 415, 422),
    ),
    Operation(
        "GET",
        PAYMENTS,
        list_payments,
        "List a connection's payment writes",
        TAG,
        ref("PaymentWriteList"),
        params=(CONNECTION_ID,),
        query=(
            Field(
                "status",
                "string",
                "Only writes in this status.",
                enum=tuple(s.value for s in PaymentStatus),
            ),
            Field("limit", "integer", "How many writes.", minimum=1, maximum=500, default=100),
        ),
        errors=(400, 404),
    ),
    Operation(
        "GET",
        PAYMENTS + "/{payment_id}",
        get_payment,
        "Read a payment write",
        TAG,
        ref("PaymentWrite"),
        params=(
            CONNECTION_ID,
            Field("payment_id", "integer", "The payment write's id.", minimum=1),
        ),
        errors=(404,),
    ),
]
