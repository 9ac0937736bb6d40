"""Writing the write registry as the Python source of the generated writes catalog module.

A content model used in more than one place (a reference's ListID|FullName, an address, a
line) is written once, as a module constant named after the first element that holds it, so
the module stays small enough to import quickly. ``ruff format`` gives it its final form.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

from qwc_service.qbxml.objects.render import REGENERATE
from qwc_service.qbxml.objects.specs import ValueType
from qwc_service.qbxml.objects.writespecs import FieldSpec, Group, WriteSpec

__all__ = ["render_writes"]

_INDENT = "    "

_HEADER = '''"""The qbXML {version} write requests of the registry's objects, from the schema.

GENERATED from Intuit's qbXML {version} schema (qbxmlops{compact}.xsd and the files it includes)
by qwc_service.qbxml.objects.generate: do not edit. Regenerate with

    {regenerate}

where DIR holds the schema files; ``--check`` tells whether this file is current.
``F`` is :class:`~qwc_service.qbxml.objects.writespecs.FieldSpec`: name, type, minOccurs,
maxOccurs (None: unbounded), then maxLength, enumerated values, content, attributes and an
integer's bounds.
``S`` and ``C`` are a sequence and a choice (:class:`~.writespecs.Group`): minOccurs,
maxOccurs and the items in schema order.
"""

from __future__ import annotations

from qwc_service.qbxml.objects.specs import ValueType
from qwc_service.qbxml.objects.writespecs import FieldSpec as F
from qwc_service.qbxml.objects.writespecs import Group, GroupKind, WriteKind, WriteSpec

__all__ = ["WRITES"]


def S(low: int, high: int | None, *items: F | Group) -> Group:
    """A sequence."""
    return Group(GroupKind.SEQUENCE, low, high, items)


def C(low: int, high: int | None, *items: F | Group) -> Group:
    """A choice."""
    return Group(GroupKind.CHOICE, low, high, items)
'''


def render_writes(writes: tuple[WriteSpec, ...], version: str) -> str:
    """The writes catalog module's source, before ``ruff format``."""
    writer = _Writer(writes)
    header = _HEADER.format(
        version=version, compact=version.replace(".", ""), regenerate=REGENERATE
    )
    specs = "".join(f"{_INDENT}{writer.spec(spec)},\n" for spec in writes)
    body = "\n\n".join(writer.constants)
    return f"{header}\n\n{body}\n\nWRITES: tuple[WriteSpec, ...] = (\n{specs})\n"


class _Writer:
    """Renders specs as Python, collecting the shared content models on the way."""

    def __init__(self, writes: tuple[WriteSpec, ...]) -> None:
        uses: Counter[int] = Counter()
        owners: dict[int, str] = {}
        seen: set[int] = set()
        for spec in writes:
            for field in (spec.body, *spec.request_fields):
                _count(field, uses, owners, seen)
        taken: Counter[str] = Counter()
        self.names: dict[int, str] = {}
        for key, count in uses.items():
            if count > 1:
                base = _constant(owners[key])
                taken[base] += 1
                self.names[key] = base if taken[base] == 1 else f"{base}_{taken[base]}"
        self.constants: list[str] = []
        self.written: set[int] = set()

    def spec(self, spec: WriteSpec) -> str:
        arguments = [f"name={json.dumps(spec.name)}", f"kind=WriteKind.{spec.kind.name}"]
        arguments.append(f"object={json.dumps(spec.object) if spec.object else None}")
        arguments.append(f"body={self.field(spec.body)}")
        arguments.append(f"rets={_strings(spec.rets)}")
        if spec.request_fields:
            fields = ", ".join(self.field(f) for f in spec.request_fields)
            arguments.append(f"request_fields=({fields},)")
        if spec.request_attributes != ("requestID",):
            arguments.append(f"request_attributes={_strings(spec.request_attributes)}")
        if spec.identity:
            arguments.append(f"identity={json.dumps(spec.identity)}")
        if spec.edit_sequence:
            arguments.append("edit_sequence=True")
        if spec.type_element:
            arguments.append(f"type_element={json.dumps(spec.type_element)}")
            arguments.append(f"types={_strings(spec.types)}")
        if spec.lines:
            arguments.append(f"lines={_strings(spec.lines)}")
        return "WriteSpec(" + ", ".join(arguments) + ")"

    def field(self, field: FieldSpec) -> str:
        arguments = [
            json.dumps(field.name),
            f"ValueType.{field.type.name}",
            repr(field.min_occurs),
            repr(field.max_occurs),
        ]
        if field.max_length is not None:
            arguments.append(f"max_length={field.max_length}")
        if field.values:
            arguments.append(f"values={_strings(field.values)}")
        if field.content is not None:
            arguments.append(f"content={self.group(field.content)}")
        if field.attributes:
            arguments.append(f"attributes={_strings(field.attributes)}")
        if field.minimum is not None:
            arguments.append(f"minimum={field.minimum}")
        if field.maximum is not None:
            arguments.append(f"maximum={field.maximum}")
        if field.type is ValueType.AGGREGATE and field.content is None:
            raise ValueError(f"aggregate {field.name} has no content")
        return "F(" + ", ".join(arguments) + ")"

    def group(self, group: Group) -> str:
        name = self.names.get(id(group))
        if name is not None and id(group) in self.written:
            return name
        items = [self.item(item) for item in group.items]
        letter = "S" if group.kind.value == "sequence" else "C"
        source = f"{letter}({group.min_occurs}, {group.max_occurs}, " + ", ".join(items) + ")"
        if name is None:
            return source
        self.written.add(id(group))
        self.constants.append(f"{name} = {source}")
        return name

    def item(self, item: FieldSpec | Group) -> str:
        return self.field(item) if isinstance(item, FieldSpec) else self.group(item)


def _count(field: FieldSpec, uses: Counter[int], owners: dict[int, str], seen: set[int]) -> None:
    """Count where each content model is written: once per element holding it, where the
    holder is itself written out (a shared model's insides are written once)."""
    group = field.content
    if group is None:
        return
    uses[id(group)] += 1
    owners.setdefault(id(group), field.name)
    if id(group) in seen:
        return
    seen.add(id(group))
    for child in _groups_fields(group):
        _count(child, uses, owners, seen)


def _groups_fields(group: Group) -> Iterator[FieldSpec]:
    for item in group.items:
        if isinstance(item, Group):
            yield from _groups_fields(item)
        else:
            yield item


def _strings(values: tuple[str, ...]) -> str:
    items = [json.dumps(value) for value in values]
    if not items:
        return "()"
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _constant(name: str) -> str:
    """``_CUSTOMER_REF`` for ``CustomerRef``, ``_AR_ACCOUNT_REF`` for ``ARAccountRef``."""
    return "_" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()
