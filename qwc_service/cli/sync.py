"""``qwc-service sync``: scheduled syncs of any record type, or of every one at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli
from qwc_service.clock import isoformat, utcnow
from qwc_service.sync.defaults import DEFAULT_EVERY_MINUTES

if TYPE_CHECKING:
    from qwc_service.records.registry import RecordType

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


# click 8.5 made ParamType generic; subscripting it would break the 8.1 floor at run time.
class RecordTypeParam(click.ParamType):  # type: ignore[type-arg]
    """A record type by qbXML name (``CreditMemo``) or plural (``credit_memos``), any case."""

    name = "type"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The :class:`RecordType` named; a usage error listing the valid names otherwise."""
        # Read only when a type is given: showing the help needs no registry.
        from qwc_service.records.registry import RecordType

        if isinstance(value, RecordType):
            return value
        try:
            return RecordType.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


TYPE_HELP = "A qbXML name (CreditMemo) or its plural (credit_memos)."
RECORD_TYPE = RecordTypeParam()


@click.group("sync")
def sync_group() -> None:
    """Scheduled syncs: what each connection keeps up to date, and how often."""


@sync_group.command("add")
@click.argument("connection_id")
@click.option("--type", "record_type", default=None, type=RECORD_TYPE, help=TYPE_HELP)
@click.option("--all", "every_type", is_flag=True, help="Sync every record type.")
@click.option(
    "--every",
    "every",
    default=None,
    type=int,
    help="Interval in minutes; required with --type. With --all it defaults to "
    f"{DEFAULT_EVERY_MINUTES} for new syncs and leaves existing ones as they are.",
)
@click.option(
    "--window",
    default=None,
    help="Daily window HH:MM-HH:MM in the connection's time zone (may wrap midnight).",
)
@click.option(
    "--max-returned",
    default=None,
    type=int,
    help="Records per page QuickBooks returns, where it pages [default: 100].",
)
@json_option
@pass_cli
@friendly_errors
def add_cmd(
    cli: CliContext,
    connection_id: str,
    record_type: RecordType | None,
    every_type: bool,
    every: int | None,
    window: str | None,
    max_returned: int | None,
    as_json: bool,
) -> None:
    """Sync a record type (--type) or every one (--all); adding again changes the schedule."""
    if (record_type is None) == (not every_type):
        raise click.UsageError("give either --type or --all")
    if every_type:
        _add_every(cli, connection_id, every, window, max_returned, as_json)
        return
    if record_type is None or every is None:
        raise click.UsageError("--every is required with --type")
    from qwc_service.connections.queries import get_connection
    from qwc_service.sync import schedule
    from qwc_service.sync.views import definition_view
    from qwc_service.sync.windows import zone_of

    with cli.unit() as db:
        definition = schedule.add_sync(
            db,
            connection_id,
            record_type,
            every,
            window=window,
            max_returned=100 if max_returned is None else max_returned,
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


def _add_every(
    cli: CliContext,
    connection_id: str,
    every: int | None,
    window: str | None,
    max_returned: int | None,
    as_json: bool,
) -> None:
    from qwc_service.sync import schedule

    with cli.unit() as db:
        result = schedule.add_every_sync(db, connection_id, every, window, max_returned)
        data = {
            "added": [d.record_type for d in result.added],
            "updated": [d.record_type for d in result.updated],
        }

    def human(d: dict[str, Any]) -> str:
        added = ", ".join(d["added"]) or "nothing"
        return f"added {len(d['added'])} sync(s): {added}; {len(d['updated'])} already synced"

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
                f"{r['type']:<26} every {r['every_minutes']} min{window}{paused}  "
                f"last success {r['last_success_at'] or 'never'}  "
                f"watermark {r['watermark'] or '-'}"
                + (f"  error: {r['last_error']}" if r["last_error"] else "")
            )
        return "\n".join(lines)

    emit(data, as_json, human)


@sync_group.command("now")
@click.argument("connection_id")
@click.option("--type", "record_type", default=None, type=RECORD_TYPE, help=TYPE_HELP)
@json_option
@pass_cli
@friendly_errors
def now_cmd(
    cli: CliContext, connection_id: str, record_type: RecordType | None, as_json: bool
) -> None:
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
@click.option("--type", "record_type", default=None, type=RECORD_TYPE, help=TYPE_HELP)
@json_option
@pass_cli
@friendly_errors
def pause_cmd(
    cli: CliContext,
    connection_id: str,
    until: str,
    record_type: RecordType | None,
    as_json: bool,
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
@click.option("--type", "record_type", required=True, type=RECORD_TYPE, help=TYPE_HELP)
@json_option
@pass_cli
@friendly_errors
def remove_cmd(cli: CliContext, connection_id: str, record_type: RecordType, as_json: bool) -> None:
    """Stop syncing a record type; its queued work is cancelled, stored records stay."""
    from qwc_service.sync import schedule

    with cli.unit() as db:
        cancelled = schedule.remove_sync(db, connection_id, record_type)
        data = {"type": record_type.value, "removed": True, "cancelled_jobs": cancelled}
    emit(
        data,
        as_json,
        lambda d: f"{d['type']} sync removed ({d['cancelled_jobs']} queued job(s) cancelled)",
    )


def register(main: click.Group) -> None:
    """Add the ``sync`` group to the main group."""
    main.add_command(sync_group)
