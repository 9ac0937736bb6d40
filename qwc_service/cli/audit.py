"""``qwc-service audit``: logins, failures, credential changes, company-lock events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli


@click.command("audit")
@click.option("--connection", "connection_id", default=None, help="Only this connection.")
@click.option("--since", default=None, help="ISO timestamp, e.g. 2026-11-01T00:00:00+00:00.")
@click.option("--limit", default=500, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def audit_cmd(
    cli: CliContext, connection_id: str | None, since: str | None, limit: int, as_json: bool
) -> None:
    """List audit events, newest first."""
    from qwc_service.audit.service import list_events
    from qwc_service.audit.views import event_view

    since_at = parse_timestamp(since) if since else None
    with cli.unit() as db:
        data = [
            event_view(e)
            for e in list_events(db, connection_id=connection_id, since=since_at, limit=limit)
        ]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no events"
        return "\n".join(
            f"{r['at']}  {r['kind']:<16} {r['connection_id'] or '-'}  {r['message']}" for r in rows
        )

    emit(data, as_json, human)


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp; without an offset it is taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(audit_cmd)
