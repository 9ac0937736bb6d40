"""``qwc-service db``: schema migrations."""

from __future__ import annotations

from dataclasses import asdict

import click

from qwc_service.cli.common import CliContext, emit, friendly_errors, pass_cli


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_cli
@friendly_errors
def upgrade_cmd(cli: CliContext, revision: str, as_json: bool) -> None:
    """Apply the schema migrations."""
    from alembic.util import CommandError
    from sqlalchemy.engine import make_url

    from qwc_service.db import upgrade

    try:
        done = upgrade(cli.settings.database_url, revision)
    except CommandError as exc:
        # An unknown revision: a one-line error like every other refusal.
        raise ValueError(str(exc)) from None
    if as_json:
        emit(asdict(done), as_json=True, human=str)
        return
    where = make_url(cli.settings.database_url).render_as_string(hide_password=True)
    click.echo(f"database {where} is at revision {revision}", err=True)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(db_group)
