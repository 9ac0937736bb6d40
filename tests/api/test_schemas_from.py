"""Schemas generated from typed reports: the same as written by hand, and real replies fit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from qwc_service.api import schemas
from qwc_service.api.schemas_from import schema_of
from tests.api.client import ApiClient
from tests.api.helpers import create_connection

# The schemas as they were written by hand before they were generated.
STR = {"type": "string"}
N_STR = {"type": ["string", "null"]}
INT = {"type": "integer"}
N_INT = {"type": ["integer", "null"]}

SYNC_JOB = {
    "type": "object",
    "properties": {
        "job_id": INT,
        "type": N_STR,
        "status": STR,
        "phase": N_STR,
        "pages": INT,
        "expected_pages": N_INT,
        "stored": INT,
        "deleted": INT,
        "problems": INT,
        "restarts": INT,
        "summary": N_STR,
        "error": N_STR,
    },
    "required": [
        "job_id",
        "type",
        "status",
        "phase",
        "pages",
        "expected_pages",
        "stored",
        "deleted",
        "problems",
        "restarts",
        "summary",
        "error",
    ],
    "additionalProperties": False,
    "description": "Where one sync job stands.",
}


def test_generated_schemas_equal_the_hand_written_ones() -> None:
    """SyncJob comes out as it was written by hand."""
    assert schemas.SYNC_JOB == SYNC_JOB
    assert schemas.components()["SyncJob"] == SYNC_JOB


@dataclass(frozen=True)
class _Line:
    """A nested report."""

    amount: float


@dataclass(frozen=True)
class _Report:
    """Every kind of field the generator maps."""

    name: str = field(metadata={"description": "Who."})
    count: int
    ready: bool
    ratio: float | None
    at: datetime
    on: date | None
    tags: list[str]
    lines: tuple[_Line, ...]
    first: _Line | None
    extra: dict[str, Any] | None


def test_each_type_maps_to_its_json_schema() -> None:
    """Scalars, nullables, arrays, nested reports inline or by reference, and overrides."""
    schema = schema_of(
        _Report,
        "A report.",
        refs={_Line: "Line"},
        overrides={"extra": {"type": "object"}},
    )
    assert schema["description"] == "A report."
    assert schema["required"] == list(schema["properties"])
    assert schema["properties"] == {
        "name": {"type": "string", "description": "Who."},
        "count": {"type": "integer"},
        "ready": {"type": "boolean"},
        "ratio": {"type": ["number", "null"]},
        "at": {"type": "string", "format": "date-time"},
        "on": {"type": ["string", "null"], "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
        "first": {"anyOf": [{"$ref": "#/components/schemas/Line"}, {"type": "null"}]},
        "extra": {"type": ["object", "null"]},
    }
    inline = schema_of(_Report, overrides={"extra": {"type": "object"}})
    assert inline["properties"]["lines"]["items"] == {
        "type": "object",
        "properties": {"amount": {"type": "number"}},
        "required": ["amount"],
        "additionalProperties": False,
    }
    Draft202012Validator.check_schema(inline)


@dataclass(frozen=True)
class _Untyped:
    """A field whose type has no JSON schema."""

    data: dict[str, Any]


@dataclass(frozen=True)
class _Either:
    """A union of two types."""

    value: int | str


def test_a_type_without_a_schema_is_refused_by_name() -> None:
    """A dict without an override, or a union of two types, fails naming the field."""
    with pytest.raises(TypeError, match=r"_Untyped\.data"):
        schema_of(_Untyped)
    with pytest.raises(TypeError, match=r"_Either\.value"):
        schema_of(_Either)
    with pytest.raises(TypeError, match="not a dataclass"):
        schema_of(dict)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    # References point into the document's components, as they do when served.
    return Draft202012Validator({**schema, "components": {"schemas": schemas.components()}})


def test_sync_job_replies_fit_the_generated_schema(client: ApiClient) -> None:
    """Queued sync jobs the API returns validate against their schema."""
    cid = create_connection(client)
    base = f"/api/connections/{cid}"
    client.put(f"{base}/schedules/items", {"every_minutes": 30})
    queued = client.post(f"{base}/schedules/run", {"type": "items"}).data["data"]
    assert len(queued) == 1
    _validator(schemas.SYNC_JOB).validate(queued[0])
    pending = client.get(f"{base}/schedules/items").data["pending_job"]
    _validator(schemas.SYNC_JOB).validate(pending)
    assert pending == queued[0]
