"""The record types: every QuickBooks object the server knows, and what each supports."""

from __future__ import annotations

from typing import Any

from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.records.type_reports import record_type_reports


def list_types(call: Call) -> Any:
    """Every record type, in the order a full sync reads them: lists, Item and its kinds,
    transactions, then Company and Preferences."""
    return {"data": [report.to_payload() for report in record_type_reports()]}


ROUTES = [
    Operation(
        "GET",
        "/api/types",
        list_types,
        "List the record types and what each supports",
        "records",
        ref("RecordTypeList"),
    ),
]
