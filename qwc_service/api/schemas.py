"""JSON Schemas of the API's replies: the ``components.schemas`` of the OpenAPI document.

Each schema lists every member its view writes and refuses others, so a view that gains a
field without its schema fails the tests that validate real replies. The
schemas of typed reports (a sync job, a connection's health) from their dataclasses.
"""

from __future__ import annotations

from qwc_service.api.schemas_from import (
    BOOLEAN,
    DATE,
    INTEGER,
    N_INTEGER,
    N_STRING,
    N_TIMESTAMP,
    STRING,
    TIMESTAMP,
    Schema,
    nullable,
    obj,
    schema_of,
)

# The routes name the components they answer with through this module.
from qwc_service.api.schemas_from import ref as ref
from qwc_service.connections.install_links import InstallLinkReport, LinkState
from qwc_service.queue.models import JobKind
from qwc_service.records.registry import RecordType
from qwc_service.reporting.health import ConnectionHealth, MachineCheckIn
from qwc_service.sync.views import SyncJobReport
from qwc_service.webhooks.events import EventKind, EventStatus


def page_of(item: Schema, description: str) -> Schema:
    """A page of a list: the items and the cursor for the next page (null on the last)."""
    return obj({"data": {"type": "array", "items": item}, "next_after": N_INTEGER}, description)


def list_of(item: Schema, description: str) -> Schema:
    """A whole list."""
    return obj({"data": {"type": "array", "items": item}}, description)


ERROR = obj(
    {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs."},
                "message": {"type": "string", "description": "For a person."},
                "field": {"type": "string", "description": "The input at fault."},
            },
            "required": ["code", "message"],
            "additionalProperties": False,
        }
    },
    "Every failure: a stable code, a message, and the field at fault when there is one.",
)

CONNECTION = obj(
    {
        "connection_id": STRING,
        "name": STRING,
        "owner_id": STRING,
        "file_id": STRING,
        "company_file": N_STRING,
        "created_at": TIMESTAMP,
        "disabled_at": N_TIMESTAMP,
        "company_name": N_STRING,
        "product_name": N_STRING,
        "qbxml_version": N_STRING,
        "last_company_file": N_STRING,
        "timezone": STRING,
        "min_poll_seconds": N_INTEGER,
        "qwc_run_seconds": N_INTEGER,
        "lock": obj(
            {
                "locked": BOOLEAN,
                "file_id": N_STRING,
                "company_name": N_STRING,
                "file_path": N_STRING,
                "locked_at": N_TIMESTAMP,
            }
        ),
        "last_error": N_STRING,
        "last_error_at": N_TIMESTAMP,
        "last_success_at": N_TIMESTAMP,
        "last_error_unresolved": BOOLEAN,
    },
    "One customer's QuickBooks company file.",
)

_LINK_STATE: Schema = {
    "type": "string",
    "enum": [state.value for state in LinkState],
    "description": "active: it adds machines; revoked (or replaced by a newer one), expired "
    "or used_up (max_installs reached): it answers 410; none: no link was issued.",
}
INSTALL_LINK = schema_of(
    InstallLinkReport,
    "A connection's newest installation link: its state, and how many machines it added.",
    overrides={"state": _LINK_STATE},
)
ISSUED_INSTALL_LINK = obj(
    {
        "install_url": {
            "type": "string",
            "format": "uri",
            "description": "The page where the customer's people add their own machines, no "
            "token needed: shown in this reply only. Treat it as a secret.",
        },
        "expires_at": TIMESTAMP,
        "max_installs": N_INTEGER,
        "state": _LINK_STATE,
    },
    "A new installation link; the connection's previous link stopped working.",
)
CONNECTION_DETAIL = obj(
    {**CONNECTION["properties"], "install_link": ref("InstallLink")},
    "One customer's QuickBooks company file, with its installation link.",
)

MACHINE = obj(
    {
        "machine_id": INTEGER,
        "connection_id": STRING,
        "label": STRING,
        "username": STRING,
        "created_at": TIMESTAMP,
        "password_changed_at": N_TIMESTAMP,
        "revoked_at": N_TIMESTAMP,
        "last_seen_at": N_TIMESTAMP,
        "qbwc_version": N_STRING,
    },
    "One Web Connector installation of a connection.",
)

MACHINE_CREDENTIALS = obj(
    {
        "machine": ref("Machine"),
        "password": STRING,
        "qwc_url": {
            "type": "string",
            "format": "uri",
            "description": "The .qwc download (needs an API token).",
        },
        "setup_url": {
            "type": "string",
            "format": "uri",
            "description": "The setup page for the person at the computer: steps, .qwc file "
            "and password, no token needed. Treat it as a secret.",
        },
        "setup_link_expires_at": TIMESTAMP,
    },
    "A machine with the password just set: shown here once, and on its setup page while "
    "the setup link lives.",
)

_JOB_FIELDS: dict[str, Schema] = {
    "job_id": INTEGER,
    "connection_id": STRING,
    "kind": {"type": "string", "enum": [k.value for k in JobKind]},
    "status": {"type": "string", "enum": ["queued", "sent", "done", "error", "cancelled"]},
    "priority": INTEGER,
    "dedup_key": N_STRING,
    "depends_on": N_INTEGER,
    "requests": {"type": "array", "items": STRING},
    "request_id": N_STRING,
    "attempts": INTEGER,
    "status_code": N_INTEGER,
    "status_severity": N_STRING,
    "status_message": N_STRING,
    "hresult": N_STRING,
    "error": N_STRING,
    "created_at": TIMESTAMP,
    "sent_at": N_TIMESTAMP,
    "completed_at": N_TIMESTAMP,
}
JOB_SUMMARY = obj(_JOB_FIELDS, "A job without its request and response documents.")
JOB = obj(
    {**_JOB_FIELDS, "request": STRING, "response": N_STRING},
    "A job with the qbXML sent and QuickBooks' response (null until it answered).",
)
ENQUEUED = obj(
    {"job": ref("Job"), "deduplicated": BOOLEAN},
    "The queued job; deduplicated when a queued job with the same dedup_key was returned.",
)

SYNC_JOB = schema_of(SyncJobReport, "Where one sync job stands.")

SCHEDULE = obj(
    {
        "connection_id": STRING,
        "type": {"type": "string", "enum": [t.value for t in RecordType]},
        "every_minutes": INTEGER,
        "window": N_STRING,
        "timezone": STRING,
        "max_returned": INTEGER,
        "paused_until": N_TIMESTAMP,
        "last_started_at": N_TIMESTAMP,
        "last_success_at": N_TIMESTAMP,
        "watermark": N_STRING,
        "deleted_watermark": N_STRING,
        "last_error": N_STRING,
        "next_due_at": N_TIMESTAMP,
        "pending_job": nullable(ref("SyncJob")),
    },
    "One record type a connection keeps in sync.",
)

PAUSED = obj(
    {"paused_until": TIMESTAMP, "types": {"type": "array", "items": STRING}},
    "The syncs paused, and until when.",
)
SCHEDULE_REMOVED = obj(
    {"type": STRING, "removed": BOOLEAN, "cancelled_jobs": INTEGER},
    "A sync removed, with how many of its queued jobs were cancelled.",
)

PAYMENT_WRITE = obj(
    {
        "payment_id": INTEGER,
        "connection_id": STRING,
        "idempotency_key": STRING,
        "job_id": N_INTEGER,
        "ref_number": STRING,
        "status": {
            "type": "string",
            "enum": ["pending", "sent", "unknown", "recorded", "failed"],
        },
        "invoice_txn_id": STRING,
        "customer_list_id": STRING,
        "amount": {"type": "string", "pattern": r"^\d+\.\d{2}$"},
        "txn_date": DATE,
        "payment_method": N_STRING,
        "deposit_to_account": N_STRING,
        "memo": N_STRING,
        "txn_id": N_STRING,
        "sends": INTEGER,
        "checks": INTEGER,
        "status_code": N_INTEGER,
        "error": N_STRING,
        "created_at": TIMESTAMP,
        "completed_at": N_TIMESTAMP,
    },
    "A payment written back to QuickBooks, at most once per idempotency key.",
)

SESSION = obj(
    {
        "session_id": INTEGER,
        "machine_id": INTEGER,
        "created_at": TIMESTAMP,
        "last_seen_at": TIMESTAMP,
        "closed_at": N_TIMESTAMP,
        "close_reason": N_STRING,
        "company_name": N_STRING,
        "company_file": N_STRING,
        "qbxml_version": N_STRING,
        "requests_sent": INTEGER,
        "responses_received": INTEGER,
        "refused": N_STRING,
        "last_error": N_STRING,
    },
    "One Web Connector update session.",
)

EVENT = obj(
    {
        "id": INTEGER,
        "at": TIMESTAMP,
        "kind": STRING,
        "connection_id": N_STRING,
        "machine_id": N_INTEGER,
        "username": N_STRING,
        "client_address": N_STRING,
        "message": STRING,
    },
    "An audit event.",
)

MACHINE_CHECK_IN = schema_of(MachineCheckIn)
HEALTH = schema_of(
    ConnectionHealth,
    "Whether a connection's Web Connectors are checking in, and what they last reported.",
    overrides={"last_session": ref("Session")},
)


_WEBHOOK_FIELDS: dict[str, Schema] = {
    "webhook_id": INTEGER,
    "url": {"type": "string", "format": "uri"},
    "connection_id": {
        "type": ["string", "null"],
        "description": "Events of this connection only; null for every connection's events.",
    },
    "api_token_id": {
        "type": ["integer", "null"],
        "description": "The API token it belongs to (events of every connection while the "
        "token lives); null for a connection's endpoint.",
    },
    "created_at": TIMESTAMP,
    "removed_at": N_TIMESTAMP,
}
WEBHOOK = obj(_WEBHOOK_FIELDS, "A webhook endpoint: where events are POSTed, signed.")
WEBHOOK_CREATED = obj(
    {
        **_WEBHOOK_FIELDS,
        "secret": {
            "type": "string",
            "description": "The signing secret (QWC-Signature): shown in this reply only.",
        },
    },
    "A webhook endpoint just added, with its signing secret.",
)
WEBHOOK_DELIVERY = obj(
    {
        "at": TIMESTAMP,
        "status_code": N_INTEGER,
        "error": N_STRING,
        "duration_ms": N_INTEGER,
    },
    "One attempt to deliver an event: the receiver's HTTP status, or the error.",
)
WEBHOOK_EVENT = obj(
    {
        "event_id": INTEGER,
        "webhook_id": INTEGER,
        "type": {"type": "string", "enum": [kind.value for kind in EventKind]},
        "connection_id": N_STRING,
        "status": {"type": "string", "enum": [status.value for status in EventStatus]},
        "attempts": INTEGER,
        "created_at": TIMESTAMP,
        "next_attempt_at": N_TIMESTAMP,
        "delivered_at": N_TIMESTAMP,
        "deliveries": {"type": "array", "items": WEBHOOK_DELIVERY},
    },
    "An event for one endpoint, where its delivery stands, and every attempt.",
)


RECORD = obj(
    {
        "type": {"type": "string", "description": "The qbXML object (Invoice, ItemService)."},
        "id": {"type": "string", "description": "ListID or TxnID."},
        "edit_sequence": N_STRING,
        "time_modified": {**N_STRING, "description": "TimeModified as QuickBooks sent it."},
        "deleted": BOOLEAN,
        "data": {
            "type": "object",
            "description": "Every element QuickBooks returned, named as qbXML spells it.",
        },
    },
    "A stored record, whole.",
)


def components() -> dict[str, Schema]:
    """Every named schema."""
    return {
        "Error": ERROR,
        "Connection": CONNECTION,
        "ConnectionPage": obj(
            {"data": {"type": "array", "items": ref("Connection")}, "next_after": N_STRING},
            "A page of connections in Connection ID order; next_after is null on the last.",
        ),
        "ConnectionDetail": CONNECTION_DETAIL,
        "ConnectionHealth": HEALTH,
        "InstallLink": INSTALL_LINK,
        "IssuedInstallLink": ISSUED_INSTALL_LINK,
        "Machine": MACHINE,
        "MachineList": list_of(ref("Machine"), "A connection's machines, revoked ones too."),
        "MachineCredentials": MACHINE_CREDENTIALS,
        "Job": JOB,
        "JobSummary": JOB_SUMMARY,
        "JobPage": page_of(ref("JobSummary"), "A page of jobs in id order."),
        "Enqueued": ENQUEUED,
        "SyncJob": SYNC_JOB,
        "SyncJobList": list_of(ref("SyncJob"), "Sync jobs queued."),
        "Schedule": SCHEDULE,
        "ScheduleList": list_of(ref("Schedule"), "A connection's syncs."),
        "SchedulesPaused": PAUSED,
        "ScheduleRemoved": SCHEDULE_REMOVED,
        "PaymentWrite": PAYMENT_WRITE,
        "PaymentWriteList": list_of(ref("PaymentWrite"), "Payment writes, newest first."),
        "Session": SESSION,
        "Event": EVENT,
        "EventList": list_of(ref("Event"), "Audit events, newest first."),
        "Webhook": WEBHOOK,
        "WebhookCreated": WEBHOOK_CREATED,
        "WebhookList": list_of(ref("Webhook"), "Webhook endpoints in the order they were added."),
        "WebhookEvent": WEBHOOK_EVENT,
        "WebhookEventPage": page_of(ref("WebhookEvent"), "A page of events, newest first."),
        "Record": RECORD,
        "RecordPage": page_of(ref("Record"), "A page of stored records in row order."),
    }
