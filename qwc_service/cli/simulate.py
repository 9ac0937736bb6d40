"""``qwc-service simulate``: the simulated Web Connector against any server."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from qwc_service.cli.common import emit, friendly_errors


@click.command("simulate")
@click.option(
    "--qwc",
    "qwc_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The machine's .qwc file.",
)
@click.option("--password", required=True, help="The machine's connector password.")
@click.option("--url", default=None, help="Post here instead of the .qwc's AppURL.")
@click.option(
    "--company",
    "dataset",
    default=None,
    help="Generated company, e.g. customers=25,items=10,invoices=50,payments=10.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@friendly_errors
def simulate_cmd(
    qwc_path: Path, password: str, url: str | None, dataset: str | None, as_json: bool
) -> None:
    """Run one Web Connector session as the machine in QWC, against a fake QuickBooks."""
    from qwc_service.simulator.connector import format_transcript, simulate

    result = simulate(qwc_path, password, url=url, dataset_spec=dataset)
    emit(dataclasses.asdict(result), as_json, lambda _: format_transcript(result))
    if result.outcome not in ("completed", "none"):
        raise SystemExit(2)


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(simulate_cmd)
