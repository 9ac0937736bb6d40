"""The record types the server syncs: one per object of the object registry.

:class:`RecordType` has one member per object of :mod:`qwc_service.qbxml.objects`, so every
object QuickBooks can query can be synced, and leads back to what qbXML says of it: its
query (whether it pages, how it asks for changes since a time) and how its deletions are
read. How a record is stored is not declared here: every record is a whole document in
``records``, read from the object registry. Everything that lists record types (the sync,
the API, the CLI, the admin pages) reads them from here.
"""

from __future__ import annotations

import enum
from dataclasses import replace

from qwc_service.qbxml.objects.registry import all_objects, find_object
from qwc_service.qbxml.objects.specs import Category, ObjectSpec, QuerySpec

__all__ = ["RecordType"]


class RecordType(enum.StrEnum):
    """A kind of QuickBooks object the server syncs: one per object of the registry.

    The value is the registry's plural (``customers``, ``credit_memos``), which is what
    schedules and sync jobs store; the members come in the registry's order (lists, items
    and their kinds, transactions, Company and Preferences), which is the order a full sync
    fetches them in. :attr:`object_spec` leads back to what qbXML says of the object.
    """

    # Derived, not listed: a new object in the registry is a new record type.
    _ignore_ = ["_spec"]
    for _spec in all_objects():
        vars()[_spec.plural.upper()] = _spec.plural

    @classmethod
    def _missing_(cls, value: object) -> RecordType | None:
        # RecordType("CreditMemo") and RecordType("Credit_Memos") find credit_memos too.
        if not isinstance(value, str):
            return None
        try:
            plural = find_object(value).plural
        except KeyError:
            return None
        return next((kind for kind in cls if kind.value == plural), None)

    @classmethod
    def parse(cls, text: str) -> RecordType:
        """The record type ``text`` names: a qbXML name (``CreditMemo``) or a plural
        (``credit_memos``), in any case; ValueError listing the valid names otherwise."""
        try:
            return cls(text)
        except ValueError:
            raise ValueError(
                f"unknown record type {text.strip()!r}; use a qbXML name or its plural: "
                + ", ".join(f"{t.qbxml_name} ({t.value})" for t in cls)
            ) from None

    @property
    def object_spec(self) -> ObjectSpec:
        """What the object registry says of this type."""
        return find_object(self.value)

    @property
    def qbxml_name(self) -> str:
        """The object's name in qbXML (``CreditMemo``, ``ItemInventory``)."""
        return self.object_spec.name

    @property
    def label(self) -> str:
        """What a person calls one record of this type (``Credit memo``)."""
        return self.object_spec.label

    @property
    def category(self) -> Category:
        """List, item kind, transaction or singleton."""
        return self.object_spec.category

    @property
    def pages(self) -> bool:
        """Whether the query reads page by page through an iterator; else in one answer."""
        return self.query.iterator

    @property
    def reads_changes(self) -> bool:
        """Whether the query can ask for changes since a time; else each sync reads all."""
        return bool(self.query.modified_since)

    @property
    def reads_deletions(self) -> bool:
        """Whether QuickBooks reports this type's deletions (ListDeleted/TxnDeletedQuery)."""
        return self.object_spec.deletions is not None

    @property
    def query(self) -> QuerySpec:
        """The query a sync sends: the object's own, an item kind's included.

        The registry reads item kinds through ItemQuery with the others; a kind synced on
        its own asks its own query (``ItemInventoryQueryRq``), whose children are ItemQuery's
        with a class filter among them, so every element a sync sends sits where it does in
        ItemQuery.
        """
        spec = self.object_spec
        if spec.read_through is None:
            return spec.query
        request = f"{spec.name}QueryRq"
        return replace(spec.query, request=request, response=request.removesuffix("Rq") + "Rs")
