"""``qwc-service connection`` and ``qwc-service machine``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli
from qwc_service.clock import isoformat
from qwc_service.connections.polling import MAX_POLL_SECONDS

if TYPE_CHECKING:
    from qwc_service.connections import setup_links

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


@click.group("connection")
def connection_group() -> None:
    """Connections: one per customer company file."""


@connection_group.command("create")
@click.option("--name", required=True, help="Display name, e.g. the customer's company.")
@click.option("--company-file", default=None, help="Company file path the Web Connector opens.")
@json_option
@pass_cli
@friendly_errors
def create_cmd(cli: CliContext, name: str, company_file: str | None, as_json: bool) -> None:
    """Create a connection with its own OwnerID and FileID."""
    from qwc_service.connections import service
    from qwc_service.connections.views import connection_view

    with cli.unit() as db:
        view = connection_view(service.create_connection(db, name=name, company_file=company_file))
    data = {k: view[k] for k in ("connection_id", "owner_id", "file_id", "name", "company_file")}
    emit(
        data,
        as_json,
        lambda d: (
            f"connection {d['connection_id']} created\n"
            f"  OwnerID {d['owner_id']}\n  FileID  {d['file_id']}"
        ),
    )


@connection_group.command("list")
@json_option
@pass_cli
@friendly_errors
def list_cmd(cli: CliContext, as_json: bool) -> None:
    """List connections."""
    from qwc_service.connections import service
    from qwc_service.connections.views import connection_view

    with cli.unit() as db:
        data = [connection_view(c) for c in service.list_connections(db)]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no connections"
        return "\n".join(
            f"{r['connection_id']}  {r['name']}  company={r['company_name'] or '-'}"
            f"  qbXML={r['qbxml_version'] or '-'}"
            for r in rows
        )

    emit(data, as_json, human)


@connection_group.command("show")
@click.argument("connection_id")
@json_option
@pass_cli
@friendly_errors
def show_cmd(cli: CliContext, connection_id: str, as_json: bool) -> None:
    """Show a connection: its company lock, QuickBooks version, last sessions and last error."""
    from qwc_service.connections import service
    from qwc_service.connections.install_links import install_link_report
    from qwc_service.connections.queries import get_connection
    from qwc_service.connections.views import connection_view, machine_view
    from qwc_service.queue.service import count_queued
    from qwc_service.sessions.service import recent_sessions
    from qwc_service.sessions.views import session_view

    with cli.unit() as db:
        data = connection_view(get_connection(db, connection_id))
        data["machines"] = [machine_view(m) for m in service.list_machines(db, connection_id)]
        data["sessions"] = [session_view(s) for s in recent_sessions(db, connection_id)]
        data["queued_jobs"] = count_queued(db, connection_id)
        data["install_link"] = install_link_report(db, connection_id).to_payload()

    def human(d: dict[str, Any]) -> str:
        lock = d["lock"]
        lines = [
            f"{d['connection_id']}  {d['name']}",
            f"  OwnerID {d['owner_id']}  FileID {d['file_id']}",
            f"  QuickBooks: {d['product_name'] or '-'}, qbXML {d['qbxml_version'] or '-'}",
            "  company lock: "
            + (f"{lock['company_name']} ({lock['file_path']})" if lock["locked"] else "not locked"),
            f"  machines: {len(d['machines'])}, queued jobs: {d['queued_jobs']}",
            "  installation link: " + _link_text(d["install_link"]),
            f"  minimum poll interval: {d['min_poll_seconds'] or '-'} s, "
            f".qwc run interval: {d['qwc_run_seconds'] or '-'} s",
            f"  last error: {d['last_error'] or '-'}",
        ]
        lines += [
            f"  session {s['session_id']} {s['created_at']} machine {s['machine_id']}: "
            f"{s['responses_received']} responses, {s['close_reason'] or 'open'}"
            for s in d["sessions"]
        ]
        return "\n".join(lines)

    emit(data, as_json, human)


def _link_text(link: dict[str, Any]) -> str:
    if link["state"] == "none":
        return "none"
    limit = "" if link["max_installs"] is None else f" of {link['max_installs']}"
    return f"{link['state']} until {link['expires_at']}, {link['installs']}{limit} installs"


def _seconds_or_none(value: int | None) -> int | None:
    # 0 on the command line clears the setting: click cannot tell "unset" from "given".
    return None if value == 0 else value


@connection_group.command("set")
@click.argument("connection_id")
@click.option("--name", default=None, help="New display name.")
@click.option("--timezone", default=None, help="IANA time zone sync windows are read in.")
@click.option(
    "--min-poll-seconds",
    type=click.IntRange(0, MAX_POLL_SECONDS),
    default=None,
    help="Shortest interval its Web Connectors may run at (sent with every authenticate "
    "answer as MinimumRunEveryNSeconds); 0 removes it.",
)
@click.option(
    "--qwc-run-seconds",
    type=click.IntRange(0, MAX_POLL_SECONDS),
    default=None,
    help="Write its .qwc files with RunEveryNSeconds (the Web Connector's Real Time) "
    "instead of QWC_RUN_EVERY_MINUTES; 0 goes back to minutes.",
)
@json_option
@pass_cli
@friendly_errors
def set_cmd(
    cli: CliContext,
    connection_id: str,
    name: str | None,
    timezone: str | None,
    min_poll_seconds: int | None,
    qwc_run_seconds: int | None,
    as_json: bool,
) -> None:
    """Change a connection's name, time zone or polling; options left out stay as they are."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if timezone is not None:
        changes["timezone"] = timezone
    if min_poll_seconds is not None:
        changes["min_poll_seconds"] = _seconds_or_none(min_poll_seconds)
    if qwc_run_seconds is not None:
        changes["qwc_run_seconds"] = _seconds_or_none(qwc_run_seconds)
    from qwc_service.connections.lifecycle import update_connection
    from qwc_service.connections.views import connection_view

    with cli.unit() as db:
        data = connection_view(update_connection(db, connection_id, **changes))

    def human(d: dict[str, Any]) -> str:
        poll, run = d["min_poll_seconds"], d["qwc_run_seconds"]
        schedule = f"every {run} s (Real Time)" if run else "QWC_RUN_EVERY_MINUTES"
        return (
            f"{d['connection_id']}  {d['name']}  time zone {d['timezone']}\n"
            f"  minimum poll interval: {f'{poll} s' if poll else 'none'}\n"
            f"  .qwc schedule: {schedule}"
        )

    emit(data, as_json, human)


@connection_group.command("unlock")
@click.argument("connection_id")
@json_option
@pass_cli
@friendly_errors
def unlock_cmd(cli: CliContext, connection_id: str, as_json: bool) -> None:
    """Release the company-file lock (for a company file that was moved or restored)."""
    from qwc_service.connections import service
    from qwc_service.connections.queries import get_connection
    from qwc_service.connections.views import connection_view

    with cli.unit() as db:
        lock = connection_view(get_connection(db, connection_id))["lock"]
        service.release_company_lock(db, connection_id)
    data = {
        "connection_id": connection_id,
        "was_locked": lock["locked"],
        "previous_lock": (
            {k: lock[k] for k in ("file_id", "company_name", "file_path", "locked_at")}
            if lock["locked"]
            else None
        ),
    }
    emit(
        data,
        as_json,
        lambda d: (
            f"company lock of {d['connection_id']} released; the next successful session locks it"
        ),
    )


@click.group("machine")
def machine_group() -> None:
    """Machines: one Web Connector each, with its own .qwc file and password."""


@machine_group.command("add")
@click.argument("connection_id")
@click.option("--label", required=True, help="Which computer this is, e.g. 'Front office PC'.")
@json_option
@pass_cli
@friendly_errors
def add_cmd(cli: CliContext, connection_id: str, label: str, as_json: bool) -> None:
    """Add a machine: prints its password and setup link once and writes its .qwc file."""
    from qwc_service.connections import setup_links

    with cli.unit() as db:
        issued = setup_links.add_machine_with_link(
            db, cli.settings, cli.hashing, connection_id, label=label, write_file=True
        )
        created = issued.credentials
        data = {
            "machine_id": created.machine.id,
            "username": created.machine.username,
            "password": created.password,
            "qwc_path": str(created.qwc_path),
            **_link(cli, issued),
        }
    emit(
        data,
        as_json,
        lambda d: (
            f"machine {d['username']} added\n  .qwc file: {d['qwc_path']}\n"
            f"  password:  {d['password']}\n"
            f"  setup link: {d['setup_url']} (until {d['setup_link_expires_at']})\n"
            "(the password and link are shown only now; send the link to whoever sets up "
            "that computer)"
        ),
    )


def _link(cli: CliContext, issued: setup_links.IssuedLink) -> dict[str, Any]:
    from qwc_service.connections import setup_links

    return {
        "setup_url": setup_links.setup_url(cli.settings, issued.token),
        "setup_link_expires_at": isoformat(issued.link.expires_at),
    }


@machine_group.command("list")
@click.argument("connection_id")
@json_option
@pass_cli
@friendly_errors
def machines_cmd(cli: CliContext, connection_id: str, as_json: bool) -> None:
    """List a connection's machines with their last check-in and Web Connector version."""
    from qwc_service.connections import service
    from qwc_service.connections.views import machine_view

    with cli.unit() as db:
        data = [machine_view(m) for m in service.list_machines(db, connection_id)]

    def human(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no machines"
        return "\n".join(
            f"{r['username']}  {r['label']}  last seen {r['last_seen_at'] or 'never'}"
            f"  QBWC {r['qbwc_version'] or '-'}{'  REVOKED' if r['revoked_at'] else ''}"
            for r in rows
        )

    emit(data, as_json, human)


@machine_group.command("reset-password")
@click.argument("username")
@json_option
@pass_cli
@friendly_errors
def reset_cmd(cli: CliContext, username: str, as_json: bool) -> None:
    """Give a machine a new password and setup link (the old ones stop working at once)."""
    from qwc_service.connections import setup_links

    with cli.unit() as db:
        issued = setup_links.issue_setup_link(db, cli.settings, cli.hashing, username)
        data = {
            "username": issued.credentials.machine.username,
            "password": issued.credentials.password,
            **_link(cli, issued),
        }
    emit(
        data,
        as_json,
        lambda d: (
            f"new password for {d['username']}: {d['password']}\n"
            f"setup link: {d['setup_url']} (until {d['setup_link_expires_at']})"
        ),
    )


@machine_group.command("revoke-link")
@click.argument("username")
@json_option
@pass_cli
@friendly_errors
def revoke_link_cmd(cli: CliContext, username: str, as_json: bool) -> None:
    """Revoke a machine's setup link; its password keeps working."""
    from qwc_service.connections import setup_links
    from qwc_service.connections.queries import get_machine

    with cli.unit() as db:
        machine = get_machine(db, username)
        data = {
            "username": machine.username,
            "machine_id": machine.id,
            "connection_id": machine.connection_id,
            "links_revoked": setup_links.revoke_setup_links(db, username),
        }
    emit(
        data,
        as_json,
        lambda d: (
            f"setup link of {d['username']} revoked"
            if d["links_revoked"]
            else f"{d['username']} has no live link"
        ),
    )


@machine_group.command("revoke")
@click.argument("username")
@json_option
@pass_cli
@friendly_errors
def revoke_cmd(cli: CliContext, username: str, as_json: bool) -> None:
    """Revoke a machine: its logins are refused from now on."""
    from qwc_service.qbwc import operations

    with cli.unit() as db:
        revocation = operations.revoke_machine(db, username)
        machine = revocation.machine
        data = {
            "username": machine.username,
            "machine_id": machine.id,
            "connection_id": machine.connection_id,
            "revoked_at": isoformat(machine.revoked_at),
            "sessions_ended": revocation.sessions_ended,
        }
    emit(data, as_json, lambda d: f"machine {d['username']} revoked")


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(connection_group)
    main.add_command(machine_group)
