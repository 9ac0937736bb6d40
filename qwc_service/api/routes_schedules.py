"""Sync schedules: one per record type, set with PUT, paused, run now, removed."""

from __future__ import annotations

from typing import Any

from qwc_service.api.common import CONNECTION_ID
from qwc_service.api.fields import Field
from qwc_service.api.http import json_reply
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.clock import isoformat, utcnow
from qwc_service.records.registry import RecordType
from qwc_service.sync import schedule
from qwc_service.sync.views import SyncJobReport, sync_views

# A type by its plural (what a schedule reports) or its qbXML name.
TYPES = tuple(t.value for t in RecordType) + tuple(t.qbxml_name for t in RecordType)
RECORD_TYPE = Field(
    "record_type",
    "string",
    "What the sync keeps up to date: a plural (credit_memos) or a qbXML name (CreditMemo).",
    enum=TYPES,
)
TYPE_FILTER = Field(
    "type",
    "string",
    "Only this record type (all of the connection's syncs if left out).",
    enum=TYPES,
)


def _view(call: Call, record_type: str) -> dict[str, Any]:
    connection_id = call.params["connection_id"]
    plural = schedule.get_sync(call.db, connection_id, record_type).record_type
    views = sync_views(call.db, connection_id, utcnow())
    return next(v for v in views if v["type"] == plural)


def put_schedule(call: Call) -> Any:
    """Sync a record type every N minutes, optionally within a daily window.

    Setting a type that already syncs changes its interval, window and page size; its
    watermarks stay, so the next sync is still incremental.
    """
    connection_id = call.params["connection_id"]
    record_type = RecordType.parse(call.params["record_type"]).value
    existed = record_type in {d.record_type for d in schedule.list_syncs(call.db, connection_id)}
    schedule.add_sync(
        call.db,
        connection_id,
        record_type,
        call.body["every_minutes"],
        window=call.body.get("window"),
        max_returned=call.body["max_returned"],
    )
    return json_reply(200 if existed else 201, _view(call, record_type))


def list_schedules(call: Call) -> Any:
    """A connection's syncs with their last success, watermarks and pending work."""
    return {"data": sync_views(call.db, call.params["connection_id"], utcnow())}


def get_schedule(call: Call) -> Any:
    """One sync of a connection."""
    return _view(call, call.params["record_type"])


def delete_schedule(call: Call) -> Any:
    """Stop syncing a record type; its queued work is cancelled, stored records stay."""
    record_type = RecordType.parse(call.params["record_type"]).value
    cancelled = schedule.remove_sync(call.db, call.params["connection_id"], record_type)
    return {"type": record_type, "removed": True, "cancelled_jobs": cancelled}


def pause_schedules(call: Call) -> Any:
    """Pause the connection's syncs (or one type) until a time; a past time resumes them."""
    until = call.body["until"]
    paused = schedule.pause_syncs(
        call.db, call.params["connection_id"], until, call.body.get("type")
    )
    return {"paused_until": isoformat(until), "types": [d.record_type for d in paused]}


def run_schedules(call: Call) -> Any:
    """Queue the connection's syncs (or one type) now, whatever their schedule."""
    jobs = schedule.sync_now(call.db, call.params["connection_id"], call.body.get("type"))
    return {"data": [SyncJobReport.of(job).to_payload() for job in jobs]}


TAG = "schedules"
SCHEDULES = "/api/connections/{connection_id}/schedules"
ONE = SCHEDULES + "/{record_type}"
ROUTES = [
    Operation(
        "GET",
        SCHEDULES,
        list_schedules,
        "List a connection's sync schedules",
        TAG,
        ref("ScheduleList"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
    Operation(
        "GET",
        ONE,
        get_schedule,
        "Read one sync schedule",
        TAG,
        ref("Schedule"),
        params=(CONNECTION_ID, RECORD_TYPE),
        errors=(404,),
    ),
    Operation(
        "PUT",
        ONE,
        put_schedule,
        "Create or change the sync schedule of a record type",
        TAG,
        ref("Schedule"),
        status=201,
        also={200: "The schedule existed and was changed."},
        params=(CONNECTION_ID, RECORD_TYPE),
        body=(
            Field(
                "every_minutes",
                "integer",
                "Interval between syncs, in minutes.",
                required=True,
                minimum=1,
                maximum=schedule.MAX_EVERY_MINUTES,
            ),
            Field(
                "window",
                "string",
                "Daily window HH:MM-HH:MM in the connection's time zone (may wrap midnight); "
                "null for any time of day.",
                nullable=True,
                max_length=11,
            ),
            Field(
                "max_returned",
                "integer",
                "Records per page QuickBooks returns.",
                minimum=1,
                maximum=schedule.MAX_MAX_RETURNED,
                default=100,
            ),
        ),
        errors=(400, 404, 413, 415),
    ),
    Operation(
        "DELETE",
        ONE,
        delete_schedule,
        "Remove a sync schedule",
        TAG,
        ref("ScheduleRemoved"),
        params=(CONNECTION_ID, RECORD_TYPE),
        errors=(404,),
    ),
    Operation(
        "POST",
        SCHEDULES + "/pause",
        pause_schedules,
        "Pause sync schedules until a time",
        TAG,
        ref("SchedulesPaused"),
        params=(CONNECTION_ID,),
        body=(
            Field(
                "until",
                "timestamp",
                "When the syncs resume; a past time resumes them now.",
                required=True,
            ),
            TYPE_FILTER,
        ),
        errors=(400, 404, 413, 415),
    ),
    Operation(
        "POST",
        SCHEDULES + "/run",
        run_schedules,
        "Queue syncs now, whatever their schedule",
        TAG,
        ref("SyncJobList"),
        params=(CONNECTION_ID,),
        body=(TYPE_FILTER,),
        errors=(400, 404, 409, 413, 415),
    ),
]
