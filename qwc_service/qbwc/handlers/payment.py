"""The payment job: send a ReceivePaymentAdd once, and look before ever sending it again.

A payment job has two phases, kept in its payload next to the write's id:

* ``add`` hands out the ReceivePaymentAdd. It is only ever handed out while the write is
  ``pending``: QuickBooks has, as far as we know for certain, not recorded it.
* ``check`` hands out a ReceivePaymentQuery for our RefNumber. It is what a job gets whenever
  the add may have reached QuickBooks without its answer reaching us: the session died after
  the hand-out (the write is still ``sent``), QuickBooks' answer could not be read, or the
  request processor failed in a way that leaves room for doubt. Finding the payment settles
  it as recorded; finding nothing makes it safe to send the add again.

So at most one ReceivePaymentAdd is in doubt at any time, and it is never repeated blindly.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from decimal import Decimal

from qwc_service.payments.models import PaymentStatus, PaymentWrite
from qwc_service.payments.requests import (
    ADD_REQUEST,
    CHECK_REQUEST,
    payment_add_request,
    payment_check_request,
)
from qwc_service.payments.responses import (
    AppliedTo,
    ReceivedPayment,
    read_received_payments,
    status_of,
)
from qwc_service.payments.service import memo_marker
from qwc_service.qbwc.jobs import JobContext
from qwc_service.qbxml.errors import InvalidQbxml, QbxmlError
from qwc_service.qbxml.explain import explain_hresult, explain_status, format_for_person
from qwc_service.qbxml.responses import ResponseStatus
from qwc_service.queue.models import Job, JobStatus
from qwc_service.queue.payload import load_payload, store_payload
from qwc_service.records.invoices import stored_invoice, update_invoice_balance

__all__ = ["MAX_CHECKS", "MAX_SENDS", "PHASE_ADD", "PHASE_CHECK", "RETRY_DELAY", "PaymentHandler"]

PHASE_ADD = "add"
PHASE_CHECK = "check"
# How often the add may go out (each time only after a check found nothing, or after
# QuickBooks refused it for a temporary reason), and how often we may look for it.
MAX_SENDS = 3
MAX_CHECKS = 5
RETRY_DELAY = timedelta(seconds=60)


class _Found(enum.Enum):
    OURS = "ours"
    CONFLICT = "conflict"  # our reference and marker, but another customer or amount
    ABSENT = "absent"


class PaymentHandler:
    """Writes one :class:`PaymentWrite` to QuickBooks, at most once (``JobKind.PAYMENT``)."""

    def request_for(self, ctx: JobContext, job: Job) -> str:
        """The add while the write is pending; otherwise the query that looks for it."""
        write = _write_of(ctx, job)
        if write is None:
            raise InvalidQbxml(f"payment job {job.id} has no payment write to send")
        payload = load_payload(job)
        if payload.get("phase") == PHASE_ADD and write.status == PaymentStatus.PENDING:
            text = payment_add_request(write, version=ctx.qbxml_version)
            write.status = PaymentStatus.SENT
            write.sends += 1
            payload["phase"] = PHASE_ADD
            job.request_names = ADD_REQUEST
        else:
            # Handed out before and no answer recorded: QuickBooks may have it. Look first.
            if write.status == PaymentStatus.SENT:
                write.status = PaymentStatus.UNKNOWN
            text = payment_check_request(write, version=ctx.qbxml_version)
            write.checks += 1
            payload["phase"] = PHASE_CHECK
            job.request_names = CHECK_REQUEST
        store_payload(job, payload)
        job.qbxml = text
        return text

    def on_response(
        self, ctx: JobContext, job: Job, response: str, hresult: str, message: str
    ) -> None:
        """Settle the write from QuickBooks' answer, or queue the next step."""
        job.completed_at = ctx.now
        job.leased_until = None
        job.response = response or None
        write = _write_of(ctx, job)
        if write is None:
            job.status = JobStatus.ERROR
            job.error = "the payment write of this job no longer exists"
            return
        # The job shows the latest answer, not a mix with an earlier attempt's.
        job.hresult = hresult[:32] or None
        job.status_code = job.status_severity = job.status_message = None
        if load_payload(job).get("phase") == PHASE_ADD:
            _after_add(ctx, job, write, response, hresult, message)
        else:
            _after_check(ctx, job, write, response, hresult, message)


# -- the add ----------------------------------------------------------------------------------


def _after_add(
    ctx: JobContext, job: Job, write: PaymentWrite, response: str, hresult: str, message: str
) -> None:
    if hresult:
        explanation = explain_hresult(hresult)
        text = format_for_person(explanation, (message or "")[:500])
        if explanation.retryable and write.sends < MAX_SENDS:
            # The request processor failed as a whole, which normally means nothing was
            # recorded; a temporary failure still leaves room for doubt, so look first.
            write.status = PaymentStatus.UNKNOWN
            write.error = text
            _requeue(ctx, job, PHASE_CHECK, RETRY_DELAY * write.sends)
        else:
            # e.g. 0x80040400: QuickBooks could not parse the request, so it did nothing.
            _fail(ctx, job, write, text)
        return
    try:
        status = status_of(response, "ReceivePaymentAddRs")
        found = read_received_payments(response) if status and not status.is_error else []
    except QbxmlError as exc:
        _in_doubt(ctx, job, write, f"QuickBooks' answer could not be read ({exc})")
        return
    if status is None:
        _in_doubt(ctx, job, write, "QuickBooks' answer holds no ReceivePaymentAddRs")
        return
    _store_status(job, status)
    write.status_code = status.status_code
    if not status.is_error:
        _record(ctx, job, write, found[0] if found else None, from_add=True)
        return
    explanation = explain_status(status.status_code, status.message)
    text = format_for_person(explanation, status.message)
    if explanation.retryable and write.sends < MAX_SENDS:
        # QuickBooks refused it (a record in use): nothing was recorded, sending again is safe.
        write.status = PaymentStatus.PENDING
        write.error = text
        _requeue(ctx, job, PHASE_ADD, RETRY_DELAY * write.sends)
    else:
        _fail(ctx, job, write, text)


def _in_doubt(ctx: JobContext, job: Job, write: PaymentWrite, reason: str) -> None:
    """The add may or may not be in QuickBooks: look for it next."""
    write.status = PaymentStatus.UNKNOWN
    write.error = reason
    if write.checks < MAX_CHECKS:
        _requeue(ctx, job, PHASE_CHECK, None)
    else:
        _give_up(ctx, job, write, reason)


# -- the check --------------------------------------------------------------------------------


def _after_check(
    ctx: JobContext, job: Job, write: PaymentWrite, response: str, hresult: str, message: str
) -> None:
    if write.status in (PaymentStatus.RECORDED, PaymentStatus.FAILED):
        # Settled already; the query only confirmed what we knew.
        job.status = JobStatus.DONE if write.status == PaymentStatus.RECORDED else JobStatus.ERROR
        job.error = write.error if job.status == JobStatus.ERROR else None
        return
    if hresult:
        text = format_for_person(explain_hresult(hresult), (message or "")[:500])
        _check_failed(ctx, job, write, text)
        return
    try:
        status = status_of(response, "ReceivePaymentQueryRs")
        found = read_received_payments(response) if status and not status.is_error else []
    except QbxmlError as exc:
        _check_failed(ctx, job, write, f"QuickBooks' answer could not be read ({exc})")
        return
    if status is None:
        _check_failed(ctx, job, write, "QuickBooks' answer holds no ReceivePaymentQueryRs")
        return
    _store_status(job, status)
    if status.is_error:
        explanation = explain_status(status.status_code, status.message)
        _check_failed(ctx, job, write, format_for_person(explanation, status.message))
        return
    # statusCode 1 (no match) and 500 (the customer is gone) both leave ``found`` empty.
    verdict, payment = _classify(write, found)
    if verdict is _Found.OURS:
        _record(ctx, job, write, payment, from_add=False)
    elif verdict is _Found.CONFLICT:
        assert payment is not None
        _give_up(
            ctx,
            job,
            write,
            f"QuickBooks has payment {payment.txn_id} with our reference {write.ref_number} "
            "and marker, but with another customer or amount; it was not sent again",
        )
    elif write.sends >= MAX_SENDS:
        _fail(
            ctx,
            job,
            write,
            f"sent {write.sends} times and QuickBooks has no payment with reference "
            f"{write.ref_number}; not sent again",
        )
    else:
        # Confirmed absent: QuickBooks never recorded it, so the add may go out again.
        write.status = PaymentStatus.PENDING
        write.error = None
        _requeue(ctx, job, PHASE_ADD, None)


def _classify(
    write: PaymentWrite, found: list[ReceivedPayment]
) -> tuple[_Found, ReceivedPayment | None]:
    """Ours: exact RefNumber, our memo marker, same customer and amount."""
    marker = memo_marker(write.idempotency_key)
    conflict = None
    for payment in found:
        if payment.ref_number != write.ref_number or marker not in (payment.memo or ""):
            continue  # someone else's payment whose reference merely starts like ours
        if payment.customer_list_id == write.customer_list_id and payment.total_amount == Decimal(
            write.amount
        ):
            return _Found.OURS, payment
        conflict = payment
    if conflict is not None:
        return _Found.CONFLICT, conflict
    return _Found.ABSENT, None


def _check_failed(ctx: JobContext, job: Job, write: PaymentWrite, text: str) -> None:
    """The query itself failed: look again later, a bounded number of times."""
    write.error = text
    if write.checks < MAX_CHECKS:
        _requeue(ctx, job, PHASE_CHECK, RETRY_DELAY * write.checks)
    else:
        _give_up(ctx, job, write, text)


# -- outcomes ---------------------------------------------------------------------------------


def _record(
    ctx: JobContext,
    job: Job,
    write: PaymentWrite,
    payment: ReceivedPayment | None,
    *,
    from_add: bool,
) -> None:
    write.status = PaymentStatus.RECORDED
    write.txn_id = payment.txn_id if payment is not None else None
    write.error = None
    write.completed_at = ctx.now
    job.status = JobStatus.DONE
    job.error = None
    applied = payment.applied_to(write.invoice_txn_id) if payment is not None else None
    _refresh_invoice(ctx, write, applied, from_add=from_add)


def _fail(ctx: JobContext, job: Job, write: PaymentWrite, text: str) -> None:
    """QuickBooks certainly did not record the payment, and will not."""
    write.status = PaymentStatus.FAILED
    write.error = text
    write.completed_at = ctx.now
    job.status = JobStatus.ERROR
    job.error = text


def _give_up(ctx: JobContext, job: Job, write: PaymentWrite, reason: str) -> None:
    """Stop without knowing: the write stays ``unknown`` for a person to look at."""
    write.status = PaymentStatus.UNKNOWN
    text = (
        f"{reason}. Whether QuickBooks recorded the payment is unknown: look for reference "
        f"{write.ref_number} on the customer's payments before paying again."
    )
    write.error = text
    job.status = JobStatus.ERROR
    job.error = text


def _requeue(ctx: JobContext, job: Job, phase: str, delay: timedelta | None) -> None:
    payload = load_payload(job)
    payload["phase"] = phase
    store_payload(job, payload)
    job.status = JobStatus.QUEUED
    job.session_id = None
    job.pinned_session_id = None
    job.leased_until = None
    job.completed_at = None
    job.not_before = ctx.now + delay if delay else None
    job.units_remaining = 1


def _store_status(job: Job, status: ResponseStatus) -> None:
    job.status_code = status.status_code
    job.status_severity = status.severity
    job.status_message = status.message[:2000]


def _refresh_invoice(
    ctx: JobContext, write: PaymentWrite, applied: AppliedTo | None, *, from_add: bool
) -> None:
    """Bring the stored invoice's balance up to date until the next invoice sync.

    AppliedToTxnRet/BalanceRemaining is QuickBooks' own balance of the invoice when it
    answered, so it is used whenever present. Without it the balance is computed (stored
    balance minus this payment), but only right after the add: by the time a check finds the
    payment, an invoice sync may already have stored the balance with the payment in it, and
    subtracting again would count it twice.
    """
    invoice = stored_invoice(ctx.db, write.connection_id, write.invoice_txn_id)
    if invoice is None:
        return
    if applied is not None and applied.balance_remaining is not None:
        balance = applied.balance_remaining
    elif from_add and invoice.balance_remaining is not None:
        balance = invoice.balance_remaining - Decimal(write.amount)
    else:
        return
    applied_amount = None
    if invoice.subtotal is not None:
        # QuickBooks' convention: balance = subtotal + sales tax + applied (applied <= 0).
        applied_amount = balance - invoice.subtotal - (invoice.sales_tax_total or Decimal(0))
    update_invoice_balance(
        ctx.db,
        write.connection_id,
        write.invoice_txn_id,
        balance,
        applied_amount,
        balance <= 0,
    )


def _write_of(ctx: JobContext, job: Job) -> PaymentWrite | None:
    write_id = load_payload(job).get("payment_write_id")
    if not isinstance(write_id, int):
        return None
    write = ctx.db.get(PaymentWrite, write_id)
    if write is None or write.connection_id != job.connection_id:
        return None
    return write
