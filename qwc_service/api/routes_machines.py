"""Machines of a connection: add, list, reset, revoke, setup links, .qwc download.

Adding a machine, resetting its password and issuing a setup link all answer with the
same credentials: the password (shown once here), the .qwc download URL (needs a token)
and the setup link (public, expiring) whose page shows the steps, the file and the password.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from qwc_service.api.common import CONNECTION_ID, USERNAME
from qwc_service.api.errors import field_errors
from qwc_service.api.fields import Field
from qwc_service.api.routing import Call, Operation
from qwc_service.api.schemas import ref
from qwc_service.clock import isoformat
from qwc_service.connections import service, setup_links
from qwc_service.connections.models import Machine
from qwc_service.connections.queries import get_connection_machine
from qwc_service.connections.setup_links import IssuedLink
from qwc_service.connections.views import machine_view
from qwc_service.http.errors import HttpError
from qwc_service.http.reply import Reply
from qwc_service.qbwc import operations

QWC_MEDIA_TYPE = "application/xml"


def machine_of(call: Call) -> Machine:
    """The machine named in the path, if it belongs to the connection named there."""
    return get_connection_machine(call.db, call.params["connection_id"], call.params["username"])


def qwc_url(call: Call, machine: Machine) -> str:
    """Where the machine's .qwc file is downloaded (with an API token)."""
    return (
        f"{call.settings.public_url}/api/connections/{quote(machine.connection_id)}"
        f"/machines/{quote(machine.username)}/qwc"
    )


def _credentials(call: Call, issued: IssuedLink) -> dict[str, Any]:
    created = issued.credentials
    return {
        "machine": machine_view(created.machine),
        "password": created.password,
        "qwc_url": qwc_url(call, created.machine),
        "setup_url": setup_links.setup_url(call.settings, issued.token),
        "setup_link_expires_at": isoformat(issued.link.expires_at),
    }


def add_machine(call: Call) -> Any:
    """Add a machine with its setup link: the password is in this reply and on the link's page."""
    with field_errors("label"):
        issued = setup_links.add_machine_with_link(
            call.db,
            call.settings,
            call.hashing,
            call.params["connection_id"],
            label=call.body["label"],
            write_file=False,
        )
    return _credentials(call, issued)


def list_machines(call: Call) -> Any:
    """A connection's machines with their last check-in, revoked ones too."""
    machines = service.list_machines(call.db, call.params["connection_id"])
    return {"data": [machine_view(m) for m in machines]}


def get_machine_route(call: Call) -> Any:
    """One machine."""
    return machine_view(machine_of(call))


def _new_setup_link(call: Call) -> Any:
    # A revoked machine gets none: the service says so (409 machine_revoked).
    machine = machine_of(call)
    issued = setup_links.issue_setup_link(call.db, call.settings, call.hashing, machine.username)
    return _credentials(call, issued)


def reset_machine_password(call: Call) -> Any:
    """Give a machine a new password and setup link; the old password and links stop working."""
    return _new_setup_link(call)


def issue_setup_link(call: Call) -> Any:
    """A new setup link for the machine; it comes with a new password (the old one stops)."""
    return _new_setup_link(call)


def revoke_setup_link(call: Call) -> Any:
    """End the machine's setup link; its password stays as it is."""
    machine = machine_of(call)
    setup_links.revoke_setup_links(call.db, machine.username)
    return machine_view(machine)


def revoke_machine(call: Call) -> Any:
    """Revoke a machine: its logins are refused and its session ends."""
    machine = machine_of(call)
    return machine_view(operations.revoke_machine(call.db, machine.username).machine)


def download_qwc(call: Call) -> Any:
    """The machine's .qwc file, rendered from the database."""
    machine = machine_of(call)
    if machine.is_revoked:
        raise HttpError(409, "machine_revoked", "the machine is revoked; its .qwc file is useless")
    document = service.qwc_document(call.settings, machine.connection, machine)
    return Reply(
        200,
        document.encode("utf-8"),
        f"{QWC_MEDIA_TYPE}; charset=utf-8",
        (("Content-Disposition", f'attachment; filename="{machine.username}.qwc"'),),
    )


TAG = "machines"
MACHINE_PATH = "/api/connections/{connection_id}/machines/{username}"
ROUTES = [
    Operation(
        "POST",
        "/api/connections/{connection_id}/machines",
        add_machine,
        "Add a machine; the reply holds its password (shown once) and its setup link",
        TAG,
        ref("MachineCredentials"),
        status=201,
        params=(CONNECTION_ID,),
        body=(
            Field(
                "label",
                "string",
                "Which computer this is, e.g. 'Front office PC'.",
                required=True,
                min_length=1,
                max_length=200,
            ),
        ),
        errors=(400, 404, 409, 413, 415),
    ),
    Operation(
        "GET",
        "/api/connections/{connection_id}/machines",
        list_machines,
        "List a connection's machines",
        TAG,
        ref("MachineList"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
    Operation(
        "GET",
        MACHINE_PATH,
        get_machine_route,
        "Read a machine",
        TAG,
        ref("Machine"),
        params=(CONNECTION_ID, USERNAME),
        errors=(404,),
    ),
    Operation(
        "POST",
        MACHINE_PATH + "/reset-password",
        reset_machine_password,
        "Reset a machine's password; the reply holds the new one and a new setup link",
        TAG,
        ref("MachineCredentials"),
        params=(CONNECTION_ID, USERNAME),
        errors=(404, 409),
    ),
    Operation(
        "POST",
        MACHINE_PATH + "/setup-link",
        issue_setup_link,
        "Issue a new setup link (and with it a new password) for a machine",
        TAG,
        ref("MachineCredentials"),
        status=201,
        params=(CONNECTION_ID, USERNAME),
        errors=(404, 409),
    ),
    Operation(
        "DELETE",
        MACHINE_PATH + "/setup-link",
        revoke_setup_link,
        "Revoke a machine's setup link; its password is unchanged",
        TAG,
        ref("Machine"),
        params=(CONNECTION_ID, USERNAME),
        errors=(404,),
    ),
    Operation(
        "POST",
        MACHINE_PATH + "/revoke",
        revoke_machine,
        "Revoke a machine",
        TAG,
        ref("Machine"),
        params=(CONNECTION_ID, USERNAME),
        errors=(404,),
    ),
    Operation(
        "GET",
        MACHINE_PATH + "/qwc",
        download_qwc,
        "Download a machine's .qwc file",
        TAG,
        {"type": "string", "description": "The .qwc XML document, as an attachment."},
        params=(CONNECTION_ID, USERNAME),
        errors=(404, 409),
        media_type=QWC_MEDIA_TYPE,
    ),
]
