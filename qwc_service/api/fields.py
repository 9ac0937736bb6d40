"""Declared inputs: one definition per field gives both its JSON Schema and its check.

Body fields, query parameters and path parameters are all :class:`Field` values, so the
OpenAPI document states exactly what the server enforces. A check that fails raises a 400
naming the field (a path parameter that does not parse is a 404: no such resource).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from qwc_service.http.errors import invalid

Kind = Literal["string", "integer", "boolean", "date", "timestamp", "object", "array"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Field:
    """One named input with its type and limits.

    ``date`` is ``YYYY-MM-DD`` and becomes a :class:`~datetime.date`; ``timestamp`` is an
    RFC 3339 date-time with an offset and becomes an aware :class:`~datetime.datetime`.
    """

    name: str
    kind: Kind
    description: str
    required: bool = False
    nullable: bool = False
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    default: Any = None

    def schema(self) -> dict[str, Any]:
        """The field as JSON Schema (2020-12, as OpenAPI 3.1 uses it)."""
        base: dict[str, Any]
        if self.kind == "date":
            base = {"type": "string", "format": "date"}
        elif self.kind == "timestamp":
            base = {"type": "string", "format": "date-time"}
        else:
            base = {"type": self.kind}
        for key, value in (
            ("minimum", self.minimum),
            ("maximum", self.maximum),
            ("minLength", self.min_length),
            ("maxLength", self.max_length),
            ("pattern", self.pattern),
            ("default", self.default),
        ):
            if value is not None:
                base[key] = value
        if self.enum is not None:
            base["enum"] = list(self.enum)
        if self.nullable:
            base["type"] = [base["type"], "null"]
            if "enum" in base:
                base["enum"] = [*base["enum"], None]
        base["description"] = self.description
        return base

    def check(self, value: Any) -> Any:
        """The value converted to Python, or a 400 naming this field."""
        if value is None:
            if self.nullable:
                return None
            raise invalid(self.name, f"{self.name} must not be null")
        if self.kind == "boolean":
            if not isinstance(value, bool):
                raise invalid(self.name, f"{self.name} must be true or false")
            return value
        if self.kind == "integer":
            return self._integer(value)
        if self.kind == "object":
            if not isinstance(value, dict):
                raise invalid(self.name, f"{self.name} must be a JSON object")
            return value
        if self.kind == "array":
            if not isinstance(value, list):
                raise invalid(self.name, f"{self.name} must be a JSON array")
            return value
        if not isinstance(value, str):
            raise invalid(self.name, f"{self.name} must be a string")
        return self._text(value)

    def parse(self, text: str) -> Any:
        """A query or path parameter's text, converted and checked."""
        if self.kind == "integer":
            if not re.fullmatch(r"-?\d{1,18}", text.strip()):
                raise invalid(self.name, f"{self.name} must be an integer")
            return self.check(int(text))
        if self.kind == "boolean":
            if text.lower() not in ("true", "false"):
                raise invalid(self.name, f"{self.name} must be true or false")
            return text.lower() == "true"
        return self.check(text)

    def _integer(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(self.name, f"{self.name} must be an integer")
        if self.minimum is not None and value < self.minimum:
            raise invalid(self.name, f"{self.name} must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise invalid(self.name, f"{self.name} must be at most {self.maximum}")
        return value

    def _text(self, value: str) -> Any:
        if self.min_length is not None and len(value) < self.min_length:
            raise invalid(
                self.name, f"{self.name} must have at least {self.min_length} character(s)"
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise invalid(self.name, f"{self.name} must have at most {self.max_length} characters")
        if self.enum is not None and value not in self.enum:
            raise invalid(self.name, f"{self.name} must be one of {', '.join(self.enum)}")
        if self.pattern is not None and not re.search(self.pattern, value):
            raise invalid(self.name, f"{self.name} is not in the expected form")
        if self.kind == "date":
            return self._date(value)
        if self.kind == "timestamp":
            return self._timestamp(value)
        return value

    def _date(self, value: str) -> date:
        try:
            if not _DATE.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise invalid(self.name, f"{self.name} must be a date as YYYY-MM-DD") from None

    def _timestamp(self, value: str) -> datetime:
        try:
            if not _TIMESTAMP.match(value):
                raise ValueError
            return datetime.fromisoformat(value)
        except ValueError:
            raise invalid(
                self.name,
                f"{self.name} must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z",
            ) from None


def object_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    """A JSON object made of ``fields``; other members are refused."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: f.schema() for f in fields},
        "additionalProperties": False,
    }
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def check_object(fields: tuple[Field, ...], data: Any) -> dict[str, Any]:
    """A JSON body checked against ``fields``: unknown members, missing ones, bad values.

    The result holds the fields given, and absent ones that have a default; an absent
    field without one is left out, so a handler can tell "not given" from null.
    """
    if not isinstance(data, dict):
        raise invalid("body", "the request body must be a JSON object", code="invalid_body")
    known = {f.name: f for f in fields}
    for name in data:
        if name not in known:
            raise invalid(name, f"unknown field {name!r}", code="unknown_field")
    checked: dict[str, Any] = {}
    for f in fields:
        if f.name in data:
            checked[f.name] = f.check(data[f.name])
        elif f.required:
            raise invalid(f.name, f"{f.name} is required", code="missing_field")
        elif f.default is not None:
            checked[f.name] = f.default
    return checked


def check_query(fields: tuple[Field, ...], query: dict[str, list[str]]) -> dict[str, Any]:
    """Query parameters checked against ``fields``; unknown or repeated ones are refused."""
    known = {f.name: f for f in fields}
    for name, values in query.items():
        if name not in known:
            raise invalid(name, f"unknown query parameter {name!r}", code="unknown_parameter")
        if len(values) > 1:
            raise invalid(name, f"{name} is given more than once")
    checked: dict[str, Any] = {}
    for f in fields:
        if f.name in query:
            checked[f.name] = f.parse(query[f.name][0])
        elif f.required:
            raise invalid(f.name, f"{f.name} is required", code="missing_field")
        else:
            checked[f.name] = f.default
    return checked
