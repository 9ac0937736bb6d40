"""Every command module is registered from the one list in ``qwc_service.cli_main.main``."""

from __future__ import annotations

import pkgutil
from importlib import import_module

import click
from click.testing import CliRunner

import qwc_service.cli as cli
from qwc_service.cli import main as cli_main


def _modules_with_register() -> set[str]:
    return {
        info.name
        for info in pkgutil.iter_modules(cli.__path__)
        if callable(getattr(import_module(f"{cli.__name__}.{info.name}"), "register", None))
    }


def test_every_module_defining_register_is_listed_once() -> None:
    """A command module with ``register`` cannot be left out of COMMAND_MODULES."""
    assert len(cli_main.COMMAND_MODULES) == len(set(cli_main.COMMAND_MODULES))
    assert set(cli_main.COMMAND_MODULES) == _modules_with_register()


def test_help_lists_every_command_of_every_module() -> None:
    """``qwc-service --help`` names each command the listed modules add, in sorted order."""
    result = CliRunner().invoke(cli_main.main, ["--help"])
    assert result.exit_code == 0, result.output
    section = result.output.split("Commands:\n", 1)[1]
    listed = [line.split()[0] for line in section.splitlines() if line.strip()]
    assert listed == sorted(cli_main.main.commands)
    assert set(listed) == {
        "audit",
        "check",
        "connection",
        "db",
        "demo",
        "enqueue",
        "jobs",
        "machine",
        "payment",
        "records",
        "serve",
        "simulate",
        "sync",
        "token",
        "types",
        "webhook",
        "write",
        "resolve-write",
        "payout",
        "refund",
        "credit",
        "customer",
    }


def _leaf_commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every runnable command under ``group``, by its full name (``machine revoke``)."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.update(_leaf_commands(command, f"{full} "))
        else:
            found[full] = command
    return found


#: Commands that print nothing a script would read: ``serve`` runs until it is stopped.
WITHOUT_JSON = {"serve"}


def test_every_command_but_serve_takes_json() -> None:
    """Each registered command, in every group, has a ``--json`` flag; only ``serve`` has none."""
    commands = _leaf_commands(cli_main.main)
    assert {"machine revoke", "db upgrade", "demo", "serve"} <= set(commands)
    missing = sorted(
        name
        for name, command in commands.items()
        if not any(
            isinstance(p, click.Option) and "--json" in p.opts and p.is_flag for p in command.params
        )
    )
    assert missing == sorted(WITHOUT_JSON)
