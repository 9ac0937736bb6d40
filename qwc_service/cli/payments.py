"""``qwc-service payment``: record a payment against an invoice, and follow it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from qwc_service.cli.common import CliContext, DeclaredChoice, emit, friendly_errors, pass_cli

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


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


@click.group("payment")
def payment_group() -> None:
    """Payments written back to QuickBooks, each at most once."""


@payment_group.command("record")
@click.argument("connection_id")
@click.option("--invoice", "invoice_txn_id", required=True, help="TxnID of a synced invoice.")
@click.option("--amount", required=True, type=AmountType(), help="Amount paid, e.g. 125.50.")
@click.option(
    "--date",
    "txn_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Payment date (YYYY-MM-DD); today (UTC) when left out.",
)
@click.option("--method", default=None, help="Payment method name in QuickBooks, e.g. Check.")
@click.option("--reference", default=None, help="RefNumber (max 20); generated when left out.")
@click.option("--deposit-to", default=None, help="Account to deposit to (default: QuickBooks').")
@click.option(
    "--key",
    default=None,
    help="Idempotency key: the same key never pays twice. Pass your own to retry safely.",
)
@json_option
@pass_cli
@friendly_errors
def record_cmd(
    cli: CliContext,
    connection_id: str,
    invoice_txn_id: str,
    amount: Decimal,
    txn_date: datetime | None,
    method: str | None,
    reference: str | None,
    deposit_to: str | None,
    key: str | None,
    as_json: bool,
) -> None:
    """Queue a payment on one invoice for the next Web Connector update.

    Without --key a random key is generated and printed; run the command again with that key
    (and the same values) to learn the payment's state without recording it twice.
    """
    from qwc_service.payments import service
    from qwc_service.payments.views import payment_write_view

    with cli.unit() as db:
        write = service.record_payment(
            db,
            connection_id,
            invoice_txn_id=invoice_txn_id,
            amount=amount,
            txn_date=txn_date.date() if txn_date else None,
            method=method,
            reference=reference,
            deposit_to=deposit_to,
            idempotency_key=key,
        )
        data = payment_write_view(write)
    emit(
        data,
        as_json,
        lambda d: (
            f"payment {d['payment_id']} {d['status']}: {d['amount']} on invoice "
            f"{d['invoice_txn_id']} (job {d['job_id']}, reference {d['ref_number']})\n"
            f"idempotency key: {d['idempotency_key']}"
        ),
    )


@payment_group.command("list")
@click.argument("connection_id")
@click.option(
    "--status", type=DeclaredChoice("qwc_service.payments.models:PaymentStatus"), default=None
)
@json_option
@pass_cli
@friendly_errors
def list_cmd(cli: CliContext, connection_id: str, status: str | None, as_json: bool) -> None:
    """List a connection's payments, newest first."""
    from qwc_service.payments import service
    from qwc_service.payments.views import payment_write_view

    with cli.unit() as db:
        data = [
            payment_write_view(w)
            for w in service.list_payment_writes(db, connection_id, status=status)
        ]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no payments"
        return "\n".join(
            f"{r['payment_id']:>6}  {r['status']:<9} {r['amount']:>12}  invoice "
            f"{r['invoice_txn_id']}  ref {r['ref_number']}"
            + (f"  error: {r['error']}" if r["error"] else "")
            for r in rows
        )

    emit(data, as_json, human)


@payment_group.command("show")
@click.argument("connection_id")
@click.argument("payment_id", type=int)
@json_option
@pass_cli
@friendly_errors
def show_cmd(cli: CliContext, connection_id: str, payment_id: int, as_json: bool) -> None:
    """Show one payment with its state, QuickBooks TxnID and any error."""
    from qwc_service.payments import service
    from qwc_service.payments.views import payment_write_view

    with cli.unit() as db:
        data = payment_write_view(service.get_payment_write(db, connection_id, payment_id))
    emit(data, as_json, lambda d: "\n".join(f"{k}: {v}" for k, v in d.items()))


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(payment_group)
