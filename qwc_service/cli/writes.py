"""``qwc-service write`` (queue any write at most once) and ``qwc-service resolve-write``."""

from __future__ import annotations

import json
from typing import Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli
from qwc_service.writes.resolution import Resolution


def _summary(job_data: dict[str, Any], created: bool | None = None) -> dict[str, Any]:
    data = {
        "job_id": job_data["job_id"],
        "status": job_data["status"],
        "write": job_data["write"],
        "result": job_data["result"],
        "conflict": job_data["conflict"],
        "error": job_data["error"],
    }
    if created is not None:
        data["created"] = created
    return data


def _human(data: dict[str, Any]) -> str:
    again = "" if data.get("created", True) else " (already queued with this key)"
    line = f"job {data['job_id']}: {data['status']}{again}"
    return line + (f"\n{data['error']}" if data["error"] else "")


@click.command("write")
@click.argument("connection_id")
@click.option("--request", "request", required=True, help="e.g. ReceivePaymentAdd, CustomerMod.")
@click.option(
    "--fields",
    "fields_file",
    required=True,
    type=click.File("r", encoding="utf-8"),
    help="JSON object of the request's fields named as in qbXML; - for standard input.",
)
@click.option("--key", required=True, help="Idempotency key: the same key never writes twice.")
@click.option("--depends-on", type=int, default=None, help="Send only after this job is done.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def write_cmd(
    cli: CliContext,
    connection_id: str,
    request: str,
    fields_file: Any,
    key: str,
    depends_on: int | None,
    as_json: bool,
) -> None:
    """Queue one Add, Mod, Void or Delete for the next Web Connector update, at most once."""
    from qwc_service.queue.service import get_job
    from qwc_service.queue.views import job_view
    from qwc_service.writes import service
    from qwc_service.writes.views import job_write_members

    try:
        fields = json.loads(fields_file.read())
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--fields is not JSON: {exc}") from None
    with cli.unit() as db:
        submitted = service.submit_write(
            db,
            connection_id,
            request=request,
            fields=fields,
            idempotency_key=key,
            depends_on=depends_on,
        )
        job = get_job(db, connection_id, submitted.write.job_id or 0)
        data = _summary({**job_view(job), **job_write_members(job, db)}, submitted.created)
    emit(data, as_json, _human)


@click.command("resolve-write")
@click.argument("connection_id")
@click.argument("job_id", type=int)
@click.option("--done", "action", flag_value=Resolution.DONE.value, help="It is in QuickBooks.")
@click.option("--resend", "action", flag_value=Resolution.RESEND.value, help="Send it again.")
@click.option("--qb-id", default=None, help="With --done: its TxnID or ListID, to read it back.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def resolve_cmd(
    cli: CliContext,
    connection_id: str,
    job_id: int,
    action: str | None,
    qb_id: str | None,
    as_json: bool,
) -> None:
    """Settle a write whose outcome is unknown, after looking in QuickBooks."""
    from qwc_service.queue.views import job_view
    from qwc_service.writes.resolve import resolve_write
    from qwc_service.writes.views import job_write_members

    if action is None:
        raise click.UsageError("say what QuickBooks holds: --done or --resend")
    with cli.unit() as db:
        job = resolve_write(db, connection_id, job_id, Resolution(action), qb_id=qb_id)
        db.flush()
        data = _summary({**job_view(job), **job_write_members(job, db)})
    emit(data, as_json, _human)


def register(main: click.Group) -> None:
    """Add the write commands."""
    main.add_command(write_cmd)
    main.add_command(resolve_cmd)
