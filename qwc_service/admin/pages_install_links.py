"""A connection's installation link: issue a new one (shown once), revoke it."""

from __future__ import annotations

from qwc_service.admin.context import Ctx, form_int, user_errors
from qwc_service.admin.pages_connections import connection_path
from qwc_service.connections import install_links
from qwc_service.connections.queries import get_connection
from qwc_service.connections.views import connection_view, issued_install_link_view
from qwc_service.http.reply import Reply, redirect

__all__ = ["issue", "revoke"]

MAX_INSTALLS = 10_000


def issue(ctx: Ctx) -> Reply:
    """A new installation link, shown once; the connection's previous link stops working."""
    connection = get_connection(ctx.db, ctx.params["connection_id"])
    raw = ctx.form.get("max_installs", "").strip()
    limit = None
    if raw:
        limit = form_int(raw, "The number of installs", minimum=1, maximum=MAX_INSTALLS)
    with user_errors():
        issued = install_links.issue_install_link(
            ctx.db, ctx.settings, connection.id, max_installs=limit
        )
    return ctx.page(
        "install_link_issued.html",
        connection=connection_view(connection),
        link=issued_install_link_view(ctx.settings, issued),
        ready=install_links.readiness(connection) is install_links.Readiness.READY,
    )


def revoke(ctx: Ctx) -> Reply:
    """Revoke the installation link; the machines it added keep working."""
    connection_id = ctx.params["connection_id"]
    install_links.revoke_install_link(ctx.db, connection_id)
    return redirect(connection_path(connection_id))
