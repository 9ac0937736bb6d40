"""A connection's sync schedules: add or change one, pause, resume, run now, remove."""

from __future__ import annotations

from datetime import timedelta

from qwc_service.admin.context import Ctx, PageError, form_int, user_errors
from qwc_service.admin.pages_connections import connection_path
from qwc_service.clock import utcnow
from qwc_service.http.reply import Reply, redirect
from qwc_service.records.registry import RecordType
from qwc_service.sync import schedule

__all__ = ["PAUSES", "add", "pause", "remove", "resume", "run_now"]

#: The pause lengths the form offers, in hours.
PAUSES = (1, 24, 24 * 7)


def _type(ctx: Ctx) -> str:
    """The record type the form names (its plural, or its qbXML name)."""
    try:
        return RecordType.parse(ctx.form.get("type", "")).value
    except ValueError as exc:
        raise PageError(400, str(exc)) from None


def _type_or_all(ctx: Ctx) -> str | None:
    """The record type the form names, or None for all of the connection's syncs."""
    return _type(ctx) if ctx.form.get("type", "").strip() else None


def _back(ctx: Ctx) -> Reply:
    return redirect(connection_path(ctx.params["connection_id"]) + "#schedules")


def add(ctx: Ctx) -> Reply:
    """Sync a record type every N minutes, optionally within a daily window."""
    record_type = _type(ctx)
    every = form_int(
        ctx.form.get("every_minutes"), "The interval", minimum=1, maximum=schedule.MAX_EVERY_MINUTES
    )
    window = ctx.form.get("window", "").strip()[:11] or None
    with user_errors():
        schedule.add_sync(ctx.db, ctx.params["connection_id"], record_type, every, window=window)
    return _back(ctx)


def pause(ctx: Ctx) -> Reply:
    """Pause the connection's syncs (or one type) for a number of hours."""
    hours = form_int(ctx.form.get("hours"), "The pause", minimum=1, maximum=max(PAUSES))
    until = utcnow() + timedelta(hours=hours)
    schedule.pause_syncs(ctx.db, ctx.params["connection_id"], until, _type_or_all(ctx))
    return _back(ctx)


def resume(ctx: Ctx) -> Reply:
    """End a pause now."""
    schedule.pause_syncs(ctx.db, ctx.params["connection_id"], utcnow(), _type_or_all(ctx))
    return _back(ctx)


def run_now(ctx: Ctx) -> Reply:
    """Queue the syncs (or one type) now, whatever their schedule."""
    with user_errors():
        schedule.sync_now(ctx.db, ctx.params["connection_id"], _type_or_all(ctx))
    return _back(ctx)


def remove(ctx: Ctx) -> Reply:
    """Stop syncing a record type; its queued work is cancelled, stored records stay."""
    schedule.remove_sync(ctx.db, ctx.params["connection_id"], _type(ctx))
    return _back(ctx)
