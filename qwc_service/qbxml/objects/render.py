"""Writing the registry's facts as the Python source of the generated catalog module.

Element groups several Rets share (a ListRef, an address) are written once, as module
constants named after the schema group they come from, so the module stays readable. The
source is laid out one element to a line; ``ruff format`` gives it its final form.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from qwc_service.qbxml.objects.build import Catalog
from qwc_service.qbxml.objects.specs import ElementSpec, RetSpec

__all__ = ["REGENERATE", "render_catalog"]

REGENERATE = "python -m qwc_service.qbxml.objects.generate --schema-dir DIR"
_INDENT = "    "
_WORDS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

_HEADER = '''"""The qbXML {version} objects the registry covers, and what the schema says of each.

GENERATED from Intuit's qbXML {version} schema (qbxmlops{compact}.xsd and the files it includes)
by qwc_service.qbxml.objects.generate: do not edit. Regenerate with

    {regenerate}

where DIR holds the schema files; ``--check`` tells whether this file is current. Which
objects are covered, and their names and plurals, come from ``names.py``.
``E`` is :class:`~qwc_service.qbxml.objects.specs.ElementSpec`: name, type, minOccurs,
maxOccurs (None: unbounded), then maxLength, enumerated values and child elements.
"""

from __future__ import annotations

from qwc_service.qbxml.objects.specs import (
    Category,
    CollectionRole,
    CollectionSpec,
    DeletionSpec,
    ObjectSpec,
    QuerySpec,
    RetSpec,
    ValueType,
)
from qwc_service.qbxml.objects.specs import ElementSpec as E

__all__ = ["ACTIVE_STATUS_DEFAULT", "OBJECTS", "SCHEMA_VERSION"]

SCHEMA_VERSION = {version!r}
# What a list query returns when it sends no ActiveStatus.
ACTIVE_STATUS_DEFAULT = {active_status!r}
'''


def render_catalog(catalog: Catalog) -> str:
    """The catalog module's source, before ``ruff format``."""
    writer = _Writer(catalog)
    header = _HEADER.format(
        version=catalog.version,
        compact=catalog.version.replace(".", ""),
        regenerate=REGENERATE,
        active_status=catalog.active_status_default,
    )
    objects = writer.expression(catalog.objects, 0)
    body = "\n\n".join(writer.constants)
    return f"{header}\n{body}\n\nOBJECTS: tuple[ObjectSpec, ...] = {objects}\n"


class _Writer:
    """Renders values as Python, collecting the constants they refer to on the way."""

    def __init__(self, catalog: Catalog) -> None:
        # Item's Rets are its kinds' Rets: each is written once, named after its element.
        rets = list({ret.element: ret for spec in catalog.objects for ret in spec.rets}.values())
        self.ret_names = {ret.element: _constant(ret.element) for ret in rets}
        uses = Counter(children for ret in rets for children in _contents(ret.elements))
        taken = Counter(self.ret_names.values())
        self.names: dict[tuple[ElementSpec, ...], str] = {}
        for children, count in uses.items():
            if count > 1:
                base = _constant(catalog.shared_names[children])
                taken[base] += 1
                self.names[children] = base if taken[base] == 1 else f"{base}_{taken[base]}"
        self.constants: list[str] = []
        self.written: set[str] = set()

    def expression(self, value: Any, depth: int) -> str:
        """``value`` as a Python expression, indented for ``depth``."""
        if isinstance(value, RetSpec):
            return self._constant(self.ret_names[value.element], value)
        if isinstance(value, ElementSpec):
            return self._element(value, depth)
        if isinstance(value, tuple):
            if value in self.names:
                return self._constant(self.names[value], value)
            if value and all(isinstance(item, str) for item in value):
                return _strings(value)
            return self._sequence(value, depth)
        if isinstance(value, enum.Enum):
            return f"{type(value).__name__}.{value.name}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._dataclass(value, depth)
        if isinstance(value, str):
            return json.dumps(value)
        return repr(value)

    def _dataclass(self, value: Any, depth: int) -> str:
        arguments = [
            f"{f.name}={self.expression(getattr(value, f.name), depth + 1)}"
            for f in dataclasses.fields(value)
            if getattr(value, f.name) != f.default
        ]
        if any("\n" in argument for argument in arguments):
            return _call(type(value).__name__, arguments, depth)
        return f"{type(value).__name__}({', '.join(arguments)})"

    def _element(self, element: ElementSpec, depth: int) -> str:
        arguments = [
            json.dumps(element.name),
            f"ValueType.{element.type.name}",
            repr(element.min_occurs),
            repr(element.max_occurs),
        ]
        if element.max_length is not None:
            arguments.append(f"max_length={element.max_length}")
        if element.values:
            arguments.append(f"values={_strings(element.values)}")
        if element.children:
            arguments.append(f"children={self.expression(element.children, depth + 1)}")
        if any("\n" in argument for argument in arguments):
            return _call("E", arguments, depth)
        # One line, without a trailing comma, so that ruff format wraps it only if too long.
        return f"E({', '.join(arguments)})"

    def _sequence(self, values: tuple[Any, ...], depth: int) -> str:
        items = [self.expression(value, depth + 1) for value in values]
        if not items:
            return "()"
        inner = _INDENT * (depth + 1)
        return "(\n" + "".join(f"{inner}{item},\n" for item in items) + _INDENT * depth + ")"

    def _constant(self, name: str, value: Any) -> str:
        """Refer to a module constant, writing it first if this is its first use."""
        if name not in self.written:
            self.written.add(name)
            if isinstance(value, RetSpec):
                source = self._dataclass(value, 0)
            else:
                source = self._sequence(value, 0)
            self.constants.append(f"{name} = {source}")
        return name


def _contents(elements: tuple[ElementSpec, ...]) -> Iterator[tuple[ElementSpec, ...]]:
    """Every non-empty children tuple below ``elements``, once per parent element."""
    for element in elements:
        if element.children:
            yield element.children
            yield from _contents(element.children)


def _strings(values: tuple[str, ...]) -> str:
    """A tuple of strings on one line."""
    items = [json.dumps(value) for value in values]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _call(name: str, arguments: list[str], depth: int) -> str:
    inner = _INDENT * (depth + 1)
    return f"{name}(\n" + "".join(f"{inner}{a},\n" for a in arguments) + _INDENT * depth + ")"


def _constant(name: str) -> str:
    """``_ITEM_SERVICE_RET`` for ``ItemServiceRet``, ``_AR_REFUND`` for ``ARRefund``."""
    return "_" + _WORDS.sub("_", name).upper()
