"""Connections: create, list, read, change, disable, health and audit events."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qwc_service.api.common import CONNECTION_ID, LIMIT
from qwc_service.api.errors import field_errors
from qwc_service.api.fields import Field
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.audit.service import list_events
from qwc_service.audit.views import event_view
from qwc_service.connections import lifecycle as connection_ops
from qwc_service.connections import service
from qwc_service.connections.install_links import install_link_report
from qwc_service.connections.queries import get_connection
from qwc_service.connections.views import connection_view
from qwc_service.qbwc import operations
from qwc_service.reporting import health

NAME = Field("name", "string", "Display name, e.g. the customer's company.", max_length=200)
COMPANY_FILE = Field(
    "company_file",
    "string",
    "Full path of the company file the Web Connector should open; null for whichever is open.",
    nullable=True,
    max_length=1024,
)
TIMEZONE = Field(
    "timezone",
    "string",
    "IANA time zone that sync windows are read in.",
    max_length=64,
)
MIN_POLL_SECONDS = Field(
    "min_poll_seconds",
    "integer",
    "Shortest interval its Web Connectors may run at, in seconds (sent with every "
    "authenticate answer as MinimumRunEveryNSeconds); null: none.",
    nullable=True,
    minimum=1,
    maximum=connection_ops.MAX_POLL_SECONDS,
)
QWC_RUN_SECONDS = Field(
    "qwc_run_seconds",
    "integer",
    "Make its .qwc files run every this many seconds (RunEveryNSeconds, the Web Connector's "
    "Real Time) instead of QWC_RUN_EVERY_MINUTES; null: minutes.",
    nullable=True,
    minimum=1,
    maximum=connection_ops.MAX_POLL_SECONDS,
)
_CHANGEABLE = ("name", "company_file", "timezone", "min_poll_seconds", "qwc_run_seconds")


def create_connection(call: Call) -> Any:
    """Create a connection with its own Connection ID, OwnerID and FileID."""
    timezone = connection_ops.check_timezone(call.body.get("timezone") or "UTC")
    with field_errors("name"):
        connection = service.create_connection(
            call.db, name=call.body["name"], company_file=call.body.get("company_file")
        )
    connection.timezone = timezone
    return connection_view(connection)


def list_connections(call: Call) -> Any:
    """A page of connections in Connection ID order, optionally searched by name or ID."""
    connections, next_after = service.find_connections(
        call.db,
        search=call.query["q"] or "",
        after=call.query["after"],
        limit=call.query["limit"],
    )
    return {"data": [connection_view(c) for c in connections], "next_after": next_after}


def get_connection_route(call: Call) -> Any:
    """One connection: company lock, QuickBooks version, last error, installation link."""
    connection = get_connection(call.db, call.params["connection_id"])
    report = install_link_report(call.db, connection.id)
    return {**connection_view(connection), "install_link": report.to_payload()}


def update_connection(call: Call) -> Any:
    """Change a connection's name, company file, time zone or polling (members left out stay)."""
    changes = {k: call.body[k] for k in _CHANGEABLE if k in call.body}
    with field_errors("name"):
        connection = connection_ops.update_connection(
            call.db, call.params["connection_id"], **changes
        )
    return connection_view(connection)


def disable_connection(call: Call) -> Any:
    """Disable a connection: no new work, machines or sessions; the running session ends."""
    return connection_view(operations.set_disabled(call.db, call.params["connection_id"], True))


def enable_connection(call: Call) -> Any:
    """Enable a disabled connection again."""
    return connection_view(operations.set_disabled(call.db, call.params["connection_id"], False))


def connection_health(call: Call) -> Any:
    """Whether the Web Connectors check in, what QuickBooks reported, the last error, the queue."""
    report = health.connection_health(call.db, call.settings, call.params["connection_id"])
    return report.to_payload()


def list_connection_events(call: Call) -> Any:
    """The connection's audit events, newest first."""
    connection_id = call.params["connection_id"]
    get_connection(call.db, connection_id)
    events = list_events(
        call.db, connection_id=connection_id, since=call.query["since"], limit=call.query["limit"]
    )
    return {"data": [event_view(e) for e in events]}


TAG = "connections"
ROUTES = [
    Operation(
        "POST",
        "/api/connections",
        create_connection,
        "Create a connection",
        TAG,
        ref("Connection"),
        status=201,
        body=(
            replace(NAME, required=True, min_length=1),
            COMPANY_FILE,
            TIMEZONE,
        ),
        errors=(400, 413, 415),
    ),
    Operation(
        "GET",
        "/api/connections",
        list_connections,
        "List connections, a page at a time",
        TAG,
        ref("ConnectionPage"),
        query=(
            Field("q", "string", "Only names or IDs containing this.", max_length=200),
            LIMIT,
            Field(
                "after",
                "string",
                "The cursor: next_after of the page before (Connection IDs after it).",
                max_length=32,
            ),
        ),
        errors=(400,),
    ),
    Operation(
        "GET",
        "/api/connections/{connection_id}",
        get_connection_route,
        "Read a connection",
        TAG,
        ref("ConnectionDetail"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
    Operation(
        "PATCH",
        "/api/connections/{connection_id}",
        update_connection,
        "Change a connection's name, company file, time zone or polling",
        TAG,
        ref("Connection"),
        params=(CONNECTION_ID,),
        body=(NAME, COMPANY_FILE, TIMEZONE, MIN_POLL_SECONDS, QWC_RUN_SECONDS),
        errors=(400, 404, 413, 415),
    ),
    Operation(
        "POST",
        "/api/connections/{connection_id}/disable",
        disable_connection,
        "Disable a connection",
        TAG,
        ref("Connection"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/connections/{connection_id}/enable",
        enable_connection,
        "Enable a connection again",
        TAG,
        ref("Connection"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
    Operation(
        "GET",
        "/api/connections/{connection_id}/health",
        connection_health,
        "A connection's health: check-ins, company, last error, queue depth",
        TAG,
        ref("ConnectionHealth"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
    Operation(
        "GET",
        "/api/connections/{connection_id}/events",
        list_connection_events,
        "A connection's audit events",
        TAG,
        ref("EventList"),
        params=(CONNECTION_ID,),
        query=(
            Field("since", "timestamp", "Only events at or after this time."),
            Field("limit", "integer", "How many events.", minimum=1, maximum=500, default=100),
        ),
        errors=(400, 404),
    ),
]
