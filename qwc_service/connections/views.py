"""Plain dictionaries for connections and machines (CLI output, later the HTTP API)."""

from __future__ import annotations

from typing import Any

from qwc_service.clock import isoformat
from qwc_service.config import Settings
from qwc_service.connections.install_links import IssuedInstallLink, install_url
from qwc_service.connections.models import Connection, Machine


def connection_view(connection: Connection) -> dict[str, Any]:
    """A connection as JSON-ready data."""
    return {
        "connection_id": connection.id,
        "name": connection.name,
        "owner_id": connection.owner_id,
        "file_id": connection.file_id,
        "company_file": connection.company_file,
        "created_at": isoformat(connection.created_at),
        "disabled_at": isoformat(connection.disabled_at),
        "company_name": connection.company_name,
        "product_name": connection.product_name,
        "qbxml_version": connection.qbxml_version,
        "last_company_file": connection.last_company_file,
        "timezone": connection.timezone,
        "min_poll_seconds": connection.min_poll_seconds,
        "qwc_run_seconds": connection.qwc_run_seconds,
        "lock": {
            "locked": connection.locked_at is not None,
            "file_id": connection.lock_file_id,
            "company_name": connection.lock_company_name,
            "file_path": connection.lock_file_path,
            "locked_at": isoformat(connection.locked_at),
        },
        "last_error": connection.last_error,
        "last_error_at": isoformat(connection.last_error_at),
        "last_success_at": isoformat(connection.last_success_at),
        "last_error_unresolved": error_unresolved(connection),
    }


def error_unresolved(connection: Connection) -> bool:
    """Whether the connection's last error came after its last success."""
    if connection.last_error_at is None:
        return False
    return (
        connection.last_success_at is None or connection.last_success_at < connection.last_error_at
    )


def machine_view(machine: Machine) -> dict[str, Any]:
    """A machine as JSON-ready data (never its password hash)."""
    return {
        "machine_id": machine.id,
        "connection_id": machine.connection_id,
        "label": machine.label,
        "username": machine.username,
        "created_at": isoformat(machine.created_at),
        "password_changed_at": isoformat(machine.password_changed_at),
        "revoked_at": isoformat(machine.revoked_at),
        "last_seen_at": isoformat(machine.last_seen_at),
        "qbwc_version": machine.qbwc_version,
    }


def issued_install_link_view(settings: Settings, issued: IssuedInstallLink) -> dict[str, Any]:
    """A new installation link as its issuer sees it once: the URL holds the token."""
    return {
        "install_url": install_url(settings, issued.token),
        "expires_at": isoformat(issued.link.expires_at),
        "max_installs": issued.link.max_installs,
    }
