"""Field-by-field comparison of stored rows with the fake QuickBooks' company records.

Each ``assert_*_match`` checks that the connection's live (not deleted) rows are exactly the
company's records, every column equal to what QuickBooks would have sent, and lists every
difference it finds. ``assert_deletions_match`` checks the rows of deleted records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from qwc_service.records.models import Customer, Invoice, Item, Payment
from qwc_service.simulator.dataset import Address, Company
from qwc_service.simulator.quickbooks.records import format_datetime

_SHOWN_DIFFERENCES = 20


def address_text(address: Address | None) -> str | None:
    """The text an address is stored as: street lines, "City, State Zip", country."""
    if address is None:
        return None
    region = " ".join(p for p in (address.state, address.postal_code) if p)
    lines = [*address.lines[:5], ", ".join(p for p in (address.city, region) if p)]
    lines.append(address.country or "")
    return "\n".join(line for line in lines if line) or None


def _stamps(record: Any) -> dict[str, Any]:
    return {
        "edit_sequence": record.edit_sequence,
        "time_created": record.time_created,
        "time_modified": record.time_modified,
        "time_modified_raw": format_datetime(record.time_modified),
        "deleted_at": None,
    }


def _differences(label: str, row: Any, expected: Mapping[str, Any]) -> list[str]:
    out = []
    for name, want in expected.items():
        got = getattr(row, name)
        if isinstance(want, Decimal) and isinstance(got, Decimal):
            same = want == got
        else:
            same = type(want) is type(got) and want == got if want is not None else got is None
        if not same:
            out.append(f"{label}.{name}: stored {got!r}, QuickBooks has {want!r}")
    return out


def _check(
    kind: str, rows: Iterable[Any], key: str, expected: Mapping[str, dict[str, Any]]
) -> None:
    """Compare live rows with expected column values keyed by ListID/TxnID."""
    stored = {getattr(row, key): row for row in rows}
    problems = [f"{kind} {k} is missing" for k in sorted(set(expected) - set(stored))]
    problems += [f"{kind} {k} is stored but not in QuickBooks" for k in set(stored) - set(expected)]
    for qb_id in sorted(set(stored) & set(expected)):
        problems += _differences(f"{kind} {qb_id}", stored[qb_id], expected[qb_id])
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(
        problems[:_SHOWN_DIFFERENCES]
    )


def _live(db: Session, model: Any, connection_id: str, *options: Any) -> list[Any]:
    query = select(model).where(model.connection_id == connection_id, model.deleted_at.is_(None))
    return list(db.scalars(query.options(*options)))


def assert_customers_match(db: Session, connection_id: str, company: Company) -> None:
    """The connection's live customers are exactly the company's, field by field."""
    expected = {
        c.list_id: {
            **_stamps(c),
            "list_id": c.list_id,
            "name": c.name,
            "full_name": c.full_name,
            "is_active": c.is_active,
            "company_name": c.company_name,
            "email": c.email,
            "phone": c.phone,
            "bill_address": address_text(c.bill_address),
            "balance": c.balance,
            "total_balance": c.total_balance,
        }
        for c in company.customers.values()
    }
    _check("customer", _live(db, Customer, connection_id), "list_id", expected)


def assert_items_match(db: Session, connection_id: str, company: Company) -> None:
    """The connection's live items are exactly the company's, field by field."""
    expected = {
        i.list_id: {
            **_stamps(i),
            "list_id": i.list_id,
            "kind": i.kind,
            "name": i.name,
            "full_name": i.full_name,
            "is_active": i.is_active,
            "description": i.description,
            "price": i.price,
            "income_account": i.income_account,
            "quantity_on_hand": (
                (i.quantity_on_hand or Decimal(0)) if i.kind == "Inventory" else None
            ),
        }
        for i in company.items.values()
    }
    _check("item", _live(db, Item, connection_id), "list_id", expected)


def assert_invoices_match(db: Session, connection_id: str, company: Company) -> None:
    """The connection's live invoices and their lines are exactly the company's."""
    expected = {
        v.txn_id: {
            **_stamps(v),
            "txn_id": v.txn_id,
            "txn_number": v.txn_number,
            "customer_list_id": v.customer_list_id,
            "customer_full_name": v.customer_full_name,
            "txn_date": v.txn_date,
            "ref_number": v.ref_number,
            "due_date": v.due_date,
            "subtotal": v.subtotal,
            "sales_tax_total": v.sales_tax_total,
            "applied_amount": v.applied_amount,
            "balance_remaining": v.balance_remaining,
            "is_paid": v.is_paid,
            "memo": v.memo,
        }
        for v in company.invoices.values()
    }
    rows = _live(db, Invoice, connection_id, selectinload(Invoice.lines))
    _check("invoice", rows, "txn_id", expected)
    problems: list[str] = []
    for row in rows:
        invoice = company.invoices[row.txn_id]
        if len(row.lines) != len(invoice.lines):
            n_got, n_want = len(row.lines), len(invoice.lines)
            problems.append(f"invoice {row.txn_id}: {n_got} lines stored, {n_want} in QuickBooks")
            continue
        for position, (line, want) in enumerate(zip(row.lines, invoice.lines, strict=True), 1):
            problems += _differences(
                f"invoice {row.txn_id} line {position}",
                line,
                {
                    "position": position,
                    "txn_line_id": want.txn_line_id,
                    "item_list_id": want.item_list_id,
                    "item_full_name": want.item_full_name,
                    "description": want.desc,
                    "quantity": want.quantity,
                    "rate": want.rate,
                    "amount": want.amount,
                },
            )
    assert not problems, "\n".join(problems[:_SHOWN_DIFFERENCES])


def assert_payments_match(
    db: Session, connection_id: str, company: Company, *, application_balances: bool = True
) -> None:
    """The connection's live payments and their applications are exactly the company's.

    An application's ``balance_remaining`` is the invoice's balance when the payment was read;
    pass ``application_balances=False`` when later payments may have changed it since.
    """
    expected = {
        p.txn_id: {
            **_stamps(p),
            "txn_id": p.txn_id,
            "txn_number": p.txn_number,
            "customer_list_id": p.customer_list_id,
            "customer_full_name": p.customer_full_name,
            "txn_date": p.txn_date,
            "ref_number": p.ref_number,
            "total_amount": p.total_amount,
            "payment_method": p.payment_method_name,
            "deposit_to_account": p.deposit_to_account_name,
            "memo": p.memo,
            "unused_payment": p.unused_payment,
        }
        for p in company.payments.values()
    }
    rows = _live(db, Payment, connection_id, selectinload(Payment.applications))
    _check("payment", rows, "txn_id", expected)
    problems: list[str] = []
    for row in rows:
        payment = company.payments[row.txn_id]
        if len(row.applications) != len(payment.applied):
            n_got, n_want = len(row.applications), len(payment.applied)
            problems.append(f"payment {row.txn_id}: {n_got} applications, {n_want} in QuickBooks")
            continue
        for position, (stored, want) in enumerate(
            zip(row.applications, payment.applied, strict=True), 1
        ):
            fields: dict[str, Any] = {
                "position": position,
                "invoice_txn_id": want.txn_id,
                "txn_type": "Invoice",
                "ref_number": want.ref_number,
                "amount": want.amount,
            }
            invoice = company.invoices.get(want.txn_id)
            if application_balances and invoice is not None:
                fields["balance_remaining"] = invoice.balance_remaining
            problems += _differences(f"payment {row.txn_id} application {position}", stored, fields)
    assert not problems, "\n".join(problems[:_SHOWN_DIFFERENCES])


def assert_deletions_match(db: Session, connection_id: str, company: Company) -> None:
    """Every stored row of a record deleted in QuickBooks is marked with its TimeDeleted."""
    wanted: list[tuple[Any, Any, str, Any]] = []
    for gone in company.deleted_list_elements:
        model: Any = Customer if gone.list_del_type == "Customer" else Item
        wanted.append((model, model.list_id, gone.list_id, gone.time_deleted))
    for txn in company.deleted_txns:
        if txn.txn_del_type in ("Invoice", "ReceivePayment"):
            model = Invoice if txn.txn_del_type == "Invoice" else Payment
            wanted.append((model, model.txn_id, txn.txn_id, txn.time_deleted))
    problems = []
    for model, key, qb_id, time_deleted in wanted:
        row = db.scalar(select(model).where(model.connection_id == connection_id, key == qb_id))
        if row is not None and row.deleted_at != time_deleted:
            table = model.__tablename__
            problems.append(f"{table} {qb_id}: deleted_at {row.deleted_at!r}, not {time_deleted!r}")
    assert not problems, "\n".join(problems[:_SHOWN_DIFFERENCES])


def assert_company_matches(db: Session, connection_id: str, company: Company) -> None:
    """Customers, items, invoices and payments all match (see the functions above)."""
    assert_customers_match(db, connection_id, company)
    assert_items_match(db, connection_id, company)
    assert_invoices_match(db, connection_id, company)
    assert_payments_match(db, connection_id, company)
