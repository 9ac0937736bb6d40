"""Every model, imported in one place so the metadata is complete (Alembic, tests)."""

from qwc_service.admin.models import AdminSignIn
from qwc_service.audit.models import AuditEvent
from qwc_service.connections.models import (
    Connection,
    InstallForm,
    InstallLink,
    Machine,
    SetupLink,
)
from qwc_service.db import Base
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.records.models import StoredRecord
from qwc_service.sessions.clients import ClientVersion
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.throttle import LoginThrottle
from qwc_service.sync.models import SyncDefinition
from qwc_service.tokens.models import ApiToken
from qwc_service.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from qwc_service.writes.models import Write, WriteStatus

__all__ = [
    "AdminSignIn",
    "ApiToken",
    "AuditEvent",
    "Base",
    "ClientVersion",
    "Connection",
    "InstallForm",
    "InstallLink",
    "Job",
    "JobKind",
    "JobStatus",
    "LoginThrottle",
    "Machine",
    "SetupLink",
    "StoredRecord",
    "SyncDefinition",
    "WcSession",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "Write",
    "WriteStatus",
]


def register() -> None:
    """Make sure every mapper is configured (foreign keys name tables across packages)."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
