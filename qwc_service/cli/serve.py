"""``qwc-service serve``: the server under gunicorn."""

from __future__ import annotations

import click

from qwc_service.cli.common import CliContext, friendly_errors, pass_cli


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="gunicorn workers (default: 2 per core).")
@pass_cli
@friendly_errors
def serve_cmd(cli: CliContext, host: str, port: int, workers: int | None) -> None:
    """Serve the Web Connector endpoint, /support and /health."""
    from qwc_service.app import create_app
    from qwc_service.serving import GunicornServer

    # Fail here, with a clear message, rather than in every worker.
    create_app(cli.settings).engine.dispose()
    GunicornServer(cli.settings, {"bind": f"{host}:{port}", "workers": workers}).run()


def register(main: click.Group) -> None:
    """Add these commands to the main group."""
    main.add_command(serve_cmd)
