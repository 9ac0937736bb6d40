"""Records held in a simulated QuickBooks company file, and QuickBooks' value formats.

Every record is a plain dataclass; the company (``qb_company.Company``) owns them and keeps
their indexes. Money is ``Decimal``; times are timezone-aware ``datetime`` values that render
with the company's fixed UTC offset, the way QuickBooks writes ``TimeModified``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

ItemKind = Literal["Service", "NonInventory", "Inventory"]

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# QuickBooks numbers user-created list elements from 0x80000001 upwards, per list.
LIST_ID_BASE = 0x80000000


@dataclass
class Address:
    """A postal address as QuickBooks stores it: up to five lines plus city/state/zip."""

    lines: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def block(self) -> tuple[str, ...]:
        """The address as QuickBooks prints it in ``*AddressBlock`` (max five lines)."""
        last = " ".join(p for p in (self.state, self.postal_code) if p)
        city_line = ", ".join(p for p in (self.city, last) if p)
        out = list(self.lines)
        if city_line:
            out.append(city_line)
        return tuple(out[:5])


@dataclass
class Customer:
    """A customer list element (no jobs: every customer is at Sublevel 0)."""

    list_id: str
    edit_sequence: str
    time_created: datetime
    time_modified: datetime
    name: str
    full_name: str
    is_active: bool = True
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    bill_address: Address | None = None
    balance: Decimal = ZERO
    total_balance: Decimal = ZERO
    external_guid: str | None = None


@dataclass
class Item:
    """An item list element of one of the three kinds the simulator carries."""

    list_id: str
    edit_sequence: str
    time_created: datetime
    time_modified: datetime
    name: str
    full_name: str
    kind: ItemKind
    is_active: bool = True
    description: str | None = None
    price: Decimal = ZERO
    income_account: str = "Sales"
    quantity_on_hand: Decimal | None = None


@dataclass
class InvoiceLine:
    """One ``InvoiceLineRet``."""

    txn_line_id: str
    item_list_id: str | None
    item_full_name: str | None
    desc: str | None
    quantity: Decimal | None
    rate: Decimal | None
    amount: Decimal


@dataclass
class LinkedTxn:
    """A transaction linked to an invoice (a received payment), as in ``LinkedTxn``.

    ``amount`` is negative on an invoice, the way QuickBooks reports money applied to it.
    """

    txn_id: str
    txn_type: str
    txn_date: date
    ref_number: str | None
    amount: Decimal


@dataclass
class Invoice:
    """An invoice transaction.

    ``applied_amount`` follows QuickBooks' sign convention: payments applied make it negative,
    and ``balance_remaining = subtotal + sales_tax_total + applied_amount``.
    """

    txn_id: str
    edit_sequence: str
    txn_number: int
    time_created: datetime
    time_modified: datetime
    customer_list_id: str
    customer_full_name: str
    txn_date: date
    ref_number: str | None
    due_date: date | None
    subtotal: Decimal
    sales_tax_total: Decimal | None = ZERO
    applied_amount: Decimal = ZERO
    balance_remaining: Decimal = ZERO
    is_paid: bool = False
    memo: str | None = None
    lines: list[InvoiceLine] = field(default_factory=list)
    linked_txns: list[LinkedTxn] = field(default_factory=list)


@dataclass
class AppliedTxn:
    """The part of a received payment applied to one invoice (``AppliedToTxnRet``): the
    money, an early-payment discount, and credits (``LinkedTxn`` to each credit memo)."""

    txn_id: str
    ref_number: str | None
    txn_date: date
    amount: Decimal
    discount: Decimal = ZERO
    discount_account_name: str | None = None
    credits: list[LinkedTxn] = field(default_factory=list)


@dataclass
class Payment:
    """A received payment (``ReceivePaymentRet``)."""

    txn_id: str
    edit_sequence: str
    txn_number: int
    time_created: datetime
    time_modified: datetime
    customer_list_id: str
    customer_full_name: str
    txn_date: date
    ref_number: str | None
    total_amount: Decimal
    payment_method_name: str | None = None
    deposit_to_account_name: str | None = "Undeposited Funds"
    memo: str | None = None
    applied: list[AppliedTxn] = field(default_factory=list)
    external_guid: str | None = None
    #: Money of this payment refunded (ARRefundCreditCard against its unused part).
    refunded: Decimal = ZERO
    #: The Deposit that moved this payment out of Undeposited Funds, if any.
    deposit_txn_id: str | None = None

    @property
    def unused_payment(self) -> Decimal:
        """The part of the payment neither applied to an invoice nor refunded."""
        return self.total_amount - sum((a.amount for a in self.applied), ZERO) - self.refunded


@dataclass(frozen=True)
class DeletedListElement:
    """A deleted list element, as ``ListDeletedQueryRs`` reports it."""

    list_del_type: str
    list_id: str
    full_name: str
    time_created: datetime
    time_deleted: datetime


@dataclass(frozen=True)
class DeletedTxn:
    """A deleted transaction, as ``TxnDeletedQueryRs`` reports it."""

    txn_del_type: str
    txn_id: str
    ref_number: str | None
    time_created: datetime
    time_deleted: datetime


def list_del_type_for_item(kind: ItemKind) -> str:
    """The ``ListDelType`` QuickBooks uses for an item of ``kind``."""
    return f"Item{kind}"


def qb_epoch(at: datetime) -> int:
    """Seconds since the Unix epoch: the number QuickBooks puts after the dash in IDs."""
    return int(at.timestamp())


def make_list_id(seq: int, created: datetime) -> str:
    """A ListID shaped like QuickBooks' (``80000001-1234567890``)."""
    return f"{LIST_ID_BASE + seq:08X}-{qb_epoch(created)}"


def make_txn_id(seq: int, created: datetime) -> str:
    """A TxnID or TxnLineID shaped like QuickBooks' (``1F6-1241605561``)."""
    return f"{seq:X}-{qb_epoch(created)}"


def id_sort_key(qb_id: str) -> tuple[int, int]:
    """Order IDs by their numeric parts, so ``A-…`` sorts after ``9-…``."""
    head, _, tail = qb_id.partition("-")
    try:
        return int(head, 16), int(tail or "0")
    except ValueError:
        return (1 << 62), 0


def format_datetime(at: datetime) -> str:
    """``2014-09-29T10:08:37-08:00``: seconds precision, numeric offset."""
    return at.isoformat(timespec="seconds")


def format_amount(value: Decimal) -> str:
    """AMTTYPE: always two decimals (``250.00``, ``-125.00``)."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def format_price(value: Decimal) -> str:
    """PRICETYPE: two decimals unless the value carries more precision (max five)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return format_amount(value)
    return format_quantity(value)


def format_quantity(value: Decimal) -> str:
    """QUANTYPE: no trailing zeros (``1``, ``2.5``), at most five decimals."""
    quantized = value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP).normalize()
    text = format(quantized, "f")
    return "0" if text in ("-0", "") else text


def format_bool(value: bool) -> str:
    """BOOLTYPE as QuickBooks writes it."""
    return "true" if value else "false"


def to_cents(value: Decimal) -> Decimal:
    """Round money to cents the way an invoice line amount is rounded."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
