"""``qwc-service demo``: the main job on the embedded default."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from qwc_service.cli.common import emit, friendly_errors


@click.command("demo")
@click.option(
    "--dir",
    "workdir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the database and .qwc files (default: a new temporary folder).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON summary instead of the transcript."
)
@friendly_errors
def demo_cmd(workdir: Path | None, as_json: bool) -> None:
    """Start a server on SQLite, add a connection with two machines and run one simulated sync."""
    from qwc_service.demo import run_demo

    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix="qwc-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    result = run_demo(workdir.resolve(), _quiet if as_json else click.echo)
    if as_json:
        emit(result.to_payload(), as_json, str)
    if not result.completed:
        click.echo("error: the demo session did not complete", err=True)
        raise SystemExit(1)
    if not as_json:
        click.echo("demo session completed")


def _quiet(_line: str) -> None:
    """The transcript is left out when the summary is printed as JSON."""


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(demo_cmd)
