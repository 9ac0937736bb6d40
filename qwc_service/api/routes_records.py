"""Stored records: customers, items, invoices and payments, paged by row id."""

from __future__ import annotations

from typing import Any

from qwc_service.api.common import AFTER, CONNECTION_ID, LIMIT
from qwc_service.api.fields import Field
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.records import service
from qwc_service.records.registry import RECORD_TYPES
from qwc_service.records.views import record_view

RECORD_TYPE = Field("record_type", "string", "Which records.", enum=RECORD_TYPES)
QB_ID = Field(
    "qb_id", "string", "The record's ListID (lists) or TxnID (transactions).", max_length=40
)


def list_records(call: Call) -> Any:
    """A page of stored records in row order; next_after is the cursor of the next page."""
    limit = call.query["limit"]
    rows = service.list_records(
        call.db,
        call.params["connection_id"],
        call.params["record_type"],
        modified_since=call.query["modified_since"],
        include_deleted=call.query["include_deleted"],
        after=call.query["after"],
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "data": [record_view(row) for row in rows],
        "next_after": rows[-1].id if more and rows else None,
    }


def get_record(call: Call) -> Any:
    """One stored record (deleted ones too) by its QuickBooks id."""
    row = service.get_record(
        call.db, call.params["connection_id"], call.params["record_type"], call.params["qb_id"]
    )
    return record_view(row)


TAG = "records"
RECORDS = "/api/connections/{connection_id}/records/{record_type}"
ROUTES = [
    Operation(
        "GET",
        RECORDS,
        list_records,
        "List stored records of one type",
        TAG,
        ref("RecordPage"),
        params=(CONNECTION_ID, RECORD_TYPE),
        query=(
            LIMIT,
            AFTER,
            Field(
                "modified_since",
                "timestamp",
                "Only records QuickBooks modified at or after this time.",
            ),
            Field(
                "include_deleted",
                "boolean",
                "Include records deleted in QuickBooks (deleted_at set).",
                default=False,
            ),
        ),
        errors=(400, 404),
    ),
    Operation(
        "GET",
        RECORDS + "/{qb_id}",
        get_record,
        "Read one stored record",
        TAG,
        ref("Record"),
        params=(CONNECTION_ID, RECORD_TYPE, QB_ID),
        errors=(404,),
    ),
]
