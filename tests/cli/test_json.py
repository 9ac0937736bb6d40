"""Commands that act rather than list print one JSON object with --json, on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from click.testing import CliRunner, Result

from qwc_service.app import QwcApp
from qwc_service.cli.main import main
from qwc_service.db import alembic_config, head_revision
from qwc_service.simulator.connector import WebConnector, WsgiTransport
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.factories import enqueue, make_connection, make_machine
from tests.soap_client import SoapClient

Run = Callable[..., Result]


def _env(database_url: str, files_dir: Path) -> dict[str, str]:
    return {
        "QWC_DATABASE_URL": database_url,
        "QWC_FILES_DIR": str(files_dir),
        "QWC_ARGON2_TIME_COST": "1",
        "QWC_ARGON2_MEMORY_KIB": "1024",
    }


@pytest.fixture
def run(app: QwcApp) -> Run:
    """Invoke the CLI on the app's database and file directory."""
    env = _env(app.settings.database_url, app.settings.files_dir)

    def invoke(*args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(main, list(args), env=env)
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    return invoke


def one_object(result: Result, keys: set[str]) -> dict[str, Any]:
    """Stdout is exactly one JSON object with exactly these keys."""
    data = json.loads(result.stdout)
    assert isinstance(data, dict) and set(data) == keys, data
    return data


def one_error_line(result: Result) -> str:
    """A refusal: non-zero exit, nothing on stdout, one ``error:`` line on stderr."""
    assert result.exit_code != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def _session(app: QwcApp, connection_id: str, company: str) -> str:
    """Run one real Web Connector session of a new machine; returns its outcome."""
    machine = make_machine(app, connection_id, "Front office PC")
    assert machine.qwc_path is not None
    connector = WebConnector(
        read_qwc(machine.qwc_path),
        machine.password,
        FakeQuickBooks(generate_company(name=company, customers=3)),
        http=WsgiTransport(app),
        url="http://localhost/qbwc",
        noop_wait_seconds=0,
    )
    connector.add_application()
    return connector.run_session().outcome


def test_connection_unlock_json_names_the_lock_it_released(app: QwcApp, run: Run) -> None:
    """After a session locked the company file, unlock --json reports that lock; then none."""
    connection_id = make_connection(app)
    enqueue(app, connection_id)
    assert _session(app, connection_id, "Acme Widgets") == "completed"

    keys = {"connection_id", "was_locked", "previous_lock"}
    released = one_object(run("connection", "unlock", connection_id, "--json"), keys)
    assert released["connection_id"] == connection_id and released["was_locked"] is True
    lock = released["previous_lock"]
    assert set(lock) == {"file_id", "company_name", "file_path", "locked_at"}
    assert lock["company_name"] == "Acme Widgets" and lock["locked_at"]
    shown = json.loads(run("connection", "show", connection_id, "--json").stdout)
    assert shown["lock"]["locked"] is False

    again = one_object(run("connection", "unlock", connection_id, "--json"), keys)
    assert again == {"connection_id": connection_id, "was_locked": False, "previous_lock": None}
    assert "company lock of" in run("connection", "unlock", connection_id).stdout
    assert "nope" in one_error_line(run("connection", "unlock", "nope", "--json", ok=False))


def test_connection_set_changes_polling_and_leaves_the_rest(app: QwcApp, run: Run) -> None:
    """set --min-poll-seconds and --qwc-run-seconds print the connection; 0 clears."""
    connection_id = make_connection(app)
    changed = json.loads(
        run(
            "connection",
            "set",
            connection_id,
            "--min-poll-seconds",
            "600",
            "--qwc-run-seconds",
            "30",
            "--json",
        ).stdout
    )
    assert (changed["min_poll_seconds"], changed["qwc_run_seconds"]) == (600, 30)
    assert changed["name"] == "Acme Widgets"
    cleared = json.loads(
        run("connection", "set", connection_id, "--qwc-run-seconds", "0", "--json").stdout
    )
    assert (cleared["min_poll_seconds"], cleared["qwc_run_seconds"]) == (600, None)
    assert "minimum poll interval: 600 s" in run("connection", "set", connection_id).stdout
    refused = run("connection", "set", connection_id, "--min-poll-seconds", "999999", ok=False)
    assert refused.exit_code != 0 and "999999" in refused.stderr
    assert "nope" in one_error_line(
        run("connection", "set", "nope", "--min-poll-seconds", "5", "--json", ok=False)
    )


def test_machine_revoke_link_json_counts_the_links_revoked(app: QwcApp, run: Run) -> None:
    """revoke-link --json names the machine and how many live links it ended (1, then 0)."""
    connection_id = make_connection(app)
    added = json.loads(run("machine", "add", connection_id, "--label", "PC", "--json").stdout)
    keys = {"username", "machine_id", "connection_id", "links_revoked"}
    first = one_object(run("machine", "revoke-link", added["username"], "--json"), keys)
    assert first == {
        "username": added["username"],
        "machine_id": added["machine_id"],
        "connection_id": connection_id,
        "links_revoked": 1,
    }
    second = one_object(run("machine", "revoke-link", added["username"], "--json"), keys)
    assert second["links_revoked"] == 0
    one_error_line(run("machine", "revoke-link", "nobody", "--json", ok=False))


def test_machine_revoke_json_reports_the_sessions_it_ended(app: QwcApp, run: Run) -> None:
    """A machine in a session is revoked: the JSON names it and one ended session; it gets nvu."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    client = SoapClient(app)
    ticket, status = client.authenticate(machine.username, machine.password)[:2]
    assert status not in ("nvu", "none") and client.send_request(ticket)

    keys = {"username", "machine_id", "connection_id", "revoked_at", "sessions_ended"}
    revoked = one_object(run("machine", "revoke", machine.username, "--json"), keys)
    assert revoked["username"] == machine.username
    assert revoked["connection_id"] == connection_id
    assert isinstance(revoked["machine_id"], int) and revoked["revoked_at"]
    assert revoked["sessions_ended"] == 1
    assert client.authenticate(machine.username, machine.password)[1] == "nvu"
    jobs = json.loads(run("jobs", connection_id, "--json").stdout)
    assert [j["status"] for j in jobs] == ["queued"]

    again = one_object(run("machine", "revoke", machine.username, "--json"), keys)
    assert again["sessions_ended"] == 0 and again["revoked_at"] == revoked["revoked_at"]
    one_error_line(run("machine", "revoke", "nobody", "--json", ok=False))


def test_db_upgrade_json_lists_the_migrations_it_applied(database_url: str, tmp_path: Path) -> None:
    """From an empty schema: up to 0003, then to head, then nothing left to apply."""
    command.downgrade(alembic_config(database_url), "base")
    env = _env(database_url, tmp_path / "files")

    def upgrade(*args: str) -> dict[str, Any]:
        result = CliRunner().invoke(main, ["db", "upgrade", *args, "--json"], env=env)
        assert result.exit_code == 0, (result.output, result.stderr)
        return one_object(result, {"from_revision", "to_revision", "applied"})

    head = head_revision(database_url)
    assert upgrade("--revision", "0003") == {
        "from_revision": None,
        "to_revision": "0003",
        "applied": ["0001", "0002", "0003"],
    }
    rest = upgrade()
    assert rest["from_revision"] == "0003" and rest["to_revision"] == head
    assert rest["applied"][0] == "0004" and rest["applied"][-1] == head
    assert upgrade() == {"from_revision": head, "to_revision": head, "applied": []}

    refused = CliRunner().invoke(main, ["db", "upgrade", "--revision", "nope", "--json"], env=env)
    assert "nope" in one_error_line(refused)


@pytest.mark.gunicorn
def test_demo_json_summarises_the_run_without_the_transcript(tmp_path: Path) -> None:
    """demo --json prints only a summary: server, connection, machines, jobs, records, outcome."""
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path), "--json"], env={})
    assert result.exit_code == 0, (result.output, result.stderr)
    summary = one_object(
        result,
        {
            "workdir",
            "url",
            "database_url",
            "connection_id",
            "machines",
            "jobs",
            "records_stored",
            "session",
        },
    )
    assert summary["workdir"] == str(tmp_path.resolve())
    assert summary["url"].startswith("http://127.0.0.1:")
    assert summary["database_url"] == f"sqlite:///{tmp_path.resolve() / 'qwc_service.db'}"
    assert summary["session"] == {"outcome": "completed", "completed": True}
    assert [m["label"] for m in summary["machines"]] == ["Front office PC", "Terminal server"]
    for machine in summary["machines"]:
        assert machine["username"].startswith(summary["connection_id"])
        assert Path(machine["qwc_path"]).is_file()
    assert [(j["requests"], j["status"]) for j in summary["jobs"]] == [
        (["CustomerQueryRq"], "done"),
        (["InvoiceQueryRq"], "done"),
    ]
    assert summary["records_stored"] == {"customers": 25, "items": 0, "invoices": 40, "payments": 0}
    assert result.stderr == ""
