"""``qwc-service db``: schema migrations."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url

from qwc_service.cli.common import CliContext, friendly_errors, pass_cli
from qwc_service.db import upgrade


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_cli
@friendly_errors
def upgrade_cmd(cli: CliContext, revision: str) -> None:
    """Apply the schema migrations."""
    upgrade(cli.settings.database_url, revision)
    where = make_url(cli.settings.database_url).render_as_string(hide_password=True)
    click.echo(f"database {where} is at revision {revision}", err=True)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(db_group)
