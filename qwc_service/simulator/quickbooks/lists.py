"""Changes to the Customer and Item lists of a simulated company file."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from qwc_service.simulator.quickbooks.errors import RecordInUse, RecordNotFound
from qwc_service.simulator.quickbooks.records import (
    ZERO,
    Address,
    Customer,
    DeletedListElement,
    Item,
    ItemKind,
    list_del_type_for_item,
    qb_epoch,
)
from qwc_service.simulator.quickbooks.store import ITEM_NAME_MAX, NAME_MAX, CompanyStore


class ListChanges(CompanyStore):
    """Adding, editing and deleting customers and items."""

    def add_customer(
        self,
        name: str,
        *,
        company_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        bill_address: Address | None = None,
        is_active: bool = True,
        at: datetime | None = None,
    ) -> Customer:
        """Create a customer; ``NameInUse`` if the name is taken."""
        self._check_name(name, NAME_MAX)
        self._claim_name(self._customer_names, name, "")
        now = self._time(at)
        customer = Customer(
            list_id=self._new_list_id("Customer", now),
            edit_sequence=str(qb_epoch(now)),
            time_created=now,
            time_modified=now,
            name=name,
            full_name=name,
            is_active=is_active,
            company_name=company_name,
            email=email,
            phone=phone,
            bill_address=bill_address,
        )
        self.customers[customer.list_id] = customer
        self._customer_names[name.casefold()] = customer.list_id
        return customer

    _CUSTOMER_FIELDS = frozenset(
        {"name", "is_active", "company_name", "email", "phone", "bill_address"}
    )

    def update_customer(
        self, list_id: str, *, at: datetime | None = None, **changes: object
    ) -> Customer:
        """Change customer fields (name, is_active, company_name, email, phone, bill_address)."""
        customer = self.require_customer(list_id)
        unknown = set(changes) - self._CUSTOMER_FIELDS
        if unknown:
            raise TypeError(f"cannot change {sorted(unknown)} on a customer")
        new_name = changes.get("name")
        if isinstance(new_name, str) and new_name != customer.name:
            self._check_name(new_name, NAME_MAX)
            self._claim_name(self._customer_names, new_name, list_id)
            del self._customer_names[customer.name.casefold()]
            self._customer_names[new_name.casefold()] = list_id
            customer.full_name = new_name
            self._rename_in_txns(list_id, new_name)
        for key, value in changes.items():
            setattr(customer, key, value)
        self._bump(customer, self._time(at))
        return customer

    def _rename_in_txns(self, list_id: str, full_name: str) -> None:
        # Transactions show the customer's current name; their TimeModified does not move.
        for txn_id in self._customer_txns.get(list_id, {}):
            txn = self.invoices.get(txn_id) or self.payments.get(txn_id)
            if txn is not None:
                txn.customer_full_name = full_name

    def touch_customer(self, list_id: str, *, at: datetime | None = None) -> Customer:
        """Record a save of the customer: new TimeModified and EditSequence."""
        customer = self.require_customer(list_id)
        self._bump(customer, self._time(at))
        return customer

    def delete_customer(self, list_id: str, *, at: datetime | None = None) -> DeletedListElement:
        """Delete a customer that has no transactions; ``RecordInUse`` otherwise."""
        customer = self.require_customer(list_id)
        if self._customer_txns.get(list_id):
            raise RecordInUse("Customer", list_id)
        del self.customers[list_id]
        del self._customer_names[customer.name.casefold()]
        gone = DeletedListElement(
            "Customer", list_id, customer.full_name, customer.time_created, self._time(at)
        )
        self.deleted_list_elements.append(gone)
        return gone

    # ----------------------------------------------------------------- items
    def add_item(
        self,
        name: str,
        kind: ItemKind,
        *,
        price: Decimal = ZERO,
        description: str | None = None,
        income_account: str = "Sales",
        quantity_on_hand: Decimal | None = None,
        is_active: bool = True,
        at: datetime | None = None,
    ) -> Item:
        """Create an item; item names share one namespace across kinds."""
        self._check_name(name, ITEM_NAME_MAX)
        self._claim_name(self._item_names, name, "")
        now = self._time(at)
        self.account_list_id(income_account)
        item = Item(
            list_id=self._new_list_id("Item", now),
            edit_sequence=str(qb_epoch(now)),
            time_created=now,
            time_modified=now,
            name=name,
            full_name=name,
            kind=kind,
            is_active=is_active,
            description=description,
            price=price,
            income_account=income_account,
            quantity_on_hand=quantity_on_hand if kind == "Inventory" else None,
        )
        self.items[item.list_id] = item
        self._item_names[name.casefold()] = item.list_id
        return item

    def touch_item(
        self, list_id: str, *, price: Decimal | None = None, at: datetime | None = None
    ) -> Item:
        """Record a save of the item, optionally with a new price."""
        item = self.items.get(list_id)
        if item is None:
            raise RecordNotFound("Item", list_id)
        if price is not None:
            item.price = price
        self._bump(item, self._time(at))
        return item

    def set_item_active(self, list_id: str, active: bool, *, at: datetime | None = None) -> Item:
        """Make an item active or inactive."""
        item = self.touch_item(list_id, at=at)
        item.is_active = active
        return item

    def delete_item(self, list_id: str, *, at: datetime | None = None) -> DeletedListElement:
        """Delete an item no invoice line uses; ``RecordInUse`` otherwise."""
        item = self.items.get(list_id)
        if item is None:
            raise RecordNotFound("Item", list_id)
        if self._item_uses.get(list_id):
            raise RecordInUse("Item", list_id)
        del self.items[list_id]
        del self._item_names[item.name.casefold()]
        gone = DeletedListElement(
            list_del_type_for_item(item.kind),
            list_id,
            item.full_name,
            item.time_created,
            self._time(at),
        )
        self.deleted_list_elements.append(gone)
        return gone
