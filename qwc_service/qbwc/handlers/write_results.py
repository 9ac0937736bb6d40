"""Storing what a finished write changed: its record, and the balances a payment moved.

The answer that completed the write (QuickBooks' own, a stored one replayed by a status
check, or a lookup's) holds the record as QuickBooks has it now; when the server keeps
records of that type, it is stored as a sync would store it, so reads do not wait for the
next sync. A payment also lowers the balance of each invoice it paid, which QuickBooks
reports in its ``AppliedToTxnRet``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import structlog

from qwc_service.qbwc.jobs import JobContext
from qwc_service.qbxml.errors import QbxmlError
from qwc_service.records.invoices import update_invoice_balance
from qwc_service.records.parse import read_response
from qwc_service.records.store import apply_records
from qwc_service.writes.models import Write

__all__ = ["store_result"]

log = structlog.get_logger("qwc_service.writes")


def store_result(ctx: JobContext, write: Write, response: str, ret: dict[str, Any]) -> None:
    """Store the records of ``response`` and the invoice balances a payment's ``ret`` gives."""
    try:
        result = apply_records(ctx.db, write.connection_id, read_response(response), now=ctx.now)
    except QbxmlError as exc:
        # The write is done either way; the next sync stores the record.
        log.warning("write_result_not_stored", write_id=write.id, error=str(exc))
        return
    if result.problems:
        log.info("write_result_problems", write_id=write.id, problems=len(result.problems))
    if write.request != "ReceivePaymentAdd":
        return
    for applied in ret.get("AppliedToTxnRet") or []:
        balance = _amount(applied.get("BalanceRemaining"))
        txn_id = applied.get("TxnID")
        if balance is not None and isinstance(txn_id, str):
            update_invoice_balance(
                ctx.db, write.connection_id, txn_id, balance, is_paid=balance <= 0, now=ctx.now
            )


def _amount(text: Any) -> Decimal | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
