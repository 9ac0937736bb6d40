"""Plain dictionaries for payment writes (CLI output, later the HTTP API)."""

from __future__ import annotations

from typing import Any

from qwc_service.clock import isoformat
from qwc_service.payments.models import PaymentWrite
from qwc_service.payments.requests import format_amount


def payment_write_view(write: PaymentWrite) -> dict[str, Any]:
    """A payment write as JSON-ready data (the amount as a string with two decimals)."""
    return {
        "payment_id": write.id,
        "connection_id": write.connection_id,
        "idempotency_key": write.idempotency_key,
        "job_id": write.job_id,
        "ref_number": write.ref_number,
        "status": write.status,
        "invoice_txn_id": write.invoice_txn_id,
        "customer_list_id": write.customer_list_id,
        "amount": format_amount(write.amount),
        "txn_date": write.txn_date.isoformat(),
        "payment_method": write.payment_method,
        "deposit_to_account": write.deposit_to_account,
        "memo": write.memo,
        "txn_id": write.txn_id,
        "sends": write.sends,
        "checks": write.checks,
        "status_code": write.status_code,
        "error": write.error,
        "created_at": isoformat(write.created_at),
        "completed_at": isoformat(write.completed_at),
    }
