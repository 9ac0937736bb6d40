"""``qwc-service types``: every record type and what each supports."""

from __future__ import annotations

from typing import Any

import click

from qwc_service.cli.common import emit, friendly_errors


def _human(rows: list[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        read = "pages" if row["iterator"] else "whole"
        changes = (row["incremental"] or "full read").split("/")[0]
        deletions = "deletions" if row["deletions"] else "no deletions"
        custom = ", custom fields" if row["custom_fields"] else ""
        lines.append(
            f"{row['name']:<24} {row['plural']:<28} {row['category']:<12} "
            f"{read:<6} {changes:<24} {deletions}{custom}"
        )
    return "\n".join(lines)


@click.command("types")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@friendly_errors
def types_cmd(as_json: bool) -> None:
    """List the record types: names, how QuickBooks files each, how a sync reads it."""
    from qwc_service.records.type_reports import record_type_reports

    emit([report.to_payload() for report in record_type_reports()], as_json, _human)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(types_cmd)
