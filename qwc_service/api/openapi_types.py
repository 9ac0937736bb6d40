"""The OpenAPI document's view of records by type: one schema and one path per object.

The router answers every type through one route, ``…/records/{record_type}``. A client
generator, though, makes typed models only from typed operations, so the document also
lists each type's own paths (``…/records/invoices`` and ``…/records/invoices/{record_id}``),
copied from the generic operations with the type filled in and the replies narrowed to that
type: ``InvoiceRecord`` is a ``Record`` whose ``type`` is ``Invoice`` and whose ``data`` is an
``InvoiceDocument``, and ``InvoiceRecordPage`` a page of them. An ``ItemRecord`` is the
record of one of the item kinds, which its ``type`` names. The document schemas come from
the object registry (:mod:`qwc_service.qbxml.objects.documents`).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from qwc_service.api.schemas_from import Schema, ref
from qwc_service.qbxml.objects.documents import OPENAPI_BASE, document_name, document_schemas
from qwc_service.qbxml.objects.registry import all_objects, object_named
from qwc_service.qbxml.objects.specs import ObjectSpec

__all__ = ["RECORD_TYPE_PARAMETER", "record_name", "typed_components", "typed_paths"]

#: The path parameter the generic records routes take the type in.
RECORD_TYPE_PARAMETER = "record_type"
# Schedules take a record type too, but answer the same schema for every type.
_RECORDS = "/records/{" + RECORD_TYPE_PARAMETER + "}"
_GENERIC = ("Record", "RecordPage")


def record_name(spec: ObjectSpec) -> str:
    """The component of one stored record of a type: ``InvoiceRecord``."""
    return f"{spec.name}Record"


def _typed(generic: str, spec: ObjectSpec) -> str:
    return f"{spec.name}{generic}"


@cache
def typed_components() -> dict[str, Schema]:
    """The document schema of every object and the shared groups they use, then each type's
    record; built once. Do not change them."""
    schemas: dict[str, Schema] = dict(document_schemas(OPENAPI_BASE))
    for spec in all_objects():
        if spec.kinds:
            # A stored item is of one kind, which its type names: the record of that kind.
            schemas[record_name(spec)] = {
                "description": "A stored item record: the record of one of its kinds.",
                "anyOf": [ref(record_name(object_named(kind))) for kind in spec.kinds],
            }
            continue
        schemas[record_name(spec)] = {
            "description": f"A stored {spec.label.lower()} record, its document typed.",
            "allOf": [
                ref("Record"),
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": spec.name},
                        "data": ref(document_name(spec)),
                    },
                },
            ],
        }
    return schemas


def typed_pages(generic_page: Schema) -> dict[str, Schema]:
    """Each type's page (``InvoiceRecordPage``): the generic page with its records typed."""
    pages: dict[str, Schema] = {}
    for spec in all_objects():
        page = _retarget(generic_page, {"Record": record_name(spec)})
        page["description"] = f"A page of stored {spec.label.lower()} records in row order."
        pages[_typed("RecordPage", spec)] = page
    return pages


def typed_paths(paths: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One path item per type for each generic records path (``…/records/{record_type}…``)
    of ``paths``.

    Each operation loses its ``record_type`` parameter, gains the type in its operationId
    and summary, and answers with the type's record or page instead of the generic one.
    """
    typed: dict[str, dict[str, Any]] = {}
    for path, item in paths.items():
        if _RECORDS not in path:
            continue
        for spec in all_objects():
            targets = {name: _typed(name, spec) for name in _GENERIC}
            typed_item: dict[str, Any] = {}
            for method, generic in item.items():
                operation = _retarget(generic, targets)
                operation["operationId"] = f"{generic['operationId']}_{spec.plural}"
                operation["summary"] = f"{generic['summary']}: {spec.label.lower()}"
                operation["parameters"] = [
                    p for p in generic["parameters"] if p["name"] != RECORD_TYPE_PARAMETER
                ]
                typed_item[method] = operation
            typed[path.replace(_RECORDS, f"/records/{spec.plural}")] = typed_item
    return typed


def _retarget(node: Any, targets: dict[str, str]) -> Any:
    """A deep copy of ``node`` with each ``$ref`` to a component in ``targets`` moved to its
    target."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith(OPENAPI_BASE):
            target = targets.get(reference.removeprefix(OPENAPI_BASE))
            if target is not None:
                return {**copy.deepcopy(node), "$ref": OPENAPI_BASE + target}
        return {key: _retarget(value, targets) for key, value in node.items()}
    if isinstance(node, list):
        return [_retarget(value, targets) for value in node]
    return node
