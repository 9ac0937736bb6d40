"""``qwc-service sync``: add, list, now, pause, remove; --json prints one document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from qwc_service.cli import sync as sync_cli
from qwc_service.cli.common import CliContext
from qwc_service.config import Settings
from tests.factories import make_test_settings


@pytest.fixture
def cli_settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings on this test's database."""
    return make_test_settings(database_url, tmp_path / "files")


@pytest.fixture
def run(cli_settings: Settings) -> Any:
    """Invoke ``sync`` commands under a group that carries the test's settings."""

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = CliContext(cli_settings)

    sync_cli.register(root)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(root, ["sync", *args])
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    return invoke


@pytest.fixture
def connection_id(cli_settings: Settings) -> str:
    """A connection in the test's database."""
    from qwc_service.app import create_app
    from tests.factories import make_connection

    app = create_app(cli_settings)
    try:
        return make_connection(app)
    finally:
        app.engine.dispose()


def test_sync_commands_with_json(run: Any, connection_id: str) -> None:
    """add → list → now → pause → remove, each printing exactly one JSON document."""
    added = json.loads(
        run(
            "add", connection_id, "--type", "customers", "--every", "30",
            "--window", "19:00-07:00", "--json",
        ).stdout
    )  # fmt: skip
    assert added["type"] == "customers" and added["every_minutes"] == 30
    assert added["window"] == "19:00-07:00" and added["max_returned"] == 100
    run("add", connection_id, "--type", "invoices", "--every", "60", "--max-returned", "250")

    listed = json.loads(run("list", connection_id, "--json").stdout)
    assert [r["type"] for r in listed] == ["customers", "invoices"]
    assert listed[1]["max_returned"] == 250
    assert all(r["last_success_at"] is None and r["watermark"] is None for r in listed)
    assert all(r["next_due_at"] is not None for r in listed)

    queued = json.loads(run("now", connection_id, "--type", "invoices", "--json").stdout)
    assert [j["type"] for j in queued] == ["invoices"] and queued[0]["status"] == "queued"
    assert json.loads(run("now", connection_id, "--type", "invoices", "--json").stdout) == []
    listed = json.loads(run("list", connection_id, "--json").stdout)
    assert listed[1]["pending_job"]["job_id"] == queued[0]["job_id"]

    paused = json.loads(
        run("pause", connection_id, "--until", "2099-01-01T00:00:00+00:00", "--json").stdout
    )
    assert paused == {
        "paused_until": "2099-01-01T00:00:00+00:00",
        "types": ["customers", "invoices"],
    }
    removed = json.loads(run("remove", connection_id, "--type", "invoices", "--json").stdout)
    assert removed == {"type": "invoices", "removed": True, "cancelled_jobs": 1}
    listed = json.loads(run("list", connection_id, "--json").stdout)
    assert [r["type"] for r in listed] == ["customers"]
    assert listed[0]["paused_until"] == "2099-01-01T00:00:00+00:00"


def test_human_output_and_one_line_errors(run: Any, connection_id: str) -> None:
    """Text output for people; bad input is one line on stderr and a non-zero exit."""
    assert run("list", connection_id).stdout.strip() == "no syncs"
    text = run("add", connection_id, "--type", "items", "--every", "15").stdout
    assert text.strip() == "items sync every 15 min"
    for args in (
        ("add", connection_id, "--type", "items", "--every", "15", "--window", "25:00-01:00"),
        ("add", "nope", "--type", "items", "--every", "15"),
        ("now", connection_id, "--type", "payments"),
        ("pause", connection_id, "--until", "soon"),
        ("remove", connection_id, "--type", "customers"),
    ):
        result = run(*args, ok=False)
        assert result.exit_code != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    result = run("add", connection_id, "--type", "vendor_bills", "--every", "5", ok=False)
    assert result.exit_code == 2
    assert "unknown record type 'vendor_bills'" in result.stderr
    assert "CreditMemo (credit_memos)" in result.stderr
    for args in (
        ("add", connection_id, "--every", "5"),
        ("add", connection_id, "--all", "--type", "items"),
        ("add", connection_id, "--type", "items"),
    ):
        assert run(*args, ok=False).exit_code == 2


def test_types_by_qbxml_name_or_plural(run: Any, connection_id: str) -> None:
    """CreditMemo, credit_memos and ItemInventory name types; the plural is what is shown."""
    added = json.loads(
        run("add", connection_id, "--type", "CreditMemo", "--every", "30", "--json").stdout
    )
    assert added["type"] == "credit_memos"
    run("add", connection_id, "--type", "iteminventory", "--every", "30")
    run("add", connection_id, "--type", "bill_payment_credit_cards", "--every", "30")
    listed = json.loads(run("list", connection_id, "--json").stdout)
    assert [r["type"] for r in listed] == [
        "inventory_items",
        "bill_payment_credit_cards",
        "credit_memos",
    ]
    assert (
        json.loads(run("now", connection_id, "--type", "CreditMemo", "--json").stdout)[0]["type"]
        == "credit_memos"
    )
    removed = json.loads(run("remove", connection_id, "--type", "ItemInventory", "--json").stdout)
    assert removed == {"type": "inventory_items", "removed": True, "cancelled_jobs": 0}


def test_add_all_schedules_every_type_once(run: Any, connection_id: str) -> None:
    """--all adds every type not yet synced, changes those that are, and says which."""
    from qwc_service.records.registry import RecordType

    run("add", connection_id, "--type", "invoices", "--every", "5", "--max-returned", "250")
    first = json.loads(run("add", connection_id, "--all", "--json").stdout)
    everything = [t.value for t in RecordType]
    assert first["updated"] == ["invoices"]
    assert first["added"] == [t for t in everything if t != "invoices"]
    listed = json.loads(run("list", connection_id, "--json").stdout)
    assert [r["type"] for r in listed] == everything
    invoices = next(r for r in listed if r["type"] == "invoices")
    assert (invoices["every_minutes"], invoices["max_returned"]) == (5, 250)
    assert {r["every_minutes"] for r in listed if r["type"] != "invoices"} == {60}

    again = json.loads(run("add", connection_id, "--all", "--every", "30", "--json").stdout)
    assert again == {"added": [], "updated": everything}
    listed = json.loads(run("list", connection_id, "--json").stdout)
    assert len(listed) == len(everything)
    assert {r["every_minutes"] for r in listed} == {30}
    assert next(r for r in listed if r["type"] == "invoices")["max_returned"] == 250
    text = run("add", connection_id, "--all").stdout
    assert text.strip() == f"added 0 sync(s): nothing; {len(everything)} already synced"
