"""JSON Schema building blocks, and the schema of a typed report read from its dataclass.

A report the API returns as a frozen dataclass is described once, by its fields:
:func:`schema_of` writes its schema from the type hints, so the document cannot drift from
what the report's ``to_payload()`` writes (one member per field, datetimes as ISO 8601).
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin, get_type_hints

__all__ = [
    "BOOLEAN",
    "DATE",
    "INTEGER",
    "MONEY",
    "NUMBER",
    "N_INTEGER",
    "N_STRING",
    "N_TIMESTAMP",
    "STRING",
    "TIMESTAMP",
    "Schema",
    "nullable",
    "obj",
    "ref",
    "schema_of",
]

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    widened = dict(schema)
    widened["type"] = [schema["type"], "null"]
    if "enum" in schema:
        widened["enum"] = [*schema["enum"], None]
    return widened


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
DATE: Schema = {"type": "string", "format": "date"}
MONEY: Schema = {"type": "string", "pattern": r"^-?\d+\.\d{2,}$"}
N_STRING = nullable(STRING)
N_INTEGER = nullable(INTEGER)
N_TIMESTAMP = nullable(TIMESTAMP)


def obj(properties: dict[str, Schema], description: str = "") -> Schema:
    """An object with exactly these members, all present."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


# Exact types only: bool is not taken for int, nor datetime for date.
_SCALARS: dict[Any, Schema] = {
    str: STRING,
    int: INTEGER,
    float: NUMBER,
    bool: BOOLEAN,
    datetime: TIMESTAMP,
    date: DATE,
}


def schema_of(
    report: type,
    description: str = "",
    *,
    refs: Mapping[type, str] | None = None,
    overrides: Mapping[str, Schema] | None = None,
) -> Schema:
    """The schema of a dataclass: an object with one required member per field.

    Field types map to JSON: ``str``, ``int``, ``float``, ``bool``, ``datetime`` (a
    date-time string), ``date``, ``X | None`` (nullable), ``list[X]`` and ``tuple[X, ...]``
    (arrays), string enums (their values), and nested dataclasses, inline unless ``refs``
    names their component. A field's
    ``metadata["description"]`` describes its member. ``overrides`` gives the schema of a
    field whose type says too little (a dict another view writes); ``| None`` still makes it
    nullable.
    """
    if not is_dataclass(report):
        raise TypeError(f"{report!r} is not a dataclass")
    hints = get_type_hints(report)
    properties: dict[str, Schema] = {}
    for spec in fields(report):
        try:
            hint, optional = _unwrap_optional(hints[spec.name])
            if overrides and spec.name in overrides:
                schema = dict(overrides[spec.name])
            else:
                schema = _schema_of_type(hint, refs or {})
        except TypeError as exc:
            raise TypeError(f"{report.__name__}.{spec.name}: {exc}") from None
        if optional:
            schema = nullable(schema)
        if "description" in spec.metadata:
            schema["description"] = spec.metadata["description"]
        properties[spec.name] = schema
    return obj(properties, description)


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    if get_origin(hint) not in (Union, types.UnionType):
        return hint, False
    members = [arg for arg in get_args(hint) if arg is not type(None)]
    if len(members) != 1:
        raise TypeError(f"{hint!r}: only X | None unions have a schema")
    return members[0], True


def _schema_of_type(hint: Any, refs: Mapping[type, str]) -> Schema:
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    if isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        return {"type": "string", "enum": [member.value for member in hint]}
    origin, args = get_origin(hint), get_args(hint)
    if origin in (list, Sequence) and len(args) == 1:
        return {"type": "array", "items": _schema_of_type(args[0], refs)}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _schema_of_type(args[0], refs)}
    if isinstance(hint, type) and is_dataclass(hint):
        return ref(refs[hint]) if hint in refs else schema_of(hint, refs=refs)
    raise TypeError(f"no JSON schema for {hint!r}")
