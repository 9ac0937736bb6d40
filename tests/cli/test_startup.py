"""The command line starts without the server: help and argument parsing load light modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from qwc_service.cli.common import DeclaredChoice
from qwc_service.cli.main import main

#: What a command needs only once it runs: the SOAP stack, the composed app, the simulator
#: and the database toolkit under them.
HEAVY = ("spyne", "qwc_service.app", "qwc_service.simulator", "sqlalchemy")

_PROBE = """
import json, sys
from qwc_service.cli.main import main
try:
    main(sys.argv[1:], prog_name="qwc-service")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _loaded_by(*args: str, database_url: str = "sqlite://") -> tuple[int, set[str]]:
    """The exit code and the modules loaded by ``qwc-service ARGS`` in a fresh interpreter."""
    env = {**os.environ, "QWC_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True, env=env
    )
    report = json.loads(done.stdout.splitlines()[-1])
    return report["code"], set(report["modules"])


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules for heavy in HEAVY if m == heavy or m.startswith(heavy + ".")}


@pytest.mark.parametrize("args", [("--help",), ("enqueue", "--help"), ("jobs", "--help")])
def test_help_loads_none_of_the_server(args: tuple[str, ...]) -> None:
    """``--help`` of the group, ``enqueue`` and ``jobs`` imports no SOAP, app, simulator or ORM."""
    code, modules = _loaded_by(*args)
    assert code == 0
    loaded = sorted(
        m for m in modules for heavy in HEAVY if m == heavy or m.startswith(heavy + ".")
    )
    assert loaded == []


def test_the_probe_sees_what_a_command_imports(tmp_path: Path) -> None:
    """A command that reaches the database shows SQLAlchemy in the probe; its --help does not."""
    code, modules = _loaded_by("check", database_url=f"sqlite:///{tmp_path}/none/qwc.db")
    assert code != 0
    assert "sqlalchemy" in _heavy(modules)
    _, after_help = _loaded_by("check", "--help")
    assert _heavy(after_help) == set()


def _choices() -> dict[str, DeclaredChoice]:
    """Every option whose values are read from their declaration, by command and option."""
    found: dict[str, DeclaredChoice] = {}

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                walk(command, f"{prefix}{name} ")
            for param in command.params:
                if isinstance(param.type, DeclaredChoice):
                    found[f"{prefix}{name} {param.name}"] = param.type

    walk(main, "")
    return found


def test_declared_choices_read_their_declarations() -> None:
    """Each lazily read choice lists the values of the enum or tuple it names."""
    from qwc_service.payments.models import PaymentStatus
    from qwc_service.webhooks.events import EventStatus

    choices = {name: tuple(choice.choices) for name, choice in _choices().items()}
    # records --type and sync --type take any object of the registry, by name or plural,
    # and are checked against it, not against a list of choices.
    assert "records record_type" not in choices and "sync add record_type" not in choices
    assert choices["payment list status"] == tuple(s.value for s in PaymentStatus)
    assert choices["webhook events status"] == tuple(s.value for s in EventStatus)


def test_a_declared_choice_refuses_other_values() -> None:
    """An unknown value is refused with the declared values named, before anything runs."""
    result = CliRunner().invoke(main, ["payment", "list", "c1", "--status", "lost"])
    assert result.exit_code == 2
    assert "'lost' is not one of 'pending', 'sent'" in result.output
