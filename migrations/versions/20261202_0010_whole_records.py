"""Every stored record is a whole JSON document in one table, ``records``.

The customers, items, invoices (with invoice_lines) and payments (with payment_applications)
stored so far are carried over: each row becomes the document QuickBooks would have sent for
what it held, in qbXML's names (a customer's ``Balance``, an invoice's ``CustomerRef`` and
``InvoiceLineRet`` list, a payment's ``AppliedToTxnRet`` list, an item of kind ``Service``
an ``ItemService`` record), amounts written as QuickBooks writes them. TimeModified keeps
QuickBooks' own text, so incremental syncs carry on where they were.

What the old columns had flattened goes where qbXML keeps such text: a customer's bill
address, stored as lines of text, becomes ``BillAddressBlock`` (Addr1 to Addr5, QuickBooks'
own formatted address); an item's description, price and income account go where its kind
keeps them (``SalesOrPurchase`` for service, non-inventory and other-charge items). The
next sync of a changed record stores everything else QuickBooks holds for it.

Downgrading rebuilds the four old tables from the documents of those four types; records
of other types are dropped with the table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500
_MONEY = sa.Numeric(precision=18, scale=5)
_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")
_CENT = Decimal("0.01")

_STAMPS = (
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("connection_id", sa.String(length=32), nullable=False),
    sa.Column("edit_sequence", sa.String(length=16), nullable=True),
    sa.Column("time_created", sa.DateTime(timezone=True), nullable=True),
    sa.Column("time_modified", sa.DateTime(timezone=True), nullable=True),
    sa.Column("time_modified_raw", sa.String(length=40), nullable=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
)
_TXN = (
    sa.Column("txn_id", sa.String(length=40), nullable=False),
    sa.Column("txn_number", sa.Integer(), nullable=True),
    sa.Column("customer_list_id", sa.String(length=40), nullable=True),
    sa.Column("customer_full_name", sa.String(length=255), nullable=True),
    sa.Column("txn_date", sa.Date(), nullable=True),
    sa.Column("ref_number", sa.String(length=20), nullable=True),
    sa.Column("memo", sa.Text(), nullable=True),
)

# The old tables, as 0002 made them: (name, columns, key column)
_OLD: dict[str, tuple[tuple[sa.Column[Any], ...], str]] = {
    "customers": (
        (
            sa.Column("list_id", sa.String(length=40), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=True),
            sa.Column("full_name", sa.String(length=255), nullable=True),
            sa.Column("is_active", sa.Boolean(), nullable=True),
            sa.Column("company_name", sa.String(length=100), nullable=True),
            sa.Column("email", sa.String(length=1023), nullable=True),
            sa.Column("phone", sa.String(length=41), nullable=True),
            sa.Column("bill_address", sa.Text(), nullable=True),
            sa.Column("balance", _MONEY, nullable=True),
            sa.Column("total_balance", _MONEY, nullable=True),
        ),
        "list_id",
    ),
    "invoices": (
        (
            *_TXN,
            sa.Column("due_date", sa.Date(), nullable=True),
            sa.Column("subtotal", _MONEY, nullable=True),
            sa.Column("sales_tax_total", _MONEY, nullable=True),
            sa.Column("applied_amount", _MONEY, nullable=True),
            sa.Column("balance_remaining", _MONEY, nullable=True),
            sa.Column("is_paid", sa.Boolean(), nullable=True),
        ),
        "txn_id",
    ),
    "items": (
        (
            sa.Column("list_id", sa.String(length=40), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=True),
            sa.Column("name", sa.String(length=100), nullable=True),
            sa.Column("full_name", sa.String(length=255), nullable=True),
            sa.Column("is_active", sa.Boolean(), nullable=True),
            sa.Column("description", sa.Text(), nullable=True),
            sa.Column("price", _MONEY, nullable=True),
            sa.Column("income_account", sa.String(length=255), nullable=True),
            sa.Column("quantity_on_hand", _MONEY, nullable=True),
        ),
        "list_id",
    ),
    "payments": (
        (
            *_TXN,
            sa.Column("total_amount", _MONEY, nullable=True),
            sa.Column("payment_method", sa.String(length=255), nullable=True),
            sa.Column("deposit_to_account", sa.String(length=255), nullable=True),
            sa.Column("unused_payment", _MONEY, nullable=True),
        ),
        "txn_id",
    ),
}
_CHILDREN: dict[str, tuple[str, str, tuple[sa.Column[Any], ...]]] = {
    "invoices": (
        "invoice_lines",
        "invoice_id",
        (
            sa.Column("txn_line_id", sa.String(length=40), nullable=True),
            sa.Column("item_list_id", sa.String(length=40), nullable=True),
            sa.Column("item_full_name", sa.String(length=255), nullable=True),
            sa.Column("description", sa.Text(), nullable=True),
            sa.Column("quantity", _MONEY, nullable=True),
            sa.Column("rate", _MONEY, nullable=True),
            sa.Column("amount", _MONEY, nullable=True),
        ),
    ),
    "payments": (
        "payment_applications",
        "payment_id",
        (
            sa.Column("invoice_txn_id", sa.String(length=40), nullable=False),
            sa.Column("txn_type", sa.String(length=40), nullable=True),
            sa.Column("ref_number", sa.String(length=20), nullable=True),
            sa.Column("amount", _MONEY, nullable=True),
            sa.Column("balance_remaining", _MONEY, nullable=True),
        ),
    ),
}
# Old table -> the record type its rows are stored under.
_RECORD_TYPES = {
    "customers": "Customer",
    "items": "Item",
    "invoices": "Invoice",
    "payments": "ReceivePayment",
}

# Where each item kind keeps the description, price and income account the items table held
# (the first place the old reader looked that the kind's Ret has), and which kinds carry a
# FullName and a QuantityOnHand.
_SALES_OR_PURCHASE = ("SalesOrPurchase/Desc", "SalesOrPurchase/Price", "SalesOrPurchase/AccountRef")
_INVENTORY = ("SalesDesc", "SalesPrice", "IncomeAccountRef")
_ITEM_PATHS: dict[str, tuple[str | None, str | None, str | None]] = {
    "Service": _SALES_OR_PURCHASE,
    "NonInventory": _SALES_OR_PURCHASE,
    "OtherCharge": _SALES_OR_PURCHASE,
    "Inventory": _INVENTORY,
    "InventoryAssembly": _INVENTORY,
    "FixedAsset": ("FixedAssetSalesInfo/SalesDesc", "FixedAssetSalesInfo/SalesPrice", None),
    "Discount": ("ItemDesc", "DiscountRate", "AccountRef"),
    "Subtotal": ("ItemDesc", None, None),
    "Payment": ("ItemDesc", None, None),
    "SalesTax": ("ItemDesc", None, None),
    "SalesTaxGroup": ("ItemDesc", None, None),
    "Group": ("ItemDesc", None, None),
}
_WITH_FULL_NAME = frozenset(
    {"Service", "NonInventory", "OtherCharge", "Inventory", "InventoryAssembly", "Discount"}
)
_WITH_QUANTITY = frozenset({"Inventory", "InventoryAssembly"})


def _fresh(column: sa.Column[Any]) -> sa.Column[Any]:
    """A new column like ``column`` (a column belongs to one table)."""
    return sa.Column(column.name, column.type, nullable=column.nullable)


def _records_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.String(length=32), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("object_name", sa.String(length=40), nullable=False),
        sa.Column("qb_id", sa.String(length=40), nullable=False),
        sa.Column("edit_sequence", sa.String(length=16), nullable=True),
        sa.Column("time_created", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_modified_raw", sa.String(length=40), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("full_name", sa.String(length=255), nullable=True),
        sa.Column("ref_number", sa.String(length=40), nullable=True),
        sa.Column("txn_date", sa.Date(), nullable=True),
        sa.Column("entity_list_id", sa.String(length=40), nullable=True),
        sa.Column("entity_full_name", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.Column("balance", _MONEY, nullable=True),
        sa.Column("total_balance", _MONEY, nullable=True),
        sa.Column("total_amount", _MONEY, nullable=True),
        sa.Column("document", _DOCUMENT, nullable=False),
    ]


_RECORD_INDEXES = (
    ("uq_records_connection_type_qb_id", ["connection_id", "record_type", "qb_id"], True),
    ("ix_records_connection_type_modified", ["connection_id", "record_type", "time_modified"], False),
    ("ix_records_connection_type_full_name", ["connection_id", "record_type", "full_name"], False),
    ("ix_records_connection_type_ref_number", ["connection_id", "record_type", "ref_number"], False),
    ("ix_records_connection_type_txn_date", ["connection_id", "record_type", "txn_date"], False),
    ("ix_records_connection_type_entity", ["connection_id", "record_type", "entity_list_id"], False),
)


def _old_table(name: str) -> sa.Table:
    columns, _ = _OLD[name]
    return sa.table(name, *(sa.column(c.name, c.type) for c in (*columns, *_STAMPS)))


def _child_table(parent: str) -> sa.Table:
    name, parent_fk, columns = _CHILDREN[parent]
    return sa.table(
        name,
        sa.column("id", sa.Integer()),
        sa.column(parent_fk, sa.Integer()),
        sa.column("position", sa.Integer()),
        *(sa.column(c.name, c.type) for c in columns),
    )


def _records_table() -> sa.Table:
    return sa.table("records", *(sa.column(c.name, c.type) for c in _records_columns()))


# -- upgrade ---------------------------------------------------------------------------------


def upgrade() -> None:
    op.create_table(
        "records",
        *_records_columns(),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_records_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        for name, columns, unique in _RECORD_INDEXES:
            batch_op.create_index(name, columns, unique=unique)
    bind = op.get_bind()
    records = _records_table()
    for old in _OLD:
        for chunk in _chunks(_carried(bind, old)):
            bind.execute(sa.insert(records), chunk)
    _drop_old_tables()


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _carried(bind: Any, old: str) -> Iterator[dict[str, Any]]:
    """The rows of ``records`` made from the old table's rows, with their lines."""
    table = _old_table(old)
    children = _children_by_parent(bind, old)
    for row in bind.execute(sa.select(table).order_by(table.c.id)).mappings():
        yield _record_row(old, row, children.get(row["id"], []))


def _children_by_parent(bind: Any, old: str) -> dict[int, list[Any]]:
    if old not in _CHILDREN:
        return {}
    _, parent_fk, _ = _CHILDREN[old]
    table = _child_table(old)
    by_parent: dict[int, list[Any]] = {}
    ordered = sa.select(table).order_by(table.c[parent_fk], table.c.position, table.c.id)
    for child in bind.execute(ordered).mappings():
        by_parent.setdefault(child[parent_fk], []).append(child)
    return by_parent


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _qb_time(value: datetime | None, like: str | None) -> str | None:
    """An instant as QuickBooks writes it, in the offset of ``like`` (its TimeModified)."""
    value = _utc(value)
    if value is None:
        return None
    offset = timedelta(0)
    if like:
        try:
            parsed = datetime.fromisoformat(like)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.utcoffset() is not None:
            offset = parsed.utcoffset() or timedelta(0)
    return value.astimezone(timezone(offset)).isoformat(timespec="seconds")


def _amount(value: Any) -> str | None:
    """AMTTYPE as QuickBooks writes it: two decimals."""
    if value is None:
        return None
    return str(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def _quantity(value: Any) -> str | None:
    """QUANTYPE as QuickBooks writes it: no trailing zeros."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _price(value: Any) -> str | None:
    """PRICETYPE: two decimals unless it carries more precision."""
    if value is None:
        return None
    normal = Decimal(value).normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return _amount(normal)
    return _quantity(normal)


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _doc(*pairs: tuple[str, Any]) -> dict[str, Any]:
    """A document of the pairs whose value is there, in the order given (schema order)."""
    return {name: value for name, value in pairs if value is not None and value != {}}


def _ref(list_id: str | None, full_name: str | None) -> dict[str, str] | None:
    ref = _doc(("ListID", list_id), ("FullName", full_name))
    return ref or None


def _put(doc: dict[str, Any], path: str | None, value: Any) -> None:
    """Set ``value`` at a slash-separated path, making the aggregates on the way."""
    if path is None or value is None:
        return
    *parents, last = path.split("/")
    for name in parents:
        doc = doc.setdefault(name, {})
    doc[last] = value


def _address_block(text: str | None) -> dict[str, str] | None:
    """Address lines as BillAddressBlock: five lines at most, the rest joined into Addr5."""
    if not text:
        return None
    lines = [line for line in text.split("\n") if line]
    if len(lines) > 5:
        lines = [*lines[:4], ", ".join(lines[4:])]
    return {f"Addr{n}": line for n, line in enumerate(lines, start=1)} or None


def _stamps_doc(row: Any, identity: str, key: str) -> list[tuple[str, Any]]:
    raw = row["time_modified_raw"]
    return [
        (identity, row[key]),
        ("TimeCreated", _qb_time(row["time_created"], raw)),
        ("TimeModified", raw or _qb_time(row["time_modified"], None)),
        ("EditSequence", row["edit_sequence"]),
    ]


def _customer(row: Any) -> tuple[str, dict[str, Any]]:
    doc = _doc(
        *_stamps_doc(row, "ListID", "list_id"),
        ("Name", row["name"]),
        ("FullName", row["full_name"]),
        ("IsActive", _flag(row["is_active"])),
        ("CompanyName", row["company_name"]),
        ("BillAddressBlock", _address_block(row["bill_address"])),
        ("Phone", row["phone"]),
        ("Email", row["email"]),
        ("Balance", _amount(row["balance"])),
        ("TotalBalance", _amount(row["total_balance"])),
    )
    return "Customer", doc


def _item(row: Any) -> tuple[str, dict[str, Any]]:
    kind = row["kind"] or ""
    doc = _doc(
        *_stamps_doc(row, "ListID", "list_id"),
        ("Name", row["name"]),
        ("FullName", row["full_name"] if kind in _WITH_FULL_NAME else None),
        ("IsActive", _flag(row["is_active"])),
    )
    description, price, account = _ITEM_PATHS.get(kind, ("ItemDesc", None, None))
    _put(doc, description, row["description"])
    _put(doc, price, _price(row["price"]))
    if account is not None and row["income_account"] is not None:
        _put(doc, account + "/FullName", row["income_account"])
    if kind in _WITH_QUANTITY:
        _put(doc, "QuantityOnHand", _quantity(row["quantity_on_hand"]))
    return (f"Item{kind}" if kind else "Item"), doc


def _invoice_line(line: Any) -> dict[str, Any]:
    return _doc(
        ("TxnLineID", line["txn_line_id"]),
        ("ItemRef", _ref(line["item_list_id"], line["item_full_name"])),
        ("Desc", line["description"]),
        ("Quantity", _quantity(line["quantity"])),
        ("Rate", _price(line["rate"])),
        ("Amount", _amount(line["amount"])),
    )


def _txn_head(row: Any) -> list[tuple[str, Any]]:
    return [
        *_stamps_doc(row, "TxnID", "txn_id"),
        ("TxnNumber", _text(row["txn_number"])),
        ("CustomerRef", _ref(row["customer_list_id"], row["customer_full_name"])),
        ("TxnDate", _day(row["txn_date"])),
        ("RefNumber", row["ref_number"]),
    ]


def _invoice(row: Any, lines: list[Any]) -> tuple[str, dict[str, Any]]:
    doc = _doc(
        *_txn_head(row),
        ("DueDate", _day(row["due_date"])),
        ("Subtotal", _amount(row["subtotal"])),
        ("SalesTaxTotal", _amount(row["sales_tax_total"])),
        ("AppliedAmount", _amount(row["applied_amount"])),
        ("BalanceRemaining", _amount(row["balance_remaining"])),
        ("Memo", row["memo"]),
        ("IsPaid", _flag(row["is_paid"])),
        ("InvoiceLineRet", [_invoice_line(line) for line in lines] or None),
    )
    return "Invoice", doc


def _application(applied: Any) -> dict[str, Any]:
    return _doc(
        ("TxnID", applied["invoice_txn_id"]),
        ("TxnType", applied["txn_type"]),
        ("RefNumber", applied["ref_number"]),
        ("BalanceRemaining", _amount(applied["balance_remaining"])),
        ("Amount", _amount(applied["amount"])),
    )


def _payment(row: Any, applications: list[Any]) -> tuple[str, dict[str, Any]]:
    doc = _doc(
        *_txn_head(row),
        ("TotalAmount", _amount(row["total_amount"])),
        ("PaymentMethodRef", _ref(None, row["payment_method"])),
        ("Memo", row["memo"]),
        ("DepositToAccountRef", _ref(None, row["deposit_to_account"])),
        ("UnusedPayment", _amount(row["unused_payment"])),
        ("AppliedToTxnRet", [_application(a) for a in applications] or None),
    )
    return "ReceivePayment", doc


def _record_row(old: str, row: Any, children: list[Any]) -> dict[str, Any]:
    if old == "customers":
        object_name, doc = _customer(row)
    elif old == "items":
        object_name, doc = _item(row)
    elif old == "invoices":
        object_name, doc = _invoice(row, children)
    else:
        object_name, doc = _payment(row, children)
    _, key = _OLD[old]
    is_txn = key == "txn_id"
    return {
        "connection_id": row["connection_id"],
        "record_type": _RECORD_TYPES[old],
        "object_name": object_name,
        "qb_id": row[key],
        "edit_sequence": row["edit_sequence"],
        "time_created": _utc(row["time_created"]),
        "time_modified": _utc(row["time_modified"]),
        "time_modified_raw": row["time_modified_raw"],
        "deleted_at": _utc(row["deleted_at"]),
        "synced_at": _utc(row["synced_at"]),
        "name": None if is_txn else row["name"],
        "full_name": None if is_txn else row["full_name"],
        "ref_number": row["ref_number"] if is_txn else None,
        "txn_date": row["txn_date"] if is_txn else None,
        "entity_list_id": row["customer_list_id"] if is_txn else None,
        "entity_full_name": row["customer_full_name"] if is_txn else None,
        "is_active": None if is_txn else row["is_active"],
        "balance": _first(row, "balance", "balance_remaining"),
        "total_balance": _first(row, "total_balance"),
        "total_amount": _first(row, "total_amount"),
        "document": doc,
    }


def _first(row: Any, *names: str) -> Any:
    return next((row[n] for n in names if n in row.keys()), None)


def _drop_old_tables() -> None:
    for parent, (child, parent_fk, _) in _CHILDREN.items():
        with op.batch_alter_table(child, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{child}_{parent_fk}"))
        op.drop_table(child)
    for old in _OLD:
        with op.batch_alter_table(old, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{old}_connection_modified")
            _, key = _OLD[old]
            batch_op.drop_index(f"uq_{old}_connection_{key}")
        op.drop_table(old)


# -- downgrade -------------------------------------------------------------------------------


def downgrade() -> None:
    for old, (columns, key) in _OLD.items():
        op.create_table(
            old,
            *(_fresh(c) for c in columns),
            *(_fresh(c) for c in _STAMPS),
            sa.ForeignKeyConstraint(
                ["connection_id"],
                ["connections.id"],
                name=op.f(f"fk_{old}_connection_id_connections"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{old}")),
        )
        with op.batch_alter_table(old, schema=None) as batch_op:
            batch_op.create_index(f"ix_{old}_connection_modified", ["connection_id", "time_modified"])
            batch_op.create_index(f"uq_{old}_connection_{key}", ["connection_id", key], unique=True)
    for parent, (child, parent_fk, columns) in _CHILDREN.items():
        op.create_table(
            child,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column(parent_fk, sa.Integer(), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            *(_fresh(c) for c in columns),
            sa.ForeignKeyConstraint(
                [parent_fk],
                [f"{parent}.id"],
                name=op.f(f"fk_{child}_{parent_fk}_{parent}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{child}")),
        )
        with op.batch_alter_table(child, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{child}_{parent_fk}"), [parent_fk], unique=False)
    bind = op.get_bind()
    records = _records_table()
    for old, record_type in _RECORD_TYPES.items():
        query = sa.select(records).where(records.c.record_type == record_type)
        for record in bind.execute(query.order_by(records.c.id)).mappings():
            _restore(bind, old, record)
    with op.batch_alter_table("records", schema=None) as batch_op:
        for name, _, _ in _RECORD_INDEXES:
            batch_op.drop_index(name)
    op.drop_table("records")


def _get(doc: Any, path: str) -> Any:
    for name in path.split("/"):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(name)
    if isinstance(doc, list):
        doc = doc[0] if doc else None
    return doc if isinstance(doc, str) else None


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < 10**13 else None


def _integer(text: str | None) -> int | None:
    if text is None or not text.strip().lstrip("+-").isdigit():
        return None
    value = int(text)
    return value if abs(value) < 2**31 else None


def _bool(text: str | None) -> bool | None:
    return None if text is None else text.strip().lower() == "true"


def _date(text: str | None) -> date | None:
    try:
        return None if text is None else date.fromisoformat(text.strip())
    except ValueError:
        return None


def _cut(text: str | None, length: int) -> str | None:
    return None if text is None else text[:length]


def _address(doc: dict[str, Any]) -> str | None:
    block = doc.get("BillAddressBlock")
    if isinstance(block, dict):
        lines = [block.get(f"Addr{n}") for n in range(1, 6)]
        return "\n".join(line for line in lines if line) or None
    address = doc.get("BillAddress")
    if not isinstance(address, dict):
        return None
    region = " ".join(p for p in (address.get("State"), address.get("PostalCode")) if p)
    lines = [address.get(f"Addr{n}") for n in range(1, 6)]
    lines += [", ".join(p for p in (address.get("City"), region) if p), address.get("Country")]
    lines.append(address.get("Note"))
    return "\n".join(line for line in lines if line) or None


def _first_path(doc: dict[str, Any], *paths: str | None) -> str | None:
    return next((v for p in paths if p and (v := _get(doc, p)) is not None), None)


def _restore(bind: Any, old: str, record: Any) -> None:
    doc = record["document"]
    if isinstance(doc, str):  # JSON read back as text by a driver that does not decode it
        doc = json.loads(doc)
    columns, key = _OLD[old]
    row: dict[str, Any] = {
        key: record["qb_id"],
        "connection_id": record["connection_id"],
        "edit_sequence": record["edit_sequence"],
        "time_created": record["time_created"],
        "time_modified": record["time_modified"],
        "time_modified_raw": record["time_modified_raw"],
        "deleted_at": record["deleted_at"],
        "synced_at": record["synced_at"],
    }
    if old == "customers":
        row.update(
            name=_cut(_get(doc, "Name"), 100),
            full_name=_cut(_get(doc, "FullName"), 255),
            is_active=_bool(_get(doc, "IsActive")),
            company_name=_cut(_get(doc, "CompanyName"), 100),
            email=_cut(_get(doc, "Email"), 1023),
            phone=_cut(_get(doc, "Phone"), 41),
            bill_address=_address(doc),
            balance=_number(_get(doc, "Balance")),
            total_balance=_number(_get(doc, "TotalBalance")),
        )
    elif old == "items":
        kind = record["object_name"].removeprefix("Item") or None
        description, price, account = _ITEM_PATHS.get(kind or "", ("ItemDesc", None, None))
        name = _get(doc, "Name")
        row.update(
            kind=kind,
            name=_cut(name, 100),
            full_name=_cut(_get(doc, "FullName") or name, 255),
            is_active=_bool(_get(doc, "IsActive")),
            description=_first_path(doc, description, "SalesAndPurchase/SalesDesc"),
            price=_number(_first_path(doc, price, "SalesAndPurchase/SalesPrice")),
            income_account=_cut(
                _first_path(
                    doc,
                    account and account + "/FullName",
                    "SalesAndPurchase/IncomeAccountRef/FullName",
                ),
                255,
            ),
            quantity_on_hand=_number(_get(doc, "QuantityOnHand")),
        )
    else:
        row.update(
            txn_number=_integer(_get(doc, "TxnNumber")),
            customer_list_id=_get(doc, "CustomerRef/ListID"),
            customer_full_name=_cut(_get(doc, "CustomerRef/FullName"), 255),
            txn_date=_date(_get(doc, "TxnDate")),
            ref_number=_cut(_get(doc, "RefNumber"), 20),
            memo=_get(doc, "Memo"),
        )
        if old == "invoices":
            row.update(
                due_date=_date(_get(doc, "DueDate")),
                subtotal=_number(_get(doc, "Subtotal")),
                sales_tax_total=_number(_get(doc, "SalesTaxTotal")),
                applied_amount=_number(_get(doc, "AppliedAmount")),
                balance_remaining=_number(_get(doc, "BalanceRemaining")),
                is_paid=_bool(_get(doc, "IsPaid")),
            )
        else:
            row.update(
                total_amount=_number(_get(doc, "TotalAmount")),
                payment_method=_cut(_get(doc, "PaymentMethodRef/FullName"), 255),
                deposit_to_account=_cut(_get(doc, "DepositToAccountRef/FullName"), 255),
                unused_payment=_number(_get(doc, "UnusedPayment")),
            )
    table = _old_table(old)
    parent_id = bind.execute(sa.insert(table).values(row).returning(table.c.id)).scalar_one()
    if old in _CHILDREN:
        _restore_children(bind, old, doc, parent_id)


def _restore_children(bind: Any, old: str, doc: dict[str, Any], parent_id: int) -> None:
    _, parent_fk, _ = _CHILDREN[old]
    rows: list[dict[str, Any]] = []
    if old == "invoices":
        lines: list[Any] = []
        for entry in _as_list(doc.get("InvoiceLineRet")):
            lines.append(entry)
        for group in _as_list(doc.get("InvoiceLineGroupRet")):
            lines += _as_list(group.get("InvoiceLineRet") if isinstance(group, dict) else None)
        for line in lines:
            rows.append(
                {
                    "txn_line_id": _get(line, "TxnLineID"),
                    "item_list_id": _get(line, "ItemRef/ListID"),
                    "item_full_name": _cut(_get(line, "ItemRef/FullName"), 255),
                    "description": _get(line, "Desc"),
                    "quantity": _number(_get(line, "Quantity")),
                    "rate": _number(_get(line, "Rate")),
                    "amount": _number(_get(line, "Amount")),
                }
            )
    else:
        for applied in _as_list(doc.get("AppliedToTxnRet")):
            txn_id = _get(applied, "TxnID")
            if txn_id is None:
                continue
            rows.append(
                {
                    "invoice_txn_id": txn_id,
                    "txn_type": _get(applied, "TxnType"),
                    "ref_number": _cut(_get(applied, "RefNumber"), 20),
                    "amount": _number(_get(applied, "Amount")),
                    "balance_remaining": _number(_get(applied, "BalanceRemaining")),
                }
            )
    for position, child in enumerate(rows, start=1):
        child[parent_fk] = parent_id
        child["position"] = position
    if rows:
        bind.execute(sa.insert(_child_table(old)), rows)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
