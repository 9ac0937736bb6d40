"""A connection's machines: add one, reset it (a new setup link), revoke its link or itself.

Adding and resetting answer with the credentials page, which shows the setup link and the
password once: the page is not stored anywhere, and no later page can show them again.
"""

from __future__ import annotations

from qwc_service.admin.context import Ctx, PageError, user_errors
from qwc_service.admin.pages_connections import connection_path
from qwc_service.clock import isoformat
from qwc_service.connections.models import Machine
from qwc_service.connections.queries import get_connection_machine
from qwc_service.connections.setup_links import (
    IssuedLink,
    add_machine_with_link,
    issue_setup_link,
    revoke_setup_links,
    setup_url,
)
from qwc_service.connections.views import connection_view, machine_view
from qwc_service.http.reply import Reply, redirect
from qwc_service.qbwc import operations

__all__ = ["add", "reset", "revoke", "revoke_link"]


def machine_of(ctx: Ctx) -> Machine:
    """The machine named in the path, if it belongs to the connection named there."""
    return get_connection_machine(ctx.db, ctx.params["connection_id"], ctx.params["username"])


def _credentials_page(ctx: Ctx, issued: IssuedLink, *, new: bool) -> Reply:
    machine = issued.credentials.machine
    return ctx.page(
        "credentials.html",
        new=new,
        connection=connection_view(machine.connection),
        machine=machine_view(machine),
        setup_link=setup_url(ctx.settings, issued.token),
        password=issued.credentials.password,
        expires_at=isoformat(issued.link.expires_at),
    )


def add(ctx: Ctx) -> Reply:
    """Add a machine with its setup link; the answer shows the link and password once."""
    with user_errors():
        issued = add_machine_with_link(
            ctx.db,
            ctx.settings,
            ctx.hashing,
            ctx.params["connection_id"],
            label=ctx.form.get("label", "")[:200],
        )
    return _credentials_page(ctx, issued, new=True)


def reset(ctx: Ctx) -> Reply:
    """A new setup link and with it a new password; the old password and links stop working."""
    machine = machine_of(ctx)
    issued = issue_setup_link(ctx.db, ctx.settings, ctx.hashing, machine.username)
    return _credentials_page(ctx, issued, new=False)


def revoke_link(ctx: Ctx) -> Reply:
    """Revoke the machine's setup link; its password stays as it is."""
    machine = machine_of(ctx)
    revoke_setup_links(ctx.db, machine.username)
    return redirect(connection_path(machine.connection_id))


def revoke(ctx: Ctx) -> Reply:
    """Revoke the machine (the form's confirmation box must be ticked)."""
    machine = machine_of(ctx)
    if ctx.form.get("confirm") != "yes":
        raise PageError(400, "Tick the box to confirm that this machine should be revoked.")
    operations.revoke_machine(ctx.db, machine.username)
    return redirect(connection_path(machine.connection_id))
