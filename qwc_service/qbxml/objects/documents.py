"""JSON Schemas of the documents records are stored as, one per object, from the registry.

A stored record's document holds its ``…Ret`` as QuickBooks sent it: each element under its
qbXML name, an aggregate as an object, an element that may repeat in its parent as a list
(even of one), and every leaf as its text exactly as sent, so amounts stay decimal strings.
Elements the schema does not know are kept as sent, so every object allows more members.

Element groups several ``…Ret`` elements share (a ListRef, an address, ``DataExtRet``) are
one named schema each, referred to with ``$ref``: :func:`document_schemas` returns them
beside the documents, ready to be a document's ``$defs`` or an OpenAPI document's
components. The leaves follow the qbXML types' own patterns, which allow an empty value
where Intuit's schema does.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from qwc_service.qbxml.objects import catalog
from qwc_service.qbxml.objects.registry import all_objects, find_object, object_named
from qwc_service.qbxml.objects.specs import ElementSpec, ObjectSpec, RetSpec, ValueType

__all__ = [
    "LEAF_SCHEMAS",
    "OPENAPI_BASE",
    "document_name",
    "document_schema",
    "document_schemas",
]

Schema = dict[str, Any]

#: Where components live in an OpenAPI document.
OPENAPI_BASE = "#/components/schemas/"
_DEFS_BASE = "#/$defs/"

_DECIMAL_10_5 = r"^([+-]?[0-9]{1,10}(\.[0-9]{1,5})?)?$"

#: Each leaf type as a string schema: the qbXML type's pattern, anchored (XSD patterns are).
LEAF_SCHEMAS: dict[ValueType, Schema] = {
    ValueType.TEXT: {"type": "string"},
    ValueType.ID: {"type": "string"},
    ValueType.AMOUNT: {"type": "string", "pattern": r"^([+-]?[0-9]{1,13}(\.[0-9]{2})?)?$"},
    ValueType.PRICE: {"type": "string", "pattern": _DECIMAL_10_5},
    ValueType.QUANTITY: {"type": "string", "pattern": _DECIMAL_10_5},
    ValueType.PERCENT: {"type": "string", "pattern": _DECIMAL_10_5},
    ValueType.FLOAT: {"type": "string", "pattern": r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))?$"},
    ValueType.INT: {"type": "string", "pattern": r"^[+-]?[0-9]+$"},
    ValueType.BOOLEAN: {"type": "string", "pattern": r"^(true|false|1|0)?$"},
    ValueType.DATE: {
        "type": "string",
        "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?)?$",
    },
    ValueType.DATETIME: {
        "type": "string",
        "pattern": r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2}"
        r"([+-][0-9]{1,2}:[0-9]{1,2})?)?)?)?)?$",
    },
    ValueType.DURATION: {
        "type": "string",
        "pattern": r"^([+-]?PT([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$",
    },
    ValueType.GUID: {
        "type": "string",
        "pattern": r"^(0|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\})$",
    },
    ValueType.ENUM: {"type": "string"},
}

_WORDS = re.compile(r"_([A-Z0-9]+)")


def document_name(spec: ObjectSpec) -> str:
    """The name of an object's document schema: ``InvoiceDocument``."""
    return f"{spec.name}Document"


@cache
def _group_names() -> dict[tuple[ElementSpec, ...], str]:
    """The element groups the catalog writes once and shares, by their children.

    The generator writes a group used by more than one ``…Ret`` as a module constant named
    after its schema group (``_GENERIC_LIST_REF``); those are the shared schemas, named in
    CamelCase (``GenericListRef``).
    """
    names: dict[tuple[ElementSpec, ...], str] = {}
    for constant, value in vars(catalog).items():
        if (
            constant.startswith("_")
            and isinstance(value, tuple)
            and value
            and all(isinstance(item, ElementSpec) for item in value)
        ):
            names.setdefault(value, _WORDS.sub(lambda m: m[1].capitalize(), constant))
    return names


class _Writer:
    """Writes schemas, collecting the shared groups they refer to."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.groups: dict[str, Schema] = {}

    def ref(self, name: str) -> Schema:
        return {"$ref": f"{self.base}{name}"}

    def children(self, elements: tuple[ElementSpec, ...]) -> Schema:
        """The object holding ``elements``: a reference when they are a shared group."""
        name = _group_names().get(elements)
        if name is None:
            return self.aggregate(elements)
        if name not in self.groups:
            self.groups[name] = self.aggregate(elements)
        return self.ref(name)

    def aggregate(self, elements: tuple[ElementSpec, ...], description: str = "") -> Schema:
        schema: Schema = {"type": "object"}
        if description:
            schema["description"] = description
        schema["properties"] = {element.name: self.element(element) for element in elements}
        required = [element.name for element in elements if element.min_occurs > 0]
        if required:
            schema["required"] = required
        # Elements the schema does not know are stored as sent.
        schema["additionalProperties"] = True
        return schema

    def element(self, element: ElementSpec) -> Schema:
        if element.type.is_leaf:
            schema = dict(LEAF_SCHEMAS[element.type])
            if element.max_length is not None:
                schema["maxLength"] = element.max_length
            if element.values:
                schema["enum"] = list(element.values)
        else:
            schema = self.children(element.children)
        if not element.repeats:
            return schema
        array: Schema = {"type": "array", "items": schema}
        if element.min_occurs > 1:
            array["minItems"] = element.min_occurs
        if element.max_occurs is not None:
            array["maxItems"] = element.max_occurs
        return array

    def ret(self, spec: ObjectSpec, ret: RetSpec) -> Schema:
        schema = self.aggregate(
            ret.elements,
            f"{spec.label}: the {ret.element} QuickBooks returned, whole. Leaves are strings "
            "exactly as sent; elements that may repeat are lists; unknown elements are kept.",
        )
        return {"title": document_name(spec), **schema}


def _documents(writer: _Writer) -> dict[str, Schema]:
    documents: dict[str, Schema] = {}
    for spec in all_objects():
        if spec.kinds:
            # A document matches every kind whose elements it happens to use, so anyOf.
            documents[document_name(spec)] = {
                "title": document_name(spec),
                "description": f"{spec.label}: the document of one of its kinds.",
                "anyOf": [writer.ref(document_name(object_named(kind))) for kind in spec.kinds],
            }
        else:
            documents[document_name(spec)] = writer.ret(spec, spec.ret)
    return documents


@cache
def _all(base: str) -> dict[str, Schema]:
    writer = _Writer(base)
    documents = _documents(writer)
    clash = set(documents) & set(writer.groups)
    if clash:  # the names come from the schema: a clash is a generator change to make
        raise ValueError(f"document and group schemas share names: {sorted(clash)}")
    return {**dict(sorted(writer.groups.items())), **documents}


def document_schemas(base: str = OPENAPI_BASE) -> dict[str, Schema]:
    """Every object's document schema (``InvoiceDocument``) and the shared groups they use
    (``GenericListRef``), by name, with references under ``base``. Do not change them: they
    are built once."""
    return _all(base)


def document_schema(name: str) -> Schema:
    """One object's document schema, standalone (JSON Schema 2020-12, shared groups under
    ``$defs``); ``name`` as :func:`~qwc_service.qbxml.objects.registry.find_object` takes it."""
    spec = find_object(name)
    schemas = _all(_DEFS_BASE)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schemas[document_name(spec)],
        "$defs": {key: value for key, value in schemas.items() if key != document_name(spec)},
    }
