"""``qwc-service webhook``: endpoints, the outbox, and the delivery loop."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

import click

from qwc_service.cli.common import CliContext, DeclaredChoice, emit, friendly_errors, pass_cli
from qwc_service.webhooks.pacing import POLL_SECONDS


@click.group("webhook")
def webhook_group() -> None:
    """Webhook endpoints: events about jobs and connections, POSTed signed."""


@webhook_group.command("add")
@click.option("--url", required=True, help="Where events are POSTed (http or https).")
@click.option("--connection", "connection_id", default=None, help="Events of this connection.")
@click.option(
    "--token", "token_id", default=None, type=int, help="Events of every connection (API token id)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def add_cmd(
    cli: CliContext, url: str, connection_id: str | None, token_id: int | None, as_json: bool
) -> None:
    """Add an endpoint; its signing secret is printed this once."""
    from qwc_service.webhooks.endpoints import add_endpoint
    from qwc_service.webhooks.views import endpoint_view

    if (connection_id is None) == (token_id is None):
        raise click.UsageError("give exactly one of --connection and --token")
    with cli.unit() as db:
        created = add_endpoint(db, url, connection_id=connection_id, api_token_id=token_id)
        data = {**endpoint_view(created.endpoint), "secret": created.secret}

    def human(d: dict[str, Any]) -> str:
        return (
            f"endpoint {d['id']}: {d['url']} ({_scope(d)})\n"
            f"signing secret: {d['secret']}\n"
            "Give the secret to the receiver now; it is not shown again."
        )

    emit(data, as_json, human)


@webhook_group.command("list")
@click.option("--all", "include_removed", is_flag=True, help="Include removed endpoints.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def list_cmd(cli: CliContext, include_removed: bool, as_json: bool) -> None:
    """List endpoints (secrets are never shown)."""
    from qwc_service.webhooks.endpoints import list_endpoints
    from qwc_service.webhooks.views import endpoint_view

    with cli.unit() as db:
        data = [endpoint_view(e) for e in list_endpoints(db, include_removed=include_removed)]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no webhook endpoints"
        return "\n".join(_endpoint_line(r) for r in rows)

    emit(data, as_json, human)


@webhook_group.command("remove")
@click.argument("endpoint_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def remove_cmd(cli: CliContext, endpoint_id: int, as_json: bool) -> None:
    """Remove an endpoint; its undelivered events are marked failed."""
    from qwc_service.webhooks.endpoints import remove_endpoint
    from qwc_service.webhooks.views import endpoint_view

    with cli.unit() as db:
        data = endpoint_view(remove_endpoint(db, endpoint_id))
    emit(data, as_json, lambda d: f"removed endpoint {d['id']} ({d['url']})")


@webhook_group.command("events")
@click.option("--endpoint", "endpoint_id", default=None, type=int, help="Only this endpoint.")
@click.option(
    "--status",
    default=None,
    type=DeclaredChoice("qwc_service.webhooks.events:EventStatus"),
    help="Only these.",
)
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def events_cmd(
    cli: CliContext, endpoint_id: int | None, status: str | None, limit: int, as_json: bool
) -> None:
    """List recent events with their delivery attempts, newest first."""
    from qwc_service.webhooks.events import deliveries_by_event, list_events
    from qwc_service.webhooks.views import delivery_view, event_view

    with cli.unit() as db:
        events = list_events(db, endpoint_id=endpoint_id, status=status, limit=limit)
        deliveries = deliveries_by_event(db, [e.id for e in events])
        data = [
            {**event_view(e), "deliveries": [delivery_view(d) for d in deliveries[e.id]]}
            for e in events
        ]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no webhook events"
        lines = []
        for r in rows:
            last = r["deliveries"][-1] if r["deliveries"] else None
            tail = f"  last: {last['status_code'] or last['error']}" if last else ""
            lines.append(
                f"{r['id']:>6}  {r['type']:<28} {r['status']:<9} "
                f"attempts={r['attempts']} endpoint={r['endpoint_id']}{tail}"
            )
        return "\n".join(lines)

    emit(data, as_json, human)


@webhook_group.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.5, 120),
    help="HTTP timeout in seconds.",
)
@click.option(
    "--poll",
    default=POLL_SECONDS,
    show_default=True,
    type=click.FloatRange(0.05, 3600),
    help="Seconds between polls when nothing is due.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_cli
@friendly_errors
def deliver_cmd(cli: CliContext, once: bool, timeout: float, poll: float, as_json: bool) -> None:
    """Run the delivery loop in the foreground until interrupted (SIGINT or SIGTERM).

    Several copies may run at once, on any hosts: events are leased, never sent twice at
    the same time.
    """
    from qwc_service.logs import configure_logging
    from qwc_service.webhooks.delivery import DeliveryPolicy
    from qwc_service.webhooks.worker import run_deliverer

    configure_logging(cli.settings.log_format, cli.settings.log_level)
    policy = DeliveryPolicy(timeout_seconds=timeout, lease_seconds=max(120.0, timeout * 4))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Signal handlers can only be set from the main thread (not when embedded elsewhere).
    in_main = threading.current_thread() is threading.main_thread()
    signals = (signal.SIGINT, signal.SIGTERM) if in_main else ()
    previous = {sig: signal.signal(sig, on_signal) for sig in signals}
    try:
        totals = run_deliverer(cli.session_factory, policy, stop=stop, once=once, poll_seconds=poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    data = {
        "delivered": totals.delivered,
        "retrying": totals.retrying,
        "failed": totals.failed + totals.dropped,
        "lost": totals.lost,
    }
    emit(
        data,
        as_json,
        lambda d: (
            f"delivered {d['delivered']}, retrying {d['retrying']}, failed {d['failed']}"
            + (f", lost lease {d['lost']}" if d["lost"] else "")
        ),
    )


def _scope(row: dict[str, Any]) -> str:
    if row["connection_id"]:
        return f"connection {row['connection_id']}"
    return f"API token {row['api_token_id']}"


def _endpoint_line(row: dict[str, Any]) -> str:
    removed = f"  (removed {row['removed_at']})" if row["removed_at"] else ""
    return f"{row['id']:>4}  {_scope(row)}  {row['url']}{removed}"


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(webhook_group)
