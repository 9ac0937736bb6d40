"""The shapes of the object registry: what qbXML says about each object QuickBooks can query.

These are facts read from Intuit's schema by :mod:`qwc_service.qbxml.objects.generate`; the
generated :mod:`~qwc_service.qbxml.objects.catalog` holds one :class:`ObjectSpec` per object.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Category",
    "CollectionRole",
    "CollectionSpec",
    "DeletionSpec",
    "ElementSpec",
    "ObjectSpec",
    "QuerySpec",
    "RetSpec",
    "ValueType",
]

_LINE_ITEMS_FLAG = re.compile(r"Include\w*LineItems")


class Category(enum.StrEnum):
    """How QuickBooks files an object."""

    LIST = "list"  # identified by ListID; ``Item`` is the list of every item kind
    ITEM_KIND = "item_kind"  # one kind of item, read through ItemQuery with the others
    TRANSACTION = "transaction"  # identified by TxnID
    SINGLETON = "singleton"  # one document per company file, without identity


class ValueType(enum.StrEnum):
    """What an element of a ``…Ret`` holds, from its qbXML type."""

    TEXT = "text"
    ID = "id"  # a ListID or TxnID
    AMOUNT = "amount"  # two decimals
    PRICE = "price"  # up to five decimals
    QUANTITY = "quantity"  # up to five decimals
    PERCENT = "percent"  # up to five decimals
    FLOAT = "float"
    INT = "int"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"  # may carry a UTC offset
    DURATION = "duration"  # an xsd:duration such as PT1H30M
    GUID = "guid"
    ENUM = "enum"
    REF = "ref"  # an aggregate naming another object: ListID and FullName
    AGGREGATE = "aggregate"  # any other element holding elements

    @property
    def is_leaf(self) -> bool:
        """Whether elements of this type hold text rather than elements."""
        return self not in (ValueType.REF, ValueType.AGGREGATE)


class CollectionRole(enum.StrEnum):
    """What a repeating child of a ``…Ret`` is."""

    LINES = "lines"  # transaction lines, applications to transactions, group members
    CUSTOM_FIELDS = "custom_fields"  # DataExtRet, returned when the query sends OwnerID
    CHILDREN = "children"  # anything else that repeats: addresses, contacts, linked txns


@dataclass(frozen=True)
class ElementSpec:
    """One element of a ``…Ret``, where it sits.

    ``min_occurs`` and ``max_occurs`` are the element's occurrences in its parent, through
    any enclosing choice (an alternative is optional) and repeating group; ``max_occurs`` is
    None when unbounded. Whether an element may repeat depends on its parent, not its name.
    """

    name: str
    type: ValueType
    min_occurs: int
    max_occurs: int | None
    max_length: int | None = None
    values: tuple[str, ...] = ()  # the enumeration of an ENUM
    children: tuple[ElementSpec, ...] = ()

    @property
    def repeats(self) -> bool:
        """Whether the element may appear more than once in its parent."""
        return self.max_occurs is None or self.max_occurs > 1

    def child(self, name: str) -> ElementSpec:
        """The child element called ``name``; KeyError when there is none."""
        return _child(self.children, name, self.name)


@dataclass(frozen=True)
class CollectionSpec:
    """A repeating child of a ``…Ret``: one element, or alternatives that repeat together."""

    elements: tuple[str, ...]
    role: CollectionRole


@dataclass(frozen=True)
class RetSpec:
    """A ``…Ret`` element: its children in schema order and the collections among them."""

    element: str
    elements: tuple[ElementSpec, ...]
    collections: tuple[CollectionSpec, ...] = ()

    def child(self, name: str) -> ElementSpec:
        """The top-level element called ``name``; KeyError when there is none."""
        return _child(self.elements, name, self.element)

    def has(self, name: str) -> bool:
        """Whether ``name`` is a top-level element of this Ret."""
        return any(element.name == name for element in self.elements)


@dataclass(frozen=True)
class QuerySpec:
    """A ``…QueryRq``: its child elements in schema order and how it pages and filters.

    ``elements`` lists every child the request may have, in the order the schema requires
    (alternatives such as ListID, FullName and the filters included), so a request is built
    by sorting what it sends by :meth:`position`. ``modified_since`` is the path from the
    request to ``FromModifiedDate`` (empty when the query cannot ask for changes since a time).
    """

    request: str
    response: str
    elements: tuple[str, ...]
    iterator: bool
    modified_since: tuple[str, ...] = ()

    def accepts(self, name: str) -> bool:
        """Whether ``name`` may be a child of the request."""
        return name in self.elements

    def position(self, name: str) -> int:
        """Where ``name`` sits among the request's children; ValueError if it may not."""
        try:
            return self.elements.index(name)
        except ValueError:
            raise ValueError(f"{self.request} has no child element {name}") from None

    def in_order(self, names: Iterable[str]) -> tuple[str, ...]:
        """``names`` sorted into the order qbXML requires; ValueError for one it may not take.

        The schema is order-sensitive: QuickBooks rejects a request whose children are out
        of order (``FromModifiedDate`` before ``MaxReturned``, say) as unparseable XML.
        """
        return tuple(sorted(names, key=self.position))

    @property
    def max_returned(self) -> bool:
        """Whether the request takes ``MaxReturned`` (a page size with an iterator)."""
        return self.accepts("MaxReturned")

    @property
    def active_status(self) -> bool:
        """Whether the request takes ``ActiveStatus`` (absent, QuickBooks sends active only)."""
        return self.accepts("ActiveStatus")

    @property
    def owner_id(self) -> bool:
        """Whether the request takes ``OwnerID``, which asks for custom fields (DataExtRet)."""
        return self.accepts("OwnerID")

    @property
    def include_linked_txns(self) -> bool:
        """Whether the request takes ``IncludeLinkedTxns``."""
        return self.accepts("IncludeLinkedTxns")

    @property
    def line_items_flag(self) -> str | None:
        """The element asking for lines (``IncludeLineItems``, BuildAssembly's
        ``IncludeComponentLineItems``), or None when lines come without asking or never."""
        return next((e for e in self.elements if _LINE_ITEMS_FLAG.fullmatch(e)), None)


@dataclass(frozen=True)
class DeletionSpec:
    """How deletions of an object are read: the query, and the type values that name it."""

    request: str  # ListDeletedQueryRq or TxnDeletedQueryRq
    type_element: str  # ListDelType or TxnDelType
    types: tuple[str, ...]
    ret: str  # ListDeletedRet or TxnDeletedRet


@dataclass(frozen=True)
class ObjectSpec:
    """One object QuickBooks can query, with every fact a sync and a store need.

    ``identity`` is ``ListID``, ``TxnID`` or None (singletons). ``rets`` holds one ``…Ret``
    but for ``Item``, whose query returns every item kind; an item kind names that object in
    ``read_through`` and ``Item`` lists them in ``kinds``. ``deletions`` is None when
    QuickBooks has no way to report the object's deletions.
    """

    name: str
    label: str
    plural: str
    category: Category
    identity: str | None
    edit_sequence: bool
    time_modified: bool
    custom_fields: bool
    query: QuerySpec
    rets: tuple[RetSpec, ...]
    deletions: DeletionSpec | None = None
    read_through: str | None = None
    kinds: tuple[str, ...] = ()

    @property
    def ret(self) -> RetSpec:
        """The object's only ``…Ret``; ValueError for ``Item``, which has one per kind."""
        if len(self.rets) != 1:
            raise ValueError(f"{self.name} has {len(self.rets)} Ret elements; use .rets")
        return self.rets[0]

    @property
    def ret_elements(self) -> tuple[str, ...]:
        """The names of the ``…Ret`` elements the query returns for this object."""
        return tuple(ret.element for ret in self.rets)


def _child(elements: tuple[ElementSpec, ...], name: str, parent: str) -> ElementSpec:
    for element in elements:
        if element.name == name:
            return element
    raise KeyError(f"{parent} has no element {name}")
