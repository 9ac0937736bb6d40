"""``qwc-service enqueue`` and ``qwc-service jobs``."""

from __future__ import annotations

from typing import Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli
from qwc_service.qbwc.kinds import JOB_KINDS
from qwc_service.queue.enums import JobKind, JobStatus


@click.command("enqueue")
@click.argument("connection_id")
@click.option(
    "--qbxml",
    "qbxml_file",
    required=True,
    type=click.File("r", encoding="utf-8"),
    help="File with a qbXML request set, or - for standard input.",
)
@click.option("--priority", default=0, show_default=True, help="Higher runs first.")
@click.option("--key", default=None, help="De-duplication key: no second queued job with it.")
@click.option("--depends-on", type=int, default=None, help="Run only after this job is done.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def enqueue_cmd(
    cli: CliContext,
    connection_id: str,
    qbxml_file: Any,
    priority: int,
    key: str | None,
    depends_on: int | None,
    as_json: bool,
) -> None:
    """Queue a qbXML request set for a connection."""
    from qwc_service.queue import service

    text = qbxml_file.read()
    with cli.unit() as db:
        result = service.enqueue(
            db, connection_id, text, priority=priority, dedup_key=key, depends_on=depends_on
        )
        data = {"job_id": result.job.id, "deduplicated": result.deduplicated}
    emit(
        data,
        as_json,
        lambda d: (
            f"job {d['job_id']} {'already queued with this key' if d['deduplicated'] else 'queued'}"
        ),
    )


@click.command("jobs")
@click.argument("connection_id")
@click.option("--status", type=click.Choice([s.value for s in JobStatus]), default=None)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in JobKind]),
    default=None,
    help="Only jobs of this kind: "
    + ", ".join(f"{kind} ({spec.name})" for kind, spec in JOB_KINDS.items())
    + ".",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def jobs_cmd(
    cli: CliContext, connection_id: str, status: str | None, kind: str | None, as_json: bool
) -> None:
    """List a connection's jobs with their status, request, response and error."""
    from qwc_service.queue import service
    from qwc_service.queue.views import job_view

    with cli.unit() as db:
        jobs = service.list_jobs(db, connection_id, status=status, kind=kind)
        data = [job_view(j) for j in jobs]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no jobs"
        return "\n".join(
            f"{r['job_id']:>6}  {r['status']:<9} p={r['priority']:<3} {','.join(r['requests'])}"
            + (f"  error: {r['error']}" if r["error"] else "")
            for r in rows
        )

    emit(data, as_json, human)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(enqueue_cmd)
    main.add_command(jobs_cmd)
