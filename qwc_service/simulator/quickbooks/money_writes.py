"""Credit memos, deposits and card refunds written by requests.

* ``CreditMemoAddRq``: lines like an invoice's; the customer's balance falls by the total and
  the whole total is ``CreditRemaining`` until a payment (``SetCredit``) or a refund uses it.
* ``DepositAddRq``: ``DepositLineAdd`` either moves a received payment out of Undeposited
  Funds (``PaymentTxnID``) or books an amount to an account (``AccountRef``/``Amount``, such
  as a negative fee line). ``DepositTotal`` is the sum of the lines; a payment deposited
  already, not in Undeposited Funds or unknown answers 3120; a negative total 3180.
* ``ARRefundCreditCardAddRq``: each ``RefundAppliedToTxnAdd`` refunds part of a credit memo's
  remaining credit or of a payment's unused money (3120 if it is neither, 3210 if it asks for
  more than is left); the customer's balance rises by the total.

The records are kept as the registry's generated objects are, so every query answers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
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
from qwc_service.simulator.quickbooks.object_render import Asked, object_ret
from qwc_service.simulator.quickbooks.objects import ObjectRecord
from qwc_service.simulator.quickbooks.ordered import Value, ret_parts, set_part
from qwc_service.simulator.quickbooks.payment_writes import (
    UNDEPOSITED_FUNDS,
    credit_memo_of,
    reduce_credit,
)
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    format_amount,
    format_price,
    format_quantity,
    qb_epoch,
)
from qwc_service.simulator.quickbooks.refs import resolve_customer, resolve_item, resolve_list
from qwc_service.simulator.quickbooks.status import (
    OK,
    QbxmlParseError,
    RequestFailed,
    invalid_field_value,
    object_not_found,
    save_failed,
)

__all__ = ["ar_refund_credit_card_add", "credit_memo_add", "deposit_add"]

AR_ACCOUNT = "Accounts Receivable"
_EVERYTHING = Asked(lines=True, links=False, owners=frozenset())


def _ref(list_id: str, full_name: str) -> dict[str, Value]:
    return {"ListID": list_id, "FullName": full_name}


def _account_ref(company: Company, name: str) -> dict[str, Value]:
    return _ref(company.account_list_id(name), name)


def _aggregate(rq: etree._Element, tag: str) -> etree._Element:
    found = child(rq, tag)
    if found is None:
        raise QbxmlParseError(f"{rq.tag} needs a {tag}")
    return found


def _add_txn(
    company: Company,
    object_name: str,
    now: datetime,
    values: dict[str, Value],
    *,
    txn_date: date,
    ref_number: str | None,
    entity_id: str | None,
) -> ObjectRecord:
    """Keep a written transaction the way the company keeps its generated ones."""
    spec = find_object(object_name)
    txn_id = company._new_txn_id(now)
    company._txn_number += 1
    values = {"TxnNumber": str(company._txn_number), **values}
    record = ObjectRecord(
        object_name=spec.name,
        id=txn_id,
        edit_sequence=str(qb_epoch(now)),
        time_created=now,
        time_modified=now,
        parts=ret_parts(spec.ret, values),
        ref_number=ref_number,
        txn_date=txn_date,
        entity_id=entity_id,
    )
    company.objects[spec.name][txn_id] = record
    if ref_number is not None:
        refs = company._object_refs.setdefault(spec.name, {})
        refs.setdefault(ref_number.casefold(), {})[txn_id] = None
    return record


def _answer(rq: etree._Element, record: ObjectRecord) -> list[El]:
    return [object_ret(record, _EVERYTHING, frozenset(texts_of(rq, "IncludeRetElement")))]


def credit_memo_add(ctx: Context, rq: etree._Element) -> Response:
    """``CreditMemoAddRq`` (lines with ItemRef, Desc, Quantity, Rate, Amount)."""
    node = _aggregate(rq, "CreditMemoAdd")
    company = ctx.company
    customer = resolve_customer(company, child(node, "CustomerRef"), "CreditMemo")
    specs = []
    for line in node.findall("CreditMemoLineAdd"):
        item = resolve_item(company, child(line, "ItemRef"), "CreditMemo line")
        specs.append(
            LineSpec(
                item.list_id if item else None,
                quantity=read_decimal(line, "Quantity"),
                rate=read_decimal(line, "Rate"),
                amount=read_decimal(line, "Amount"),
                desc=text_of(line, "Desc"),
            )
        )
    now = company._time(None)
    lines = [company._build_line(spec, now) for spec in specs]
    total = sum((line.amount for line in lines), ZERO)
    day = read_date(node, "TxnDate") or now.date()
    ref_number = text_of(node, "RefNumber") or None
    values: dict[str, Value] = {
        "CustomerRef": _ref(customer.list_id, customer.full_name),
        "ARAccountRef": _account_ref(company, AR_ACCOUNT),
        "TxnDate": day.isoformat(),
        "RefNumber": ref_number,
        "IsPending": "false",
        "Subtotal": format_amount(total),
        "SalesTaxPercentage": "0.00",
        "SalesTaxTotal": "0.00",
        "TotalAmount": format_amount(total),
        "CreditRemaining": format_amount(total),
        "Memo": text_of(node, "Memo") or None,
        "IsToBePrinted": "false",
        "IsToBeEmailed": "false",
        "ExternalGUID": text_of(node, "ExternalGUID") or None,
        "CreditMemoLineRet": [
            {
                "TxnLineID": line.txn_line_id,
                "ItemRef": _ref(line.item_list_id, line.item_full_name or "")
                if line.item_list_id
                else None,
                "Desc": line.desc,
                "Quantity": None if line.quantity is None else format_quantity(line.quantity),
                "Rate": None if line.rate is None else format_price(line.rate),
                "Amount": format_amount(line.amount),
            }
            for line in lines
        ],
    }
    record = _add_txn(
        company,
        "CreditMemo",
        now,
        values,
        txn_date=day,
        ref_number=ref_number,
        entity_id=customer.list_id,
    )
    company._adjust_balance(customer, -total)
    return Response("CreditMemoAddRs", OK, _answer(rq, record))


def _payment_line(company: Company, line: etree._Element, deposited: set[str]) -> dict[str, Value]:
    txn_id = text_of(line, "PaymentTxnID") or ""
    payment = company.payments.get(txn_id)
    usable = (
        payment is not None
        and payment.deposit_txn_id is None
        and (payment.deposit_to_account_name or "") == UNDEPOSITED_FUNDS
        and txn_id not in deposited
    )
    if payment is None or not usable:
        # A payment deposited already is no longer among those waiting in Undeposited Funds.
        raise RequestFailed(object_not_found(txn_id))
    deposited.add(txn_id)
    method = payment.payment_method_name
    return {
        "TxnType": "ReceivePayment",
        "TxnID": txn_id,
        "EntityRef": _ref(payment.customer_list_id, payment.customer_full_name),
        "AccountRef": _account_ref(company, UNDEPOSITED_FUNDS),
        "Memo": text_of(line, "OverrideMemo") or payment.memo,
        "CheckNumber": text_of(line, "OverrideCheckNumber") or payment.ref_number,
        "PaymentMethodRef": _ref(company.payment_method_list_id(method), method)
        if method
        else None,
        "Amount": format_amount(payment.total_amount),
    }


def _info_line(company: Company, line: etree._Element) -> dict[str, Value]:
    account = resolve_list(company, "Account", child(line, "AccountRef"), "Deposit line")
    if account is None:
        raise QbxmlParseError("a DepositLineAdd needs a PaymentTxnID or an AccountRef")
    entity = child(line, "EntityRef")
    entity_value: dict[str, Value] | None = None
    if entity is not None:
        customer = resolve_customer(company, entity, "Deposit line")
        entity_value = _ref(customer.list_id, customer.full_name)
    method = resolve_list(company, "PaymentMethod", child(line, "PaymentMethodRef"), "Deposit")
    return {
        "EntityRef": entity_value,
        "AccountRef": _ref(account.id, account.full_name),
        "Memo": text_of(line, "Memo") or None,
        "CheckNumber": text_of(line, "CheckNumber") or None,
        "PaymentMethodRef": _ref(method.id, method.full_name) if method is not None else None,
        "Amount": format_amount(read_decimal(line, "Amount") or ZERO),
    }


def deposit_add(ctx: Context, rq: etree._Element) -> Response:
    """``DepositAddRq``: payments out of Undeposited Funds, plus account lines such as fees."""
    node = _aggregate(rq, "DepositAdd")
    company = ctx.company
    bank = resolve_list(company, "Account", child(node, "DepositToAccountRef"), "Deposit")
    if bank is None:
        raise QbxmlParseError("DepositAdd needs a DepositToAccountRef")
    deposited: set[str] = set()
    lines: list[dict[str, Value]] = []
    for line in node.findall("DepositLineAdd"):
        if child(line, "PaymentTxnID") is not None:
            lines.append(_payment_line(company, line, deposited))
        else:
            lines.append(_info_line(company, line))
    total = sum((Decimal(str(line["Amount"])) for line in lines), ZERO)
    if total < ZERO:
        raise RequestFailed(save_failed("Deposit", "The deposit total cannot be negative."))
    now = company._time(None)
    for line in lines:
        line["TxnLineID"] = company.new_line_id(now)
    day = read_date(node, "TxnDate") or now.date()
    values: dict[str, Value] = {
        "TxnDate": day.isoformat(),
        "DepositToAccountRef": _ref(bank.id, bank.full_name),
        "Memo": text_of(node, "Memo") or None,
        "DepositTotal": format_amount(total),
        "ExternalGUID": text_of(node, "ExternalGUID") or None,
        "DepositLineRet": lines,
    }
    record = _add_txn(
        company, "Deposit", now, values, txn_date=day, ref_number=None, entity_id=None
    )
    for txn_id in deposited:
        payment = company.payments[txn_id]
        payment.deposit_txn_id = record.id
        company._bump(payment, now)
    return Response("DepositAddRs", OK, _answer(rq, record))


def _refund_target(
    company: Company, txn_id: str, amount: Decimal, customer_id: str, now: datetime
) -> Mapping[str, Value]:
    """Take ``amount`` off a credit memo's credit or a payment's unused money."""
    payment = company.payments.get(txn_id)
    if payment is not None and payment.customer_list_id == customer_id:
        if amount > payment.unused_payment:
            reason = "The refund is more than the payment's unused amount."
            raise RequestFailed(invalid_field_value("RefundAmount", format_amount(amount), reason))
        payment.refunded += amount
        company._bump(payment, now)
        return {
            "TxnID": txn_id,
            "TxnType": "ReceivePayment",
            "TxnDate": payment.txn_date.isoformat(),
            "RefNumber": payment.ref_number,
            "CreditRemaining": format_amount(payment.unused_payment),
            "RefundAmount": format_amount(amount),
        }
    memo = credit_memo_of(company, txn_id, customer_id)
    left = reduce_credit(memo, amount, "RefundAmount")
    set_part(find_object("CreditMemo").ret, memo, "CreditRemaining", format_amount(left))
    company._bump(memo, now)
    return {
        "TxnID": txn_id,
        "TxnType": "CreditMemo",
        "TxnDate": (memo.txn_date or now.date()).isoformat(),
        "RefNumber": memo.ref_number,
        "CreditRemaining": format_amount(left),
        "RefundAmount": format_amount(amount),
    }


def ar_refund_credit_card_add(ctx: Context, rq: etree._Element) -> Response:
    """``ARRefundCreditCardAddRq`` against credit memos or unused payments."""
    node = _aggregate(rq, "ARRefundCreditCardAdd")
    company = ctx.company
    customer = resolve_customer(company, child(node, "CustomerRef"), "ARRefundCreditCard")
    source = resolve_list(company, "Account", child(node, "RefundFromAccountRef"), "refund")
    method = resolve_list(company, "PaymentMethod", child(node, "PaymentMethodRef"), "refund")
    wanted = [
        (text_of(a, "TxnID") or "", read_decimal(a, "RefundAmount") or ZERO)
        for a in node.findall("RefundAppliedToTxnAdd")
    ]
    # Check every target before changing any.
    for txn_id, amount in wanted:
        payment = company.payments.get(txn_id)
        if payment is not None and payment.customer_list_id == customer.list_id:
            if amount > payment.unused_payment:
                reason = "The refund is more than the payment's unused amount."
                value = format_amount(amount)
                raise RequestFailed(invalid_field_value("RefundAmount", value, reason))
        else:
            reduce_credit(credit_memo_of(company, txn_id, customer.list_id), amount, "RefundAmount")
    now = company._time(None)
    applied = [_refund_target(company, t, a, customer.list_id, now) for t, a in wanted]
    total = sum((amount for _, amount in wanted), ZERO)
    day = read_date(node, "TxnDate") or now.date()
    ref_number = text_of(node, "RefNumber") or None
    source_name = source.full_name if source is not None else UNDEPOSITED_FUNDS
    values: dict[str, Value] = {
        "CustomerRef": _ref(customer.list_id, customer.full_name),
        "RefundFromAccountRef": _account_ref(company, source_name),
        "ARAccountRef": _account_ref(company, AR_ACCOUNT),
        "TxnDate": day.isoformat(),
        "RefNumber": ref_number,
        "TotalAmount": format_amount(total),
        "PaymentMethodRef": _ref(method.id, method.full_name) if method is not None else None,
        "Memo": text_of(node, "Memo") or None,
        "ExternalGUID": text_of(node, "ExternalGUID") or None,
        "RefundAppliedToTxnRet": list(applied),
    }
    record = _add_txn(
        company,
        "ARRefundCreditCard",
        now,
        values,
        txn_date=day,
        ref_number=ref_number,
        entity_id=customer.list_id,
    )
    company._adjust_balance(customer, total)
    return Response("ARRefundCreditCardAddRs", OK, _answer(rq, record))
