"""Records of every other registry object: adding, saving, deactivating and deleting them.

``touch``, ``set_active`` and ``delete`` take any object of the registry, by name or plural,
the hand-built ones included, so a test can change a company the way a user would between
two syncs. Generated list elements are flat (Sublevel 0) and their names are unique within
their list; items of every kind share one namespace, as in QuickBooks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from qwc_service.qbxml.objects.registry import find_object
from qwc_service.qbxml.objects.specs import Category, ObjectSpec
from qwc_service.simulator.quickbooks.errors import RecordNotFound
from qwc_service.simulator.quickbooks.filling import Filler
from qwc_service.simulator.quickbooks.lists import ListChanges
from qwc_service.simulator.quickbooks.names import LIST_WORDS, entity_name, free_name
from qwc_service.simulator.quickbooks.objects import (
    HAND_BUILT_ITEM_KINDS,
    ObjectRecord,
)
from qwc_service.simulator.quickbooks.records import (
    Customer,
    DeletedListElement,
    DeletedTxn,
    Invoice,
    Item,
    Payment,
    qb_epoch,
)
from qwc_service.simulator.quickbooks.txns import TxnChanges

__all__ = ["ObjectChanges", "RefTarget", "TxnTarget"]

RefTarget = Customer | Item | ObjectRecord
TxnTarget = Invoice | Payment | ObjectRecord

# What the standard accounts and payment methods of a new company file are.
_STANDARD_TYPES: dict[str, dict[str, str]] = {
    "Account": {
        "Checking": "Bank", "Accounts Receivable": "AccountsReceivable",
        "Undeposited Funds": "OtherCurrentAsset", "Inventory Asset": "OtherCurrentAsset",
        "Sales": "Income", "Services": "Income", "Merchandise": "Income",
        "Cost of Goods Sold": "CostOfGoodsSold",
    },
    "PaymentMethod": {
        "Cash": "Cash", "Check": "Check", "American Express": "AmericanExpress",
        "Discover": "Discover", "MasterCard": "MasterCard", "Visa": "Visa", "E-Check": "ECheck",
    },
}  # fmt: skip
_TYPE_ELEMENT = {"Account": "AccountType", "PaymentMethod": "PaymentMethodType"}
_DEFAULT_TYPE = {"Account": "Bank", "PaymentMethod": "Other"}
_NAME_ELEMENTS = ("Name", "Initial")
_ENTITIES = frozenset({"Vendor", "Employee", "OtherName"})


class ObjectChanges(ListChanges, TxnChanges):
    """Generated records of every registry object the simulator does not build by hand."""

    # ----------------------------------------------------------------- adding
    def add_object(
        self,
        object_name: str,
        *,
        name: str | None = None,
        rng: random.Random | None = None,
        at: datetime | None = None,
        fixed: Mapping[str, str] | None = None,
        is_active: bool = True,
        custom_fields: Iterable[tuple[str, str, str, str]] = (),
    ) -> ObjectRecord:
        """Create a record of ``object_name`` with content generated from its Ret.

        ``name`` names a list element (a unique name is made up otherwise); ``fixed`` gives
        top-level values; ``custom_fields`` are ``(OwnerID, name, type, value)``.
        """
        spec = self._generated(object_name)
        store = self.objects[spec.name]
        rng = rng or random.Random(f"{self.company_name}:{spec.name}:{len(store)}")
        now = self._time(at)
        ret = spec.ret
        values = dict(fixed or {})
        display = ""
        if spec.identity == "ListID":
            record_id = self._new_list_id(_list_counter(spec), now)
            display = self._claim_object_name(spec, name or _made_up_name(spec, rng, len(store)))
            # Taken now: a record the filler makes for this one to name must not take it.
            self._object_namespace(spec)[display.casefold()] = record_id
            for tag in ("Name", "FullName", "Initial"):
                values.setdefault(tag, display)
            values.setdefault("Sublevel", "0")
        else:
            record_id = self._new_txn_id(now)
            self._txn_number += 1
            values.setdefault("TxnNumber", str(self._txn_number))
            values.setdefault(
                "TxnDate", (now.date() - timedelta(days=rng.randint(0, 3))).isoformat()
            )
            ref_number = self._next_ref_number(spec)
            if ref_number is not None:
                values.setdefault("RefNumber", ref_number)
        values = {tag: value for tag, value in values.items() if ret.has(tag)}
        filler = Filler(self, rng, now, values)
        record = ObjectRecord(
            object_name=spec.name,
            id=record_id,
            edit_sequence=str(qb_epoch(now)),
            time_created=now,
            time_modified=now,
            parts=filler.ret_parts(ret),
            full_name=display,
            is_active=is_active or not ret.has("IsActive"),
            ref_number=values.get("RefNumber"),
            txn_date=date.fromisoformat(values["TxnDate"]) if "TxnDate" in values else None,
            entity_id=filler.entity_id,
            custom_fields=list(custom_fields),
        )
        store[record_id] = record
        if record.ref_number is not None:
            refs = self._object_refs.setdefault(spec.name, {})
            refs.setdefault(record.ref_number.casefold(), {})[record_id] = None
        return record

    def _generated(self, object_name: str) -> ObjectSpec:
        spec = find_object(object_name)
        if spec.name not in self.objects:
            raise ValueError(f"{spec.name} is built by hand or is a single document")
        return spec

    def _claim_object_name(self, spec: ObjectSpec, base: str) -> str:
        limit = next(
            (e.max_length for e in spec.ret.elements if e.name in _NAME_ELEMENTS and e.max_length),
            41,
        )
        return free_name(base, limit, self._object_namespace(spec))

    def _object_namespace(self, spec: ObjectSpec) -> dict[str, str]:
        if spec.category is Category.ITEM_KIND or spec.kinds:
            return self._item_names
        return self._object_names.setdefault(spec.name, {})

    def _next_ref_number(self, spec: ObjectSpec) -> str | None:
        ret = spec.ret
        if not ret.has("RefNumber"):
            return None
        count = self._object_ref_seq.get(spec.name, 0) + 1
        self._object_ref_seq[spec.name] = count
        limit = ret.child("RefNumber").max_length or 11
        return str(count + 1000)[-limit:]

    def _standard_element(self, list_name: str, name: str, list_id: str, at: datetime) -> None:
        """Keep a record of a standard account or payment method (its ListID is already made)."""
        spec = find_object(list_name)
        kind = _STANDARD_TYPES[list_name].get(name, _DEFAULT_TYPE[list_name])
        values = {"Name": name, "FullName": name, "Sublevel": "0", _TYPE_ELEMENT[list_name]: kind}
        ret = spec.ret
        values = {tag: value for tag, value in values.items() if ret.has(tag)}
        # Seeded by name alone: the same account reads the same in every company file.
        filler = Filler(self, random.Random(f"{list_name}:{name}"), at, values)
        self.objects[spec.name][list_id] = ObjectRecord(
            object_name=spec.name,
            id=list_id,
            edit_sequence=str(qb_epoch(at)),
            time_created=at,
            time_modified=at,
            parts=filler.ret_parts(ret),
            full_name=name,
        )
        self._object_namespace(spec)[name.casefold()] = list_id

    def ensure_one(self, targets: Sequence[str], at: datetime) -> None:
        """Make a record of the first generated object of ``targets``, for a ref that must
        name one (a Bill's vendor when the company has no vendors yet)."""
        for target in targets:
            if target in self.objects and target not in self._ensuring:
                self._ensuring.add(target)
                try:
                    self.add_object(target, at=at)
                finally:
                    self._ensuring.discard(target)
                return

    def new_line_id(self, at: datetime) -> str:
        """A TxnLineID: transactions and their lines share one counter."""
        return self._new_txn_id(at)

    # ----------------------------------------------------------------- what refs may name
    def pick_ref(self, targets: Sequence[str], rng: random.Random) -> RefTarget | None:
        """A record of one of the ``targets`` objects for a ``…Ref`` to name (None: none)."""
        found = self._pick(targets, rng)
        return None if found is None else found[1]

    def pick_txn(self, types: Sequence[str], rng: random.Random) -> tuple[str, TxnTarget] | None:
        """``(object name, record)`` of a transaction of one of the ``types`` named."""
        return self._pick(types, rng)

    def _pick(self, names: Sequence[str], rng: random.Random) -> tuple[str, Any] | None:
        pools = [(name, self._pool(name)) for name in names]
        total = sum(len(records) for _, records in pools)
        if not total:
            return None
        index = rng.randrange(total)
        for name, records in pools:
            if index < len(records):
                return name, records[index]
            index -= len(records)
        raise AssertionError("unreachable")

    def _pool(self, name: str) -> list[Any]:
        """The records of one object as a list, kept up to date as records are added, so
        that making thousands of records that name others stays linear."""
        store = self._any_store(name)
        kind = HAND_BUILT_ITEM_KINDS.get(name)
        size, last, records = self._pools.get(name, (0, None, []))
        newest = next(reversed(store), None)
        if size == len(store) and last == newest:
            return records
        added = _added_since(store, size, last)
        if added is None:  # something was deleted: start again
            records, added = [], list(store.values())
        records.extend(r for r in added if kind is None or r.kind == kind)
        self._pools[name] = (len(store), newest, records)
        return records

    def _txn_store(self, name: str) -> dict[str, Any]:
        if name == "Invoice":
            return self.invoices
        if name == "ReceivePayment":
            return self.payments
        return self.objects.get(name, {})

    def _any_store(self, name: str) -> dict[str, Any]:
        if name == "Customer":
            return self.customers
        if name in HAND_BUILT_ITEM_KINDS:
            return self.items
        return self._txn_store(name)

    # ----------------------------------------------------------------- any object
    def records_of(self, object_name: str) -> Mapping[str, Any]:
        """Every record of an object (by name or plural), keyed by ListID or TxnID."""
        spec = find_object(object_name)
        if spec.name == "Customer":
            return self.customers
        if spec.name == "Item":
            generated = [self.objects[k] for k in spec.kinds if self.objects.get(k)]
            if not generated:
                return self.items
            merged: dict[str, Any] = dict(self.items)
            for records in generated:
                merged.update(records)
            return merged
        if spec.name in HAND_BUILT_ITEM_KINDS:
            kind = HAND_BUILT_ITEM_KINDS[spec.name]
            return {k: v for k, v in self.items.items() if v.kind == kind}
        if spec.name in ("Invoice", "ReceivePayment"):
            return self._txn_store(spec.name)
        if spec.name in self.objects:
            return self.objects[spec.name]
        raise ValueError(f"{spec.name} is a single document, not a list of records")

    def object_by_name(self, object_name: str, full_name: str) -> ObjectRecord | None:
        """The generated list element called ``full_name`` (any case), if any."""
        spec = find_object(object_name)
        record_id = self._object_namespace(spec).get(full_name.casefold())
        kinds = spec.kinds or (spec.name,)
        for kind in kinds:
            found = self.objects.get(kind, {}).get(record_id or "")
            if found is not None:
                return found
        return None

    def objects_by_ref(self, object_name: str, ref_number: str) -> list[ObjectRecord]:
        """Generated transactions whose RefNumber equals ``ref_number``, ignoring case."""
        spec = find_object(object_name)
        ids = self._object_refs.get(spec.name, {}).get(ref_number.casefold(), {})
        return [self.objects[spec.name][i] for i in ids]

    def _locate(self, object_name: str, record_id: str) -> tuple[str, Any]:
        """``(object name, record)`` of a record of ``object_name``; Item finds any kind."""
        spec = find_object(object_name)
        if spec.name == "Item" and record_id in self.items:
            item = self.items[record_id]
            return f"Item{item.kind}", item
        record = self.records_of(spec.name).get(record_id)
        if record is None:
            raise RecordNotFound(spec.name, record_id)
        name = record.object_name if isinstance(record, ObjectRecord) else spec.name
        return name, record

    def touch(self, object_name: str, record_id: str, *, at: datetime | None = None) -> Any:
        """Record a save of any record: new TimeModified and EditSequence (an invoice also
        gets a revision memo, as ``touch_invoice`` gives it)."""
        name, record = self._locate(object_name, record_id)
        if name == "Customer":
            return self.touch_customer(record_id, at=at)
        if name in HAND_BUILT_ITEM_KINDS:
            return self.touch_item(record_id, at=at)
        if name == "Invoice":
            return self.touch_invoice(record_id, at=at)
        self._bump(record, self._time(at))
        return record

    def set_active(
        self, object_name: str, record_id: str, active: bool, *, at: datetime | None = None
    ) -> Any:
        """Make a list element active or inactive (a save: TimeModified moves on)."""
        name, record = self._locate(object_name, record_id)
        if name == "Customer":
            return self.update_customer(record_id, is_active=active, at=at)
        if name in HAND_BUILT_ITEM_KINDS:
            return self.set_item_active(record_id, active, at=at)
        if not isinstance(record, ObjectRecord) or not find_object(name).ret.has("IsActive"):
            raise ValueError(f"a {name} cannot be made inactive")
        record.is_active = active
        self._bump(record, self._time(at))
        return record

    def delete(
        self, object_name: str, record_id: str, *, at: datetime | None = None
    ) -> DeletedListElement | DeletedTxn | None:
        """Delete any record; what ListDeletedQuery or TxnDeletedQuery will report (None for
        an object QuickBooks reports no deletions of, such as a Transfer)."""
        name, record = self._locate(object_name, record_id)
        if name == "Customer":
            return self.delete_customer(record_id, at=at)
        if name in HAND_BUILT_ITEM_KINDS:
            return self.delete_item(record_id, at=at)
        if name == "Invoice":
            return self.delete_invoice(record_id, at=at)
        if name == "ReceivePayment":
            return self.delete_payment(record_id, at=at)
        return self._delete_object(find_object(name), record, self._time(at))

    def _delete_object(
        self, spec: ObjectSpec, record: ObjectRecord, now: datetime
    ) -> DeletedListElement | DeletedTxn | None:
        del self.objects[spec.name][record.id]
        if record.full_name:
            self._object_namespace(spec).pop(record.full_name.casefold(), None)
        if record.ref_number is not None:
            self._object_refs.get(spec.name, {}).get(record.ref_number.casefold(), {}).pop(
                record.id, None
            )
        if spec.deletions is None:
            return None
        del_type = spec.deletions.types[0]
        gone: DeletedListElement | DeletedTxn
        if spec.identity == "ListID":
            gone = DeletedListElement(
                del_type, record.id, record.full_name, record.time_created, now
            )
            self.deleted_list_elements.append(gone)
        else:
            gone = DeletedTxn(del_type, record.id, record.ref_number, record.time_created, now)
            self.deleted_txns.append(gone)
        return gone


def _list_counter(spec: ObjectSpec) -> str:
    # Items of every kind are numbered in one list, as the hand-built kinds are.
    return "Item" if spec.category is Category.ITEM_KIND else spec.name


def _made_up_name(spec: ObjectSpec, rng: random.Random, index: int) -> str:
    if spec.name in _ENTITIES:
        return entity_name(rng, spec.name)
    if spec.name == "SalesRep":
        first, last = entity_name(rng, "Employee").split(" ", 1)
        return f"{first[0]}{last[0]}".upper()
    words = LIST_WORDS.get(spec.name)
    if words:
        return words[index % len(words)]
    return f"{spec.label} {index + 1}"


def _added_since(store: dict[str, Any], size: int, last: str | None) -> list[Any] | None:
    """The records added to ``store`` after ``last`` when it held ``size`` of them, newest
    last; None when some were deleted since (dicts keep insertion order)."""
    added = []
    for key in reversed(store):
        if key == last:
            break
        added.append(store[key])
    else:
        if last is not None:
            return None
    if size + len(added) != len(store):
        return None
    added.reverse()
    return added
