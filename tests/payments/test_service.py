"""Recording a payment: what is refused, and what an idempotency key guarantees."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from qwc_service.app import QwcApp
from qwc_service.connections.queries import ConnectionNotFound
from qwc_service.db import unit_of_work
from qwc_service.payments import service
from qwc_service.payments.models import PaymentStatus, PaymentWrite
from qwc_service.payments.requests import payment_add_request
from qwc_service.queue import service as queue
from qwc_service.queue.models import JobKind, JobStatus
from qwc_service.queue.payload import load_payload
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.factories import make_connection
from tests.payments.factories import open_invoice, store_invoice

BALANCE = Decimal("300.00")


@pytest.fixture
def setup(app: QwcApp) -> tuple[QwcApp, str, str]:
    """A connection with one stored invoice owing 300.00; returns app, connection, TxnID."""
    connection_id = make_connection(app)
    invoice = open_invoice(FakeQuickBooks(generate_company(customers=3, invoices=4, payments=0)))
    store_invoice(app, connection_id, invoice, balance=BALANCE)
    return app, connection_id, invoice.txn_id


def _record(app: QwcApp, connection_id: str, txn_id: str, **kwargs: object) -> PaymentWrite:
    arguments: dict[str, object] = {"invoice_txn_id": txn_id, "amount": Decimal("100.00")}
    arguments.update(kwargs)
    with unit_of_work(app.session_factory) as db:
        return service.record_payment(db, connection_id, **arguments)  # type: ignore[arg-type]


def test_records_a_pending_write_and_queues_its_job(setup: tuple[QwcApp, str, str]) -> None:
    """The write is pending, carries the invoice's customer, and its job is a payment job."""
    app, connection_id, txn_id = setup
    write = _record(app, connection_id, txn_id, txn_date=date(2024, 5, 1), method="Check")
    assert write.status == PaymentStatus.PENDING
    assert write.customer_list_id and write.ref_number.startswith("QWC")
    assert len(write.ref_number) <= 20
    assert service.memo_marker(write.idempotency_key) in (write.memo or "")
    with unit_of_work(app.session_factory) as db:
        job = queue.get_job(db, connection_id, write.job_id or 0)
        assert job.kind == JobKind.PAYMENT and job.status == JobStatus.QUEUED
        assert load_payload(job) == {"payment_write_id": write.id, "phase": "add"}
        assert job.qbxml == payment_add_request(write)


def test_unknown_invoice_is_refused(setup: tuple[QwcApp, str, str]) -> None:
    """An invoice that is not a stored record of the connection asks for a sync first."""
    app, connection_id, _ = setup
    with pytest.raises(service.InvoiceNotKnown, match="sync invoices first"):
        _record(app, connection_id, "999-1234567890")


def test_another_connections_invoice_is_unknown(setup: tuple[QwcApp, str, str]) -> None:
    """Invoices are looked up within the connection only."""
    app, _, txn_id = setup
    other = make_connection(app, "Other Co")
    with pytest.raises(service.InvoiceNotKnown):
        _record(app, other, txn_id)


def test_unknown_connection_is_refused(setup: tuple[QwcApp, str, str]) -> None:
    """A connection id that does not exist is a lookup error."""
    app, _, txn_id = setup
    with pytest.raises(ConnectionNotFound):
        _record(app, "no-such-connection", txn_id)


@pytest.mark.parametrize("amount", ["0", "-5.00", "10.001", "NaN", "Infinity", "1E+14"])
def test_bad_amounts_are_refused(setup: tuple[QwcApp, str, str], amount: str) -> None:
    """Amounts must be positive, finite, with at most two decimals."""
    app, connection_id, txn_id = setup
    with pytest.raises(service.InvalidPayment):
        _record(app, connection_id, txn_id, amount=Decimal(amount))


def test_trailing_zero_decimals_are_accepted(setup: tuple[QwcApp, str, str]) -> None:
    """10.500 is 10.50: only significant decimals count."""
    app, connection_id, txn_id = setup
    assert _record(app, connection_id, txn_id, amount=Decimal("10.500")).amount == Decimal("10.50")


def test_more_than_the_balance_is_refused(setup: tuple[QwcApp, str, str]) -> None:
    """Paying more than the stored balance is refused before anything is queued."""
    app, connection_id, txn_id = setup
    with pytest.raises(service.AmountExceedsBalance, match=r"300\.00"):
        _record(app, connection_id, txn_id, amount=Decimal("300.01"))
    assert _record(app, connection_id, txn_id, amount=BALANCE).amount == BALANCE


def test_unfinished_writes_count_against_the_balance(setup: tuple[QwcApp, str, str]) -> None:
    """Two writes under different keys cannot together pay more than is owed."""
    app, connection_id, txn_id = setup
    _record(app, connection_id, txn_id, amount=Decimal("200.00"))
    with pytest.raises(service.AmountExceedsBalance, match="already on its way"):
        _record(app, connection_id, txn_id, amount=Decimal("100.01"))
    _record(app, connection_id, txn_id, amount=Decimal("100.00"))


def test_same_key_same_parameters_returns_the_same_write(setup: tuple[QwcApp, str, str]) -> None:
    """A retried call with the key returns the first write and its job, and queues nothing."""
    app, connection_id, txn_id = setup
    first = _record(app, connection_id, txn_id, idempotency_key="order-17", method="Check")
    again = _record(app, connection_id, txn_id, idempotency_key="order-17", method="Check")
    assert (again.id, again.job_id, again.ref_number) == (first.id, first.job_id, first.ref_number)
    with unit_of_work(app.session_factory) as db:
        assert len(service.list_payment_writes(db, connection_id)) == 1
        assert len(queue.list_jobs(db, connection_id)) == 1


def test_concurrent_calls_with_one_key_make_one_write(setup: tuple[QwcApp, str, str]) -> None:
    """A second call racing the first (still uncommitted) one returns the first's write."""
    app, connection_id, txn_id = setup
    ids: list[int] = []

    def second_call() -> None:
        ids.append(_record(app, connection_id, txn_id, idempotency_key="race").id)

    first = app.session_factory()
    try:
        write = service.record_payment(
            first, connection_id, invoice_txn_id=txn_id, amount=Decimal("100.00"),
            idempotency_key="race",
        )  # fmt: skip
        racer = threading.Thread(target=second_call)
        racer.start()
        # The racer now waits on the first transaction (SQLite: its write lock; PostgreSQL:
        # the unique index on the key), or has not got that far yet; either way it must
        # end up with the first call's write.
        racer.join(0.5)
        first.commit()
    finally:
        first.close()
    racer.join(30)
    assert ids == [write.id]
    with unit_of_work(app.session_factory) as db:
        assert len(service.list_payment_writes(db, connection_id)) == 1


def test_same_key_is_honoured_after_the_balance_changed(setup: tuple[QwcApp, str, str]) -> None:
    """A retry of a payment of the whole balance is not refused as an overpayment."""
    app, connection_id, txn_id = setup
    first = _record(app, connection_id, txn_id, idempotency_key="k", amount=BALANCE)
    assert _record(app, connection_id, txn_id, idempotency_key="k", amount=BALANCE).id == first.id


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"amount": Decimal("100.01")}, "amount"),
        ({"method": "Visa"}, "payment method"),
        ({"txn_date": date(2020, 1, 1)}, "date"),
        ({"reference": "OTHER"}, "reference"),
        ({"deposit_to": "Checking"}, "deposit account"),
    ],
)
def test_same_key_other_parameters_is_refused(
    setup: tuple[QwcApp, str, str], changes: dict[str, object], named: str
) -> None:
    """Reusing a key for a different payment raises IdempotencyKeyReused naming the field."""
    app, connection_id, txn_id = setup
    _record(app, connection_id, txn_id, idempotency_key="k", method="Check")
    arguments: dict[str, object] = {"idempotency_key": "k", "method": "Check", **changes}
    with pytest.raises(service.IdempotencyKeyReused, match=named):
        _record(app, connection_id, txn_id, **arguments)


def test_same_key_on_another_connection_is_another_payment(
    setup: tuple[QwcApp, str, str],
) -> None:
    """Keys are scoped to their connection."""
    app, connection_id, txn_id = setup
    other = make_connection(app, "Other Co")
    invoice = open_invoice(FakeQuickBooks(generate_company(customers=3, invoices=4, payments=0)))
    store_invoice(app, other, invoice, balance=BALANCE)
    first = _record(app, connection_id, txn_id, idempotency_key="k")
    second = _record(app, other, invoice.txn_id, idempotency_key="k")
    assert first.id != second.id


def test_generated_keys_and_references_are_unique(setup: tuple[QwcApp, str, str]) -> None:
    """Without a key or reference each call gets fresh ones."""
    app, connection_id, txn_id = setup
    writes = [_record(app, connection_id, txn_id, amount=Decimal("1.00")) for _ in range(5)]
    assert len({w.idempotency_key for w in writes}) == 5
    assert len({w.ref_number for w in writes}) == 5
    assert len({service.memo_marker(w.idempotency_key) for w in writes}) == 5


def test_a_reference_is_used_once_per_connection(setup: tuple[QwcApp, str, str]) -> None:
    """A caller's reference already taken (in any case) is refused."""
    app, connection_id, txn_id = setup
    assert _record(app, connection_id, txn_id, reference="CHK-1001").ref_number == "CHK-1001"
    with pytest.raises(service.ReferenceInUse):
        _record(app, connection_id, txn_id, reference="chk-1001")


@pytest.mark.parametrize(
    "changes",
    [
        {"reference": "X" * 21},
        {"method": "M" * 32},
        {"deposit_to": "A" * 160},
        {"method": "Check\x00"},
        {"idempotency_key": "k" * 201},
        {"idempotency_key": "   "},
        {"invoice_txn_id": " "},
    ],
)
def test_values_qbxml_cannot_carry_are_refused(
    setup: tuple[QwcApp, str, str], changes: dict[str, object]
) -> None:
    """Names past the schema's lengths, control characters and empty ids are refused."""
    app, connection_id, txn_id = setup
    with pytest.raises(service.InvalidPayment):
        _record(app, connection_id, txn_id, **changes)


def test_lookups_are_per_connection(setup: tuple[QwcApp, str, str]) -> None:
    """A write is found by id only within its own connection."""
    app, connection_id, txn_id = setup
    write = _record(app, connection_id, txn_id)
    other = make_connection(app, "Other Co")
    with unit_of_work(app.session_factory) as db:
        assert service.get_payment_write(db, connection_id, write.id).id == write.id
        with pytest.raises(service.PaymentWriteNotFound):
            service.get_payment_write(db, other, write.id)
        assert service.list_payment_writes(db, other) == []
        assert [w.id for w in service.list_payment_writes(db, connection_id, status="pending")] == [
            write.id
        ]
