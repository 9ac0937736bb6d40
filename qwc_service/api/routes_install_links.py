"""A connection's installation link: issue a new one, revoke it.

The link lets the customer's people add their own machines (their own computer, or their
own Windows login on a terminal server) once the first computer has synced. Its URL holds
the token and is in the issuing reply only.
"""

from __future__ import annotations

from typing import Any

from qwc_service.api.common import CONNECTION_ID
from qwc_service.api.fields import Field
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.clock import utcnow
from qwc_service.connections import install_links
from qwc_service.connections.install_links import InstallLinkReport, LinkState
from qwc_service.connections.views import issued_install_link_view

HOURS = Field(
    "hours",
    "integer",
    "How many hours the link works; QWC_INSTALL_LINK_HOURS (30 days) when left out.",
    minimum=1,
    maximum=24 * 366,
)
MAX_INSTALLS = Field(
    "max_installs",
    "integer",
    "How many machines the link may add; null or left out for no limit.",
    nullable=True,
    minimum=1,
    maximum=10_000,
)


def issue_install_link(call: Call) -> Any:
    """A new installation link for the connection; the previous one stops working (410)."""
    issued = install_links.issue_install_link(
        call.db,
        call.settings,
        call.params["connection_id"],
        hours=call.body.get("hours"),
        max_installs=call.body.get("max_installs"),
    )
    return {**issued_install_link_view(call.settings, issued), "state": LinkState.ACTIVE.value}


def revoke_install_link(call: Call) -> Any:
    """Revoke the connection's live installation link (404 when none is live)."""
    link = install_links.revoke_install_link(call.db, call.params["connection_id"])
    return InstallLinkReport.of(link, utcnow()).to_payload()


TAG = "connections"
PATH = "/api/connections/{connection_id}/install-link"
ROUTES = [
    Operation(
        "POST",
        PATH,
        issue_install_link,
        "Issue a connection's installation link",
        TAG,
        ref("IssuedInstallLink"),
        status=201,
        params=(CONNECTION_ID,),
        body=(HOURS, MAX_INSTALLS),
        errors=(400, 404, 409, 413, 415),
    ),
    Operation(
        "DELETE",
        PATH,
        revoke_install_link,
        "Revoke a connection's installation link",
        TAG,
        ref("InstallLink"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
]
