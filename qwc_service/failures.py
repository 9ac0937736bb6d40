"""Domain failures as HTTP errors: one table from exception type to status and code.

The JSON API and the admin pages both tell a client about the same failures (no such
connection, a revoked machine, a key reused for another write), so the table sits above every
domain it names and below both transports. Only the exceptions listed here reach a client
with their message (each is written for a person and names no internals); anything else
stays a failure the transport logs and answers with a bare 500.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from qwc_service.connections.install_links import NoLiveInstallLink
from qwc_service.connections.lifecycle import InvalidTimezone
from qwc_service.connections.queries import ConnectionDisabled, ConnectionNotFound, MachineNotFound
from qwc_service.connections.qwc import QwcUrlRefused
from qwc_service.connections.service import MachineRevoked
from qwc_service.http.errors import HttpError
from qwc_service.qbxml.errors import QbxmlError
from qwc_service.queue.operations import JobNotRetryable
from qwc_service.queue.service import JobNotFound
from qwc_service.records.service import RecordNotFound, UnknownRecordType
from qwc_service.sync.schedule import SyncNotFound
from qwc_service.sync.windows import InvalidWindow
from qwc_service.webhooks.endpoints import EndpointNotFound, InvalidWebhookUrl
from qwc_service.writes.service import (
    IdempotencyKeyReused,
    WriteNotFound,
    WriteNotResolvable,
)
from qwc_service.writes.shapes import InvalidWrite, field_of

__all__ = ["known_failure", "message_of"]

# (exception type, status, code, field): the first type that matches wins, so subclasses
# come before their bases.
_TABLE: tuple[tuple[type[Exception], int, str, str | None], ...] = (
    (ConnectionNotFound, 404, "connection_not_found", None),
    (MachineNotFound, 404, "machine_not_found", None),
    (NoLiveInstallLink, 404, "install_link_not_found", None),
    (JobNotFound, 404, "job_not_found", None),
    (SyncNotFound, 404, "schedule_not_found", None),
    (RecordNotFound, 404, "record_not_found", None),
    (UnknownRecordType, 404, "record_type_not_found", "record_type"),
    (EndpointNotFound, 404, "webhook_not_found", None),
    (WriteNotFound, 404, "write_not_found", None),
    (WriteNotResolvable, 409, "write_not_resolvable", None),
    (IdempotencyKeyReused, 409, "idempotency_key_reused", "idempotency_key"),
    (ConnectionDisabled, 409, "connection_disabled", None),
    (MachineRevoked, 409, "machine_revoked", None),
    (JobNotRetryable, 409, "job_not_retryable", None),
    (InvalidWindow, 400, "invalid_field", "window"),
    (InvalidTimezone, 400, "invalid_field", "timezone"),
    (InvalidWebhookUrl, 400, "invalid_field", "url"),
    (QbxmlError, 400, "invalid_qbxml", "qbxml"),
)


def known_failure(exc: Exception) -> HttpError | None:
    """The HTTP error for an HttpError or a known domain exception, or None for anything else."""
    if isinstance(exc, HttpError):
        return exc
    if isinstance(exc, InvalidWrite):
        return HttpError(400, "invalid_write", message_of(exc), field=field_of(exc))
    if isinstance(exc, QwcUrlRefused):
        # The server's public URL is wrong: nothing the client can fix, but worth saying.
        return HttpError(500, "server_misconfigured", message_of(exc))
    if isinstance(exc, IntegrityError):
        return HttpError(409, "conflict", "the request conflicts with a concurrent change; retry")
    for kind, status, code, field in _TABLE:
        if isinstance(exc, kind):
            return HttpError(status, code, message_of(exc), field=field)
    return None


def message_of(exc: Exception) -> str:
    """An exception's sentence: its first argument, else its type's name."""
    return str(exc.args[0]) if exc.args else type(exc).__name__
