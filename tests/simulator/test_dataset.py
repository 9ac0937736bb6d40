"""The generated company dataset and the changes tests make to it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from qwc_service.simulator.dataset import (
    AmountExceedsBalance,
    Company,
    LineSpec,
    NameInUse,
    RecordInUse,
    RecordNotFound,
    export_records,
    generate_company,
)
from qwc_service.simulator.quickbooks.clock import Clock
from qwc_service.simulator.quickbooks.documents import render_fragment
from qwc_service.simulator.quickbooks.records import (
    format_amount,
    format_datetime,
    format_price,
    format_quantity,
)
from qwc_service.simulator.quickbooks.render import customer_ret, invoice_ret, item_ret, payment_ret

LIST_ID = re.compile(r"^8[0-9A-F]{7}-\d{10}$")
TXN_ID = re.compile(r"^[0-9A-F]+-\d{10}$")
QB_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def render_all(company: Company) -> str:
    """Every record of a company rendered as qbXML, in a fixed order."""
    parts = [render_fragment(customer_ret(c)) for c in company.customers.values()]
    parts += [render_fragment(item_ret(i, company)) for i in company.items.values()]
    parts += [
        render_fragment(invoice_ret(i, company, lines=True, links=True))
        for i in company.invoices.values()
    ]
    parts += [render_fragment(payment_ret(p, company)) for p in company.payments.values()]
    return "".join(parts)


def customer_with_open_invoice(company: Company) -> tuple[str, str]:
    """A (customer ListID, invoice TxnID) pair where the invoice still owes money."""
    invoice = next(i for i in company.invoices.values() if i.balance_remaining > 0)
    return invoice.customer_list_id, invoice.txn_id


def test_default_company_has_requested_sizes() -> None:
    """generate_company() makes 25 customers, 10 items, 50 invoices and 10 payments."""
    company = generate_company()
    assert len(company.customers) == 25
    assert len(company.items) == 10
    assert len(company.invoices) == 50
    assert len(company.payments) == 10


def test_same_seed_renders_byte_for_byte_identical() -> None:
    """Two companies from the same arguments render to the same qbXML."""
    assert render_all(generate_company(seed=7)) == render_all(generate_company(seed=7))


def test_different_seeds_differ() -> None:
    """Another seed gives another company."""
    assert render_all(generate_company(seed=1)) != render_all(generate_company(seed=2))


def test_large_company_is_generated_in_full() -> None:
    """2,500 customers / 500 items / 5,000 invoices are all generated."""
    company = generate_company(customers=2500, items=500, invoices=5000, payments=1000)
    assert (len(company.customers), len(company.items)) == (2500, 500)
    assert (len(company.invoices), len(company.payments)) == (5000, 1000)
    assert all(1 <= len(i.lines) <= 4 for i in company.invoices.values())


def test_ids_and_edit_sequences_look_like_quickbooks() -> None:
    """ListIDs, TxnIDs and EditSequences have QuickBooks' shapes and limits."""
    company = generate_company(customers=60, items=30, invoices=80, payments=20)
    list_ids = {
        **{c.list_id: c.edit_sequence for c in company.customers.values()},
        **{i.list_id: i.edit_sequence for i in company.items.values()},
    }
    txn_ids = {
        **{i.txn_id: i.edit_sequence for i in company.invoices.values()},
        **{p.txn_id: p.edit_sequence for p in company.payments.values()},
    }
    for ids, shape in ((list_ids, LIST_ID), (txn_ids, TXN_ID)):
        for qb_id, edit_sequence in ids.items():
            assert shape.match(qb_id), qb_id
            assert edit_sequence.isdigit() and len(edit_sequence) <= 16
    for invoice in company.invoices.values():
        assert all(TXN_ID.match(line.txn_line_id) for line in invoice.lines)
    assert not set(company.invoices) & set(company.payments)


def test_names_fit_quickbooks_limits_and_are_unique() -> None:
    """Customer names ≤ 41 and item names ≤ 31 characters, unique ignoring case."""
    company = generate_company(customers=3000, items=700, invoices=0, payments=0)
    names = [c.name for c in company.customers.values()]
    assert max(len(n) for n in names) <= 41
    assert len({n.casefold() for n in names}) == len(names)
    items = [i.name for i in company.items.values()]
    assert max(len(n) for n in items) <= 31
    assert len({n.casefold() for n in items}) == len(items)


def test_names_exercise_escaping_within_latin1() -> None:
    """Some names carry &, <, quotes and accents, and none goes beyond Latin-1."""
    company = generate_company()
    names = [c.name for c in company.customers.values()] + [i.name for i in company.items.values()]
    assert "Smith & Sons" in names
    assert "Café Olé" in names
    assert any("&" in n for n in names) and any("<" in n or '"' in n for n in names)
    for name in names:
        name.encode("latin-1")


def test_times_render_with_offset_and_seconds() -> None:
    """TimeCreated/TimeModified render like 2014-09-29T10:08:37-08:00."""
    company = generate_company()
    for customer in company.customers.values():
        assert QB_TIME.match(format_datetime(customer.time_modified))
        assert customer.time_modified >= customer.time_created


def test_value_formats() -> None:
    """Amounts have two decimals, quantities drop trailing zeros, prices keep precision."""
    assert format_amount(Decimal("250")) == "250.00"
    assert format_amount(Decimal("-125.5")) == "-125.50"
    assert format_quantity(Decimal("2.50")) == "2.5"
    assert format_quantity(Decimal("10")) == "10"
    assert format_price(Decimal("10.00")) == "10.00"
    assert format_price(Decimal("10.12345")) == "10.12345"


def test_balances_add_up() -> None:
    """Each customer's balance equals its open invoice balances less unused payments."""
    company = generate_company(customers=40, invoices=120, payments=60)
    for customer in company.customers.values():
        owed = sum(
            (i.balance_remaining for i in company.invoices.values()
             if i.customer_list_id == customer.list_id),
            Decimal("0"),
        )  # fmt: skip
        unused = sum(
            (p.unused_payment for p in company.payments.values()
             if p.customer_list_id == customer.list_id),
            Decimal("0"),
        )  # fmt: skip
        assert customer.balance == owed - unused
    for invoice in company.invoices.values():
        assert invoice.balance_remaining == invoice.subtotal + invoice.applied_amount
        assert invoice.is_paid == (invoice.balance_remaining == 0)


def test_generation_includes_inactive_and_edited_records() -> None:
    """Some customers are inactive and some were modified after being created."""
    company = generate_company(customers=100, invoices=10, payments=2)
    assert any(not c.is_active for c in company.customers.values())
    assert any(c.time_modified > c.time_created for c in company.customers.values())


def test_touch_invoice_changes_memo_edit_sequence_and_time() -> None:
    """touch_invoice gives a new memo, EditSequence and a later TimeModified."""
    company = generate_company()
    invoice = next(iter(company.invoices.values()))
    before = (invoice.memo, invoice.edit_sequence, invoice.time_modified)
    company.touch_invoice(invoice.txn_id)
    assert invoice.memo != before[0]
    assert int(invoice.edit_sequence) > int(before[1])
    assert invoice.time_modified > before[2]
    assert invoice.time_modified > max(c.time_modified for c in company.customers.values())


def test_touch_invoice_amount_moves_balances() -> None:
    """Adding money to an invoice raises its subtotal and the customer's balance."""
    company = generate_company()
    customer_id, txn_id = customer_with_open_invoice(company)
    balance = company.customers[customer_id].balance
    invoice = company.touch_invoice(txn_id, amount_delta=Decimal("10.00"))
    assert company.customers[customer_id].balance == balance + Decimal("10.00")
    assert invoice.subtotal == sum(line.amount for line in invoice.lines)


def test_two_changes_in_one_second_still_change_edit_sequence() -> None:
    """A second change at the same instant still moves EditSequence on."""
    company = generate_company()
    customer = next(iter(company.customers.values()))
    at = company.clock.tick()
    company.touch_customer(customer.list_id, at=at)
    first = customer.edit_sequence
    company.touch_customer(customer.list_id, at=at)
    assert int(customer.edit_sequence) == int(first) + 1


def test_delete_customer_records_deletion() -> None:
    """Deleting a customer without transactions records it with TimeDeleted."""
    company = generate_company()
    customer = company.add_customer("Short-lived Customer")
    gone = company.delete_customer(customer.list_id)
    assert customer.list_id not in company.customers
    assert company.deleted_list_elements[-1] == gone
    assert gone.list_del_type == "Customer" and gone.full_name == "Short-lived Customer"
    assert gone.time_deleted > customer.time_created
    assert company.customer_by_name("Short-lived Customer") is None


def test_delete_customer_with_transactions_is_refused() -> None:
    """A customer with invoices cannot be deleted."""
    company = generate_company()
    customer_id, _ = customer_with_open_invoice(company)
    with pytest.raises(RecordInUse):
        company.delete_customer(customer_id)


def test_add_customer_with_taken_name_is_refused() -> None:
    """Customer names are unique regardless of case."""
    company = generate_company()
    with pytest.raises(NameInUse):
        company.add_customer("smith & sons")


def test_receive_payment_updates_invoice_and_customer() -> None:
    """A payment lowers the invoice balance and the customer balance and links both."""
    company = generate_company()
    customer_id, txn_id = customer_with_open_invoice(company)
    invoice = company.invoices[txn_id]
    owed, balance = invoice.balance_remaining, company.customers[customer_id].balance
    payment = company.receive_payment(customer_id, [(txn_id, owed)], ref_number="CHK-1")
    assert invoice.balance_remaining == 0 and invoice.is_paid
    assert invoice.applied_amount == -invoice.subtotal
    assert invoice.linked_txns[-1].txn_id == payment.txn_id
    assert company.customers[customer_id].balance == balance - owed
    assert company.payments_by_ref("chk-1") == [payment]


def test_overpaying_an_invoice_is_refused_without_changes() -> None:
    """Applying more than is owed raises and changes nothing."""
    company = generate_company()
    customer_id, txn_id = customer_with_open_invoice(company)
    invoice = company.invoices[txn_id]
    owed, count = invoice.balance_remaining, len(company.payments)
    with pytest.raises(AmountExceedsBalance):
        company.receive_payment(customer_id, [(txn_id, owed + Decimal("0.01"))])
    assert invoice.balance_remaining == owed and len(company.payments) == count


def test_delete_payment_restores_invoice_balance() -> None:
    """Deleting a payment makes the invoices owe the money again."""
    company = generate_company()
    customer_id, txn_id = customer_with_open_invoice(company)
    owed = company.invoices[txn_id].balance_remaining
    payment = company.receive_payment(customer_id, [(txn_id, None)])
    company.delete_payment(payment.txn_id)
    assert company.invoices[txn_id].balance_remaining == owed
    assert company.deleted_txns[-1].txn_del_type == "ReceivePayment"


def test_add_invoice_prices_lines_from_items() -> None:
    """A line with only an item and quantity takes the item's price."""
    company = generate_company()
    customer_id = next(iter(company.customers))
    item = next(iter(company.items.values()))
    invoice = company.add_invoice(customer_id, [LineSpec(item.list_id, quantity=Decimal(2))])
    assert invoice.lines[0].rate == item.price
    assert invoice.subtotal == (2 * item.price).quantize(Decimal("0.01"))
    with pytest.raises(RecordNotFound):
        company.add_invoice(customer_id, [LineSpec("80000FFF-1234567890")])


def test_export_records_mirrors_company() -> None:
    """export_records gives every record's fields keyed by its ID."""
    company = generate_company()
    exported = export_records(company)
    invoice = next(iter(company.invoices.values()))
    assert exported["invoices"][invoice.txn_id]["subtotal"] == invoice.subtotal
    assert len(exported["invoices"][invoice.txn_id]["lines"]) == len(invoice.lines)
    assert set(exported["customers"]) == set(company.customers)


def test_clock_never_goes_backwards() -> None:
    """The clock moves on by at least a second even when the wall clock is behind."""
    start = datetime(2014, 9, 29, 10, 8, 37, tzinfo=timezone(timedelta(hours=-7)))
    walls = iter([start - timedelta(hours=1), start + timedelta(hours=2)])
    clock = Clock(start, wall=lambda: next(walls))
    first = clock.tick()
    second = clock.tick()
    assert first == start + timedelta(seconds=1)
    assert second == start + timedelta(hours=2)
    assert format_datetime(second) == "2014-09-29T12:08:37-07:00"
