"""The connections list, creating a connection, one connection's page, releasing its lock."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from qwc_service.admin.confirm import Question, ask, confirmed
from qwc_service.admin.context import Ctx, PageError, user_errors
from qwc_service.admin.health import LABELS, MEANINGS, STATE_ORDER
from qwc_service.clock import isoformat, utcnow
from qwc_service.connections import service
from qwc_service.connections.install_links import install_link_report
from qwc_service.connections.models import Connection, Machine
from qwc_service.connections.queries import get_connection
from qwc_service.connections.setup_links import live_link
from qwc_service.connections.views import connection_view, machine_view
from qwc_service.http.reply import Reply, redirect
from qwc_service.qbxml.objects.specs import Category
from qwc_service.records.registry import RecordType
from qwc_service.reporting.checkins import check_in_summary
from qwc_service.reporting.health import connection_health
from qwc_service.reporting.overview import ListOrder, connection_page, state_counts
from qwc_service.reporting.states import ConnectionState
from qwc_service.sessions.outcomes import session_outcome
from qwc_service.sessions.service import recent_sessions
from qwc_service.sessions.views import session_view
from qwc_service.sync.views import sync_views

__all__ = ["connection_path", "create", "detail_page", "list_page", "release_lock"]

RECENT_SESSIONS = 20
PAGE_SIZE = 50
#: What authenticate answered a check-in, as the connection page says it.
CHECK_IN_ANSWERS = {
    "work": "a session started",
    "none": "no work",
    "busy": "busy: another machine's session was running",
}


def connection_path(connection_id: str) -> str:
    """The admin page of a connection."""
    return f"/admin/connections/{connection_id}"


def _state_of(value: str | None) -> ConnectionState | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return ConnectionState(value)
    except ValueError:
        choices = ", ".join(s.value for s in STATE_ORDER)
        raise PageError(400, f"Unknown state; choose one of {choices}.") from None


def _order_of(value: str | None) -> ListOrder:
    value = (value or "").strip()
    try:
        return ListOrder(value) if value else ListOrder.NAME
    except ValueError:
        raise PageError(400, "Sort by name or attention.") from None


def list_path(
    search: str = "",
    state: ConnectionState | None = None,
    order: ListOrder = ListOrder.NAME,
    after: str | None = None,
) -> str:
    """The list's address with these filters (defaults left out)."""
    query = {
        "q": search,
        "state": state.value if state else "",
        "sort": "" if order is ListOrder.NAME else order.value,
        "after": after or "",
    }
    present = {key: value for key, value in query.items() if value}
    return "/admin" + ("?" + urlencode(present) if present else "")


def list_page(ctx: Ctx) -> Reply:
    """A page of connections with each one's state and why, the states counted at the top,
    filtered by state and sorted by name or what needs attention first."""
    search = ctx.query.get("q", "")[:200]
    state = _state_of(ctx.query.get("state"))
    order = _order_of(ctx.query.get("sort"))
    after = ctx.query.get("after") or None
    now = utcnow()
    page = connection_page(
        ctx.db,
        ctx.settings,
        search=search,
        state=state,
        order=order,
        after=after,
        limit=PAGE_SIZE,
        now=now,
    )
    counts = state_counts(ctx.db, ctx.settings, search=search, now=now)
    return ctx.page(
        "connections.html",
        rows=page.rows,
        counts=[(s, counts[s], list_path(search, s, order)) for s in STATE_ORDER],
        total=sum(counts.values()),
        all_path=list_path(search, None, order),
        sorts=[
            (ListOrder.NAME, "name", list_path(search, state, ListOrder.NAME)),
            (
                ListOrder.ATTENTION,
                "needs attention first",
                list_path(search, state, ListOrder.ATTENTION),
            ),
        ],
        labels=LABELS,
        meanings=MEANINGS,
        state=state,
        order=order,
        search=search,
        first_page=list_path(search, state, order) if after is not None else None,
        next_page=None
        if page.next_after is None
        else list_path(search, state, order, page.next_after),
    )


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
    now = utcnow()
    health = connection_health(ctx.db, ctx.settings, connection_id, now=now)
    machines = [_machine_row(ctx, m) for m in service.list_machines(ctx.db, connection_id)]
    labels = {m["machine_id"]: m["label"] for m in machines}
    sessions = []
    for wc in recent_sessions(ctx.db, connection_id, limit=RECENT_SESSIONS):
        view = session_view(wc)
        view["machine_label"] = labels.get(wc.machine_id, "")
        view["outcome"] = session_outcome(wc, now)
        sessions.append(view)
    checkins = check_in_summary(ctx.db, connection_id)
    return ctx.page(
        "connection.html",
        connection=connection_view(connection),
        health=health,
        state=health.state,
        labels=LABELS,
        meanings=MEANINGS,
        checkins=checkins,
        checkin_machine=labels.get(checkins.machine_id or 0, ""),
        check_in_answers=CHECK_IN_ANSWERS,
        machines=machines,
        syncs=sync_views(ctx.db, connection_id, now),
        record_types=_record_type_groups(),
        sessions=sessions,
        install_link=install_link_report(ctx.db, connection_id),
    )


_GROUPS = {
    Category.LIST: "Lists",
    Category.ITEM_KIND: "Items by kind",
    Category.TRANSACTION: "Transactions",
    Category.SINGLETON: "Company file",
}


def _record_type_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The record types the schedule form offers, grouped, as (value, text) pairs."""
    groups: dict[str, list[tuple[str, str]]] = {name: [] for name in _GROUPS.values()}
    for kind in RecordType:
        groups[_GROUPS[kind.category]].append((kind.value, f"{kind.label} ({kind.value})"))
    return list(groups.items())


def release_question(connection: Connection) -> Question:
    """What releasing the company lock gives up: the refusal of other company files."""
    locked = connection.lock_company_name or connection.lock_file_path or "the locked file"
    return Question(
        title=f"Release the company-file lock of {connection.name}?",
        consequences=(
            f"Sessions with another company file than {locked} open are no longer refused: "
            "the next session that succeeds locks this connection to whichever file is open "
            "then, and its records are read into this connection.",
            "Release it only when the company file was moved or restored.",
        ),
        action=connection_path(connection.id) + "/unlock",
        button="Release lock",
        back=connection_path(connection.id) + "#lock",
    )


def release_lock(ctx: Ctx) -> Reply:
    """Release the company-file lock, once confirmed; the next successful session locks it
    again. A connection that is not locked has nothing to lose, so it is not asked."""
    connection = get_connection(ctx.db, ctx.params["connection_id"])
    if connection.locked_at is not None and not confirmed(ctx):
        return ask(ctx, release_question(connection))
    service.release_company_lock(ctx.db, connection.id)
    return redirect(connection_path(connection.id))
