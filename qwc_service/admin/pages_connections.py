"""The connections list, creating a connection, one connection's page, releasing its lock."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from qwc_service.admin.context import Ctx, user_errors
from qwc_service.admin.health import STATES, health_state
from qwc_service.clock import isoformat, utcnow
from qwc_service.connections import service
from qwc_service.connections.install_links import install_link_report
from qwc_service.connections.models import Machine
from qwc_service.connections.queries import get_connection
from qwc_service.connections.setup_links import live_link
from qwc_service.connections.views import connection_view, machine_view
from qwc_service.http.reply import Reply, redirect
from qwc_service.records.registry import RecordType
from qwc_service.reporting.health import connection_health
from qwc_service.sessions.service import recent_sessions
from qwc_service.sessions.views import session_view
from qwc_service.sync.views import sync_views

__all__ = ["connection_path", "create", "detail_page", "list_page", "release_lock"]

RECENT_SESSIONS = 20
# Connections per page of the list: each row is a health report of its own.
PAGE_SIZE = 50


def connection_path(connection_id: str) -> str:
    """The admin page of a connection."""
    return f"/admin/connections/{connection_id}"


def list_page(ctx: Ctx) -> Reply:
    """A page of connections (searched by name or ID) with their health at a glance."""
    search = ctx.query.get("q", "")[:200]
    after = ctx.query.get("after") or None
    connections, next_after = service.find_connections(
        ctx.db, search=search, after=after, limit=PAGE_SIZE
    )
    rows = []
    for connection in connections:
        health = connection_health(ctx.db, ctx.settings, connection.id)
        rows.append(
            {
                "connection": connection_view(connection),
                "health": health,
                "state": health_state(health),
                "machines": sum(1 for m in health.machines if not m.revoked),
            }
        )
    return ctx.page(
        "connections.html",
        rows=rows,
        states=STATES,
        search=search,
        first_page=_list_path(search) if after is not None else None,
        next_page=None if next_after is None else _list_path(search, next_after),
    )


def _list_path(search: str, after: str | None = None) -> str:
    query = {key: value for key, value in (("q", search), ("after", after)) if value}
    return "/admin" + ("?" + urlencode(query) if query else "")


def create(ctx: Ctx) -> Reply:
    """Create a connection from the form and go to its page."""
    with user_errors():
        connection = service.create_connection(
            ctx.db,
            name=ctx.form.get("name", "")[:200],
            company_file=ctx.form.get("company_file", "").strip()[:1024] or None,
        )
    return redirect(connection_path(connection.id))


def _machine_row(ctx: Ctx, machine: Machine) -> dict[str, Any]:
    link = None if machine.is_revoked else live_link(ctx.db, machine.id)
    row = machine_view(machine)
    row["address"] = machine.last_login_address
    row["link_expires_at"] = None if link is None else isoformat(link.expires_at)
    return row


def detail_page(ctx: Ctx) -> Reply:
    """A connection: health, company lock, machines, schedules and recent sessions."""
    connection_id = ctx.params["connection_id"]
    connection = get_connection(ctx.db, connection_id)
    health = connection_health(ctx.db, ctx.settings, connection_id)
    machines = [_machine_row(ctx, m) for m in service.list_machines(ctx.db, connection_id)]
    labels = {m["machine_id"]: m["label"] for m in machines}
    sessions = []
    for wc in recent_sessions(ctx.db, connection_id, limit=RECENT_SESSIONS):
        view = session_view(wc)
        view["machine_label"] = labels.get(wc.machine_id, "")
        sessions.append(view)
    return ctx.page(
        "connection.html",
        connection=connection_view(connection),
        health=health,
        state=health_state(health),
        states=STATES,
        machines=machines,
        syncs=sync_views(ctx.db, connection_id, utcnow()),
        record_types=[t.value for t in RecordType],
        sessions=sessions,
        install_link=install_link_report(ctx.db, connection_id),
    )


def release_lock(ctx: Ctx) -> Reply:
    """Release the company-file lock; the next successful session locks it again."""
    connection = service.release_company_lock(ctx.db, ctx.params["connection_id"])
    return redirect(connection_path(connection.id))
