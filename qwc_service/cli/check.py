"""``qwc-service check``: is the server able to do its work?"""

from __future__ import annotations

from typing import Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def check_cmd(cli: CliContext, as_json: bool) -> None:
    """Database reachable, schema at head, queue depth, oldest job, sessions, failing connections.

    Exits 1 when the database is unreachable or its schema is behind.
    """
    from qwc_service import models
    from qwc_service.db import make_engine, make_session_factory
    from qwc_service.reporting.status import full_status

    models.register()
    engine = make_engine(cli.settings.database_url)
    try:
        healthy, report = full_status(engine, make_session_factory(engine))
    finally:
        engine.dispose()

    def human(r: dict[str, Any]) -> str:
        lines = [f"database: {r['database']}", f"schema: {r['schema']}"]
        if "queue_depth" in r:
            lines += [
                f"queued jobs: {r['queue_depth']} (oldest {r['oldest_queued_at'] or '-'})",
                f"jobs in flight: {r['jobs_in_flight']}",
                f"active sessions: {r['sessions_active']}",
                "connections with unresolved errors: "
                + (", ".join(r["connections_with_unresolved_errors"]) or "none"),
            ]
        return "\n".join(lines)

    emit(report, as_json, human)
    if not healthy:
        raise SystemExit(1)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(check_cmd)
