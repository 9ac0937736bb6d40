"""Reading one complete ``*Ret`` element into a record.

QuickBooks output often fails its own XSD, so nothing here insists on element order or on
children the schema calls required: a missing child is ``None``. What cannot be read — a
missing ListID/TxnID, money that is not a number, a time without an offset — raises
:class:`UnreadableRecord`, which the response reader turns into a reported problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from qwc_service.records.parsed import (
    AppliedToTxnRecord,
    CustomerRecord,
    DeletedRecord,
    InvoiceLineRecord,
    InvoiceRecord,
    ItemRecord,
    PaymentRecord,
    Record,
)

__all__ = ["BUILDERS", "ITEM_RETS", "UnreadableRecord", "deletion", "identity_of"]

# Every Ret an ItemQueryRs can carry. Not a prefix match: ItemReceiptRet is a transaction and
# ItemSitesRet a report of quantities.
ITEM_RETS = frozenset(
    {
        "ItemServiceRet",
        "ItemNonInventoryRet",
        "ItemInventoryRet",
        "ItemOtherChargeRet",
        "ItemDiscountRet",
        "ItemInventoryAssemblyRet",
        "ItemSubtotalRet",
        "ItemPaymentRet",
        "ItemSalesTaxRet",
        "ItemSalesTaxGroupRet",
        "ItemGroupRet",
        "ItemFixedAssetRet",
    }
)
_SHOWN = 40

# Where each item kind keeps its sales description, price and income account, first match wins:
# service-like items nest them in SalesOrPurchase or SalesAndPurchase, inventory items carry
# them at the top, the rest only have ItemDesc.
_DESCRIPTION_PATHS = (
    "SalesOrPurchase/Desc",
    "SalesAndPurchase/SalesDesc",
    "SalesDesc",
    "FixedAssetSalesInfo/SalesDesc",
    "ItemDesc",
)
_PRICE_PATHS = (
    "SalesOrPurchase/Price",
    "SalesAndPurchase/SalesPrice",
    "SalesPrice",
    "FixedAssetSalesInfo/SalesPrice",
    "DiscountRate",
)
_ACCOUNT_PATHS = (
    "SalesOrPurchase/AccountRef/FullName",
    "SalesAndPurchase/IncomeAccountRef/FullName",
    "IncomeAccountRef/FullName",
    "AccountRef/FullName",
)


class UnreadableRecord(ValueError):
    """A record has a value that cannot be read, or lacks its identity."""


def identity_of(element: Any) -> str | None:
    """The ListID or TxnID of a Ret element, if it has one."""
    for tag in ("ListID", "TxnID"):
        value = element.findtext(tag)
        if value is not None and value.strip():
            return str(value.strip())
    return None


class _Reader:
    """Typed reads from one element; the first value that cannot be read raises."""

    def __init__(self, element: Any) -> None:
        # A record has dozens of children and is read field by field: one pass to index them
        # is several times cheaper than a path search per field. Walking backwards lets the
        # first child of a name win, as a path search would.
        self._children: dict[str, Any] = {child.tag: child for child in reversed(element)}
        # Readers of the children that paths lead into (ItemRef/ListID, then ItemRef/FullName).
        self._inner: dict[str, _Reader | None] = {}

    def node(self, tag: str) -> Any:
        """The first child called ``tag``, or ``None``."""
        return self._children.get(tag)

    def _nested(self, path: str) -> Any:
        head, _, rest = path.partition("/")
        if head not in self._inner:
            parent = self._children.get(head)
            self._inner[head] = None if parent is None else _Reader(parent)
        inner = self._inner[head]
        if inner is None:
            return None
        node = inner._children.get(rest)
        if node is None and "/" in rest:
            return inner._nested(rest)
        return node

    def text(self, path: str) -> str | None:
        """Free text exactly as sent (``None`` when the child is absent)."""
        node = self._children.get(path)
        if node is None:
            if "/" not in path:
                return None
            node = self._nested(path)
            if node is None:
                return None
        return node.text or ""

    def token(self, path: str) -> str | None:
        """An identifier or code: surrounding whitespace dropped, empty counts as absent."""
        value = self.text(path)
        if not value:
            return None
        return value.strip() or None

    def first_token(self, paths: tuple[str, ...]) -> str | None:
        """The first of ``paths`` that is present, as a token."""
        return next((v for v in map(self.token, paths) if v is not None), None)

    def first_text(self, paths: tuple[str, ...]) -> str | None:
        """The first of ``paths`` that is present, as free text."""
        return next((v for v in map(self.text, paths) if v is not None), None)

    def required(self, path: str) -> str:
        """An identity that must be there."""
        value = self.token(path)
        if value is None:
            raise UnreadableRecord(f"it has no {path}")
        return value

    def _parsed(self, path: str, parse: Callable[[str], Any], what: str) -> Any:
        value = self.token(path)
        if value is None:
            return None
        try:
            return parse(value)
        except (ValueError, ArithmeticError):
            raise UnreadableRecord(f"{path} {_shown(value)} is not {what}") from None

    def money(self, path: str) -> Decimal | None:
        """AMTTYPE, PRICETYPE, QUANTYPE: a finite decimal number."""
        result: Decimal | None = self._parsed(path, _decimal, "a number")
        return result

    def first_money(self, paths: tuple[str, ...]) -> Decimal | None:
        """The first of ``paths`` that is present, as money."""
        path = next((p for p in paths if self.token(p) is not None), None)
        return None if path is None else self.money(path)

    def integer(self, path: str) -> int | None:
        """INTTYPE."""
        result: int | None = self._parsed(path, _integer, "a whole number")
        return result

    def boolean(self, path: str) -> bool | None:
        """BOOLTYPE: ``true`` or ``false``."""
        result: bool | None = self._parsed(path, _boolean, "true or false")
        return result

    def day(self, path: str) -> date | None:
        """DATETYPE: ``YYYY-MM-DD``."""
        result: date | None = self._parsed(path, date.fromisoformat, "a date (YYYY-MM-DD)")
        return result

    def instant(self, path: str) -> tuple[datetime | None, str | None]:
        """DATETIMETYPE as (UTC instant, QuickBooks' text).

        The offset is taken as QuickBooks states it, even when it ignores daylight saving time:
        the text goes back to QuickBooks in later queries, and both must describe one instant.
        """
        raw = self.token(path)
        if raw is None:
            return None, None
        try:
            return _aware(raw), raw
        except ValueError:
            what = "a date and time with a UTC offset"
            raise UnreadableRecord(f"{path} {_shown(raw)} is not {what}") from None


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…")


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def _integer(text: str) -> int:
    if not text.lstrip("+-").isdigit() or not text.isascii():
        raise ValueError(text)
    return int(text)


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError(text)
    return lowered == "true"


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    return value.astimezone(UTC)


def _stamps(read: _Reader) -> dict[str, Any]:
    created, _ = read.instant("TimeCreated")
    modified, modified_raw = read.instant("TimeModified")
    return {
        "edit_sequence": read.token("EditSequence"),
        "time_created": created,
        "time_modified": modified,
        "time_modified_raw": modified_raw,
    }


def address_text(element: Any) -> str | None:
    """An address aggregate as lines of text: street lines, "City, State Zip", country, note."""
    if element is None:
        return None
    # Read once per record of every page: a plain dict of the parts, first of a name wins.
    parts: dict[str, str] = {}
    for child in reversed(element):
        text = child.text
        parts[child.tag] = text.strip() if text else ""
    get = parts.get
    region = " ".join(p for p in (get("State"), get("PostalCode")) if p)
    lines = [
        get("Addr1"),
        get("Addr2"),
        get("Addr3"),
        get("Addr4"),
        get("Addr5"),
        ", ".join(p for p in (get("City"), region) if p),
        get("Country"),
        get("Note"),
    ]
    return "\n".join(line for line in lines if line) or None


def customer(element: Any) -> CustomerRecord:
    """A ``CustomerRet``."""
    read = _Reader(element)
    return CustomerRecord(
        list_id=read.required("ListID"),
        **_stamps(read),
        name=read.text("Name"),
        full_name=read.text("FullName"),
        is_active=read.boolean("IsActive"),
        company_name=read.text("CompanyName"),
        email=read.token("Email"),
        phone=read.token("Phone"),
        bill_address=address_text(read.node("BillAddress")),
        balance=read.money("Balance"),
        total_balance=read.money("TotalBalance"),
    )


def item(element: Any) -> ItemRecord:
    """Any ``Item*Ret``: description, price and income account wherever its kind keeps them."""
    read = _Reader(element)
    name = read.text("Name")
    full_name = read.text("FullName")
    return ItemRecord(
        list_id=read.required("ListID"),
        **_stamps(read),
        kind=element.tag.removeprefix("Item").removesuffix("Ret"),
        name=name,
        # Kinds that cannot have sub-items (Subtotal, Group, SalesTax …) carry no FullName.
        full_name=full_name if full_name is not None else name,
        is_active=read.boolean("IsActive"),
        description=read.first_text(_DESCRIPTION_PATHS),
        price=read.first_money(_PRICE_PATHS),
        income_account=read.first_token(_ACCOUNT_PATHS),
        quantity_on_hand=read.money("QuantityOnHand"),
    )


def _invoice_line(element: Any) -> InvoiceLineRecord:
    read = _Reader(element)
    return InvoiceLineRecord(
        txn_line_id=read.token("TxnLineID"),
        item_list_id=read.token("ItemRef/ListID"),
        item_full_name=read.text("ItemRef/FullName"),
        description=read.text("Desc"),
        quantity=read.money("Quantity"),
        rate=read.money("Rate"),
        amount=read.money("Amount"),
    )


def _invoice_lines(element: Any) -> Iterator[InvoiceLineRecord]:
    # A group's own line only totals the lines inside it: keeping just the inner lines makes
    # the stored lines add up to the subtotal.
    for child in element:
        if child.tag == "InvoiceLineRet":
            yield _invoice_line(child)
        elif child.tag == "InvoiceLineGroupRet":
            yield from (_invoice_line(inner) for inner in child.iterchildren("InvoiceLineRet"))


def invoice(element: Any) -> InvoiceRecord:
    """An ``InvoiceRet`` with its lines (group lines flattened)."""
    read = _Reader(element)
    return InvoiceRecord(
        txn_id=read.required("TxnID"),
        **_stamps(read),
        txn_number=read.integer("TxnNumber"),
        customer_list_id=read.token("CustomerRef/ListID"),
        customer_full_name=read.text("CustomerRef/FullName"),
        txn_date=read.day("TxnDate"),
        ref_number=read.token("RefNumber"),
        due_date=read.day("DueDate"),
        subtotal=read.money("Subtotal"),
        sales_tax_total=read.money("SalesTaxTotal"),
        applied_amount=read.money("AppliedAmount"),
        balance_remaining=read.money("BalanceRemaining"),
        is_paid=read.boolean("IsPaid"),
        memo=read.text("Memo"),
        lines=tuple(_invoice_lines(element)),
    )


def _application(element: Any) -> AppliedToTxnRecord:
    read = _Reader(element)
    return AppliedToTxnRecord(
        invoice_txn_id=read.required("TxnID"),
        txn_type=read.token("TxnType"),
        ref_number=read.token("RefNumber"),
        amount=read.money("Amount"),
        balance_remaining=read.money("BalanceRemaining"),
    )


def payment(element: Any) -> PaymentRecord:
    """A ``ReceivePaymentRet`` with its ``AppliedToTxnRet`` applications."""
    read = _Reader(element)
    return PaymentRecord(
        txn_id=read.required("TxnID"),
        **_stamps(read),
        txn_number=read.integer("TxnNumber"),
        customer_list_id=read.token("CustomerRef/ListID"),
        customer_full_name=read.text("CustomerRef/FullName"),
        txn_date=read.day("TxnDate"),
        ref_number=read.token("RefNumber"),
        total_amount=read.money("TotalAmount"),
        payment_method=read.text("PaymentMethodRef/FullName"),
        deposit_to_account=read.text("DepositToAccountRef/FullName"),
        memo=read.text("Memo"),
        unused_payment=read.money("UnusedPayment"),
        applications=tuple(
            _application(child) for child in element.iterchildren("AppliedToTxnRet")
        ),
    )


def deletion(element: Any) -> DeletedRecord:
    """A ``ListDeletedRet`` / ``TxnDeletedRet``, or the body of a ``ListDelRs`` / ``TxnDelRs``."""
    read = _Reader(element)
    is_txn = element.find("TxnDelType") is not None or element.find("TxnID") is not None
    prefix = "Txn" if is_txn else "List"
    created, _ = read.instant("TimeCreated")
    deleted, deleted_raw = read.instant("TimeDeleted")
    return DeletedRecord(
        del_type=read.required(f"{prefix}DelType"),
        qb_id=read.required(f"{prefix}ID"),
        is_txn=is_txn,
        time_deleted=deleted,
        time_deleted_raw=deleted_raw,
        time_created=created,
        full_name=read.text("FullName"),
        ref_number=read.token("RefNumber"),
    )


BUILDERS: dict[str, Callable[[Any], Record | DeletedRecord]] = {
    "CustomerRet": customer,
    "InvoiceRet": invoice,
    "ReceivePaymentRet": payment,
    "ListDeletedRet": deletion,
    "TxnDeletedRet": deletion,
    **dict.fromkeys(ITEM_RETS, item),
}
