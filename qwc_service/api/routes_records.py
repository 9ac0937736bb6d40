"""Stored records of any type, whole, paged by row id."""

from __future__ import annotations

from typing import Any

from qwc_service.api.common import AFTER, CONNECTION_ID, LIMIT
from qwc_service.api.fields import Field
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.records import service

RECORD_TYPE = Field(
    "record_type",
    "string",
    "The qbXML object (Invoice, ItemService) or its snake_case plural (invoices); any case.",
    max_length=64,
)
RECORD_ID = Field(
    "record_id", "string", "The record's ListID (lists) or TxnID (transactions).", max_length=40
)
FILTERS = (
    Field("full_name", "string", "Only records with this FullName (or Name).", max_length=255),
    Field("name", "string", "Only records with this Name.", max_length=255),
    Field("ref_number", "string", "Only transactions with this RefNumber.", max_length=40),
    Field("txn_date_from", "date", "Only transactions dated on or after this day."),
    Field("txn_date_to", "date", "Only transactions dated on or before this day."),
    Field(
        "entity",
        "string",
        "Only records naming this customer, vendor or payee, by ListID or FullName.",
        max_length=255,
    ),
    Field("is_active", "boolean", "Only active (true) or inactive (false) list records."),
)


def list_records(call: Call) -> Any:
    """A page of stored records in row order; next_after is the cursor of the next page."""
    limit = call.query["limit"]
    filters = service.RecordFilters(**{f.name: call.query[f.name] for f in FILTERS})
    views = service.list_records(
        call.db,
        call.params["connection_id"],
        call.params["record_type"],
        modified_since=call.query["modified_since"],
        include_deleted=call.query["include_deleted"],
        after=call.query["after"],
        limit=limit + 1,
        filters=filters,
    )
    more = len(views) > limit
    views = views[:limit]
    return {
        "data": [view.to_payload() for view in views],
        "next_after": views[-1].row_id if more and views else None,
    }


def get_record(call: Call) -> Any:
    """One stored record (deleted ones too) by its QuickBooks id."""
    view = service.get_record(
        call.db,
        call.params["connection_id"],
        call.params["record_type"],
        call.params["record_id"],
    )
    return view.to_payload()


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
                "Include records deleted in QuickBooks (deleted true).",
                default=False,
            ),
            *FILTERS,
        ),
        errors=(400, 404),
    ),
    Operation(
        "GET",
        RECORDS + "/{record_id}",
        get_record,
        "Read one stored record",
        TAG,
        ref("Record"),
        params=(CONNECTION_ID, RECORD_TYPE, RECORD_ID),
        errors=(404,),
    ),
]
