"""Storage, identity and time of a simulated company file.

Every change stamps a new ``TimeModified`` from the company's clock and a new
``EditSequence`` (QuickBooks uses the modification time in Unix seconds; when two changes fall
in one second it still moves on by one, so a stale EditSequence is always detectable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from qwc_service.simulator.quickbooks.clock import Clock
from qwc_service.simulator.quickbooks.errors import NameInUse, RecordNotFound
from qwc_service.simulator.quickbooks.objects import ObjectRecord, generated_objects
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    Address,
    Customer,
    DeletedListElement,
    DeletedTxn,
    Invoice,
    Item,
    LinkedTxn,
    Payment,
    id_sort_key,
    make_list_id,
    make_txn_id,
    qb_epoch,
)

DEFAULT_PRODUCT_NAME = "QuickBooks Pro 2014"
# Every qbXML version a US QuickBooks 2014 lists in HostRet (qbwc/qbwc capture, notes §3.1).
DEFAULT_QBXML_VERSIONS: tuple[str, ...] = (
    "1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0",
    "8.0", "9.0", "10.0", "11.0", "12.0", "13.0",
)  # fmt: skip
STANDARD_ACCOUNTS: tuple[str, ...] = (
    "Checking", "Accounts Receivable", "Undeposited Funds", "Inventory Asset",
    "Sales", "Services", "Merchandise", "Cost of Goods Sold",
)  # fmt: skip
STANDARD_PAYMENT_METHODS: tuple[str, ...] = (
    "Cash", "Check", "American Express", "Discover", "MasterCard", "Visa", "E-Check",
)  # fmt: skip
NAME_MAX = 41
ITEM_NAME_MAX = 31
INVOICE_REF_MAX = 11
PAYMENT_REF_MAX = 20


class CompanyStore:
    """The records of one company file, their indexes, and the bookkeeping shared by all changes."""

    def __init__(
        self,
        *,
        company_name: str,
        clock: Clock,
        legal_name: str | None = None,
        file_path: str | None = None,
        product_name: str = DEFAULT_PRODUCT_NAME,
        major_version: str = "24",
        minor_version: str = "0",
        country: str = "US",
        supported_qbxml_versions: Sequence[str] = DEFAULT_QBXML_VERSIONS,
        address: Address | None = None,
        phone: str | None = None,
        email: str | None = None,
    ) -> None:
        self.company_name = company_name
        self.legal_name = legal_name or company_name
        self.file_path = file_path or (
            f"C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\{company_name}.QBW"
        )
        self.product_name = product_name
        self.major_version = major_version
        self.minor_version = minor_version
        self.country = country
        self.supported_qbxml_versions = tuple(supported_qbxml_versions)
        self.address = address
        self.phone = phone
        self.email = email
        self.clock = clock
        self.customers: dict[str, Customer] = {}
        self.items: dict[str, Item] = {}
        self.invoices: dict[str, Invoice] = {}
        self.payments: dict[str, Payment] = {}
        self.deleted_list_elements: list[DeletedListElement] = []
        self.deleted_txns: list[DeletedTxn] = []
        # Private and public data extensions on the Company object: (OwnerID, name) -> value.
        self.data_extensions: dict[tuple[str, str], str] = {}
        self.accounts: dict[str, str] = {}
        self.payment_methods: dict[str, str] = {}
        #: Whether money applied to an invoice gives it a new EditSequence (Intuit does not
        #: say; TimeModified moves either way). False keeps a queued InvoiceMod current.
        self.links_change_edit_sequence = True
        self._list_seq: dict[str, int] = {}
        self._txn_seq = 0
        self._txn_number = 0
        self._next_invoice_number = 1001
        self._customer_names: dict[str, str] = {}
        self._item_names: dict[str, str] = {}
        self._customer_txns: dict[str, dict[str, None]] = {}
        self._item_uses: dict[str, int] = {}
        self._invoice_refs: dict[str, dict[str, None]] = {}
        self._payment_refs: dict[str, dict[str, None]] = {}
        # Records of the other registry objects, by object name (generated.py).
        self.objects: dict[str, dict[str, ObjectRecord]] = {
            spec.name: {} for spec in generated_objects()
        }
        self._object_names: dict[str, dict[str, str]] = {}
        self._object_refs: dict[str, dict[str, dict[str, None]]] = {}
        self._object_ref_seq: dict[str, int] = {}
        # Object name -> (store size, newest key, its records): what refs pick from.
        self._pools: dict[str, tuple[int, str | None, list[Any]]] = {}
        self._ensuring: set[str] = set()
        created = clock.now()
        for account in STANDARD_ACCOUNTS:
            self.accounts[account] = self._new_list_id("Account", created)
            self._standard_element("Account", account, self.accounts[account], created)
        for method in STANDARD_PAYMENT_METHODS:
            self.payment_methods[method] = self._new_list_id("PaymentMethod", created)
            self._standard_element("PaymentMethod", method, self.payment_methods[method], created)

    # ----------------------------------------------------------------- identity and time
    @property
    def max_qbxml_version(self) -> tuple[int, int]:
        """The highest supported qbXML version, as QBWC passes it to sendRequestXML."""
        best = max(self.supported_qbxml_versions, key=lambda v: tuple(int(p) for p in v.split(".")))
        major, _, minor = best.partition(".")
        return int(major), int(minor or "0")

    def _time(self, at: datetime | None) -> datetime:
        if at is None:
            return self.clock.tick()
        self.clock.advance_to(at)
        return at

    def _new_list_id(self, list_name: str, at: datetime) -> str:
        seq = self._list_seq.get(list_name, 0) + 1
        self._list_seq[list_name] = seq
        return make_list_id(seq, at)

    def _new_txn_id(self, at: datetime) -> str:
        # Transactions and their lines share one counter, as QuickBooks' IDs show.
        self._txn_seq += 1
        return make_txn_id(self._txn_seq, at)

    @staticmethod
    def _next_edit_sequence(previous: str | None, at: datetime) -> str:
        floor = int(previous) + 1 if previous and previous.isdigit() else 0
        return str(max(qb_epoch(at), floor))

    def _bump(
        self, record: Customer | Item | Invoice | Payment | ObjectRecord, at: datetime
    ) -> None:
        record.time_modified = at
        record.edit_sequence = self._next_edit_sequence(record.edit_sequence, at)

    def account_list_id(self, name: str) -> str:
        """The ListID of an account, creating the account on first use."""
        if name not in self.accounts:
            now = self.clock.now()
            self.accounts[name] = self._new_list_id("Account", now)
            self._standard_element("Account", name, self.accounts[name], now)
        return self.accounts[name]

    def payment_method_list_id(self, name: str) -> str:
        """The ListID of a payment method, creating it on first use."""
        if name not in self.payment_methods:
            now = self.clock.now()
            self.payment_methods[name] = self._new_list_id("PaymentMethod", now)
            self._standard_element("PaymentMethod", name, self.payment_methods[name], now)
        return self.payment_methods[name]

    def _standard_element(self, list_name: str, name: str, list_id: str, at: datetime) -> None:
        """An account or payment method the hand-built records name was made: the company
        keeps a record of it too (``generated.ObjectChanges``)."""

    # ----------------------------------------------------------------- lookups
    def customer_by_name(self, full_name: str) -> Customer | None:
        """The customer with this FullName (case-insensitive), if any."""
        list_id = self._customer_names.get(full_name.casefold())
        return self.customers.get(list_id) if list_id else None

    def item_by_name(self, full_name: str) -> Item | None:
        """The item with this FullName (case-insensitive), if any."""
        list_id = self._item_names.get(full_name.casefold())
        return self.items.get(list_id) if list_id else None

    def invoices_by_ref(self, ref_number: str) -> list[Invoice]:
        """Invoices whose RefNumber equals ``ref_number``, ignoring case."""
        return [self.invoices[t] for t in self._invoice_refs.get(ref_number.casefold(), {})]

    def payments_by_ref(self, ref_number: str) -> list[Payment]:
        """Received payments whose RefNumber equals ``ref_number``, ignoring case."""
        return [self.payments[t] for t in self._payment_refs.get(ref_number.casefold(), {})]

    def txn_ids_for_customer(self, list_id: str) -> list[str]:
        """TxnIDs of every invoice and payment of one customer, in creation order."""
        return list(self._customer_txns.get(list_id, {}))

    def open_invoices_for(self, list_id: str) -> list[Invoice]:
        """The customer's unpaid invoices, oldest first (the order auto-apply uses)."""
        found = (self.invoices.get(t) for t in self._customer_txns.get(list_id, {}))
        open_ = [i for i in found if i is not None and i.balance_remaining > ZERO]
        return sorted(open_, key=lambda i: (i.txn_date, id_sort_key(i.txn_id)))

    def require_customer(self, list_id: str) -> Customer:
        """The customer with this ListID, or ``RecordNotFound``."""
        try:
            return self.customers[list_id]
        except KeyError:
            raise RecordNotFound("Customer", list_id) from None

    def require_invoice(self, txn_id: str) -> Invoice:
        """The invoice with this TxnID, or ``RecordNotFound``."""
        try:
            return self.invoices[txn_id]
        except KeyError:
            raise RecordNotFound("Invoice", txn_id) from None

    # ----------------------------------------------------------------- customers
    @staticmethod
    def _check_name(name: str, limit: int) -> None:
        if not name.strip() or len(name) > limit:
            raise ValueError(f"a name must have 1 to {limit} characters: {name!r}")

    def _claim_name(self, index: dict[str, str], name: str, list_id: str) -> None:
        owner = index.get(name.casefold())
        if owner is not None and owner != list_id:
            raise NameInUse(name)

    # ----------------------------------------------------------------- shared bookkeeping
    def _index_txn(
        self, customer_id: str, txn_id: str, ref: str | None, refs: dict[str, dict[str, None]]
    ) -> None:
        self._customer_txns.setdefault(customer_id, {})[txn_id] = None
        if ref is not None:
            refs.setdefault(ref.casefold(), {})[txn_id] = None

    def _unindex_txn(
        self, customer_id: str, txn_id: str, ref: str | None, refs: dict[str, dict[str, None]]
    ) -> None:
        self._customer_txns.get(customer_id, {}).pop(txn_id, None)
        if ref is not None:
            refs.get(ref.casefold(), {}).pop(txn_id, None)

    @staticmethod
    def _adjust_balance(customer: Customer, delta: Decimal) -> None:
        customer.balance += delta
        customer.total_balance += delta

    def _link(self, invoice: Invoice, link: LinkedTxn, at: datetime) -> None:
        invoice.linked_txns.append(link)
        invoice.applied_amount += link.amount
        invoice.balance_remaining += link.amount
        invoice.is_paid = invoice.balance_remaining <= ZERO
        if self.links_change_edit_sequence:
            self._bump(invoice, at)
        else:
            invoice.time_modified = at

    def _unlink(self, invoice: Invoice, txn_id: str, at: datetime) -> None:
        for link in [x for x in invoice.linked_txns if x.txn_id == txn_id]:
            invoice.linked_txns.remove(link)
            invoice.applied_amount -= link.amount
            invoice.balance_remaining -= link.amount
        invoice.is_paid = invoice.balance_remaining <= ZERO
        self._bump(invoice, at)

    # ----------------------------------------------------------------- data extensions
    def set_data_ext(self, owner_id: str, name: str, value: str) -> None:
        """Set a data extension on the Company object (QBWC's FileID and AppLock live here).

        OwnerIDs are GUIDs, so an existing entry spelled in another case is the same owner.
        """
        for owner, _ in self.data_extensions:
            if owner.upper() == owner_id.upper():
                owner_id = owner
                break
        self.data_extensions[(owner_id, name)] = value

    def data_ext(self, owner_id: str, name: str) -> str | None:
        """A Company data extension value, matching the OwnerID case-insensitively."""
        for (owner, ext_name), value in self.data_extensions.items():
            if owner.upper() == owner_id.upper() and ext_name == name:
                return value
        return None

    def data_exts_for(self, owner_ids: Iterable[str] | None) -> list[tuple[str, str, str]]:
        """``(OwnerID, name, value)`` for the given owners (all when ``None``), sorted."""
        wanted = None if owner_ids is None else {o.upper() for o in owner_ids}
        found = [
            (owner, name, value)
            for (owner, name), value in self.data_extensions.items()
            if wanted is None or owner.upper() in wanted
        ]
        return sorted(found)
