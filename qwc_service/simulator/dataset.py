"""Company datasets for the fake QuickBooks: the records, and a deterministic generator.

``generate_company`` builds a company of any size from a seed: the same arguments give the
same records, byte for byte once rendered. It runs in linear time (indexes, no rescans), so a
50,000-invoice company for a benchmark takes seconds, not minutes.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from qwc_service.simulator.quickbooks.clock import Clock
from qwc_service.simulator.quickbooks.company import Company, LineSpec
from qwc_service.simulator.quickbooks.errors import (
    AmountExceedsBalance,
    AppliedExceedsTotal,
    CompanyError,
    NameInUse,
    RecordInUse,
    RecordNotFound,
)
from qwc_service.simulator.quickbooks.names import (
    MEMOS,
    UniqueNames,
    ascii_slug,
    customer_base_name,
    item_base,
    item_price,
    random_address,
    random_phone,
)
from qwc_service.simulator.quickbooks.objects import ObjectRecord
from qwc_service.simulator.quickbooks.populate import EVERY_TYPE, populate, read_counts
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    Address,
    AppliedTxn,
    Customer,
    DeletedListElement,
    DeletedTxn,
    Invoice,
    InvoiceLine,
    Item,
    ItemKind,
    LinkedTxn,
    Payment,
)
from qwc_service.simulator.quickbooks.store import ITEM_NAME_MAX, NAME_MAX

__all__ = [
    "EVERY_TYPE",
    "Address",
    "AmountExceedsBalance",
    "AppliedExceedsTotal",
    "AppliedTxn",
    "Company",
    "CompanyError",
    "Customer",
    "DeletedListElement",
    "DeletedTxn",
    "Invoice",
    "InvoiceLine",
    "Item",
    "LineSpec",
    "LinkedTxn",
    "NameInUse",
    "ObjectRecord",
    "Payment",
    "RecordInUse",
    "RecordNotFound",
    "export_records",
    "generate_company",
]

# QuickBooks writes times with the machine's standard-time offset all year (notes §2).
PACIFIC_STANDARD = timezone(timedelta(hours=-8))
DEFAULT_START = datetime(2014, 1, 6, 8, 0, 0, tzinfo=PACIFIC_STANDARD)
INCOME_ACCOUNTS = {"Service": "Services", "NonInventory": "Sales", "Inventory": "Merchandise"}
PAYMENT_METHODS = ("Check", "Check", "Check", "Visa", "MasterCard", "Cash", "E-Check")
SERVICE_HOURS = tuple(Decimal(h) for h in ("1", "1.5", "2", "2.5", "3", "4", "8"))
GOODS_COUNTS = tuple(Decimal(n) for n in range(1, 13))


class _Timeline:
    """Spreads generated events over the span, sometimes several in one second."""

    def __init__(self, rng: random.Random, start: datetime, step: int) -> None:
        self._rng = rng
        self._now = start
        self._step = step

    def next(self) -> datetime:
        """The time of the next event (possibly the same second as the last)."""
        self._now += timedelta(seconds=self._rng.randint(0, 2 * self._step))
        return self._now

    def later(self) -> datetime:
        """A time strictly after every earlier event (for edits of existing records)."""
        self._now += timedelta(seconds=self._rng.randint(1, 2 * self._step + 1))
        return self._now


class _OpenInvoices:
    """Unpaid invoice IDs with O(1) random pick and removal."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self._ids)

    def add(self, txn_id: str) -> None:
        """Track a new unpaid invoice."""
        self._pos[txn_id] = len(self._ids)
        self._ids.append(txn_id)

    def pick(self, rng: random.Random) -> str:
        """A random unpaid invoice."""
        return self._ids[rng.randrange(len(self._ids))]

    def discard(self, txn_id: str) -> None:
        """Forget a paid invoice (swap with the last entry, pop)."""
        pos = self._pos.pop(txn_id, None)
        if pos is None:
            return
        last = self._ids.pop()
        if last != txn_id:
            self._ids[pos] = last
            self._pos[last] = pos


def generate_company(
    *,
    name: str = "Acme Widgets",
    customers: int = 25,
    items: int = 10,
    invoices: int = 50,
    payments: int = 10,
    seed: int = 1,
    lines_per_invoice: tuple[int, int] = (1, 4),
    start: datetime = DEFAULT_START,
    span_days: int = 270,
    counts: Mapping[str, int] | None = None,
) -> Company:
    """Build a company file with the given numbers of records, deterministically for ``seed``.

    Items are set up first, then customers, then invoices and received payments interleaved
    over ``span_days``; finally some customers and items are edited or made inactive, so
    modified-date and ActiveStatus filters have something to find. Payments only go to open
    invoices, so a company with few invoices may get fewer payments than asked for.

    ``counts`` asks for records of any registry object, by name or plural (``{"Bill": 20,
    "vendors": 5}``; :data:`EVERY_TYPE` asks for a few of every object the other arguments
    do not count). A count of customers, items, invoices or payments there replaces that
    argument; one of an item kind built by hand (``ItemService``) adds items of that kind.
    Those records are made after the others, over the same span, from their own seeds.
    """
    asked = read_counts(counts or {})
    customers = asked.arguments.get("customers", customers)
    items = asked.arguments.get("items", items)
    invoices = asked.arguments.get("invoices", invoices)
    payments = asked.arguments.get("payments", payments)
    if customers < 1 and invoices > 0:
        raise ValueError("invoices need at least one customer")
    low, high = lines_per_invoice
    if not 1 <= low <= high:
        raise ValueError("lines_per_invoice must be (min, max) with 1 <= min <= max")
    rng = random.Random(seed)
    company = Company(
        company_name=name,
        legal_name=f"{name}, Inc.",
        clock=Clock(start),
        address=Address(lines=("1200 Harbor Blvd",), city="Redwood City", state="CA",
                        postal_code="94063", country="US"),
        phone="(650) 555-0100",
        email=f"office@{ascii_slug(name) or 'company'}.example.com",
    )  # fmt: skip
    edits = customers // 10 + items // 10 + 2
    events = customers + items + invoices + payments + edits
    timeline = _Timeline(rng, start, max(1, span_days * 86400 // max(1, events)))
    item_ids = _make_items(company, rng, timeline, items)
    customer_ids = _make_customers(company, rng, timeline, customers)
    _make_transactions(
        company, rng, timeline, customer_ids, item_ids, invoices, payments, (low, high)
    )
    _make_edits(company, rng, timeline, customer_ids, item_ids)
    end = start + timedelta(days=span_days)
    _make_item_kinds(company, asked.item_kinds, seed, start, end)
    populate(company, asked.generated, seed=seed, start=start, end=end)
    return company


def _make_item_kinds(
    company: Company, kinds: Mapping[ItemKind, int], seed: int, start: datetime, end: datetime
) -> None:
    """More hand-built items of one kind, spread over the span (``counts={"ItemService": 5}``)."""
    names = UniqueNames(ITEM_NAME_MAX)
    for kind, count in kinds.items():
        rng = random.Random(f"{seed}:Item{kind}")
        for index in range(count):
            base, _ = item_base(rng, index)
            while True:
                item_name = names.claim(base)
                if company.item_by_name(item_name) is None and not company.object_by_name(
                    "Item", item_name
                ):
                    break
            company.add_item(
                item_name,
                kind,
                price=item_price(rng, kind),
                description=f"{item_name} ({kind.lower()})",
                income_account=INCOME_ACCOUNTS[kind],
                quantity_on_hand=Decimal(rng.randint(0, 500)) if kind == "Inventory" else None,
                at=(start + (end - start) * rng.random()).replace(microsecond=0),
            )


def _make_items(company: Company, rng: random.Random, timeline: _Timeline, count: int) -> list[str]:
    names = UniqueNames(ITEM_NAME_MAX)
    ids = []
    for index in range(count):
        base, kind = item_base(rng, index)
        item_name = names.claim(base)
        item = company.add_item(
            item_name,
            kind,
            price=item_price(rng, kind),
            description=f"{item_name} ({kind.lower()})",
            income_account=INCOME_ACCOUNTS[kind],
            quantity_on_hand=Decimal(rng.randint(0, 500)) if kind == "Inventory" else None,
            at=timeline.next(),
        )
        ids.append(item.list_id)
    return ids


def _make_customers(
    company: Company, rng: random.Random, timeline: _Timeline, count: int
) -> list[str]:
    names = UniqueNames(NAME_MAX)
    ids = []
    for index in range(count):
        base, business = customer_base_name(rng, index)
        customer_name = names.claim(base)
        slug = ascii_slug(customer_name) or f"customer{index}"
        customer = company.add_customer(
            customer_name,
            company_name=customer_name if business else None,
            email=f"billing@{slug}.example.com" if rng.random() < 0.8 else None,
            phone=random_phone(rng),
            bill_address=random_address(rng),
            at=timeline.next(),
        )
        ids.append(customer.list_id)
    return ids


def _make_transactions(
    company: Company,
    rng: random.Random,
    timeline: _Timeline,
    customer_ids: list[str],
    item_ids: list[str],
    invoices: int,
    payments: int,
    lines_per_invoice: tuple[int, int],
) -> None:
    open_invoices = _OpenInvoices()
    invoices_left, payments_left = invoices, payments
    while invoices_left or payments_left:
        want_payment = payments_left and rng.random() < payments_left / (
            invoices_left + payments_left
        )
        if (want_payment or not invoices_left) and open_invoices:
            _make_payment(company, rng, timeline.next(), open_invoices)
            payments_left -= 1
        elif invoices_left:
            txn_id = _make_invoice(
                company, rng, timeline.next(), customer_ids, item_ids, lines_per_invoice
            )
            open_invoices.add(txn_id)
            invoices_left -= 1
        else:
            break


def _make_invoice(
    company: Company,
    rng: random.Random,
    at: datetime,
    customer_ids: list[str],
    item_ids: list[str],
    lines_per_invoice: tuple[int, int],
) -> str:
    # Skewed towards the first customers, so some customers have many invoices.
    customer_id = customer_ids[int(len(customer_ids) * rng.random() ** 1.6)]
    specs = []
    for _ in range(rng.randint(*lines_per_invoice)):
        if not item_ids:
            specs.append(LineSpec(None, amount=Decimal(rng.randint(1000, 90000)) / 100,
                                  desc="Miscellaneous charge"))  # fmt: skip
            continue
        item = company.items[rng.choice(item_ids)]
        quantity = rng.choice(SERVICE_HOURS) if item.kind == "Service" else rng.choice(GOODS_COUNTS)
        rate = item.price
        if rng.random() < 0.1:
            rate = (rate * Decimal("0.9")).quantize(Decimal("0.01"))
        specs.append(LineSpec(item.list_id, quantity=quantity, rate=rate))
    invoice = company.add_invoice(
        customer_id,
        specs,
        txn_date=at.date() - timedelta(days=rng.randint(0, 3)),
        memo=rng.choice(MEMOS) if rng.random() < 0.3 else None,
        at=at,
    )
    return invoice.txn_id


def _make_payment(
    company: Company, rng: random.Random, at: datetime, open_invoices: _OpenInvoices
) -> None:
    invoice = company.invoices[open_invoices.pick(rng)]
    balance = invoice.balance_remaining
    partial = rng.random() < 0.2 and balance > Decimal("1.00")
    amount = (balance * Decimal(rng.randint(20, 80)) / 100).quantize(Decimal("0.01")) if partial \
        else balance  # fmt: skip
    method = rng.choice(PAYMENT_METHODS)
    company.receive_payment(
        invoice.customer_list_id,
        [(invoice.txn_id, amount)],
        total_amount=amount,
        txn_date=at.date(),
        ref_number=str(rng.randint(1000, 99999)) if method == "Check" else None,
        payment_method_name=method,
        memo=f"Payment for invoice #{invoice.ref_number}" if rng.random() < 0.5 else None,
        at=at,
    )
    if invoice.balance_remaining <= ZERO:
        open_invoices.discard(invoice.txn_id)


def _make_edits(
    company: Company,
    rng: random.Random,
    timeline: _Timeline,
    customer_ids: list[str],
    item_ids: list[str],
) -> None:
    for list_id in rng.sample(customer_ids, len(customer_ids) // 10):
        if rng.random() < 0.4:
            company.update_customer(list_id, is_active=False, at=timeline.later())
        else:
            company.update_customer(list_id, phone=random_phone(rng), at=timeline.later())
    for list_id in rng.sample(item_ids, len(item_ids) // 10):
        price = company.items[list_id].price + Decimal(rng.randint(1, 500)) / 100
        company.touch_item(list_id, price=price, at=timeline.later())
    if len(item_ids) >= 5:
        company.set_item_active(item_ids[-1], False, at=timeline.later())


def export_records(company: Company) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record as plain dicts keyed by ListID/TxnID, for field-by-field comparisons."""
    return {
        "customers": {k: dataclasses.asdict(v) for k, v in company.customers.items()},
        "items": {k: dataclasses.asdict(v) for k, v in company.items.items()},
        "invoices": {k: dataclasses.asdict(v) for k, v in company.invoices.items()},
        "payments": {k: dataclasses.asdict(v) for k, v in company.payments.items()},
    }
