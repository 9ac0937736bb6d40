"""The two requests of a payment write-back: the ReceivePaymentAdd, and the query that looks
for it when QuickBooks' answer to the add was lost.

Both are built as lxml trees (so ``&``, ``<`` and non-ASCII names are escaped by the
serialiser, never by hand) and wrapped by :func:`qwc_service.qbxml.requests.build_request`.
Element order follows the qbXML 13.0 schema, which QuickBooks enforces.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lxml import etree

from qwc_service.payments.models import PaymentWrite
from qwc_service.qbxml.requests import build_request
from qwc_service.qbxml.versions import DEFAULT_VERSION

__all__ = [
    "ADD_REQUEST",
    "CHECK_REQUEST",
    "MAX_ACCOUNT_NAME_LENGTH",
    "MAX_MEMO_LENGTH",
    "MAX_METHOD_NAME_LENGTH",
    "MAX_REF_NUMBER_LENGTH",
    "format_amount",
    "payment_add_request",
    "payment_check_request",
]

ADD_REQUEST = "ReceivePaymentAddRq"
CHECK_REQUEST = "ReceivePaymentQueryRq"
# maxLength values of the qbXML 13.0 schema: ReceivePaymentAdd/RefNumber, SimpleListRef
# FullName (PaymentMethodRef), ListRef FullName (DepositToAccountRef), ReceivePaymentAdd/Memo.
MAX_REF_NUMBER_LENGTH = 20
MAX_METHOD_NAME_LENGTH = 31
MAX_ACCOUNT_NAME_LENGTH = 159
MAX_MEMO_LENGTH = 4095

_CENT = Decimal("0.01")


def format_amount(amount: Decimal) -> str:
    """An amount as qbXML's AMTTYPE: plain digits with exactly two decimals."""
    return format(amount.quantize(_CENT, rounding=ROUND_HALF_UP), "f")


def payment_add_request(payment: PaymentWrite, *, version: str = DEFAULT_VERSION) -> str:
    """The ReceivePaymentAddRq recording ``payment`` against its one invoice.

    TotalAmount equals the amount applied, so the payment leaves no unused credit. TxnDate is
    always sent: QuickBooks would otherwise date the payment by its own clock, and the check
    query must be able to describe exactly what was asked for.
    """
    request = etree.Element(ADD_REQUEST)
    add = etree.SubElement(request, "ReceivePaymentAdd")
    _ref(add, "CustomerRef", list_id=payment.customer_list_id)
    _leaf(add, "TxnDate", payment.txn_date.isoformat())
    _leaf(add, "RefNumber", payment.ref_number)
    _leaf(add, "TotalAmount", format_amount(payment.amount))
    if payment.payment_method:
        _ref(add, "PaymentMethodRef", full_name=payment.payment_method)
    if payment.memo:
        _leaf(add, "Memo", payment.memo)
    if payment.deposit_to_account:
        _ref(add, "DepositToAccountRef", full_name=payment.deposit_to_account)
    applied = etree.SubElement(add, "AppliedToTxnAdd")
    _leaf(applied, "TxnID", payment.invoice_txn_id)
    _leaf(applied, "PaymentAmount", format_amount(payment.amount))
    return build_request(request, version=version)


def payment_check_request(payment: PaymentWrite, *, version: str = DEFAULT_VERSION) -> str:
    """The ReceivePaymentQueryRq that finds ``payment`` in QuickBooks if it was recorded.

    It asks for the customer's payments whose RefNumber starts with ours, with their applied
    lines; the caller keeps only an exact RefNumber that also carries our memo marker. There
    is deliberately no TxnDateRangeFilter: a person may have re-dated the payment in
    QuickBooks, and missing a recorded payment here would mean paying the invoice twice.
    """
    request = etree.Element(CHECK_REQUEST)
    entity = etree.SubElement(request, "EntityFilter")
    _leaf(entity, "ListID", payment.customer_list_id)
    ref_filter = etree.SubElement(request, "RefNumberFilter")
    _leaf(ref_filter, "MatchCriterion", "StartsWith")
    _leaf(ref_filter, "RefNumber", payment.ref_number)
    _leaf(request, "IncludeLineItems", "true")
    return build_request(request, version=version)


def _leaf(parent: Any, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _ref(
    parent: Any, tag: str, *, list_id: str | None = None, full_name: str | None = None
) -> None:
    ref = etree.SubElement(parent, tag)
    if list_id is not None:
        _leaf(ref, "ListID", list_id)
    if full_name is not None:
        _leaf(ref, "FullName", full_name)
