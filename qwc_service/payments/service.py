"""Recording a payment against a stored invoice, at most once per idempotency key.

``record_payment`` checks the request against what we know of the invoice, stores a
:class:`PaymentWrite` and queues the job that writes it to QuickBooks. The idempotency key is
the caller's promise: the same key always means the same payment, so a retried call returns
the write already made instead of paying twice. Without a key one is generated and returned;
a caller that may retry (a timeout, a crash) must pass its own key to be safe.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.connections.queries import ConnectionDisabled, get_connection
from qwc_service.payments.models import PaymentStatus, PaymentWrite
from qwc_service.payments.requests import (
    ADD_REQUEST,
    MAX_ACCOUNT_NAME_LENGTH,
    MAX_METHOD_NAME_LENGTH,
    MAX_REF_NUMBER_LENGTH,
    format_amount,
    payment_add_request,
)
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.queue.payload import store_payload
from qwc_service.records.invoices import StoredInvoice, stored_invoice

__all__ = [
    "IN_FLIGHT",
    "MAX_KEY_LENGTH",
    "AmountExceedsBalance",
    "IdempotencyKeyReused",
    "InvalidPayment",
    "InvoiceNotKnown",
    "PaymentWriteNotFound",
    "ReferenceInUse",
    "get_payment_write",
    "list_payment_writes",
    "memo_marker",
    "record_payment",
]

MAX_KEY_LENGTH = 200
# Thirteen integer digits: the widest amount qbXML's AMTTYPE takes.
MAX_AMOUNT = Decimal("9999999999999.99")
# Writes whose money may already be, or may soon be, on the invoice in QuickBooks.
IN_FLIGHT = (PaymentStatus.PENDING, PaymentStatus.SENT, PaymentStatus.UNKNOWN)
_REF_PREFIX = "QWC"
_CENT = Decimal("0.01")


class InvalidPayment(ValueError):
    """The payment asked for cannot be written as it is (amount, names, reference)."""


class InvoiceNotKnown(LookupError):
    """The invoice is not a stored record of this connection."""


class AmountExceedsBalance(ValueError):
    """The amount is more than the invoice still owes (QuickBooks would answer 3210)."""


class IdempotencyKeyReused(ValueError):
    """The idempotency key was already used for a payment with other parameters."""


class ReferenceInUse(ValueError):
    """Another payment write of this connection already carries this reference."""


class PaymentWriteNotFound(LookupError):
    """No payment write with this id exists for this connection."""


@dataclass(frozen=True)
class _Request:
    """What the caller asked for, checked and normalised."""

    invoice_txn_id: str
    amount: Decimal
    txn_date: date | None
    method: str | None
    reference: str | None
    deposit_to: str | None


def record_payment(
    db: Session,
    connection_id: str,
    *,
    invoice_txn_id: str,
    amount: Decimal,
    txn_date: date | None = None,
    method: str | None = None,
    reference: str | None = None,
    deposit_to: str | None = None,
    idempotency_key: str | None = None,
) -> PaymentWrite:
    """Queue a ReceivePaymentAdd paying ``amount`` on one stored invoice; returns the write.

    The same ``idempotency_key`` with the same parameters returns the existing write (and its
    job) and queues nothing; with other parameters it raises :class:`IdempotencyKeyReused`.
    ``txn_date`` defaults to today's date in UTC, ``reference`` (the payment's RefNumber, at
    most 20 characters) to a generated one unique for the connection. Raises
    :class:`InvoiceNotKnown`, :class:`AmountExceedsBalance`, :class:`InvalidPayment`,
    :class:`ReferenceInUse`, and the connection lookup errors.
    """
    asked = _check_request(invoice_txn_id, amount, txn_date, method, reference, deposit_to)
    key = _check_key(idempotency_key)
    connection = get_connection(db, connection_id)
    existing = _by_key(db, connection_id, key)
    if existing is not None:
        return _replay(existing, asked)
    if connection.disabled_at is not None:
        raise ConnectionDisabled(f"connection {connection_id!r} is disabled")
    invoice = _stored_invoice(db, connection_id, asked.invoice_txn_id)
    _check_balance(db, connection_id, invoice, asked.amount)
    if asked.reference is not None and _by_reference(db, connection_id, asked.reference):
        raise ReferenceInUse(
            f"reference {asked.reference!r} is already used by another payment of this "
            "connection; pass another --reference or none to have one generated"
        )
    assert invoice.customer_list_id is not None
    write = PaymentWrite(
        connection_id=connection_id,
        idempotency_key=key,
        invoice_txn_id=asked.invoice_txn_id,
        customer_list_id=invoice.customer_list_id,
        amount=asked.amount,
        txn_date=asked.txn_date or utcnow().date(),
        payment_method=asked.method,
        deposit_to_account=asked.deposit_to,
        ref_number=asked.reference or _new_reference(db, connection_id),
        memo=f"Recorded by qwc-service [{memo_marker(key)}]",
        status=PaymentStatus.PENDING,
    )
    try:
        # A concurrent call with the same key (or reference) loses on the unique index; the
        # savepoint keeps the caller's transaction usable so the winner can be returned.
        with db.begin_nested():
            db.add(write)
            db.flush()
            _queue_job(db, write)
    except IntegrityError:
        winner = _by_key(db, connection_id, key)
        if winner is not None:
            return _replay(winner, asked)
        raise ReferenceInUse(
            f"reference {write.ref_number!r} was just taken by another payment; try again"
        ) from None
    return write


def memo_marker(idempotency_key: str) -> str:
    """The marker written into the payment's Memo: ``qwc:`` and 16 hex digits of the key's hash.

    The lost-answer check accepts a payment found by RefNumber only when its memo carries this
    marker, so a payment someone else entered with the same reference is never taken for ours.
    """
    return "qwc:" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:16]


def get_payment_write(db: Session, connection_id: str, payment_id: int) -> PaymentWrite:
    """One payment write of a connection, or :class:`PaymentWriteNotFound`."""
    write = db.get(PaymentWrite, payment_id)
    if write is None or write.connection_id != connection_id:
        raise PaymentWriteNotFound(f"no payment {payment_id} for connection {connection_id!r}")
    return write


def list_payment_writes(
    db: Session, connection_id: str, *, status: str | None = None, limit: int = 1000
) -> list[PaymentWrite]:
    """A connection's payment writes, newest first, optionally of one status."""
    get_connection(db, connection_id)
    query = select(PaymentWrite).where(PaymentWrite.connection_id == connection_id)
    if status is not None:
        query = query.where(PaymentWrite.status == PaymentStatus(status))
    return list(db.scalars(query.order_by(PaymentWrite.id.desc()).limit(limit)))


# -- checks ---------------------------------------------------------------------------------


def _check_request(
    invoice_txn_id: str,
    amount: Decimal,
    txn_date: date | None,
    method: str | None,
    reference: str | None,
    deposit_to: str | None,
) -> _Request:
    invoice_txn_id = (invoice_txn_id or "").strip()
    if not invoice_txn_id:
        raise InvalidPayment("an invoice TxnID is required")
    return _Request(
        invoice_txn_id=invoice_txn_id,
        amount=_check_amount(amount),
        txn_date=txn_date,
        method=_check_name("payment method", method, MAX_METHOD_NAME_LENGTH),
        reference=_check_name("reference", reference, MAX_REF_NUMBER_LENGTH),
        deposit_to=_check_name("deposit account", deposit_to, MAX_ACCOUNT_NAME_LENGTH),
    )


def _check_amount(amount: Decimal) -> Decimal:
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidPayment(f"amount {amount!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise InvalidPayment(f"amount must be more than 0, not {amount}")
    if value != value.quantize(_CENT):
        raise InvalidPayment(f"amount {amount} has more than 2 decimals")
    if value > MAX_AMOUNT:
        raise InvalidPayment(f"amount {amount} is larger than QuickBooks accepts")
    return value.quantize(_CENT)


def _check_name(what: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise InvalidPayment(f"{what} {value!r} is longer than QuickBooks' {limit} characters")
    if any(
        ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) in (0xFFFE, 0xFFFF) for ch in value
    ):
        raise InvalidPayment(f"{what} {value!r} contains characters XML cannot carry")
    return value


def _check_key(key: str | None) -> str:
    if key is None:
        return secrets.token_urlsafe(24)
    key = key.strip()
    if not key:
        raise InvalidPayment("the idempotency key must not be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidPayment(f"the idempotency key is longer than {MAX_KEY_LENGTH} characters")
    return key


def _replay(existing: PaymentWrite, asked: _Request) -> PaymentWrite:
    """The write already made under this key, if it is the same payment."""
    differences = [
        name
        for name, ours, theirs in (
            ("invoice", existing.invoice_txn_id, asked.invoice_txn_id),
            ("amount", existing.amount, asked.amount),
            ("payment method", existing.payment_method, asked.method),
            ("deposit account", existing.deposit_to_account, asked.deposit_to),
        )
        if ours != theirs
    ]
    # A date or reference left out means "the default", which the first call already chose.
    if asked.txn_date is not None and asked.txn_date != existing.txn_date:
        differences.append("date")
    if asked.reference is not None and asked.reference != existing.ref_number:
        differences.append("reference")
    if differences:
        raise IdempotencyKeyReused(
            f"idempotency key already used for payment {existing.id} with a different "
            f"{', '.join(differences)}; use a new key for a different payment"
        )
    return existing


def _stored_invoice(db: Session, connection_id: str, txn_id: str) -> StoredInvoice:
    invoice = stored_invoice(db, connection_id, txn_id)
    if invoice is None or invoice.deleted or not invoice.customer_list_id:
        raise InvoiceNotKnown(
            f"invoice {txn_id!r} is not known for this connection; sync invoices first"
        )
    return invoice


def _check_balance(
    db: Session, connection_id: str, invoice: StoredInvoice, amount: Decimal
) -> None:
    """Refuse more than the stored balance, less what other unfinished writes will take."""
    if invoice.balance_remaining is None:
        # Nothing to compare with; QuickBooks itself refuses an overpayment (3210).
        return
    pending = db.scalar(
        select(func.coalesce(func.sum(PaymentWrite.amount), 0)).where(
            PaymentWrite.connection_id == connection_id,
            PaymentWrite.invoice_txn_id == invoice.txn_id,
            PaymentWrite.status.in_(IN_FLIGHT),
        )
    )
    available = Decimal(invoice.balance_remaining) - Decimal(pending or 0)
    if amount > available:
        detail = f" ({format_amount(Decimal(pending))} already on its way)" if pending else ""
        raise AmountExceedsBalance(
            f"amount {format_amount(amount)} is more than invoice {invoice.txn_id!r} still "
            f"owes: {format_amount(max(available, Decimal(0)))}{detail}"
        )


# -- storage ----------------------------------------------------------------------------------


def _by_key(db: Session, connection_id: str, key: str) -> PaymentWrite | None:
    return db.scalar(
        select(PaymentWrite).where(
            PaymentWrite.connection_id == connection_id, PaymentWrite.idempotency_key == key
        )
    )


def _by_reference(db: Session, connection_id: str, reference: str) -> bool:
    found = db.scalar(
        select(PaymentWrite.id).where(
            PaymentWrite.connection_id == connection_id,
            func.lower(PaymentWrite.ref_number) == reference.lower(),
        )
    )
    return found is not None


def _new_reference(db: Session, connection_id: str) -> str:
    """``QWC`` and 13 random base32 characters (65 bits): 16 of the 20 characters allowed.

    Random rather than derived from the row id, so a database restored from a backup never
    hands out a reference a payment already in QuickBooks carries.
    """
    while True:
        token = base64.b32encode(secrets.token_bytes(8)).decode("ascii").rstrip("=")
        reference = _REF_PREFIX + token
        if not _by_reference(db, connection_id, reference):
            return reference


def _queue_job(db: Session, write: PaymentWrite) -> Job:
    job = Job(
        connection_id=write.connection_id,
        qbxml=payment_add_request(write),
        request_names=ADD_REQUEST,
        kind=JobKind.PAYMENT,
        status=JobStatus.QUEUED,
        units_remaining=1,
    )
    store_payload(job, {"payment_write_id": write.id, "phase": "add"})
    db.add(job)
    db.flush()
    write.job_id = job.id
    return job
