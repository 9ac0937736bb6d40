"""The shapes of the write registry: what qbXML says about each request that changes data.

A write request's content is kept as the schema lays it out, a tree of sequences and
choices (:class:`Group`) over elements (:class:`FieldSpec`), because both order and
alternatives matter: QuickBooks refuses a request whose elements are out of order, and
a reference takes a ListID or a FullName, never both. The generated
:mod:`~qwc_service.qbxml.objects.writes_catalog` holds one :class:`WriteSpec` per request.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from qwc_service.qbxml.objects.specs import ValueType

__all__ = ["FieldSpec", "Group", "GroupKind", "WriteKind", "WriteSpec"]


class WriteKind(enum.StrEnum):
    """What a write request does."""

    ADD = "add"  # <Obj>AddRq
    MOD = "mod"  # <Obj>ModRq, guarded by the object's EditSequence
    VOID = "void"  # TxnVoidRq: the transaction stays, with zero amounts
    DELETE = "delete"  # TxnDelRq or ListDelRq


class GroupKind(enum.StrEnum):
    """How the items of a :class:`Group` combine."""

    SEQUENCE = "sequence"  # each item in turn, in this order
    CHOICE = "choice"  # one of the items (each time, when the choice repeats)


@dataclass(frozen=True)
class FieldSpec:
    """One element of a write request where it sits in its group.

    ``min_occurs`` and ``max_occurs`` are the element's own occurrences in its group (None:
    unbounded); whether it may appear at all, or repeat, also depends on the groups around
    it (:meth:`Group.fields` gives the effective ones). ``content`` is the content model of
    an aggregate, None for a leaf. ``attributes`` are the XML attributes the element may
    carry (``defMacro`` on an Add, ``useMacro`` on a TxnID).
    """

    name: str
    type: ValueType
    min_occurs: int = 1
    max_occurs: int | None = 1
    max_length: int | None = None
    values: tuple[str, ...] = ()  # the enumeration of an ENUM
    content: Group | None = None
    attributes: tuple[str, ...] = ()
    minimum: int | None = None  # an INT's inclusive bounds, where the schema sets them
    maximum: int | None = None

    @property
    def children(self) -> tuple[FieldSpec, ...]:
        """The child elements of an aggregate, in schema order; () for a leaf."""
        return () if self.content is None else self.content.elements

    def child(self, name: str) -> FieldSpec:
        """The child element called ``name``; KeyError when there is none."""
        if self.content is None:
            raise KeyError(f"{self.name} holds text, not elements")
        return self.content.element(name)


@dataclass(frozen=True)
class Group:
    """A sequence or choice of elements and groups, with its occurrences."""

    kind: GroupKind
    min_occurs: int
    max_occurs: int | None
    items: tuple[FieldSpec | Group, ...]

    @property
    def repeats(self) -> bool:
        """Whether the whole group may come more than once."""
        return self.max_occurs is None or self.max_occurs > 1

    @cached_property
    def elements(self) -> tuple[FieldSpec, ...]:
        """Every element of the group and its subgroups, in schema order."""
        return tuple(field for field, _, _ in self.fields())

    @cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        return {field.name: field for field in self.elements}

    def element(self, name: str) -> FieldSpec:
        """The element called ``name`` anywhere in the group; KeyError when there is none."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no element {name}") from None

    def has(self, name: str) -> bool:
        """Whether ``name`` is an element of the group."""
        return name in self._by_name

    def position(self, name: str) -> int:
        """Where ``name`` sits in schema order; KeyError when it is not an element here."""
        return self.elements.index(self.element(name))

    def fields(
        self, low: int = 1, high: int | None = 1
    ) -> Iterator[tuple[FieldSpec, int, int | None]]:
        """Each element with its effective occurrences: the product of its own and those
        of every enclosing group (an alternative of a choice is optional)."""
        low, high = low * self.min_occurs, _times(high, self.max_occurs)
        if self.kind is GroupKind.CHOICE and len(self.items) > 1:
            low = 0
        for item in self.items:
            if isinstance(item, Group):
                yield from item.fields(low, high)
            else:
                yield item, low * item.min_occurs, _times(high, item.max_occurs)


@dataclass(frozen=True)
class WriteSpec:
    """A write request: its element, what it holds, and what QuickBooks answers with.

    ``body`` is the element whose children a caller's fields name: the ``<Obj>Add`` or
    ``<Obj>Mod`` aggregate, or for the generic TxnVoid, TxnDel and ListDel the request
    itself. ``request_fields`` are the request's children besides the aggregate
    (``IncludeRetElement``). ``identity`` and ``edit_sequence`` say what a Mod names the
    record by; ``types`` are the TxnVoidType/TxnDelType/ListDelType values of a generic
    request. ``lines`` are the repeating children that carry a ``TxnLineID``: in a Mod,
    listing any of them deletes every existing line not listed, so a Mod that sends lines
    must carry every line it keeps (``TxnLineID`` ``-1`` adds one).
    """

    name: str  # ReceivePaymentAdd, TxnVoid
    kind: WriteKind
    object: str | None  # the registry object; None for the generic requests
    body: FieldSpec
    rets: tuple[str, ...] = ()  # the Rs children: ReceivePaymentRet, or TxnVoid's fields
    request_fields: tuple[FieldSpec, ...] = ()
    request_attributes: tuple[str, ...] = ("requestID",)
    identity: str | None = None  # ListID or TxnID, for a Mod, void or delete
    edit_sequence: bool = False
    type_element: str | None = None  # TxnVoidType, TxnDelType or ListDelType
    types: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def request(self) -> str:
        """The request element: ``ReceivePaymentAddRq``."""
        return f"{self.name}Rq"

    @property
    def response(self) -> str:
        """The response element: ``ReceivePaymentAddRs``."""
        return f"{self.name}Rs"

    @property
    def wrapped(self) -> bool:
        """Whether the fields go inside an aggregate (Add, Mod) or straight in the request."""
        return self.body.name != self.request

    @property
    def content(self) -> Group:
        """The content model of the fields."""
        assert self.body.content is not None
        return self.body.content


def _times(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a * b
