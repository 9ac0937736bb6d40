"""A connection's machines: add one, reset it (a new setup link), revoke its link or itself.

Adding and resetting answer with the credentials page, which shows the setup link and the
password once: the page is not stored anywhere, and no later page can show them again.

Resetting and revoking a machine stop its Web Connector from syncing, so both ask first
(:mod:`~qwc_service.admin.confirm`). Revoking only the setup link does not: the password
stays, so a Web Connector already set up goes on syncing, and a person who still needs the
link gets a new one by a reset.
"""

from __future__ import annotations

from qwc_service.admin.confirm import Question, ask, confirmed
from qwc_service.admin.context import Ctx, user_errors
from qwc_service.admin.pages_connections import connection_path
from qwc_service.clock import isoformat, utcnow
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
from qwc_service.sessions.service import open_sessions

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


def _path(machine: Machine, action: str) -> str:
    return f"{connection_path(machine.connection_id)}/machines/{machine.username}/{action}"


def reset_question(machine: Machine) -> Question:
    """What resetting ``machine`` stops: its Web Connector, if it ever logged in."""
    if machine.last_seen_at is not None:
        first = (
            f"The Web Connector on {machine.label} will stop syncing until the new password "
            "is entered there."
        )
    else:
        first = (
            f"No Web Connector has logged in as {machine.label} yet, so nothing that syncs stops."
        )
    return Question(
        title=f"Reset the password of {machine.label}?",
        consequences=(
            first,
            "The setup link sent earlier stops working; the next page shows a new link and "
            "password, once.",
        ),
        action=_path(machine, "reset"),
        button="Reset password",
        back=connection_path(machine.connection_id) + "#machines",
    )


def revoke_question(machine: Machine, *, in_session: bool) -> Question:
    """What revoking ``machine`` stops, for good."""
    if machine.last_seen_at is not None:
        running = ", and the session it is running now ends" if in_session else ""
        first = (
            f"The Web Connector on {machine.label} will stop syncing for good: its logins "
            f"are refused from now on{running}."
        )
    else:
        first = f"The password and setup link of {machine.label} stop working for good."
    return Question(
        title=f"Revoke {machine.label}?",
        consequences=(
            first,
            "This cannot be undone: to connect that computer again, add a new machine.",
        ),
        action=_path(machine, "revoke"),
        button="Revoke machine",
        back=connection_path(machine.connection_id) + "#machines",
    )


def reset(ctx: Ctx) -> Reply:
    """A new setup link and with it a new password; the old password and links stop working.

    Asks first; a revoked machine is refused (409) without a question.
    """
    machine = machine_of(ctx)
    if not machine.is_revoked and not confirmed(ctx):
        return ask(ctx, reset_question(machine))
    issued = issue_setup_link(ctx.db, ctx.settings, ctx.hashing, machine.username)
    return _credentials_page(ctx, issued, new=False)


def revoke_link(ctx: Ctx) -> Reply:
    """Revoke the machine's setup link; its password stays as it is."""
    machine = machine_of(ctx)
    revoke_setup_links(ctx.db, machine.username)
    return redirect(connection_path(machine.connection_id))


def revoke(ctx: Ctx) -> Reply:
    """Revoke the machine, once confirmed: its logins are refused and its session ends."""
    machine = machine_of(ctx)
    if not machine.is_revoked and not confirmed(ctx):
        now = utcnow()
        in_session = any(s.is_live(now) for s in open_sessions(ctx.db, machine_id=machine.id))
        return ask(ctx, revoke_question(machine, in_session=in_session))
    operations.revoke_machine(ctx.db, machine.username)
    return redirect(connection_path(machine.connection_id))
