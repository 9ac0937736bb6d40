"""``qwc-service sync``: scheduled syncs of customers, items, invoices and payments."""

from __future__ import annotations

from typing import Any

import click

from qwc_service.cli.common import CliContext, DeclaredChoice, emit, friendly_errors, pass_cli
from qwc_service.clock import isoformat, utcnow

TYPES = DeclaredChoice("qwc_service.records.registry:RecordType")
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


@click.group("sync")
def sync_group() -> None:
    """Scheduled syncs: what each connection keeps up to date, and how often."""


@sync_group.command("add")
@click.argument("connection_id")
@click.option("--type", "record_type", required=True, type=TYPES)
@click.option("--every", "every", required=True, type=int, help="Interval in minutes.")
@click.option(
    "--window",
    default=None,
    help="Daily window HH:MM-HH:MM in the connection's time zone (may wrap midnight).",
)
@click.option(
    "--max-returned",
    default=100,
    show_default=True,
    type=int,
    help="Records per page QuickBooks returns.",
)
@json_option
@pass_cli
@friendly_errors
def add_cmd(
    cli: CliContext,
    connection_id: str,
    record_type: str,
    every: int,
    window: str | None,
    max_returned: int,
    as_json: bool,
) -> None:
    """Sync a record type every MINUTES (adding it again changes its schedule)."""
    from qwc_service.connections.queries import get_connection
    from qwc_service.sync import schedule
    from qwc_service.sync.views import definition_view
    from qwc_service.sync.windows import zone_of

    with cli.unit() as db:
        definition = schedule.add_sync(
            db, connection_id, record_type, every, window=window, max_returned=max_returned
        )
        zone = zone_of(get_connection(db, connection_id))
        now = utcnow()
        data = definition_view(
            definition, timezone=zone.key, next_due=schedule.next_due_at(definition, zone, now)
        )

    def human(d: dict[str, Any]) -> str:
        window_text = f" within {d['window']} ({d['timezone']})" if d["window"] else ""
        return f"{d['type']} sync every {d['every_minutes']} min{window_text}"

    emit(data, as_json, human)


@sync_group.command("list")
@click.argument("connection_id")
@json_option
@pass_cli
@friendly_errors
def list_cmd(cli: CliContext, connection_id: str, as_json: bool) -> None:
    """List a connection's syncs with their last success and watermark."""
    from qwc_service.sync.views import sync_views

    with cli.unit() as db:
        data = sync_views(db, connection_id, utcnow())

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no syncs"
        lines = []
        for r in rows:
            window = f" {r['window']}" if r["window"] else ""
            paused = f" paused until {r['paused_until']}" if r["paused_until"] else ""
            lines.append(
                f"{r['type']:<10} every {r['every_minutes']} min{window}{paused}  "
                f"last success {r['last_success_at'] or 'never'}  "
                f"watermark {r['watermark'] or '-'}"
                + (f"  error: {r['last_error']}" if r["last_error"] else "")
            )
        return "\n".join(lines)

    emit(data, as_json, human)


@sync_group.command("now")
@click.argument("connection_id")
@click.option("--type", "record_type", default=None, type=TYPES)
@json_option
@pass_cli
@friendly_errors
def now_cmd(cli: CliContext, connection_id: str, record_type: str | None, as_json: bool) -> None:
    """Queue syncs now, whatever their schedule; one already pending is not queued twice."""
    from qwc_service.sync import schedule
    from qwc_service.sync.views import SyncJobReport

    with cli.unit() as db:
        jobs = schedule.sync_now(db, connection_id, record_type)
        data = [SyncJobReport.of(job).to_payload() for job in jobs]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "nothing queued: every sync asked for is already pending"
        return "\n".join(f"job {r['job_id']} queued: {r['type']}" for r in rows)

    emit(data, as_json, human)


@sync_group.command("pause")
@click.argument("connection_id")
@click.option(
    "--until",
    "until",
    required=True,
    help="ISO 8601 timestamp; without an offset it is read in the connection's time zone.",
)
@click.option("--type", "record_type", default=None, type=TYPES)
@json_option
@pass_cli
@friendly_errors
def pause_cmd(
    cli: CliContext, connection_id: str, until: str, record_type: str | None, as_json: bool
) -> None:
    """Pause a connection's syncs (or one type) until a time; a past time resumes them."""
    from qwc_service.connections.queries import get_connection
    from qwc_service.sync import schedule
    from qwc_service.sync.windows import parse_timestamp, zone_of

    with cli.unit() as db:
        zone = zone_of(get_connection(db, connection_id))
        moment = parse_timestamp(until, zone)
        paused = schedule.pause_syncs(db, connection_id, moment, record_type)
        data = {"paused_until": isoformat(moment), "types": [d.record_type for d in paused]}

    def human(d: dict[str, Any]) -> str:
        if not d["types"]:
            return "no syncs to pause"
        return f"{', '.join(d['types'])} paused until {d['paused_until']}"

    emit(data, as_json, human)


@sync_group.command("remove")
@click.argument("connection_id")
@click.option("--type", "record_type", required=True, type=TYPES)
@json_option
@pass_cli
@friendly_errors
def remove_cmd(cli: CliContext, connection_id: str, record_type: str, as_json: bool) -> None:
    """Stop syncing a record type; its queued work is cancelled, stored records stay."""
    from qwc_service.sync import schedule

    with cli.unit() as db:
        cancelled = schedule.remove_sync(db, connection_id, record_type)
        data = {"type": record_type, "removed": True, "cancelled_jobs": cancelled}
    emit(
        data,
        as_json,
        lambda d: f"{d['type']} sync removed ({d['cancelled_jobs']} queued job(s) cancelled)",
    )


def register(main: click.Group) -> None:
    """Add the ``sync`` group to the main group."""
    main.add_command(sync_group)
