"""The ``qwc-service`` command group, and the one list of modules that add commands to it."""

from __future__ import annotations

from importlib import import_module
from typing import Final

import click

from qwc_service.cli.common import CliContext
from qwc_service.config import Settings, SettingsError


@click.group()
@click.version_option(package_name="qwc-service")
@click.pass_context
def main(ctx: click.Context) -> None:
    """qwc-service: a server for the QuickBooks Web Connector.

    Settings come from QWC_* environment variables (see the README).
    """
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.obj = CliContext(settings)


#: The command modules, each with ``register(main)``; a new one is added here.
COMMAND_MODULES: Final = (
    "db",
    "connections",
    "install_links",
    "queue",
    "sync",
    "records",
    "types",
    "payments",
    "writes",
    "tokens",
    "audit",
    "check",
    "serve",
    "simulate",
    "demo",
    "webhooks",
)


def _register() -> None:
    for name in COMMAND_MODULES:
        import_module(f"qwc_service.cli.{name}").register(main)


_register()
