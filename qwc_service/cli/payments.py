"""``qwc-service payment``, ``payout``, ``refund``, ``credit`` and ``customer``: what a
payments connector writes to QuickBooks, each a write made at most once per key."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qwc_service.payments import operations as ops
    from qwc_service.writes.service import Submitted


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
key_option = click.option(
    "--key", required=True, help="Idempotency key: the same key never writes twice."
)


# click 8.5 made ParamType generic; subscripting it would break the 8.1 floor at run time.
class AmountType(click.ParamType):  # type: ignore[type-arg]
    """A decimal amount such as 125.50."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse the text as a Decimal (range and decimals are checked by the service)."""
        if isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount like 125.50", param, ctx)


class AppliedType(click.ParamType):  # type: ignore[type-arg]
    """``TXNID=AMOUNT``."""

    name = "txnid=amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Split at the last ``=`` into a TxnID and an amount."""
        from qwc_service.payments import operations as ops

        if isinstance(value, ops.Applied):
            return value
        txn_id, sep, amount = str(value).rpartition("=")
        try:
            if not sep or not txn_id.strip():
                raise InvalidOperation
            return ops.Applied(txn_id.strip(), Decimal(amount.strip()))
        except InvalidOperation:
            self.fail(f"{value!r} is not TXNID=AMOUNT, e.g. 1A2B-1234567890=125.50", param, ctx)


def _report(db: Session, connection_id: str, submitted: Submitted) -> dict[str, Any]:
    from qwc_service.queue.service import get_job
    from qwc_service.queue.views import job_view
    from qwc_service.writes.views import job_write_members

    job = get_job(db, connection_id, submitted.write.job_id or 0)
    view = {**job_view(job, include_payloads=False), **job_write_members(job, db)}
    return {
        "job_id": job.id,
        "status": view["status"],
        "created": submitted.created,
        "write": view["write"],
        "result": view["result"],
        "conflict": view["conflict"],
        "unused_payment": view["unused_payment"],
        "error": view["error"],
    }


def _human(data: dict[str, Any]) -> str:
    again = "" if data["created"] else " (already queued with this key)"
    return f"job {data['job_id']}: {data['status']}{again}"


def _date(value: datetime | None) -> Any:
    return value.date() if value else None


date_option = click.option(
    "--date", "txn_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None
)


@click.group("payment")
def payment_group() -> None:
    """Payments received, written back to QuickBooks once."""


@payment_group.command("record")
@click.argument("connection_id")
@click.option("--apply", "applied", multiple=True, type=AppliedType(), help="INVOICE=AMOUNT.")
@click.option("--invoice", "invoice_txn_id", default=None, help="One invoice (with --amount).")
@click.option("--amount", type=AmountType(), default=None, help="Total received, e.g. 125.50.")
@click.option("--credit", "credits", multiple=True, type=AppliedType(), help="CREDITMEMO=AMOUNT.")
@click.option("--discount", type=AmountType(), default=None, help="Early-payment discount.")
@click.option("--discount-account", default=None, help="Account of the discount.")
@click.option("--method", default=None, help="Payment method, e.g. Visa.")
@click.option("--deposit-to", default=None, help="Account (Undeposited Funds by default).")
@click.option("--memo", default=None, help="Memo (a marker of the server's is added).")
@click.option("--ref", "--reference", "reference", default=None, help="RefNumber (max 20).")
@date_option
@key_option
@json_option
@pass_cli
@friendly_errors
def record_cmd(
    cli: CliContext,
    connection_id: str,
    applied: tuple[ops.Applied, ...],
    invoice_txn_id: str | None,
    amount: Decimal | None,
    credits: tuple[ops.Applied, ...],
    discount: Decimal | None,
    discount_account: str | None,
    method: str | None,
    deposit_to: str | None,
    memo: str | None,
    reference: str | None,
    txn_date: datetime | None,
    key: str,
    as_json: bool,
) -> None:
    """Queue a payment on one or more invoices; more than applied stays as credit."""
    from qwc_service.payments import operations as ops

    with cli.unit() as db:
        submitted = ops.record_payment(
            db,
            connection_id,
            applied=list(applied),
            invoice_txn_id=invoice_txn_id,
            key=key,
            credits=list(credits),
            total=amount,
            discount=discount,
            discount_account=discount_account,
            method=method,
            deposit_to=deposit_to,
            memo=memo,
            reference=reference,
            txn_date=_date(txn_date),
        )
        data = _report(db, connection_id, submitted)
    emit(data, as_json, _human)


@click.group("payout")
def payout_group() -> None:
    """Payouts: received payments deposited into the bank, less the processor's fee."""


@payout_group.command("record")
@click.argument("connection_id")
@click.option("--payments", required=True, help="TxnIDs of the payments, comma-separated.")
@click.option("--bank", required=True, help="The bank account deposited to.")
@click.option("--fee", type=AmountType(), default=None, help="The processor's fee.")
@click.option("--fee-account", default=None, help="The account the fee is booked to.")
@date_option
@key_option
@json_option
@pass_cli
@friendly_errors
def payout_cmd(
    cli: CliContext,
    connection_id: str,
    payments: str,
    bank: str,
    fee: Decimal | None,
    fee_account: str | None,
    txn_date: datetime | None,
    key: str,
    as_json: bool,
) -> None:
    """Queue a DepositAdd: the payments less the fee, as it reached the bank."""
    from qwc_service.payments import operations as ops

    with cli.unit() as db:
        submitted = ops.record_payout(
            db,
            connection_id,
            payments=payments.split(","),
            bank=bank,
            fee=fee,
            fee_account=fee_account,
            key=key,
            txn_date=_date(txn_date),
        )
        data = _report(db, connection_id, submitted)
    emit(data, as_json, _human)


@click.group("refund")
def refund_group() -> None:
    """Refunds to a card, from a credit memo or an unused payment."""


@refund_group.command("record")
@click.argument("connection_id")
@click.option("--credit", required=True, help="TxnID of the credit memo (or payment).")
@click.option("--amount", required=True, type=AmountType())
@click.option("--account", required=True, help="The account refunded from.")
@click.option(
    "--customer",
    default=None,
    help="The customer (FullName or ListID); by default the synced credit memo's.",
)
@click.option("--method", default=None, help="Payment method, e.g. Visa.")
@key_option
@json_option
@pass_cli
@friendly_errors
def refund_cmd(
    cli: CliContext,
    connection_id: str,
    credit: str,
    amount: Decimal,
    account: str,
    customer: str | None,
    method: str | None,
    key: str,
    as_json: bool,
) -> None:
    """Queue an ARRefundCreditCardAdd."""
    from qwc_service.payments import operations as ops

    with cli.unit() as db:
        submitted = ops.record_refund(
            db,
            connection_id,
            credit=credit,
            amount=amount,
            account=account,
            customer=customer,
            method=method,
            key=key,
        )
        data = _report(db, connection_id, submitted)
    emit(data, as_json, _human)


@click.group("credit")
def credit_group() -> None:
    """Credit memos."""


@credit_group.command("record")
@click.argument("connection_id")
@click.option("--customer", required=True, help="The customer (FullName or ListID).")
@click.option("--item", required=True, help="The item of the credit's line.")
@click.option("--amount", required=True, type=AmountType())
@click.option("--memo", default=None)
@key_option
@json_option
@pass_cli
@friendly_errors
def credit_cmd(
    cli: CliContext,
    connection_id: str,
    customer: str,
    item: str,
    amount: Decimal,
    memo: str | None,
    key: str,
    as_json: bool,
) -> None:
    """Queue a CreditMemoAdd of one line."""
    from qwc_service.payments import operations as ops

    with cli.unit() as db:
        submitted = ops.record_credit(
            db, connection_id, customer=customer, item=item, amount=amount, memo=memo, key=key
        )
        data = _report(db, connection_id, submitted)
    emit(data, as_json, _human)


@click.group("customer")
def customer_group() -> None:
    """Customers added or changed in QuickBooks."""


@customer_group.command("upsert")
@click.argument("connection_id")
@click.option(
    "--fields",
    "fields_file",
    required=True,
    type=click.File("r", encoding="utf-8"),
    help="JSON object named as in qbXML (Name, Email...); - for standard input.",
)
@key_option
@json_option
@pass_cli
@friendly_errors
def customer_cmd(
    cli: CliContext, connection_id: str, fields_file: Any, key: str, as_json: bool
) -> None:
    """Add the customer, or change the stored one with this ListID or Name."""
    from qwc_service.payments import operations as ops

    try:
        fields = json.loads(fields_file.read())
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--fields is not JSON: {exc}") from None
    with cli.unit() as db:
        submitted = ops.upsert_customer(db, connection_id, fields, key=key)
        data = _report(db, connection_id, submitted)
    emit(data, as_json, _human)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    for group in (payment_group, payout_group, refund_group, credit_group, customer_group):
        main.add_command(group)
