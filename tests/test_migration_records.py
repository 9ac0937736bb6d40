"""Records stored before whole documents (revision 0009) upgrade with nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from alembic import command
from sqlalchemy import MetaData, Table, insert, text

from qwc_service.connections.service import create_connection
from qwc_service.db import alembic_config, make_engine, make_session_factory, unit_of_work, upgrade
from qwc_service.records.invoices import stored_invoice
from qwc_service.records.service import RecordFilters, get_record, list_records

STAMPS = {
    "edit_sequence": "1400000001",
    "time_created": datetime(2014, 5, 1, 17, 0, tzinfo=UTC),
    "time_modified": datetime(2014, 5, 2, 18, 30, tzinfo=UTC),
    "time_modified_raw": "2014-05-02T10:30:00-08:00",
    "synced_at": datetime(2026, 11, 30, tzinfo=UTC),
}


def _insert(conn: Any, table: str, values: dict[str, Any]) -> int:
    old = Table(table, MetaData(), autoload_with=conn)
    row_id = conn.execute(insert(old).values(values).returning(old.c.id)).scalar_one()
    return int(row_id)


def _old_rows(url: str, connection_id: str) -> None:
    """Rows of every old table as the 0009 schema held them, a deleted one among them."""
    engine = make_engine(url)
    owner = {"connection_id": connection_id, **STAMPS}
    try:
        with engine.begin() as conn:
            _insert(
                conn,
                "customers",
                {
                    **owner,
                    "list_id": "80000001-1400000000",
                    "name": "Ann",
                    "full_name": "Ann",
                    "is_active": True,
                    "company_name": "Ann's Bakery",
                    "email": "ann@example.com",
                    "phone": "555-0100",
                    "bill_address": "1 Main St\nSuite 2\nSpringfield, IL 62701\nUSA",
                    "balance": Decimal("120.5"),
                    "total_balance": Decimal("130"),
                },
            )
            _insert(
                conn,
                "customers",
                {
                    **owner,
                    "list_id": "80000002-1400000000",
                    "name": "Gone",
                    "full_name": "Gone",
                    "deleted_at": datetime(2014, 6, 1, tzinfo=UTC),
                },
            )
            _insert(
                conn,
                "items",
                {
                    **owner,
                    "list_id": "80000003-1400000000",
                    "kind": "Service",
                    "name": "Installation",
                    "full_name": "Installation",
                    "is_active": True,
                    "description": "Installation (service)",
                    "price": Decimal("60"),
                    "income_account": "Services",
                },
            )
            _insert(
                conn,
                "items",
                {
                    **owner,
                    "list_id": "80000004-1400000000",
                    "kind": "Inventory",
                    "name": "Widget",
                    "full_name": "Widget",
                    "price": Decimal("2.12345"),
                    "quantity_on_hand": Decimal("14.5"),
                },
            )
            invoice_id = _insert(
                conn,
                "invoices",
                {
                    **owner,
                    "txn_id": "10-1400000000",
                    "txn_number": 7,
                    "customer_list_id": "80000001-1400000000",
                    "customer_full_name": "Ann",
                    "txn_date": datetime(2014, 5, 2).date(),
                    "ref_number": "1007",
                    "due_date": datetime(2014, 6, 1).date(),
                    "subtotal": Decimal("90"),
                    "sales_tax_total": Decimal("0"),
                    "applied_amount": Decimal("-10"),
                    "balance_remaining": Decimal("80"),
                    "is_paid": False,
                    "memo": "Thanks",
                },
            )
            for position, amount in ((1, "60"), (2, "30")):
                _insert(
                    conn,
                    "invoice_lines",
                    {
                        "invoice_id": invoice_id,
                        "position": position,
                        "txn_line_id": f"{10 + position}-1400000000",
                        "item_list_id": "80000003-1400000000",
                        "item_full_name": "Installation",
                        "description": f"line {position}",
                        "quantity": Decimal("1.5") if position == 1 else Decimal("1"),
                        "rate": Decimal("40") if position == 1 else Decimal("30"),
                        "amount": Decimal(amount),
                    },
                )
            payment_id = _insert(
                conn,
                "payments",
                {
                    **owner,
                    "txn_id": "20-1400000000",
                    "customer_list_id": "80000001-1400000000",
                    "customer_full_name": "Ann",
                    "txn_date": datetime(2014, 5, 3).date(),
                    "ref_number": "P-1",
                    "total_amount": Decimal("10"),
                    "payment_method": "Check",
                    "deposit_to_account": "Undeposited Funds",
                    "unused_payment": Decimal("0"),
                },
            )
            _insert(
                conn,
                "payment_applications",
                {
                    "payment_id": payment_id,
                    "position": 1,
                    "invoice_txn_id": "10-1400000000",
                    "txn_type": "Invoice",
                    "ref_number": "1007",
                    "amount": Decimal("10"),
                    "balance_remaining": Decimal("80"),
                },
            )
    finally:
        engine.dispose()


def _upgraded(database_url: str) -> str:
    """A database taken to 0009, given the old rows, and upgraded to head; its connection."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as db:
        connection_id = create_connection(db, name="Before").id
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0009")
    _old_rows(database_url, connection_id)
    upgrade(database_url)
    return connection_id


def _read(database_url: str, connection_id: str, record_type: str, qb_id: str) -> Any:
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            return get_record(db, connection_id, record_type, qb_id).to_payload()
    finally:
        engine.dispose()


def test_old_customers_become_whole_documents(database_url: str) -> None:
    """A customer row becomes its CustomerRet document: qbXML names, amounts as QuickBooks
    writes them, the bill address as BillAddressBlock, TimeModified as QuickBooks sent it."""
    connection_id = _upgraded(database_url)
    record = _read(database_url, connection_id, "customers", "80000001-1400000000")
    assert record == {
        "type": "Customer",
        "id": "80000001-1400000000",
        "edit_sequence": "1400000001",
        "time_modified": "2014-05-02T10:30:00-08:00",
        "deleted": False,
        "data": {
            "ListID": "80000001-1400000000",
            "TimeCreated": "2014-05-01T09:00:00-08:00",
            "TimeModified": "2014-05-02T10:30:00-08:00",
            "EditSequence": "1400000001",
            "Name": "Ann",
            "FullName": "Ann",
            "IsActive": "true",
            "CompanyName": "Ann's Bakery",
            "BillAddressBlock": {
                "Addr1": "1 Main St",
                "Addr2": "Suite 2",
                "Addr3": "Springfield, IL 62701",
                "Addr4": "USA",
            },
            "Phone": "555-0100",
            "Email": "ann@example.com",
            "Balance": "120.50",
            "TotalBalance": "130.00",
        },
    }
    gone = _read(database_url, connection_id, "Customer", "80000002-1400000000")
    assert gone["deleted"] is True


def test_old_items_go_where_their_kind_keeps_them(database_url: str) -> None:
    """A service item's description, price and account go in SalesOrPurchase; an inventory
    item's at the top with its QuantityOnHand; both are Items of their kind."""
    connection_id = _upgraded(database_url)
    service = _read(database_url, connection_id, "items", "80000003-1400000000")
    assert service["type"] == "ItemService"
    assert service["data"]["SalesOrPurchase"] == {
        "Desc": "Installation (service)",
        "Price": "60.00",
        "AccountRef": {"FullName": "Services"},
    }
    inventory = _read(database_url, connection_id, "ItemInventory", "80000004-1400000000")
    assert inventory["type"] == "ItemInventory"
    assert inventory["data"]["SalesPrice"] == "2.12345"
    assert inventory["data"]["QuantityOnHand"] == "14.5"


def test_old_invoices_and_payments_keep_lines_and_applications(database_url: str) -> None:
    """Invoices keep every line as InvoiceLineRet, payments every application as
    AppliedToTxnRet, in order; the payment write-back reads the invoice's balance."""
    connection_id = _upgraded(database_url)
    invoice = _read(database_url, connection_id, "invoices", "10-1400000000")["data"]
    assert invoice["CustomerRef"] == {"ListID": "80000001-1400000000", "FullName": "Ann"}
    assert (invoice["TxnNumber"], invoice["TxnDate"], invoice["RefNumber"]) == (
        "7",
        "2014-05-02",
        "1007",
    )
    assert (invoice["Subtotal"], invoice["AppliedAmount"], invoice["BalanceRemaining"]) == (
        "90.00",
        "-10.00",
        "80.00",
    )
    assert (invoice["IsPaid"], invoice["Memo"], invoice["DueDate"]) == (
        "false",
        "Thanks",
        "2014-06-01",
    )
    assert invoice["InvoiceLineRet"] == [
        {
            "TxnLineID": "11-1400000000",
            "ItemRef": {"ListID": "80000003-1400000000", "FullName": "Installation"},
            "Desc": "line 1",
            "Quantity": "1.5",
            "Rate": "40.00",
            "Amount": "60.00",
        },
        {
            "TxnLineID": "12-1400000000",
            "ItemRef": {"ListID": "80000003-1400000000", "FullName": "Installation"},
            "Desc": "line 2",
            "Quantity": "1",
            "Rate": "30.00",
            "Amount": "30.00",
        },
    ]
    payment = _read(database_url, connection_id, "ReceivePayment", "20-1400000000")["data"]
    assert payment["PaymentMethodRef"] == {"FullName": "Check"}
    assert payment["DepositToAccountRef"] == {"FullName": "Undeposited Funds"}
    assert payment["AppliedToTxnRet"] == [
        {
            "TxnID": "10-1400000000",
            "TxnType": "Invoice",
            "RefNumber": "1007",
            "BalanceRemaining": "80.00",
            "Amount": "10.00",
        }
    ]
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            balance = stored_invoice(db, connection_id, "10-1400000000")
            by_customer = list_records(
                db, connection_id, "invoices", filters=RecordFilters(entity="80000001-1400000000")
            )
    finally:
        engine.dispose()
    assert balance is not None and balance.balance_remaining == Decimal("80.00")
    assert balance.customer_list_id == "80000001-1400000000"
    assert [view.id for view in by_customer] == ["10-1400000000"]


def test_downgrade_rebuilds_the_old_rows(database_url: str) -> None:
    """Going back to 0009 puts every row, line and application back as it was."""
    connection_id = _upgraded(database_url)
    command.downgrade(alembic_config(database_url), "0009")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            customer = conn.execute(
                text("SELECT full_name, balance, bill_address, deleted_at FROM customers")
            ).all()
            lines = conn.execute(
                text("SELECT position, quantity, rate, amount FROM invoice_lines ORDER BY position")
            ).all()
            applied = conn.execute(
                text("SELECT invoice_txn_id, amount FROM payment_applications")
            ).all()
            item = conn.execute(
                text("SELECT kind, price, income_account FROM items WHERE name = 'Installation'")
            ).one()
            invoice = conn.execute(
                text("SELECT connection_id, balance_remaining, time_modified_raw FROM invoices")
            ).one()
    finally:
        engine.dispose()
    by_name = {row[0]: row for row in customer}
    assert Decimal(by_name["Ann"][1]) == Decimal("120.5")
    assert by_name["Ann"][2] == "1 Main St\nSuite 2\nSpringfield, IL 62701\nUSA"
    assert by_name["Gone"][3] is not None
    assert [(p, Decimal(q), Decimal(r), Decimal(a)) for p, q, r, a in lines] == [
        (1, Decimal("1.5"), Decimal("40"), Decimal("60")),
        (2, Decimal("1"), Decimal("30"), Decimal("30")),
    ]
    assert [(t, Decimal(a)) for t, a in applied] == [("10-1400000000", Decimal("10"))]
    assert (item[0], Decimal(item[1]), item[2]) == ("Service", Decimal("60"), "Services")
    assert invoice[0] == connection_id
    assert (Decimal(invoice[1]), invoice[2]) == (Decimal("80"), "2014-05-02T10:30:00-08:00")
    upgrade(database_url)
