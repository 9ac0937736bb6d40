"""The command line: exact interface, one JSON document with --json, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from qwc_service.cli.main import main
from qwc_service.qbxml.objects.registry import all_objects
from qwc_service.records.type_reports import record_type_reports
from tests.factories import customer_query


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Invoke the CLI with this test's database and file directory."""
    env = {
        "QWC_DATABASE_URL": database_url,
        "QWC_FILES_DIR": str(tmp_path / "files"),
        "QWC_ARGON2_TIME_COST": "1",
        "QWC_ARGON2_MEMORY_KIB": "1024",
    }
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, ok: bool = True):  # type: ignore[no-untyped-def]
        result = runner.invoke(main, list(args), env=env, input=input)
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    return invoke


def test_onboarding_flow_with_json(run) -> None:  # type: ignore[no-untyped-def]
    """create → add two machines → enqueue → jobs, each printing exactly one JSON document."""
    created = json.loads(run("connection", "create", "--name", "Acme", "--json").stdout)
    assert set(created) >= {"connection_id", "owner_id", "file_id"}
    cid = created["connection_id"]
    one = json.loads(run("machine", "add", cid, "--label", "PC 1", "--json").stdout)
    two = json.loads(run("machine", "add", cid, "--label", "PC 2", "--json").stdout)
    assert set(one) == {
        "machine_id",
        "username",
        "password",
        "qwc_path",
        "setup_url",
        "setup_link_expires_at",
    }
    assert one["setup_url"].startswith("http://localhost:8000/setup/")
    ids = [{el.tag: el.text for el in etree.parse(m["qwc_path"]).getroot()} for m in (one, two)]
    assert ids[0]["OwnerID"] == ids[1]["OwnerID"] == created["owner_id"]
    assert ids[0]["FileID"] == ids[1]["FileID"] == created["file_id"]
    assert ids[0]["UserName"] != ids[1]["UserName"]

    job = json.loads(
        run(
            "enqueue",
            cid,
            "--qbxml",
            "-",
            "--priority",
            "3",
            "--key",
            "k",
            "--json",
            input=customer_query(),
        ).stdout
    )
    assert isinstance(job["job_id"], int)
    jobs = json.loads(run("jobs", cid, "--status", "queued", "--json").stdout)
    assert [j["job_id"] for j in jobs] == [job["job_id"]]
    assert jobs[0]["request"] and jobs[0]["response"] is None and jobs[0]["error"] is None

    machines = json.loads(run("machine", "list", cid, "--json").stdout)
    assert {m["username"] for m in machines} == {one["username"], two["username"]}
    assert all("password" not in m and "password_hash" not in m for m in machines)
    reset = json.loads(run("machine", "reset-password", one["username"], "--json").stdout)
    assert reset["username"] == one["username"] and reset["password"] != one["password"]
    assert reset["setup_url"] != one["setup_url"]
    assert "revoked" in run("machine", "revoke-link", one["username"]).output
    assert "no live link" in run("machine", "revoke-link", one["username"]).output
    run("machine", "revoke", two["username"])
    listed = json.loads(run("connection", "list", "--json").stdout)
    assert [c["connection_id"] for c in listed] == [cid]


def test_errors_are_one_line_and_change_nothing(run) -> None:  # type: ignore[no-untyped-def]
    """Unknown ids and bad qbXML print one line on stderr, exit non-zero and store nothing."""
    cid = json.loads(run("connection", "create", "--name", "Acme", "--json").stdout)[
        "connection_id"
    ]
    for args, stdin in (
        (("machine", "add", "nope", "--label", "x"), None),
        (("enqueue", "nope", "--qbxml", "-"), customer_query()),
        (("enqueue", cid, "--qbxml", "-"), "<QBXML><oops>"),
        (("machine", "revoke", "nobody"), None),
    ):
        result = run(*args, input=stdin, ok=False)
        assert result.exit_code != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ")
        assert "Traceback" not in result.output
    assert json.loads(run("jobs", cid, "--json").stdout) == []


def test_jobs_filters_by_kind(run) -> None:  # type: ignore[no-untyped-def]
    """``jobs --kind`` lists only that kind's jobs and refuses a kind that does not exist."""
    cid = json.loads(run("connection", "create", "--name", "Acme", "--json").stdout)[
        "connection_id"
    ]
    raw = json.loads(run("enqueue", cid, "--qbxml", "-", "--json", input=customer_query()).stdout)
    run("sync", "add", cid, "--type", "customers", "--every", "15")
    run("sync", "now", cid, "--type", "customers")
    every = json.loads(run("jobs", cid, "--json").stdout)
    assert len(every) == 2
    raws = json.loads(run("jobs", cid, "--kind", "raw", "--json").stdout)
    assert [j["job_id"] for j in raws] == [raw["job_id"]]
    syncs = json.loads(run("jobs", cid, "--kind", "sync", "--json").stdout)
    assert [j["job_id"] for j in syncs] == [
        j["job_id"] for j in every if j["job_id"] != raw["job_id"]
    ]
    assert json.loads(run("jobs", cid, "--kind", "write", "--json").stdout) == []
    refused = run("jobs", cid, "--kind", "bogus", ok=False)
    assert (
        refused.exit_code == 2 and "'bogus' is not one of 'raw', 'sync', 'write'" in refused.output
    )


def test_schema_behind_names_the_command(tmp_path: Path) -> None:
    """On an empty database, commands refuse with a message naming `qwc-service db upgrade`."""
    env = {"QWC_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = CliRunner().invoke(main, ["connection", "list"], env=env)
    assert result.exit_code != 0 and "qwc-service db upgrade" in result.stderr


def test_console_script_upgrades_a_fresh_database(tmp_path: Path) -> None:
    """The installed `qwc-service` command creates the schema on a new SQLite file."""
    exe = Path(sys.executable).with_name("qwc-service")
    env = {"QWC_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "PATH": "/usr/bin:/bin"}
    subprocess.run([str(exe), "db", "upgrade"], env=env, check=True, capture_output=True)
    listed = subprocess.run(
        [str(exe), "connection", "list", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(listed.stdout) == []


def test_check_reports_database_queue_and_sessions(run) -> None:  # type: ignore[no-untyped-def]
    """`check --json` reports the database, the schema, the queue and failing connections."""
    cid = json.loads(run("connection", "create", "--name", "Acme", "--json").stdout)[
        "connection_id"
    ]
    run("enqueue", cid, "--qbxml", "-", input=customer_query())
    report = json.loads(run("check", "--json").stdout)
    assert report["database"] == "ok" and report["schema"] == "current"
    assert report["queue_depth"] == 1 and report["oldest_queued_at"]
    assert report["sessions_active"] == 0 and report["connections_with_unresolved_errors"] == []


def test_check_fails_on_an_unreachable_database(tmp_path: Path) -> None:
    """`check` exits non-zero and says the database is unreachable."""
    env = {"QWC_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nothing"}
    result = CliRunner().invoke(main, ["check", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["database"] == "unreachable"


def test_install_link_issue_show_and_revoke(run) -> None:  # type: ignore[no-untyped-def]
    """install-link prints the URL once; show names its state; a new link replaces it;
    revoke-install-link prints what it revoked, and once none is live says so on stderr."""
    cid = json.loads(run("connection", "create", "--name", "Acme", "--json").stdout)[
        "connection_id"
    ]
    shown = json.loads(run("connection", "show", cid, "--json").stdout)
    assert shown["install_link"] == {
        "state": "none",
        "expires_at": None,
        "max_installs": None,
        "installs": 0,
    }
    first = json.loads(
        run(
            "connection", "install-link", cid, "--hours", "2", "--max-installs", "3", "--json"
        ).stdout
    )
    assert set(first) == {"install_url", "expires_at", "max_installs"}
    assert first["install_url"].startswith("http://localhost:8000/install/")
    assert first["max_installs"] == 3
    hours = (datetime.fromisoformat(first["expires_at"]) - datetime.now(UTC)).total_seconds() / 3600
    assert 1.9 < hours <= 2
    link = json.loads(run("connection", "show", cid, "--json").stdout)["install_link"]
    assert link == {
        "state": "active",
        "expires_at": first["expires_at"],
        "max_installs": 3,
        "installs": 0,
    }
    assert "installation link: active" in run("connection", "show", cid).stdout

    second = json.loads(run("connection", "install-link", cid, "--json").stdout)
    assert second["install_url"] != first["install_url"] and second["max_installs"] is None
    revoked = json.loads(run("connection", "revoke-install-link", cid, "--json").stdout)
    assert revoked == {
        "state": "revoked",
        "expires_at": second["expires_at"],
        "max_installs": None,
        "installs": 0,
    }
    assert json.loads(run("connection", "show", cid, "--json").stdout)["install_link"] == revoked
    again = run("connection", "revoke-install-link", cid, ok=False)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"error: connection {cid!r} has no live installation link"
    for args in (("install-link", "nope"), ("install-link", cid, "--max-installs", "0")):
        refused = run("connection", *args, ok=False)
        assert refused.exit_code != 0 and "Traceback" not in refused.output


def test_types_lists_every_record_type() -> None:
    """``types --json`` prints one JSON list of every registry object; without it, a line each."""
    as_json = CliRunner().invoke(main, ["types", "--json"])
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [row["name"] for row in rows] == [spec.name for spec in all_objects()]
    assert rows == [report.to_payload() for report in record_type_reports()]
    text = CliRunner().invoke(main, ["types"])
    assert text.exit_code == 0 and len(text.stdout.splitlines()) == len(rows)
