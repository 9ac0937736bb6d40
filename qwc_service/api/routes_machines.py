"""Machines of a connection: add (password shown once), list, reset, revoke, .qwc download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from qwc_service.api.common import CONNECTION_ID, USERNAME
from qwc_service.api.errors import field_errors
from qwc_service.api.fields import Field
from qwc_service.api.http import ApiError, Response
from qwc_service.api.routing import Call, Route
from qwc_service.api.schemas import ref
from qwc_service.connections import service
from qwc_service.connections.models import Machine
from qwc_service.connections.queries import MachineNotFound, get_connection, get_machine
from qwc_service.connections.service import NewCredentials
from qwc_service.connections.views import machine_view

QWC_MEDIA_TYPE = "application/xml"


def machine_of(call: Call) -> Machine:
    """The machine named in the path, if it belongs to the connection named there."""
    connection_id = call.params["connection_id"]
    get_connection(call.db, connection_id)
    machine = get_machine(call.db, call.params["username"])
    if machine.connection_id != connection_id:
        # The same answer as for a username that does not exist at all.
        raise MachineNotFound(call.params["username"])
    return machine


def qwc_url(call: Call, machine: Machine) -> str:
    """Where the machine's .qwc file is downloaded (with an API token)."""
    return (
        f"{call.settings.public_url}/api/connections/{quote(machine.connection_id)}"
        f"/machines/{quote(machine.username)}/qwc"
    )


def _credentials(call: Call, created: NewCredentials) -> dict[str, Any]:
    return {
        "machine": machine_view(created.machine),
        "password": created.password,
        "qwc_url": qwc_url(call, created.machine),
    }


def add_machine(call: Call) -> Any:
    """Add a machine: its password is in this reply and nowhere else, ever."""
    with field_errors("label"):
        created = service.add_machine(
            call.db,
            call.settings,
            call.hashing,
            call.params["connection_id"],
            label=call.body["label"],
            write_file=False,
        )
    return _credentials(call, created)


def list_machines(call: Call) -> Any:
    """A connection's machines with their last check-in, revoked ones too."""
    machines = service.list_machines(call.db, call.params["connection_id"])
    return {"data": [machine_view(m) for m in machines]}


def get_machine_route(call: Call) -> Any:
    """One machine."""
    return machine_view(machine_of(call))


def reset_machine_password(call: Call) -> Any:
    """Give a machine a new password, shown in this reply only; the old one stops working."""
    machine = machine_of(call)
    if machine.is_revoked:
        raise ApiError(409, "machine_revoked", "the machine is revoked; add a new machine instead")
    return _credentials(call, service.reset_password(call.db, call.hashing, machine.username))


def revoke_machine(call: Call) -> Any:
    """Revoke a machine: its logins are refused and its session ends."""
    machine = machine_of(call)
    return machine_view(service.revoke_machine(call.db, machine.username))


def download_qwc(call: Call) -> Any:
    """The machine's .qwc file, rendered from the database."""
    machine = machine_of(call)
    if machine.is_revoked:
        raise ApiError(409, "machine_revoked", "the machine is revoked; its .qwc file is useless")
    document = service.qwc_document(call.settings, machine.connection, machine)
    return Response(
        200,
        document.encode("utf-8"),
        f"{QWC_MEDIA_TYPE}; charset=utf-8",
        (("Content-Disposition", f'attachment; filename="{machine.username}.qwc"'),),
    )


TAG = "machines"
MACHINE_PATH = "/api/connections/{connection_id}/machines/{username}"
ROUTES = [
    Route(
        "POST",
        "/api/connections/{connection_id}/machines",
        add_machine,
        "Add a machine; the reply holds its password, shown once",
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
    Route(
        "GET",
        "/api/connections/{connection_id}/machines",
        list_machines,
        "List a connection's machines",
        TAG,
        ref("MachineList"),
        params=(CONNECTION_ID,),
        errors=(404,),
    ),
    Route(
        "GET",
        MACHINE_PATH,
        get_machine_route,
        "Read a machine",
        TAG,
        ref("Machine"),
        params=(CONNECTION_ID, USERNAME),
        errors=(404,),
    ),
    Route(
        "POST",
        MACHINE_PATH + "/reset-password",
        reset_machine_password,
        "Reset a machine's password; the reply holds the new one, shown once",
        TAG,
        ref("MachineCredentials"),
        params=(CONNECTION_ID, USERNAME),
        errors=(404, 409),
    ),
    Route(
        "POST",
        MACHINE_PATH + "/revoke",
        revoke_machine,
        "Revoke a machine",
        TAG,
        ref("Machine"),
        params=(CONNECTION_ID, USERNAME),
        errors=(404,),
    ),
    Route(
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
