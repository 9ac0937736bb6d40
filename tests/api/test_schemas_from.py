"""Schemas generated from typed reports: the same as written by hand, and real replies fit."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from qwc_service.api import schemas
from qwc_service.api.schemas_from import schema_of
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient
from tests.api.helpers import add_computer, create_connection, run_session

# The schemas as they were written by hand before they were generated.
STR = {"type": "string"}
N_STR = {"type": ["string", "null"]}
INT = {"type": "integer"}
N_INT = {"type": ["integer", "null"]}
BOOL = {"type": "boolean"}
N_TIME = {"type": ["string", "null"], "format": "date-time"}

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

MACHINE_CHECK_IN = {
    "type": "object",
    "properties": {
        "machine_id": INT,
        "username": STR,
        "label": STR,
        "revoked": BOOL,
        "last_seen_at": N_TIME,
        "qbwc_version": N_STR,
    },
    "required": ["machine_id", "username", "label", "revoked", "last_seen_at", "qbwc_version"],
    "additionalProperties": False,
}

HEALTH = {
    "type": "object",
    "properties": {
        "connection_id": STR,
        "connected": {
            "type": "boolean",
            "description": "A machine checked in within twice the .qwc run interval.",
        },
        "disabled": BOOL,
        "run_every_minutes": INT,
        "last_check_in_at": N_TIME,
        "machines": {"type": "array", "items": MACHINE_CHECK_IN},
        "company_name": N_STR,
        "company_file": N_STR,
        "product_name": N_STR,
        "qbxml_version": N_STR,
        "last_error": N_STR,
        "last_error_at": N_TIME,
        "last_error_unresolved": BOOL,
        "last_success_at": N_TIME,
        "queue_depth": INT,
        "jobs_in_flight": INT,
        "session_active": BOOL,
        "last_session": {
            "anyOf": [{"$ref": "#/components/schemas/Session"}, {"type": "null"}],
        },
        "state": {
            "type": "string",
            "enum": [
                "connected",
                "waiting_for_first_sync",
                "waiting_for_quickbooks",
                "stale",
                "error",
                "wrong_company_file",
                "disabled",
            ],
            "description": "One word for the connection's health; the rules are in "
            "qwc_service/reporting/states.py.",
        },
        "state_reason": {
            "type": "string",
            "description": "Why the connection is in that state, in one sentence.",
        },
    },
    "required": [
        "connection_id",
        "connected",
        "disabled",
        "run_every_minutes",
        "last_check_in_at",
        "machines",
        "company_name",
        "company_file",
        "product_name",
        "qbxml_version",
        "last_error",
        "last_error_at",
        "last_error_unresolved",
        "last_success_at",
        "queue_depth",
        "jobs_in_flight",
        "session_active",
        "last_session",
        "state",
        "state_reason",
    ],
    "additionalProperties": False,
    "description": "Whether a connection's Web Connectors are checking in, and what they last "
    "reported.",
}


def test_generated_schemas_equal_the_hand_written_ones() -> None:
    """SyncJob, ConnectionHealth and its machines come out as they were written by hand."""
    assert schemas.SYNC_JOB == SYNC_JOB
    assert schemas.MACHINE_CHECK_IN == MACHINE_CHECK_IN
    assert schemas.HEALTH == HEALTH
    published = schemas.components()
    assert published["SyncJob"] == SYNC_JOB and published["ConnectionHealth"] == HEALTH


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


class _Colour(enum.StrEnum):
    """A string enum."""

    RED = "red"
    GREEN = "green"


@dataclass(frozen=True)
class _Painted:
    """Enum fields, one of them nullable."""

    colour: _Colour
    faded: _Colour | None


def test_string_enums_map_to_their_values() -> None:
    """A string enum is a string limited to its values; a nullable one admits null too."""
    schema = schema_of(_Painted)
    assert schema["properties"] == {
        "colour": {"type": "string", "enum": ["red", "green"]},
        "faded": {"type": ["string", "null"], "enum": ["red", "green", None]},
    }
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"colour": "red", "faded": None})
    assert not validator.is_valid({"colour": "blue", "faded": None})


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


def test_health_and_sync_job_replies_fit_the_generated_schemas(
    client: ApiClient, server: Any
) -> None:
    """The health report and queued sync jobs the API returns validate against their schemas."""
    cid = create_connection(client)
    base = f"/api/connections/{cid}"
    computer = add_computer(client, cid, "PC")
    add_computer(client, cid, "Spare PC")
    assert client.put(f"{base}/schedules/customers", {"every_minutes": 30}).status == 201
    quickbooks = FakeQuickBooks(generate_company(customers=3, invoices=0, payments=0))
    assert run_session(server, computer, quickbooks).outcome == "completed"

    health = client.get(f"{base}/health").data
    _validator(schemas.HEALTH).validate(health)
    assert health["last_session"] is not None and len(health["machines"]) == 2
    assert health["machines"][0]["last_seen_at"] is not None

    client.put(f"{base}/schedules/items", {"every_minutes": 30})
    queued = client.post(f"{base}/schedules/run", {"type": "items"}).data["data"]
    assert len(queued) == 1
    _validator(schemas.SYNC_JOB).validate(queued[0])
    pending = client.get(f"{base}/schedules/items").data["pending_job"]
    _validator(schemas.SYNC_JOB).validate(pending)
    assert pending == queued[0]
