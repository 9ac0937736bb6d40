"""``qwc-service webhook``: add (secret once), list, events, remove, deliver."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from qwc_service.cli.main import main
from qwc_service.cli.webhooks import register
from qwc_service.db import make_engine, make_session_factory, unit_of_work
from qwc_service.webhooks.events import emit_event
from tests.webhooks.receiver import Receiver, ids_received

Run = Callable[..., Result]

# The command group as the main CLI registers it (registered here too if it is not yet).
if "webhook" not in main.commands:
    register(main)


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for the CLI: this test's database."""
    return {
        "QWC_DATABASE_URL": database_url,
        "QWC_FILES_DIR": str(tmp_path / "files"),
        "QWC_LOG_LEVEL": "warning",
        "QWC_LOG_FORMAT": "json",
    }


@pytest.fixture
def run(env: dict[str, str]) -> Run:
    """Invoke the CLI in-process."""
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    return invoke


def _emit(database_url: str, connection_id: str) -> None:
    engine = make_engine(database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            emit_event(db, "job.done", connection_id, {"job_id": 5})
    finally:
        engine.dispose()


def _connection(run: Run) -> str:
    created = json.loads(run("connection", "create", "--name", "Acme", "--json").stdout)
    return str(created["connection_id"])


def test_add_list_events_deliver_remove(
    run: Run, database_url: str, receiver_factory: Callable[..., Receiver]
) -> None:
    """The whole life of an endpoint from the command line, each step one JSON document."""
    receiver = receiver_factory(500)
    cid = _connection(run)
    added = json.loads(
        run("webhook", "add", "--url", receiver.url, "--connection", cid, "--json").stdout
    )
    assert added["secret"].startswith("whsec_") and added["connection_id"] == cid
    listed: list[dict[str, Any]] = json.loads(run("webhook", "list", "--json").stdout)
    assert [e["id"] for e in listed] == [added["id"]]
    assert "secret" not in listed[0] and added["secret"] not in run("webhook", "list").stdout

    _emit(database_url, cid)
    summary = json.loads(run("webhook", "deliver", "--once", "--json").stdout)
    assert summary == {"delivered": 0, "retrying": 1, "failed": 0, "lost": 0}
    (event,) = json.loads(run("webhook", "events", "--json").stdout)
    assert event["status"] == "pending" and event["deliveries"][0]["status_code"] == 500
    assert event["type"] == "job.done" and event["endpoint_id"] == added["id"]

    removed = json.loads(run("webhook", "remove", str(added["id"]), "--json").stdout)
    assert removed["removed_at"] is not None
    assert json.loads(run("webhook", "list", "--json").stdout) == []
    assert json.loads(run("webhook", "events", "--status", "failed", "--json").stdout)


def test_human_output_shows_the_secret_once(run: Run) -> None:
    """Without --json, add prints the secret with a warning; list prints the URL only."""
    cid = _connection(run)
    out = run("webhook", "add", "--url", "https://hooks.example/q", "--connection", cid).stdout
    assert "signing secret: whsec_" in out and "not shown again" in out
    listed = run("webhook", "list").stdout
    assert "https://hooks.example/q" in listed and "whsec_" not in listed


def test_errors_are_one_line(run: Run) -> None:
    """A bad scope is a usage error; an unknown connection, token or endpoint a one-line error."""
    cid = _connection(run)
    both = run(
        "webhook", "add", "--url", "https://x.example/", "--connection", cid, "--token", "1", code=2
    )
    assert "exactly one" in both.output
    unknown = run("webhook", "add", "--url", "https://x.example/", "--connection", "nope", code=1)
    assert unknown.stderr.startswith("error: no connection")
    token = run("webhook", "add", "--url", "https://x.example/", "--token", "99", code=1)
    assert token.stderr.strip() == "error: no API token 99"
    bad_url = run("webhook", "add", "--url", "ftp://x.example/", "--connection", cid, code=1)
    assert "http(s)" in bad_url.stderr
    assert run("webhook", "remove", "42", code=1).stderr.strip() == "error: no webhook endpoint 42"


@pytest.fixture
def deliverer(env: dict[str, str]) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """Start ``qwc-service webhook deliver`` as its own process; killed if still running."""
    started: list[subprocess.Popen[str]] = []
    code = (
        "from qwc_service.cli.main import main\n"
        "from qwc_service.cli.webhooks import register\n"
        "'webhook' in main.commands or register(main)\n"
        "main(['webhook', 'deliver', '--poll', '0.1', '--json'])\n"
    )

    def start() -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_deliver_runs_in_the_foreground_until_sigterm(
    run: Run,
    database_url: str,
    receiver_factory: Callable[..., Receiver],
    deliverer: Callable[[], subprocess.Popen[str]],
) -> None:
    """The foreground loop delivers what is emitted while it runs and exits cleanly on SIGTERM."""
    receiver = receiver_factory()
    cid = _connection(run)
    run("webhook", "add", "--url", receiver.url, "--connection", cid)
    process = deliverer()
    _emit(database_url, cid)
    deadline = time.monotonic() + 60
    while not receiver.received and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert json.loads(out)["delivered"] == 1
    assert len(ids_received(receiver)) == 1
