"""Reading QuickBooks' answers to the payment requests: the status, and each ReceivePaymentRet.

Only what the write-back acts on is read (identity, customer, reference, amount, memo and the
invoices the money went to); everything else in the Ret is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from qwc_service.qbxml.errors import InvalidQbxml
from qwc_service.qbxml.responses import ResponseStatus, summarize_response
from qwc_service.qbxml.xmlsafe import iter_elements

__all__ = ["AppliedTo", "ReceivedPayment", "read_received_payments", "status_of"]


@dataclass(frozen=True)
class AppliedTo:
    """One ``AppliedToTxnRet``: how much of the payment went to one transaction."""

    txn_id: str
    amount: Decimal | None
    # The transaction's balance when QuickBooks answered (after this payment, and after any
    # later ones when the answer comes from a query).
    balance_remaining: Decimal | None


@dataclass(frozen=True)
class ReceivedPayment:
    """The parts of a ``ReceivePaymentRet`` a write-back needs."""

    txn_id: str
    customer_list_id: str | None
    ref_number: str | None
    total_amount: Decimal | None
    memo: str | None
    applied: tuple[AppliedTo, ...]

    def applied_to(self, txn_id: str) -> AppliedTo | None:
        """The application to ``txn_id``, if the payment paid it."""
        return next((a for a in self.applied if a.txn_id == txn_id), None)


def status_of(response: str, rs_name: str) -> ResponseStatus | None:
    """The status of the first ``rs_name`` answer in ``response`` (None when absent).

    Raises :class:`~qwc_service.qbxml.errors.QbxmlError` when the response cannot be read.
    """
    summary = summarize_response(response)
    return next((s for s in summary.statuses if s.name == rs_name), None)


def read_received_payments(response: str) -> list[ReceivedPayment]:
    """Every ``ReceivePaymentRet`` in ``response``, in document order.

    Raises :class:`~qwc_service.qbxml.errors.QbxmlError` for unreadable XML or an amount that
    is not a number.
    """
    found: list[ReceivedPayment] = []
    for ret in iter_elements(response, {"ReceivePaymentRet"}):
        # iter_elements clears each element once the next is asked for: copy now.
        txn_id = _text(ret, "TxnID")
        if not txn_id:
            raise InvalidQbxml("a ReceivePaymentRet has no TxnID")
        applied = tuple(
            AppliedTo(
                txn_id=_text(node, "TxnID") or "",
                amount=_amount(node, "Amount"),
                balance_remaining=_amount(node, "BalanceRemaining"),
            )
            for node in ret.findall("AppliedToTxnRet")
        )
        found.append(
            ReceivedPayment(
                txn_id=txn_id,
                customer_list_id=_text(ret, "CustomerRef/ListID"),
                ref_number=_text(ret, "RefNumber"),
                total_amount=_amount(ret, "TotalAmount"),
                memo=_text(ret, "Memo"),
                applied=applied,
            )
        )
    return found


def _text(node: Any, path: str) -> str | None:
    child = node.find(path)
    if child is None or child.text is None:
        return None
    return str(child.text).strip()


def _amount(node: Any, path: str) -> Decimal | None:
    text = _text(node, path)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidQbxml(f"<{path}> is {text[:20]!r}, which is not an amount") from None
    if not value.is_finite():
        raise InvalidQbxml(f"<{path}> is {text[:20]!r}, which is not an amount")
    return value
