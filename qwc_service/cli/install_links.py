"""``qwc-service connection install-link`` and ``connection revoke-install-link``."""

from __future__ import annotations

from typing import Any

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli
from qwc_service.cli.connections import connection_group, json_option
from qwc_service.clock import utcnow


@click.command("install-link")
@click.argument("connection_id")
@click.option(
    "--hours",
    type=click.IntRange(1, 24 * 366),
    default=None,
    help="How long the link works (default QWC_INSTALL_LINK_HOURS, 30 days).",
)
@click.option(
    "--max-installs",
    type=click.IntRange(1, 10_000),
    default=None,
    help="How many machines the link may add (default: no limit).",
)
@json_option
@pass_cli
@friendly_errors
def install_link_cmd(
    cli: CliContext,
    connection_id: str,
    hours: int | None,
    max_installs: int | None,
    as_json: bool,
) -> None:
    """Issue the connection's installation link (the previous one stops working).

    Send it to the customer's people who need the Web Connector too: each opens it, says
    who they are, and gets a machine of their own, once the first computer has synced.
    """
    from qwc_service.connections import install_links
    from qwc_service.connections.views import issued_install_link_view

    with cli.unit() as db:
        issued = install_links.issue_install_link(
            db, cli.settings, connection_id, hours=hours, max_installs=max_installs
        )
        data = issued_install_link_view(cli.settings, issued)

    def human(d: dict[str, Any]) -> str:
        limit = "no limit" if d["max_installs"] is None else f"at most {d['max_installs']} installs"
        return (
            f"installation link: {d['install_url']}\n"
            f"  works until {d['expires_at']}, {limit}\n"
            "(the link is shown only now; any earlier link of this connection stopped working)"
        )

    emit(data, as_json, human)


@click.command("revoke-install-link")
@click.argument("connection_id")
@json_option
@pass_cli
@friendly_errors
def revoke_install_link_cmd(cli: CliContext, connection_id: str, as_json: bool) -> None:
    """Revoke the connection's installation link; machines it added keep working."""
    from qwc_service.connections import install_links
    from qwc_service.connections.install_links import InstallLinkReport

    with cli.unit() as db:
        link = install_links.revoke_install_link(db, connection_id)
        data = InstallLinkReport.of(link, utcnow()).to_payload()
    emit(
        data,
        as_json,
        lambda d: (
            f"installation link of {connection_id} revoked "
            f"(it had added {d['installs']} machine{'' if d['installs'] == 1 else 's'})"
        ),
    )


def register(main: click.Group) -> None:
    """Add these commands to the ``connection`` group (the connections module adds it)."""
    connection_group.add_command(install_link_cmd)
    connection_group.add_command(revoke_install_link_cmd)
