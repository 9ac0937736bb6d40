"""The payments connector's operations, each written once into the fake company."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.payments import operations as ops
from qwc_service.queue.models import Job
from qwc_service.simulator.quickbooks import Loss
from qwc_service.writes.models import WriteStatus
from qwc_service.writes.shapes import InvalidWrite, field_of
from qwc_service.writes.views import job_write_members
from tests.payments.factories import open_invoice
from tests.writes.world import World, make_world


@pytest.fixture
def world(app: QwcApp, qbxml_schema: etree.XMLSchema) -> World:
    """A connection whose stored invoices match its fake company."""
    return make_world(app, qbxml_schema)


def _do(world: World, operation: Any, **kwargs: Any) -> ops.Submitted:
    with unit_of_work(world.app.session_factory) as db:
        return operation(db, world.connection_id, **kwargs)  # type: ignore[no-any-return]


def _result(world: World, submitted: ops.Submitted) -> dict[str, Any]:
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE, write.error
    return dict(json.loads(write.result or "{}"))


def _same_customer_invoices(world: World) -> list[Any]:
    unpaid = [i for i in world.quickbooks.company.invoices.values() if i.balance_remaining > 0]
    first = unpaid[0]
    return [i for i in unpaid if i.customer_list_id == first.customer_list_id]


def test_payment_on_two_invoices_with_overpayment_leaves_unused_payment(world: World) -> None:
    """Two invoices paid in one payment; the rest stays as the customer's unused payment."""
    invoices = _same_customer_invoices(world)[:2]
    applied = [ops.Applied(i.txn_id, Decimal("1.00")) for i in invoices]
    submitted = _do(
        world,
        ops.record_payment,
        applied=applied,
        total=Decimal("5.00"),
        key="pay-2",
        method="Check",
    )
    world.run()
    result = _result(world, submitted)
    assert result["UnusedPayment"] == "3.00"
    assert len(result["AppliedToTxnRet"]) == len(invoices)
    with unit_of_work(world.app.session_factory) as db:
        job = db.get(Job, submitted.write.job_id)
        assert job is not None
        assert job_write_members(job, db)["unused_payment"] == "3.00"
    payments = [
        p for p in world.quickbooks.company.payments.values() if p.txn_id == result["TxnID"]
    ]
    assert len(payments) == 1


def test_the_same_payment_twice_is_one_write(world: World) -> None:
    """The same key and arguments return the first write, even after it was recorded."""
    invoice = open_invoice(world.quickbooks)
    applied = [ops.Applied(invoice.txn_id, invoice.balance_remaining)]
    first = _do(world, ops.record_payment, applied=applied, key="same-pay")
    world.run()
    again = _do(world, ops.record_payment, applied=applied, key="same-pay")
    assert not again.created and again.write.id == first.write.id
    assert world.run() == "none"


def test_payout_deposit_equals_payments_minus_fee(world: World) -> None:
    """A DepositAdd of two payments with a fee line: its total is their sum less the fee."""
    invoices = _same_customer_invoices(world)
    paid = []
    for n, invoice in enumerate(invoices[:2]):
        applied = [ops.Applied(invoice.txn_id, Decimal("10.00"))]
        paid.append(_do(world, ops.record_payment, applied=applied, key=f"p{n}"))
    world.run()
    payment_ids = [_result(world, p)["TxnID"] for p in paid]
    payout = _do(
        world,
        ops.record_payout,
        payments=payment_ids,
        bank="Checking",
        fee=Decimal("0.90"),
        fee_account="Cost of Goods Sold",
        key="payout-1",
    )
    world.quickbooks.faults.lose(Loss.AFTER_DROPPED, request="DepositAdd")
    world.run()
    world.run()
    result = _result(world, payout)
    assert result["DepositTotal"] == "19.10"
    deposits = world.quickbooks.company.objects.get("Deposit", {})
    assert len(deposits) == 1


def test_credit_then_refund(world: World) -> None:
    """A credit memo, then part of it refunded to the card; the refund's customer is the
    stored credit memo's."""
    customer = next(iter(world.quickbooks.company.customers.values()))
    item = next(iter(world.quickbooks.company.items.values()))
    credit = _do(
        world,
        ops.record_credit,
        customer=customer.full_name,
        item=item.full_name,
        amount=Decimal("20.00"),
        key="cm-1",
    )
    world.run()
    memo_id = _result(world, credit)["TxnID"]
    refund = _do(
        world,
        ops.record_refund,
        credit=memo_id,
        amount=Decimal("5.00"),
        account="Checking",
        key="rf-1",
    )
    assert json.loads(refund.write.fields)["CustomerRef"] == {"ListID": customer.list_id}
    world.run()
    assert _result(world, refund)["TotalAmount"] == "5.00"


def test_customer_upsert_adds_then_changes(world: World) -> None:
    """The first upsert adds the customer (stored at once); the next, by Name, changes it."""
    added = _do(world, ops.upsert_customer, fields={"Name": "Upsert Co"}, key="u1")
    world.run()
    list_id = _result(world, added)["ListID"]
    changed = _do(world, ops.upsert_customer, fields={"Name": "Upsert Co", "Phone": "7"}, key="u2")
    assert changed.write.request == "CustomerMod"
    world.run()
    assert _result(world, changed)["ListID"] == list_id
    assert world.quickbooks.company.customers[list_id].phone == "7"


def test_an_unknown_invoice_is_refused_before_queuing(world: World) -> None:
    """A payment on an invoice the server does not know is refused, naming the field."""
    with pytest.raises(InvalidWrite) as refused:
        _do(world, ops.record_payment, applied=[ops.Applied("nope", Decimal(1))], key="x")
    assert field_of(refused.value) == "apply"


def test_a_recorded_payment_updates_the_stored_invoice(world: World) -> None:
    """The invoice's stored balance is QuickBooks' balance after the payment, before any sync."""
    from tests.payments.factories import stored_invoice

    invoice = open_invoice(world.quickbooks)
    applied = [ops.Applied(invoice.txn_id, Decimal("1.00"))]
    _do(world, ops.record_payment, applied=applied, key="balance")
    world.run()
    stored = stored_invoice(world.app, world.connection_id, invoice.txn_id)
    assert stored.balance_remaining == invoice.balance_remaining
