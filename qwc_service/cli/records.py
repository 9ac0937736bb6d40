"""``qwc-service records``: the records stored for a connection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qwc_service.records.views import RecordView

_PAGE = 500


def _parse_since(value: str | None) -> datetime | None:
    """An ISO 8601 date or time; without an offset it is taken as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time (e.g. 2024-05-01T09:30:00-08:00)",
            param_hint="--modified-since",
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _all_views(
    db: Session,
    connection_id: str,
    record_type: str,
    since: datetime | None,
    include_deleted: bool,
) -> Iterator[RecordView]:
    """Every matching record, page by page."""
    from qwc_service.records import service

    after: int | None = None
    while True:
        page = service.list_records(
            db,
            connection_id,
            record_type,
            modified_since=since,
            include_deleted=include_deleted,
            limit=_PAGE,
            after=after,
        )
        yield from page
        if len(page) < _PAGE:
            return
        after = page[-1].row_id


def _human(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no records"
    return "\n".join(_line(row) for row in rows)


def _line(row: dict[str, Any]) -> str:
    data = row["data"]
    label = data.get("FullName") or data.get("Name") or data.get("RefNumber") or ""
    when = data.get("TxnDate") or ""
    gone = "  (deleted)" if row["deleted"] else ""
    modified = row["time_modified"] or "-"
    return f"{row['type']:<20} {row['id']:<24} {label!s:<40} {when!s:<10}  {modified}{gone}"


@click.command("records")
@click.argument("connection_id")
@click.option(
    "--type",
    "record_type",
    required=True,
    metavar="T",
    help="Which records: a qbXML object (Invoice, ItemService) or its plural (invoices).",
)
@click.option(
    "--modified-since",
    "since",
    default=None,
    metavar="TS",
    help="Only records QuickBooks modified at or after this ISO 8601 time (UTC if no offset).",
)
@click.option("--include-deleted", is_flag=True, help="Include records deleted in QuickBooks.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def records_cmd(
    cli: CliContext,
    connection_id: str,
    record_type: str,
    since: str | None,
    include_deleted: bool,
    as_json: bool,
) -> None:
    """List the records stored for a connection (deleted ones left out unless asked)."""
    modified_since = _parse_since(since)
    with cli.unit() as db:
        data = [
            view.to_payload()
            for view in _all_views(db, connection_id, record_type, modified_since, include_deleted)
        ]
    emit(data, as_json, _human)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(records_cmd)
