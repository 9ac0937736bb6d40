"""Changes to the invoices and received payments of a simulated company file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from qwc_service.simulator.quickbooks import payments
from qwc_service.simulator.quickbooks.errors import RecordInUse, RecordNotFound
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    DeletedTxn,
    Invoice,
    InvoiceLine,
    Payment,
    qb_epoch,
    to_cents,
)
from qwc_service.simulator.quickbooks.store import CompanyStore


@dataclass(frozen=True)
class LineSpec:
    """One invoice line to add: an item plus any of quantity, rate, amount and description."""

    item_list_id: str | None
    quantity: Decimal | None = None
    rate: Decimal | None = None
    amount: Decimal | None = None
    desc: str | None = None


class TxnChanges(CompanyStore):
    """Adding, editing and deleting invoices and received payments."""

    # ----------------------------------------------------------------- invoices
    def _build_line(self, spec: LineSpec, at: datetime) -> InvoiceLine:
        item = None
        if spec.item_list_id is not None:
            item = self.items.get(spec.item_list_id)
            if item is None:
                raise RecordNotFound("Item", spec.item_list_id)
        rate = spec.rate
        quantity = spec.quantity
        if spec.amount is not None:
            amount = to_cents(spec.amount)
        else:
            # QuickBooks prices a line from the item when no rate is given.
            if rate is None and item is not None:
                rate = item.price
            if rate is not None and quantity is None:
                quantity = Decimal(1)
            amount = to_cents((quantity or Decimal(1)) * rate) if rate is not None else ZERO
        return InvoiceLine(
            txn_line_id=self._new_txn_id(at),
            item_list_id=item.list_id if item else None,
            item_full_name=item.full_name if item else None,
            desc=spec.desc if spec.desc is not None else (item.description if item else None),
            quantity=quantity,
            rate=rate,
            amount=amount,
        )

    def add_invoice(
        self,
        customer_list_id: str,
        lines: Sequence[LineSpec],
        *,
        txn_date: date | None = None,
        ref_number: str | None = None,
        due_date: date | None = None,
        memo: str | None = None,
        at: datetime | None = None,
    ) -> Invoice:
        """Create an invoice; the customer's balance grows by its total."""
        customer = self.require_customer(customer_list_id)
        for spec in lines:
            if spec.item_list_id is not None and spec.item_list_id not in self.items:
                raise RecordNotFound("Item", spec.item_list_id)
        now = self._time(at)
        txn_id = self._new_txn_id(now)
        built = [self._build_line(spec, now) for spec in lines]
        subtotal = sum((line.amount for line in built), ZERO)
        if ref_number is None:
            ref_number = str(self._next_invoice_number)
        if ref_number.isdigit():
            self._next_invoice_number = max(self._next_invoice_number, int(ref_number) + 1)
        day = txn_date or now.date()
        self._txn_number += 1
        invoice = Invoice(
            txn_id=txn_id,
            edit_sequence=str(qb_epoch(now)),
            txn_number=self._txn_number,
            time_created=now,
            time_modified=now,
            customer_list_id=customer.list_id,
            customer_full_name=customer.full_name,
            txn_date=day,
            ref_number=ref_number,
            due_date=due_date or day + timedelta(days=30),
            subtotal=subtotal,
            balance_remaining=subtotal,
            is_paid=subtotal <= ZERO,
            memo=memo,
            lines=built,
        )
        self.invoices[txn_id] = invoice
        self._index_txn(customer.list_id, txn_id, ref_number, self._invoice_refs)
        for line in built:
            if line.item_list_id:
                self._item_uses[line.item_list_id] = self._item_uses.get(line.item_list_id, 0) + 1
        self._adjust_balance(customer, subtotal)
        return invoice

    def touch_invoice(
        self,
        txn_id: str,
        *,
        memo: str | None = None,
        amount_delta: Decimal | None = None,
        at: datetime | None = None,
    ) -> Invoice:
        """Edit an invoice: a new memo (default: a revision note) and optionally more or less
        money on its first line; new EditSequence and TimeModified."""
        invoice = self.require_invoice(txn_id)
        now = self._time(at)
        invoice.memo = memo if memo is not None else f"Revised {now.isoformat(timespec='seconds')}"
        if amount_delta and invoice.lines:
            if invoice.balance_remaining + amount_delta < ZERO:
                raise ValueError("the change would leave the invoice with a negative balance")
            line = invoice.lines[0]
            line.amount = to_cents(line.amount + amount_delta)
            if line.quantity:
                line.rate = (line.amount / line.quantity).quantize(Decimal("0.00001")).normalize()
            invoice.subtotal += amount_delta
            invoice.balance_remaining += amount_delta
            invoice.is_paid = invoice.balance_remaining <= ZERO
            self._adjust_balance(self.customers[invoice.customer_list_id], amount_delta)
        self._bump(invoice, now)
        return invoice

    def delete_invoice(self, txn_id: str, *, at: datetime | None = None) -> DeletedTxn:
        """Delete an invoice no payment is applied to; ``RecordInUse`` otherwise."""
        invoice = self.require_invoice(txn_id)
        if invoice.linked_txns:
            raise RecordInUse("Invoice", txn_id)
        del self.invoices[txn_id]
        self._unindex_txn(invoice.customer_list_id, txn_id, invoice.ref_number, self._invoice_refs)
        for line in invoice.lines:
            if line.item_list_id:
                self._item_uses[line.item_list_id] -= 1
        customer = self.customers.get(invoice.customer_list_id)
        if customer is not None:
            self._adjust_balance(customer, -invoice.balance_remaining)
        gone = DeletedTxn(
            "Invoice", txn_id, invoice.ref_number, invoice.time_created, self._time(at)
        )
        self.deleted_txns.append(gone)
        return gone

    # ----------------------------------------------------------------- payments
    def receive_payment(
        self,
        customer_list_id: str,
        applications: Sequence[tuple[str, Decimal | None]] = (),
        *,
        total_amount: Decimal | None = None,
        auto_apply: bool = False,
        txn_date: date | None = None,
        ref_number: str | None = None,
        payment_method_name: str | None = None,
        deposit_to_account_name: str | None = "Undeposited Funds",
        memo: str | None = None,
        at: datetime | None = None,
    ) -> Payment:
        """Receive a payment, applying ``(invoice TxnID, amount)`` pairs (amount ``None``:
        as much as is owed) or auto-applying to the oldest open invoices."""
        return payments.receive_payment(
            self,
            customer_list_id,
            applications,
            total_amount=total_amount,
            auto_apply=auto_apply,
            txn_date=txn_date,
            ref_number=ref_number,
            payment_method_name=payment_method_name,
            deposit_to_account_name=deposit_to_account_name,
            memo=memo,
            at=at,
        )

    def delete_payment(self, txn_id: str, *, at: datetime | None = None) -> DeletedTxn:
        """Delete a received payment; the invoices it paid owe that money again."""
        return payments.delete_payment(self, txn_id, at=at)
