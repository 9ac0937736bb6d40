"""Reading the write registry's facts out of the qbXML schema.

:func:`build_writes` finds, for every object of the registry, the ``<Obj>AddRq`` and
``<Obj>ModRq`` the schema has, plus the generic ``TxnVoidRq``, ``TxnDelRq`` and ``ListDelRq``,
and reads each one's content model as a tree of :class:`~.writespecs.Group`. Named groups and
single-item wrappers are folded away, so the tree has only the sequences and choices that
constrain a request. It refuses a request whose fields a JSON object could not name without
ambiguity (one element name twice in one aggregate, a repeating sequence of several
elements), so a new schema cannot slip through half-read.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from qwc_service.qbxml.objects import names
from qwc_service.qbxml.objects.build import SchemaMismatch
from qwc_service.qbxml.objects.schema import BASE_TYPES, REF_CHILDREN, SchemaReader
from qwc_service.qbxml.objects.specs import ValueType
from qwc_service.qbxml.objects.writespecs import FieldSpec, Group, GroupKind, WriteKind, WriteSpec

__all__ = ["build_writes"]

_XSD = "{http://www.w3.org/2001/XMLSchema}"
_GENERIC = {
    "TxnVoid": (WriteKind.VOID, "TxnID"),
    "TxnDel": (WriteKind.DELETE, "TxnID"),
    "ListDel": (WriteKind.DELETE, "ListID"),
}
_LINE_ID = "TxnLineID"
_RECOVERY = "ErrorRecovery"


def build_writes(reader: SchemaReader) -> tuple[WriteSpec, ...]:
    """Every Add and Mod of a registry object, then TxnVoid, TxnDel and ListDel."""
    return _WriteBuilder(reader).writes()


class _WriteBuilder:
    def __init__(self, reader: SchemaReader) -> None:
        self.reader = reader
        # One content model per declaration, so shared sub-trees are one object.
        self.models: dict[Any, Group] = {}

    def writes(self) -> tuple[WriteSpec, ...]:
        requests = set(self.reader.message_names("Rq"))
        specs: list[WriteSpec] = []
        for name in names.NAMES:
            for kind in (WriteKind.ADD, WriteKind.MOD):
                suffix = "Add" if kind is WriteKind.ADD else "Mod"
                if f"{name}{suffix}Rq" in requests:
                    specs.append(self._object_write(name, kind, f"{name}{suffix}"))
        specs.extend(self._generic(name) for name in _GENERIC)
        return tuple(specs)

    def _object_write(self, obj: str, kind: WriteKind, name: str) -> WriteSpec:
        request = self.reader.message(f"{name}Rq")
        content = self._content(request, f"{name}Rq")
        top = content.elements
        if not top or top[0].name != name:
            raise SchemaMismatch(f"{name}Rq does not start with {name}")
        body = top[0]
        assert body.content is not None
        identity = None
        if kind is WriteKind.MOD:
            identity = next((k for k in ("ListID", "TxnID") if body.content.has(k)), None)
        return WriteSpec(
            name=name,
            kind=kind,
            object=obj,
            body=body,
            rets=self._rets(name),
            request_fields=top[1:],
            request_attributes=self.reader.attributes(request),
            identity=identity,
            edit_sequence=body.content.has("EditSequence"),
            lines=_lines(body) if kind is WriteKind.MOD else (),
        )

    def _generic(self, name: str) -> WriteSpec:
        kind, identity = _GENERIC[name]
        request = self.reader.message(f"{name}Rq")
        content = self._content(request, f"{name}Rq")
        type_field = content.elements[0]
        body = FieldSpec(f"{name}Rq", ValueType.AGGREGATE, content=content)
        return WriteSpec(
            name=name,
            kind=kind,
            object=None,
            body=body,
            rets=self._rets(name),
            request_attributes=self.reader.attributes(request),
            identity=identity,
            type_element=type_field.name,
            types=type_field.values,
        )

    def _rets(self, name: str) -> tuple[str, ...]:
        response = self.reader.message(f"{name}Rs")
        return tuple(p.name for p in self.reader.children(response) if p.name != _RECOVERY)

    def _content(self, declaration: Any, where: str) -> Group:
        if declaration not in self.models:
            complex_type = self.reader.complex_type(declaration)
            if complex_type is None:
                raise SchemaMismatch(f"{where} holds no elements")
            nodes = [n for n in complex_type.iterchildren(tag=etree.Element) if _is_particle(n)]
            items = tuple(i for n in nodes for i in self._items(n, where))
            model = _sequence(items)
            _check_names(model, where)
            self.models[declaration] = model
        return self.models[declaration]

    def _items(self, node: Any, where: str) -> tuple[FieldSpec | Group, ...]:
        """A particle as the items it contributes to the enclosing sequence."""
        local = etree.QName(node).localname
        low, high = _occurs(node)
        if high == 0:
            return ()
        if local == "element":
            return (self._field(node, low, high, where),)
        if local == "group":
            inner = [n for n in self.reader.groups[node.get("ref")].iterchildren(tag=etree.Element)]
            items = tuple(i for n in inner if _is_particle(n) for i in self._items(n, where))
            return _wrapped(GroupKind.SEQUENCE, low, high, items)
        if local in ("sequence", "choice"):
            kind = GroupKind.SEQUENCE if local == "sequence" else GroupKind.CHOICE
            parts = [n for n in node.iterchildren(tag=etree.Element) if _is_particle(n)]
            if kind is GroupKind.SEQUENCE:
                items = tuple(i for n in parts for i in self._items(n, where))
                return _wrapped(kind, low, high, items)
            alternatives = tuple(_sequence(self._items(n, where)) for n in parts)
            alternatives = tuple(a for a in alternatives if a.items)
            if len(alternatives) == 1:
                return _wrapped(GroupKind.SEQUENCE, low, high, alternatives[0].items)
            return (Group(kind, low, high, tuple(_unwrap(a) for a in alternatives)),)
        raise SchemaMismatch(f"unsupported XSD construct <{local}> at line {node.sourceline}")

    def _field(self, node: Any, low: int, high: int | None, where: str) -> FieldSpec:
        ref = node.get("ref")
        declaration = self.reader.elements[ref] if ref else node
        name = ref or node.get("name")
        attributes = self.reader.attributes(declaration)
        if self.reader.is_leaf(declaration):
            facts = self.reader.simple_facts(declaration)
            value_type = BASE_TYPES[facts.base]
            if facts.values and value_type is ValueType.TEXT:
                value_type = ValueType.ENUM
            minimum, maximum = self._bounds(declaration)
            return FieldSpec(
                name,
                value_type,
                low,
                high,
                facts.max_length,
                facts.values,
                None,
                attributes,
                minimum,
                maximum,
            )
        content = self._content(declaration, f"{where}/{name}")
        is_ref = {f.name for f in content.elements} == REF_CHILDREN
        value_type = ValueType.REF if is_ref else ValueType.AGGREGATE
        return FieldSpec(name, value_type, low, high, content=content, attributes=attributes)

    def _bounds(self, declaration: Any) -> tuple[int | None, int | None]:
        """The minInclusive and maxInclusive of a leaf's type, through its base types."""
        node = declaration.find(f"{_XSD}simpleType")
        if node is None:
            node = self.reader.simple_types.get(declaration.get("type"))
        low: int | None = None
        high: int | None = None
        # The nearest restriction that sets a bound wins, as in XML Schema.
        while node is not None and (restriction := node.find(f"{_XSD}restriction")) is not None:
            low = low if low is not None else _facet(restriction, "minInclusive")
            high = high if high is not None else _facet(restriction, "maxInclusive")
            node = self.reader.simple_types.get(restriction.get("base"))
        return low, high


def _facet(restriction: Any, name: str) -> int | None:
    found = restriction.find(f"{_XSD}{name}")
    return None if found is None else int(found.get("value"))


def _is_particle(node: Any) -> bool:
    return etree.QName(node).localname in ("element", "group", "sequence", "choice")


def _occurs(node: Any) -> tuple[int, int | None]:
    high = node.get("maxOccurs", "1")
    return int(node.get("minOccurs", "1")), None if high == "unbounded" else int(high)


def _sequence(items: tuple[FieldSpec | Group, ...]) -> Group:
    return Group(GroupKind.SEQUENCE, 1, 1, items)


def _wrapped(
    kind: GroupKind, low: int, high: int | None, items: tuple[FieldSpec | Group, ...]
) -> tuple[FieldSpec | Group, ...]:
    """Items spliced into the enclosing sequence when the group adds no constraint."""
    if (low, high) == (1, 1):
        return items
    if len(items) == 1 and isinstance(items[0], FieldSpec) and high is not None:
        field = items[0]
        # An optional wrapper around one element: the element is optional.
        if high == 1 and field.max_occurs is not None:
            return (_with_occurs(field, low * field.min_occurs, field.max_occurs),)
    return (Group(kind, low, high, items),)


def _unwrap(group: Group) -> FieldSpec | Group:
    """A one-element alternative as the element itself."""
    if len(group.items) == 1 and (group.min_occurs, group.max_occurs) == (1, 1):
        return group.items[0]
    return group


def _with_occurs(field: FieldSpec, low: int, high: int | None) -> FieldSpec:
    return FieldSpec(
        field.name,
        field.type,
        low,
        high,
        field.max_length,
        field.values,
        field.content,
        field.attributes,
        field.minimum,
        field.maximum,
    )


def _check_names(model: Group, where: str) -> None:
    """Each element name once per aggregate, and no repeating run of several elements:
    either would make a JSON object's fields ambiguous."""
    seen: set[str] = set()
    for field in model.elements:
        if field.name in seen:
            raise SchemaMismatch(f"{where} has two child elements called {field.name}")
        seen.add(field.name)
    stack: list[Group] = [model]
    while stack:
        group = stack.pop()
        inner = [i for i in group.items if isinstance(i, Group)]
        if group.repeats and group.kind is GroupKind.SEQUENCE and len(group.items) > 1:
            raise SchemaMismatch(f"{where} repeats a sequence of several elements")
        if group.repeats and inner:
            raise SchemaMismatch(f"{where} repeats a group holding groups")
        stack.extend(inner)


def _lines(body: FieldSpec) -> tuple[str, ...]:
    """The repeating lines of a Mod: children named for lines that carry a TxnLineID
    (SetCredit has one too, but names a credit, not a line of this transaction)."""
    assert body.content is not None
    return tuple(
        field.name
        for field, _, high in body.content.fields()
        if (high is None or high > 1)
        and "Line" in field.name
        and field.content is not None
        and field.content.has(_LINE_ID)
    )
