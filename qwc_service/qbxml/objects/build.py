"""Reading the object registry's facts out of the qbXML schema.

:func:`build_catalog` turns the XSD (through :class:`~.schema.SchemaReader`) and the choices
of :mod:`~.names` into :class:`~.specs.ObjectSpec` values. It refuses a schema whose shape
breaks what the registry promises (an element named twice at one level of a Ret, a query
neither covered nor left out, an item kind without a name), so a new schema cannot slip
through half-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from qwc_service.qbxml.objects import names
from qwc_service.qbxml.objects.schema import BASE_TYPES, REF_CHILDREN, Particle, SchemaReader
from qwc_service.qbxml.objects.specs import (
    Category,
    CollectionRole,
    CollectionSpec,
    DeletionSpec,
    ElementSpec,
    ObjectSpec,
    QuerySpec,
    RetSpec,
    ValueType,
)

__all__ = ["Catalog", "SchemaMismatch", "build_catalog"]

_LINES = re.compile(r"Line|AppliedToTxn")
_CUSTOM_FIELDS = "DataExtRet"
_DELETED_QUERIES = ("ListDeletedQueryRq", "TxnDeletedQueryRq")
_ITEM_QUERY = f"{names.ITEM}QueryRq"


class SchemaMismatch(ValueError):
    """The schema does not have the shape the registry is built on."""


@dataclass(frozen=True)
class Catalog:
    """The registry's facts, and names for the element groups its Rets share."""

    version: str
    objects: tuple[ObjectSpec, ...]
    active_status_default: str | None
    # Children tuples and the schema group (or element) they first came from.
    shared_names: dict[tuple[ElementSpec, ...], str] = field(default_factory=dict)


def build_catalog(reader: SchemaReader) -> Catalog:
    """Every object of :data:`~.names.NAMES`, read from the schema."""
    return _Builder(reader).catalog()


class _Builder:
    def __init__(self, reader: SchemaReader) -> None:
        self.reader = reader
        self.content: dict[Any, tuple[ElementSpec, ...]] = {}
        self.shared_names: dict[tuple[ElementSpec, ...], str] = {}
        # One RetSpec per element: Item and each of its kinds share theirs.
        self.rets: dict[str, RetSpec] = {}
        self.kinds = tuple(
            p.name.removesuffix("Ret") for p in reader.children(reader.message("ItemQueryRs"))
        )
        self.deleted = {request: self._deleted_query(request) for request in _DELETED_QUERIES}

    def catalog(self) -> Catalog:
        self._check_coverage()
        missing = [kind for kind in self.kinds if kind not in names.NAMES]
        if missing:
            raise SchemaMismatch(f"ItemQueryRs returns kinds names.py does not name: {missing}")
        objects = tuple(self._object(name) for name in names.NAMES)
        active_status = self.reader.default(self.reader.element("ActiveStatus"))
        return Catalog(self.reader.version, objects, active_status, dict(self.shared_names))

    def _check_coverage(self) -> None:
        """Every query of the schema is read, aggregates others, or is left out with a reason."""
        queries = {n for n in self.reader.message_names("Rq") if n.endswith("QueryRq")}
        # An item kind's own query counts as covered: the registry reads kinds via ItemQuery.
        covered = {f"{name}QueryRq" for name in names.NAMES}
        known = covered | names.AGGREGATE_QUERIES.keys() | names.LEFT_OUT.keys()
        unknown = sorted(queries - known)
        stale = sorted(known - queries)
        if unknown or stale:
            raise SchemaMismatch(
                f"queries neither covered nor left out: {unknown}; "
                f"named in names.py but not in the schema: {stale}"
            )

    def _object(self, name: str) -> ObjectSpec:
        label, plural = names.NAMES[name]
        is_kind = name in self.kinds
        request = _ITEM_QUERY if is_kind else f"{name}QueryRq"
        query = self._query(request)
        members = self.kinds if name == names.ITEM else (name,)
        returned = self.reader.children(self.reader.message(query.response))
        rets = tuple(self._ret(f"{member}Ret", returned, query.response) for member in members)
        identity = _shared(name, rets, _identity)
        single = all(p.max_occurs == 1 for p in returned)
        category = _category(name, is_kind, identity, single)
        return ObjectSpec(
            name=name,
            label=label,
            plural=plural,
            category=category,
            identity=identity,
            edit_sequence=_shared(name, rets, lambda r: r.has("EditSequence")),
            time_modified=_shared(name, rets, lambda r: r.has("TimeModified")),
            custom_fields=query.owner_id and _shared(name, rets, lambda r: r.has(_CUSTOM_FIELDS)),
            query=query,
            rets=rets,
            deletions=self._deletions(members),
            read_through=names.ITEM if is_kind else None,
            kinds=self.kinds if name == names.ITEM else (),
        )

    def _query(self, request: str) -> QuerySpec:
        declaration = self.reader.message(request)
        particles = self.reader.children(declaration)
        elements = _unique_names(particles, request)
        return QuerySpec(
            request=request,
            response=request.removesuffix("Rq") + "Rs",
            elements=elements,
            iterator="iterator" in self.reader.attributes(declaration),
            modified_since=self._modified_since(particles),
        )

    def _modified_since(self, particles: list[Particle]) -> tuple[str, ...]:
        """The path to FromModifiedDate: a child of the query, or of one of its filters."""
        for particle in particles:
            if particle.name == "FromModifiedDate":
                return (particle.name,)
        for particle in particles:
            inner = self.reader.children(particle.declaration)
            if any(p.name == "FromModifiedDate" for p in inner):
                return (particle.name, "FromModifiedDate")
        return ()

    def _deleted_query(self, request: str) -> tuple[str, tuple[str, ...], str]:
        """A deletions query's type element, the values it takes, and its Ret."""
        first = self.reader.children(self.reader.message(request))[0]
        values = self.reader.simple_facts(first.declaration).values
        response = self.reader.message(request.removesuffix("Rq") + "Rs")
        ret = self.reader.children(response)[0].name
        return first.name, values, ret

    def _deletions(self, members: tuple[str, ...]) -> DeletionSpec | None:
        for request, (type_element, values, ret) in self.deleted.items():
            if all(member in values for member in members):
                return DeletionSpec(request, type_element, members, ret)
        return None

    def _ret(self, element: str, returned: list[Particle], response: str) -> RetSpec:
        particle = next((p for p in returned if p.name == element), None)
        if particle is None:
            raise SchemaMismatch(f"{response} returns no {element}")
        children = self.reader.children(particle.declaration)
        elements = self._children(particle.declaration, element)
        return self.rets.setdefault(
            element, RetSpec(element, elements, _collections(children, elements))
        )

    def _children(self, declaration: Any, where: str) -> tuple[ElementSpec, ...]:
        # Keyed by the declaration itself: holding it keeps lxml's proxy (and its identity).
        if declaration not in self.content:
            particles = self.reader.children(declaration)
            _unique_names(particles, where)
            built = tuple(self._element(p, f"{where}/{p.name}") for p in particles)
            self.content[declaration] = built
            self.shared_names.setdefault(built, _content_name(self.reader, declaration))
        return self.content[declaration]

    def _element(self, particle: Particle, where: str) -> ElementSpec:
        declaration = particle.declaration
        if self.reader.is_leaf(declaration):
            facts = self.reader.simple_facts(declaration)
            value_type = BASE_TYPES[facts.base]
            if facts.values and value_type is ValueType.TEXT:
                value_type = ValueType.ENUM
            return ElementSpec(
                particle.name,
                value_type,
                particle.min_occurs,
                particle.max_occurs,
                max_length=facts.max_length,
                values=facts.values,
            )
        children = self._children(declaration, where)
        is_ref = {c.name for c in children} == REF_CHILDREN
        return ElementSpec(
            particle.name,
            ValueType.REF if is_ref else ValueType.AGGREGATE,
            particle.min_occurs,
            particle.max_occurs,
            children=children,
        )


def _unique_names(particles: list[Particle], where: str) -> tuple[str, ...]:
    """The particles' names in order; SchemaMismatch if a name comes twice."""
    seen: list[str] = []
    for particle in particles:
        if particle.name in seen:
            raise SchemaMismatch(f"{where} has two child elements called {particle.name}")
        seen.append(particle.name)
    return tuple(seen)


def _collections(
    particles: list[Particle], elements: tuple[ElementSpec, ...]
) -> tuple[CollectionSpec, ...]:
    """The repeating children of a Ret; repeating alternatives of one choice go together."""
    groups: dict[object, list[str]] = {}
    for particle, element in zip(particles, elements, strict=True):
        if element.repeats:
            key = element.name if particle.choice is None else particle.choice
            groups.setdefault(key, []).append(element.name)
    return tuple(CollectionSpec(tuple(group), _role(group)) for group in groups.values())


def _role(group: list[str]) -> CollectionRole:
    if group == [_CUSTOM_FIELDS]:
        return CollectionRole.CUSTOM_FIELDS
    if any(_LINES.search(name) for name in group):
        return CollectionRole.LINES
    return CollectionRole.CHILDREN


def _identity(ret: RetSpec) -> str | None:
    return next((key for key in ("ListID", "TxnID") if ret.has(key)), None)


def _shared(name: str, rets: tuple[RetSpec, ...], fact: Any) -> Any:
    """A fact every Ret of an object agrees on; SchemaMismatch when they differ."""
    found = {fact(ret) for ret in rets}
    if len(found) != 1:
        raise SchemaMismatch(f"the Ret elements of {name} disagree: {sorted(map(str, found))}")
    return found.pop()


def _category(name: str, is_kind: bool, identity: str | None, single: bool) -> Category:
    if is_kind:
        return Category.ITEM_KIND
    if single and identity is None:
        return Category.SINGLETON
    if single or identity is None:
        raise SchemaMismatch(f"{name} has identity {identity} but single={single}")
    return Category.TRANSACTION if identity == "TxnID" else Category.LIST


def _content_name(reader: SchemaReader, declaration: Any) -> str:
    """A name for an element's children: the one group they all come from, else the element's."""
    node = reader.complex_type(declaration)
    # Down through the single sequence (or group) the content is wrapped in, if it is.
    while node is not None:
        inner = list(node.iterchildren(tag=etree.Element))
        if len(inner) != 1:
            break
        node = inner[0]
        if etree.QName(node).localname == "group":
            return str(node.get("ref"))
    return str(declaration.get("name"))
