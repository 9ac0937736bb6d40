"""Webhook endpoints: add (secret shown once), list, read, remove, and their events.

An endpoint added without a connection belongs to the API token that added it and gets
the events of every connection while that token lives; with ``connection_id`` it gets
that connection's events only.
"""

from __future__ import annotations

from typing import Any

from qwc_service.api.common import LIMIT
from qwc_service.api.fields import Field
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.connections.queries import ConnectionNotFound
from qwc_service.http.errors import HttpError
from qwc_service.webhooks import endpoints
from qwc_service.webhooks.events import EventStatus, deliveries_by_event
from qwc_service.webhooks.models import WebhookEndpoint
from qwc_service.webhooks.views import delivery_view, endpoint_view, event_view

WEBHOOK_ID = Field("webhook_id", "integer", "The webhook endpoint's id.", minimum=1)
EVENTS_AFTER = Field(
    "after",
    "integer",
    "The cursor: next_after of the page before. Pages go from the newest event to the "
    "oldest, so the next page holds events with a smaller id.",
    minimum=1,
)


def webhook_data(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as the API shows it (never its secret)."""
    view = endpoint_view(endpoint)
    return {"webhook_id": view.pop("id"), **view}


def add_webhook(call: Call) -> Any:
    """Add an endpoint; the signing secret is in this reply and nowhere else."""
    connection_id = call.body.get("connection_id")
    try:
        created = endpoints.add_endpoint(
            call.db,
            call.body["url"],
            connection_id=connection_id,
            api_token_id=None if connection_id is not None else call.token_id,
        )
    except ConnectionNotFound:
        raise HttpError(
            400, "invalid_field", "connection_id names no connection", field="connection_id"
        ) from None
    return {**webhook_data(created.endpoint), "secret": created.secret}


def list_webhooks(call: Call) -> Any:
    """Every endpoint, oldest first; removed ones when include_removed is true."""
    found = endpoints.list_endpoints(call.db, include_removed=call.query["include_removed"])
    return {"data": [webhook_data(e) for e in found]}


def get_webhook(call: Call) -> Any:
    """One endpoint, removed or not."""
    return webhook_data(
        endpoints.get_endpoint(call.db, call.params["webhook_id"], include_removed=True)
    )


def remove_webhook(call: Call) -> Any:
    """Stop sending to an endpoint; its undelivered events are marked failed, its history kept."""
    return webhook_data(endpoints.remove_endpoint(call.db, call.params["webhook_id"]))


def list_webhook_events(call: Call) -> Any:
    """An endpoint's events, newest first, each with its delivery attempts."""
    events, next_after = endpoints.endpoint_events(
        call.db,
        call.params["webhook_id"],
        status=call.query["status"],
        before=call.query["after"],
        limit=call.query["limit"],
    )
    deliveries = deliveries_by_event(call.db, [e.id for e in events])
    data = []
    for event in events:
        view = event_view(event)
        data.append(
            {
                "event_id": view.pop("id"),
                "webhook_id": view.pop("endpoint_id"),
                **view,
                "deliveries": [delivery_view(d) for d in deliveries[event.id]],
            }
        )
    return {"data": data, "next_after": next_after}


TAG = "webhooks"
WEBHOOKS = "/api/webhooks"
WEBHOOK = WEBHOOKS + "/{webhook_id}"
ROUTES = [
    Operation(
        "POST",
        WEBHOOKS,
        add_webhook,
        "Add a webhook endpoint; the reply holds its signing secret, shown once",
        TAG,
        ref("WebhookCreated"),
        status=201,
        body=(
            Field(
                "url",
                "string",
                "Where events are POSTed: an absolute http(s) URL without credentials.",
                required=True,
                min_length=1,
                max_length=2000,
            ),
            Field(
                "connection_id",
                "string",
                "Send only this connection's events. Without it, the endpoint belongs to "
                "the calling API token and gets every connection's events.",
                nullable=True,
                max_length=32,
            ),
        ),
        errors=(400, 413, 415),
    ),
    Operation(
        "GET",
        WEBHOOKS,
        list_webhooks,
        "List webhook endpoints",
        TAG,
        ref("WebhookList"),
        query=(
            Field(
                "include_removed",
                "boolean",
                "Include removed endpoints.",
                default=False,
            ),
        ),
        errors=(400,),
    ),
    Operation(
        "GET",
        WEBHOOK,
        get_webhook,
        "Read a webhook endpoint",
        TAG,
        ref("Webhook"),
        params=(WEBHOOK_ID,),
        errors=(404,),
    ),
    Operation(
        "DELETE",
        WEBHOOK,
        remove_webhook,
        "Remove (disable) a webhook endpoint",
        TAG,
        ref("Webhook"),
        params=(WEBHOOK_ID,),
        errors=(404,),
    ),
    Operation(
        "GET",
        WEBHOOK + "/events",
        list_webhook_events,
        "List a webhook endpoint's events with their delivery attempts, newest first",
        TAG,
        ref("WebhookEventPage"),
        params=(WEBHOOK_ID,),
        query=(
            Field(
                "status",
                "string",
                "Only events in this delivery status.",
                enum=tuple(s.value for s in EventStatus),
            ),
            LIMIT,
            EVENTS_AFTER,
        ),
        errors=(400, 404),
    ),
]
