"""``qwc-service records``: the records stored for a connection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from qwc_service.cli.common import CliContext, DeclaredChoice, emit, friendly_errors, pass_cli

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    db: Session, connection_id: str, record_type: str, since: datetime | None
) -> Iterator[dict[str, Any]]:
    """Every matching record, page by page."""
    from qwc_service.records import service
    from qwc_service.records.views import record_view

    after: int | None = None
    while True:
        page = service.list_records(
            db, connection_id, record_type, modified_since=since, limit=_PAGE, after=after
        )
        yield from (record_view(row) for row in page)
        if len(page) < _PAGE:
            return
        after = page[-1].id


def _human(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no records"
    return "\n".join(_line(row) for row in rows)


def _line(row: dict[str, Any]) -> str:
    kind = row["record_type"]
    modified = row["time_modified_raw"] or "-"
    if kind in ("customers", "items"):
        extra = row["balance"] if kind == "customers" else row["price"]
        return f"{row['list_id']:<24} {row['full_name'] or '':<40} {extra or '':>12}  {modified}"
    amount = row["balance_remaining"] if kind == "invoices" else row["total_amount"]
    return (
        f"{row['txn_id']:<20} #{row['ref_number'] or '':<10} {row['txn_date'] or '':<10} "
        f"{row['customer_full_name'] or '':<32} {amount or '':>12}  {modified}"
    )


@click.command("records")
@click.argument("connection_id")
@click.option(
    "--type",
    "record_type",
    required=True,
    type=DeclaredChoice("qwc_service.records.registry:RECORD_TYPES"),
    help="Which records to list.",
)
@click.option(
    "--modified-since",
    "since",
    default=None,
    metavar="TS",
    help="Only records QuickBooks modified at or after this ISO 8601 time (UTC if no offset).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def records_cmd(
    cli: CliContext, connection_id: str, record_type: str, since: str | None, as_json: bool
) -> None:
    """List the records stored for a connection (deleted ones left out)."""
    modified_since = _parse_since(since)
    with cli.unit() as db:
        data = list(_all_views(db, connection_id, record_type, modified_since))
    emit(data, as_json, _human)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(records_cmd)
