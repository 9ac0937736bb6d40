"""The registry's objects as the fake QuickBooks holds them.

Customers, the three item kinds the simulator has always carried, invoices and received
payments are built by hand (``records.py``), and so are the Company and Preferences
documents (``host.py``). Every other object of the registry is an :class:`ObjectRecord`
generated from the registry's element tree of its ``…Ret``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from qwc_service.qbxml.objects.registry import all_objects, object_named
from qwc_service.qbxml.objects.specs import Category, CollectionRole, ObjectSpec, RetSpec
from qwc_service.simulator.quickbooks.records import ItemKind

__all__ = [
    "CUSTOM_FIELDS",
    "DYNAMIC",
    "HAND_BUILT",
    "HAND_BUILT_ITEM_KINDS",
    "ObjectRecord",
    "deleted_type_objects",
    "generated_objects",
    "line_tags",
    "ref_targets",
]

# Object name -> the ItemKind of ``records.Item`` it is.
HAND_BUILT_ITEM_KINDS: dict[str, ItemKind] = {
    "ItemService": "Service",
    "ItemNonInventory": "NonInventory",
    "ItemInventory": "Inventory",
}
HAND_BUILT = frozenset(
    {"Customer", "Item", "Invoice", "ReceivePayment", "Company", "Preferences"}
    | HAND_BUILT_ITEM_KINDS.keys()
)
# Top-level elements of a Ret that follow the record rather than its generated content.
DYNAMIC = frozenset({"ListID", "TxnID", "TimeCreated", "TimeModified", "EditSequence", "IsActive"})
CUSTOM_FIELDS = "DataExtRet"

# Refs whose name does not end in the object they name.
_REF_ALIASES: dict[str, tuple[str, ...]] = {
    "Entity": ("Employee", "Vendor", "OtherName", "Customer"),
    "PayeeEntity": ("Vendor", "Employee", "OtherName", "Customer"),
    "SalesRepEntity": ("Employee", "Vendor", "OtherName"),
    "ShipToEntity": ("Customer",),
    "Supervisor": ("Employee",),
    "Terms": ("StandardTerms", "DateDrivenTerms"),
    "OverrideUOMSet": ("UnitOfMeasureSet",),
}
# Refs left empty: hierarchy (every generated list element is at Sublevel 0) and lists
# the registry does not hold.
_UNREFERENCED = frozenset({"Parent", "ParentSite"})


@dataclass
class ObjectRecord:
    """One generated record: its identity and times, and its content rendered in schema order.

    ``parts`` holds ``(top-level tag, xml)`` in the order of the Ret; the tags of
    :data:`DYNAMIC` and :data:`CUSTOM_FIELDS` hold ``""`` there and are rendered from the
    record when it is returned. ``full_name`` is what a ``…Ref`` to the record says (a
    list's FullName, Name or Initial; empty for a transaction).
    """

    object_name: str
    id: str
    edit_sequence: str
    time_created: datetime
    time_modified: datetime
    parts: list[tuple[str, str]]
    full_name: str = ""
    is_active: bool = True
    ref_number: str | None = None
    txn_date: date | None = None
    entity_id: str | None = None
    # (OwnerID, DataExtName, DataExtType, DataExtValue)
    custom_fields: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def list_id(self) -> str:
        """The ListID of a list record (the query engine reads IDs by this name)."""
        return self.id

    @property
    def txn_id(self) -> str:
        """The TxnID of a transaction record."""
        return self.id


@cache
def generated_objects() -> tuple[ObjectSpec, ...]:
    """Every registry object the fake generates from the element tree, in registry order."""
    return tuple(
        spec
        for spec in all_objects()
        if spec.name not in HAND_BUILT and spec.category is not Category.SINGLETON
    )


@cache
def line_tags(ret_element: str) -> frozenset[str]:
    """The top-level tags of a Ret that are its lines (returned with IncludeLineItems)."""
    ret = _ret_named(ret_element)
    return frozenset(
        name
        for collection in ret.collections
        if collection.role is CollectionRole.LINES
        for name in collection.elements
    )


@cache
def _ret_named(element: str) -> RetSpec:
    for spec in all_objects():
        for ret in spec.rets:
            if ret.element == element:
                return ret
    raise KeyError(element)


@cache
def ref_targets(ref_tag: str) -> tuple[str, ...]:
    """The objects a ``…Ref`` element may name, e.g. ``APAccountRef`` -> ``("Account",)``.

    The object is the longest registry name the ref's stem ends with; ``ItemRef`` names an
    item of any kind. Refs the registry cannot place (hierarchy, non-US tax codes) name none.
    """
    stem = ref_tag.removesuffix("Ref")
    if stem in _UNREFERENCED:
        return ()
    if stem in _REF_ALIASES:
        return _REF_ALIASES[stem]
    names = {spec.name for spec in all_objects() if spec.category is not Category.SINGLETON}
    for start in range(len(stem)):
        if stem[start].isupper() and stem[start:] in names:
            found = object_named(stem[start:])
            return found.kinds or (found.name,)
    return ()


@cache
def deleted_type_objects() -> dict[str, str]:
    """ListDelType and TxnDelType values -> the object each one names."""
    return {
        del_type: spec.name
        for spec in all_objects()
        if spec.deletions is not None and not spec.kinds
        for del_type in spec.deletions.types
    }
