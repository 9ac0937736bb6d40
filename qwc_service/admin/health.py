"""One word for a connection's health, read from the service's health report."""

from __future__ import annotations

from qwc_service.reporting.health import ConnectionHealth

__all__ = ["STATES", "health_state"]

#: Every state, with the sentence the pages show next to it.
STATES = {
    "connected": "A Web Connector checked in recently and the last request succeeded.",
    "stale": "No Web Connector has checked in for more than two run intervals.",
    "error": "The last error came after the last success; read it below.",
    "never synced": "No Web Connector has checked in yet.",
    "disabled": "The connection is disabled: it takes no new work or sessions.",
}


def health_state(health: ConnectionHealth) -> str:
    """``connected``, ``stale``, ``error``, ``never synced`` or ``disabled``."""
    if health.disabled:
        return "disabled"
    if health.last_check_in_at is None and health.last_success_at is None:
        return "never synced"
    if health.last_error_unresolved:
        return "error"
    return "connected" if health.connected else "stale"
