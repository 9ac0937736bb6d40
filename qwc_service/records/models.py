"""Records read from QuickBooks, one table per kind, every row owned by one connection.

Rows are keyed by (connection_id, QuickBooks identity): ListID for lists, TxnID for
transactions. ``time_modified_raw`` keeps QuickBooks' own text (with its offset), which is
what incremental syncs send back; ``time_modified`` is the same instant in UTC for queries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qwc_service.clock import utcnow
from qwc_service.db import Base, UTCDateTime

Money = Numeric(18, 5)


class _RecordColumns:
    """What every stored record has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    edit_sequence: Mapped[str | None] = mapped_column(String(16))
    time_created: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_modified_raw: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class _TxnColumns(_RecordColumns):
    """What every stored transaction has besides the record columns."""

    txn_id: Mapped[str] = mapped_column(String(40))
    txn_number: Mapped[int | None] = mapped_column(Integer)
    customer_list_id: Mapped[str | None] = mapped_column(String(40))
    customer_full_name: Mapped[str | None] = mapped_column(String(255))
    txn_date: Mapped[date | None] = mapped_column(Date)
    ref_number: Mapped[str | None] = mapped_column(String(20))
    memo: Mapped[str | None] = mapped_column(Text)


class Customer(_RecordColumns, Base):
    """A QuickBooks customer (or job)."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("uq_customers_connection_list_id", "connection_id", "list_id", unique=True),
        Index("ix_customers_connection_modified", "connection_id", "time_modified"),
    )

    list_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool | None] = mapped_column(Boolean)
    company_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(1023))
    phone: Mapped[str | None] = mapped_column(String(41))
    bill_address: Mapped[str | None] = mapped_column(Text)
    balance: Mapped[Decimal | None] = mapped_column(Money)
    total_balance: Mapped[Decimal | None] = mapped_column(Money)


class Item(_RecordColumns, Base):
    """A QuickBooks item of any kind (service, non-inventory, inventory …)."""

    __tablename__ = "items"
    __table_args__ = (
        Index("uq_items_connection_list_id", "connection_id", "list_id", unique=True),
        Index("ix_items_connection_modified", "connection_id", "time_modified"),
    )

    list_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool | None] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Money)
    income_account: Mapped[str | None] = mapped_column(String(255))
    quantity_on_hand: Mapped[Decimal | None] = mapped_column(Money)


class Invoice(_TxnColumns, Base):
    """A QuickBooks invoice with its lines."""

    __tablename__ = "invoices"
    __table_args__ = (
        Index("uq_invoices_connection_txn_id", "connection_id", "txn_id", unique=True),
        Index("ix_invoices_connection_modified", "connection_id", "time_modified"),
    )

    due_date: Mapped[date | None] = mapped_column(Date)
    subtotal: Mapped[Decimal | None] = mapped_column(Money)
    sales_tax_total: Mapped[Decimal | None] = mapped_column(Money)
    applied_amount: Mapped[Decimal | None] = mapped_column(Money)
    balance_remaining: Mapped[Decimal | None] = mapped_column(Money)
    is_paid: Mapped[bool | None] = mapped_column(Boolean)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        order_by="InvoiceLine.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class InvoiceLine(Base):
    """One line of an invoice, in the order QuickBooks returned it."""

    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    txn_line_id: Mapped[str | None] = mapped_column(String(40))
    item_list_id: Mapped[str | None] = mapped_column(String(40))
    item_full_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Money)
    rate: Mapped[Decimal | None] = mapped_column(Money)
    amount: Mapped[Decimal | None] = mapped_column(Money)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Payment(_TxnColumns, Base):
    """A received payment with the invoices it was applied to."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("uq_payments_connection_txn_id", "connection_id", "txn_id", unique=True),
        Index("ix_payments_connection_modified", "connection_id", "time_modified"),
    )

    total_amount: Mapped[Decimal | None] = mapped_column(Money)
    payment_method: Mapped[str | None] = mapped_column(String(255))
    deposit_to_account: Mapped[str | None] = mapped_column(String(255))
    unused_payment: Mapped[Decimal | None] = mapped_column(Money)

    applications: Mapped[list[PaymentApplication]] = relationship(
        back_populates="payment",
        order_by="PaymentApplication.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class PaymentApplication(Base):
    """The part of a payment applied to one invoice."""

    __tablename__ = "payment_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    invoice_txn_id: Mapped[str] = mapped_column(String(40))
    txn_type: Mapped[str | None] = mapped_column(String(40))
    ref_number: Mapped[str | None] = mapped_column(String(20))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    balance_remaining: Mapped[Decimal | None] = mapped_column(Money)

    payment: Mapped[Payment] = relationship(back_populates="applications")
