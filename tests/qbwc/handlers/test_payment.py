"""Payment jobs end to end: the real app, the simulated Web Connector and the fake QuickBooks.

Every test ends by counting the payments carrying our reference inside the fake company: a
payment write is recorded in QuickBooks at most once, whatever happened to the sessions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from lxml import etree

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.db import unit_of_work
from qwc_service.payments import service
from qwc_service.payments.models import PaymentStatus, PaymentWrite
from qwc_service.qbwc.handlers.payment import MAX_CHECKS, MAX_SENDS, PaymentHandler
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.queue.payload import load_payload
from qwc_service.simulator.dataset import Invoice, Payment, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.payments import receive_payment
from tests.factories import (
    MachineCredentials,
    customer_query,
    enqueue,
    make_connection,
    make_machine,
)
from tests.payments.factories import (
    HandDriven,
    connector,
    open_invoice,
    store_invoice,
    stored_invoice,
)


@dataclass
class World:
    """One connection with a machine, its fake QuickBooks, and the invoices stored."""

    app: QwcApp
    connection_id: str
    machine: MachineCredentials
    quickbooks: FakeQuickBooks

    def pay(self, invoice: Invoice, amount: Decimal, **kwargs: object) -> PaymentWrite:
        """Record a payment on the connection."""
        with unit_of_work(self.app.session_factory) as db:
            return service.record_payment(
                db,
                self.connection_id,
                invoice_txn_id=invoice.txn_id,
                amount=amount,
                **kwargs,  # type: ignore[arg-type]
            )

    def write(self, write_id: int) -> PaymentWrite:
        """The payment write as stored now."""
        with unit_of_work(self.app.session_factory) as db:
            return service.get_payment_write(db, self.connection_id, write_id)

    def job(self, job_id: int | None) -> Job:
        """The job as stored now."""
        with unit_of_work(self.app.session_factory) as db:
            job = db.get(Job, job_id)
            assert job is not None
            return job

    def due_now(self, job_id: int | None) -> None:
        """Skip a retry delay (the time a test would otherwise wait for)."""
        with unit_of_work(self.app.session_factory) as db:
            job = db.get(Job, job_id)
            assert job is not None
            job.not_before = None

    def run(self) -> str:
        """One whole Web Connector session; returns its outcome."""
        return connector(self.app, self.machine, self.quickbooks).run_session().outcome

    def hand(self) -> HandDriven:
        """A hand-driven Web Connector for this machine (FileID stamped)."""
        connector(self.app, self.machine, self.quickbooks)  # stamps the FileID
        return HandDriven(self.app, self.machine, self.quickbooks)

    def in_quickbooks(self, reference: str) -> list[Payment]:
        """The fake company's payments with this RefNumber."""
        return list(self.quickbooks.company.payments_by_ref(reference))


def _world(app: QwcApp, schema: etree.XMLSchema) -> World:
    if JobKind.PAYMENT not in app.exchange.handlers:
        app.exchange.handlers = {**app.exchange.handlers, JobKind.PAYMENT: PaymentHandler()}
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    company = generate_company(customers=5, invoices=8, payments=2)
    quickbooks = FakeQuickBooks(company, schema=schema)
    for invoice in company.invoices.values():
        store_invoice(app, connection_id, invoice)
    return World(app, connection_id, machine, quickbooks)


@pytest.fixture
def world(app: QwcApp, qbxml_schema: etree.XMLSchema) -> World:
    """A connection whose stored invoices match its fake QuickBooks company."""
    return _world(app, qbxml_schema)


@pytest.fixture
def short_lived(settings: Settings, qbxml_schema: etree.XMLSchema) -> Iterator[World]:
    """The same, on a server whose tickets expire after one idle second."""
    application = create_app(settings.with_overrides(ticket_ttl_seconds=1))
    yield _world(application, qbxml_schema)
    application.engine.dispose()


def _error_answer(rs_name: str, code: int, message: str) -> str:
    return (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
        f'<{rs_name} statusCode="{code}" statusSeverity="Error" statusMessage="{message}"/>'
        "</QBXMLMsgsRs></QBXML>"
    )


# -- (a) the normal case ------------------------------------------------------------------------


def test_payment_is_recorded_once_and_the_invoice_refreshed(world: World) -> None:
    """One session records the payment, stores its TxnID and the invoice's new balance."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, invoice.balance_remaining, method="Check")
    assert world.run() == "completed"
    done = world.write(write.id)
    [payment] = world.in_quickbooks(write.ref_number)
    assert done.status == PaymentStatus.RECORDED and done.txn_id == payment.txn_id
    assert (done.sends, done.checks) == (1, 0)
    assert world.job(write.job_id).status == JobStatus.DONE
    assert invoice.balance_remaining == 0
    stored = stored_invoice(world.app, world.connection_id, invoice.txn_id)
    assert stored.balance_remaining == 0 and stored.is_paid is True
    assert stored.applied_amount == -invoice.subtotal
    assert world.run() == "none"
    assert len(world.in_quickbooks(write.ref_number)) == 1


def test_partial_payment_leaves_the_rest_owing(world: World) -> None:
    """The stored balance is QuickBooks' balance after a partial payment."""
    invoice = open_invoice(world.quickbooks, skip=1)
    before = invoice.balance_remaining
    world.pay(invoice, Decimal("100.00"))
    assert world.run() == "completed"
    stored = stored_invoice(world.app, world.connection_id, invoice.txn_id)
    assert stored.balance_remaining == before - Decimal("100.00") == invoice.balance_remaining
    assert stored.is_paid is False


# -- (b), (c) sessions that die ---------------------------------------------------------------


def test_lost_answer_is_found_by_the_check_not_sent_again(world: World) -> None:
    """QuickBooks recorded the add but the session died: the next session finds it."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("50.00"))
    hand = world.hand()
    ticket = hand.login()
    request = hand.next_request(ticket)
    assert "<ReceivePaymentAddRq" in request
    world.quickbooks.process(request)  # recorded; the answer never reaches the server
    assert world.write(write.id).status == PaymentStatus.SENT

    ticket = hand.login()  # the same machine again: its old session is over
    check = hand.next_request(ticket)
    assert "<ReceivePaymentQueryRq" in check and "<ReceivePaymentAddRq" not in check
    assert world.write(write.id).status == PaymentStatus.UNKNOWN
    assert hand.deliver(ticket, world.quickbooks.process(check)) == 100

    done = world.write(write.id)
    [payment] = world.in_quickbooks(write.ref_number)
    assert done.status == PaymentStatus.RECORDED and done.txn_id == payment.txn_id
    assert (done.sends, done.checks) == (1, 1)
    stored = stored_invoice(world.app, world.connection_id, invoice.txn_id)
    assert stored.balance_remaining == invoice.balance_remaining
    assert world.run() == "none"
    assert len(world.in_quickbooks(write.ref_number)) == 1


def test_expired_session_before_quickbooks_ran_it_is_sent_again(short_lived: World) -> None:
    """The add never reached QuickBooks: the check finds nothing and the add goes out again."""
    world = short_lived
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("75.25"))
    hand = world.hand()
    ticket = hand.login()
    assert "<ReceivePaymentAddRq" in hand.next_request(ticket)  # QuickBooks never runs it
    time.sleep(1.2)  # the ticket expires

    result = connector(world.app, world.machine, world.quickbooks).run_session()
    assert result.outcome == "completed" and result.requests_processed == 2
    done = world.write(write.id)
    assert done.status == PaymentStatus.RECORDED
    assert (done.sends, done.checks) == (2, 1)
    assert len(world.in_quickbooks(write.ref_number)) == 1


def test_session_dying_while_the_check_is_out_checks_again(world: World) -> None:
    """A lost check answer costs another check, never an add."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("20.00"))
    hand = world.hand()
    world.quickbooks.process(hand.next_request(hand.login()))
    assert "<ReceivePaymentQueryRq" in hand.next_request(hand.login())  # lost as well
    ticket = hand.login()
    request, progress = hand.round_trip(ticket)
    assert "<ReceivePaymentQueryRq" in request and progress == 100
    done = world.write(write.id)
    assert done.status == PaymentStatus.RECORDED and (done.sends, done.checks) == (1, 2)
    assert len(world.in_quickbooks(write.ref_number)) == 1


def test_adds_lost_again_and_again_stop_after_the_limit(world: World) -> None:
    """After MAX_SENDS adds that QuickBooks never ran, the write fails without another send."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("10.00"))
    hand = world.hand()
    assert "<ReceivePaymentAddRq" in hand.next_request(hand.login())
    for _ in range(MAX_SENDS - 1):
        ticket = hand.login()
        request, _ = hand.round_trip(ticket)  # the check finds nothing
        assert "<ReceivePaymentQueryRq" in request
        assert "<ReceivePaymentAddRq" in hand.next_request(ticket)  # lost again
    ticket = hand.login()
    request, _ = hand.round_trip(ticket)
    assert "<ReceivePaymentQueryRq" in request
    failed = world.write(write.id)
    assert failed.status == PaymentStatus.FAILED and failed.sends == MAX_SENDS
    assert "no payment with reference" in (world.job(write.job_id).error or "")
    assert world.in_quickbooks(write.ref_number) == []


# -- (d) one key, one payment -------------------------------------------------------------------


def test_same_key_twice_writes_one_payment(world: World) -> None:
    """Two calls with one key make one write, one job and one payment in QuickBooks."""
    invoice = open_invoice(world.quickbooks)
    first = world.pay(invoice, Decimal("30.00"), idempotency_key="invoice-7-payment")
    second = world.pay(invoice, Decimal("30.00"), idempotency_key="invoice-7-payment")
    assert (first.id, first.job_id) == (second.id, second.job_id)
    assert world.run() == "completed"
    third = world.pay(invoice, Decimal("30.00"), idempotency_key="invoice-7-payment")
    assert third.id == first.id and third.status == PaymentStatus.RECORDED
    assert world.run() == "none"
    assert len(world.in_quickbooks(first.ref_number)) == 1


# -- (e) QuickBooks says no -----------------------------------------------------------------------


def test_overpayment_fails_with_the_explanation_and_fails_dependants(world: World) -> None:
    """3210 from QuickBooks fails the write and its job, and the jobs waiting on it."""
    invoice = open_invoice(world.quickbooks)
    owed = invoice.balance_remaining
    receive_payment(
        world.quickbooks.company, invoice.customer_list_id, [(invoice.txn_id, Decimal("1.00"))]
    )
    write = world.pay(invoice, owed)  # the stored balance is one sync behind
    dependant = enqueue(world.app, world.connection_id, customer_query(), depends_on=write.job_id)
    assert world.run() == "completed"
    failed = world.write(write.id)
    assert failed.status == PaymentStatus.FAILED and failed.status_code == 3210
    job = world.job(write.job_id)
    assert job.status == JobStatus.ERROR and job.status_code == 3210
    assert job.error and job.error.startswith(
        "3210: A field has a value QuickBooks will not accept"
    )
    assert "depends on" in (world.job(dependant).error or "")
    assert world.job(dependant).status == JobStatus.ERROR
    assert world.in_quickbooks(write.ref_number) == []


def test_invoice_unknown_to_quickbooks_fails_with_3120(world: World) -> None:
    """An invoice stored here but gone from QuickBooks fails with 3120, sent once."""
    invoice = open_invoice(world.quickbooks)
    store_invoice(world.app, world.connection_id, invoice, txn_id="FFFF-1400000000")
    with unit_of_work(world.app.session_factory) as db:
        write = service.record_payment(
            db,
            world.connection_id,
            invoice_txn_id="FFFF-1400000000",
            amount=Decimal("5.00"),
        )
    assert world.run() == "completed"
    failed = world.write(write.id)
    assert (
        failed.status == PaymentStatus.FAILED and failed.status_code == 3120 and failed.sends == 1
    )
    assert (failed.error or "").startswith("3120: ")


def test_parse_error_hresult_fails_without_a_second_send(world: World) -> None:
    """0x80040400 means QuickBooks did nothing: the write fails and is not retried."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("5.00"))
    hand = world.hand()
    ticket = hand.login()
    hand.next_request(ticket)
    hand.deliver(ticket, "", "0x80040400", "QuickBooks found an error when parsing the XML.")
    failed = world.write(write.id)
    assert failed.status == PaymentStatus.FAILED and failed.sends == 1
    job = world.job(write.job_id)
    assert job.status == JobStatus.ERROR and job.hresult == "0x80040400"
    assert (job.error or "").startswith("0x80040400: QuickBooks could not parse")


def test_temporary_hresult_is_checked_before_sending_again(world: World) -> None:
    """A retryable HRESULT queues a check after a delay; the add follows only if it is absent."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("5.00"))
    hand = world.hand()
    ticket = hand.login()
    hand.next_request(ticket)
    hand.deliver(ticket, "", "0x80040422", "The company file is in use.")
    waiting = world.job(write.job_id)
    assert waiting.status == JobStatus.QUEUED and waiting.not_before is not None
    assert load_payload(waiting)["phase"] == "check"
    assert world.write(write.id).status == PaymentStatus.UNKNOWN
    assert hand.next_request(ticket) == ""  # not before the delay
    world.due_now(write.job_id)
    ticket = hand.login()
    request, _ = hand.round_trip(ticket)
    assert "<ReceivePaymentQueryRq" in request
    request, _ = hand.round_trip(ticket)
    assert "<ReceivePaymentAddRq" in request
    assert world.write(write.id).status == PaymentStatus.RECORDED
    assert len(world.in_quickbooks(write.ref_number)) == 1


def test_record_in_use_sends_the_add_again_without_a_check(world: World) -> None:
    """A refusal QuickBooks calls temporary (3175) recorded nothing: the add is resent."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("5.00"))
    hand = world.hand()
    ticket = hand.login()
    hand.next_request(ticket)
    hand.deliver(ticket, _error_answer("ReceivePaymentAddRs", 3175, "The list is locked."))
    assert world.write(write.id).status == PaymentStatus.PENDING
    world.due_now(write.job_id)
    request, _ = hand.round_trip(hand.login())
    assert "<ReceivePaymentAddRq" in request
    done = world.write(write.id)
    assert done.status == PaymentStatus.RECORDED and (done.sends, done.checks) == (2, 0)


def test_unreadable_answer_is_checked_at_once(world: World) -> None:
    """An answer that cannot be read leaves the outcome open: a check follows in the session."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("5.00"))
    hand = world.hand()
    ticket = hand.login()
    world.quickbooks.process(hand.next_request(ticket))
    hand.deliver(ticket, "<QBXML><QBXMLMsgsRs><ReceivePaymentAddRs statusCode=")
    assert world.write(write.id).status == PaymentStatus.UNKNOWN
    request, progress = hand.round_trip(ticket)
    assert "<ReceivePaymentQueryRq" in request and progress == 100
    assert world.write(write.id).status == PaymentStatus.RECORDED
    assert len(world.in_quickbooks(write.ref_number)) == 1


def test_failing_checks_end_in_error_with_the_outcome_unknown(world: World) -> None:
    """A check that keeps failing stops after MAX_CHECKS; the write stays unknown."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("5.00"))
    hand = world.hand()
    hand.next_request(hand.login())
    ticket = hand.login()
    for _ in range(MAX_CHECKS):
        world.due_now(write.job_id)
        assert "<ReceivePaymentQueryRq" in hand.next_request(ticket)
        hand.deliver(ticket, _error_answer("ReceivePaymentQueryRs", 3175, "Locked."))
    unknown = world.write(write.id)
    assert unknown.status == PaymentStatus.UNKNOWN and unknown.checks == MAX_CHECKS
    job = world.job(write.job_id)
    assert job.status == JobStatus.ERROR
    assert write.ref_number in (job.error or "") and "unknown" in (job.error or "")


def test_changed_payment_with_our_marker_is_not_sent_again(world: World) -> None:
    """Our reference and marker on a payment with another amount: stop, do not pay twice."""
    invoice = open_invoice(world.quickbooks)
    write = world.pay(invoice, Decimal("40.00"))
    hand = world.hand()
    world.quickbooks.process(hand.next_request(hand.login()))
    [payment] = world.in_quickbooks(write.ref_number)
    payment.total_amount = Decimal("41.00")
    hand.round_trip(hand.login())
    assert world.write(write.id).status == PaymentStatus.UNKNOWN
    assert "another customer or amount" in (world.job(write.job_id).error or "")
    assert len(world.in_quickbooks(write.ref_number)) == 1


def test_someone_elses_payment_with_our_reference_is_not_ours(world: World) -> None:
    """A payment with the caller's reference but without our marker does not count."""
    invoice = open_invoice(world.quickbooks)
    theirs = receive_payment(
        world.quickbooks.company,
        invoice.customer_list_id,
        total_amount=Decimal("1.00"),
        ref_number="CHK-55",
    )
    write = world.pay(invoice, Decimal("15.00"), reference="CHK-55")
    hand = world.hand()
    hand.next_request(hand.login())  # lost before QuickBooks ran it
    ticket = hand.login()
    assert "<ReceivePaymentQueryRq" in hand.round_trip(ticket)[0]
    assert "<ReceivePaymentAddRq" in hand.round_trip(ticket)[0]
    done = world.write(write.id)
    assert done.status == PaymentStatus.RECORDED and done.txn_id != theirs.txn_id
    assert len(world.in_quickbooks("CHK-55")) == 2
