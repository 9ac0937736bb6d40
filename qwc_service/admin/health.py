"""The words the pages show for a connection's state (the rules are the reporting layer's)."""

from __future__ import annotations

from qwc_service.reporting.states import ATTENTION_ORDER, ConnectionState

__all__ = ["LABELS", "MEANINGS", "STATE_ORDER"]

#: The state as the pages write it.
LABELS: dict[ConnectionState, str] = {
    ConnectionState.CONNECTED: "connected",
    ConnectionState.WAITING_FOR_FIRST_SYNC: "waiting for first sync",
    ConnectionState.WAITING_FOR_QUICKBOOKS: "waiting for QuickBooks",
    ConnectionState.STALE: "stale",
    ConnectionState.ERROR: "error",
    ConnectionState.WRONG_COMPANY_FILE: "wrong company file",
    ConnectionState.DISABLED: "disabled",
}

#: What each state means in general (a badge's tooltip); the reason next to it is specific.
MEANINGS: dict[ConnectionState, str] = {
    ConnectionState.CONNECTED: "QuickBooks has answered requests and a Web Connector "
    "checked in within two run intervals.",
    ConnectionState.WAITING_FOR_FIRST_SYNC: "No Web Connector has checked in yet.",
    ConnectionState.WAITING_FOR_QUICKBOOKS: "A Web Connector checks in, but QuickBooks has "
    "not answered a request yet.",
    ConnectionState.STALE: "It synced before, but no Web Connector has checked in for more "
    "than two run intervals.",
    ConnectionState.ERROR: "The last error came after the last success.",
    ConnectionState.WRONG_COMPANY_FILE: "The last session was refused: another company file "
    "was open in QuickBooks.",
    ConnectionState.DISABLED: "Disabled: it takes no new work or sessions.",
}

#: The order the counts are shown in: what needs attention first.
STATE_ORDER = ATTENTION_ORDER
