"""``qwc-service payment``: record with --json, retry with the printed key, clear errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from qwc_service.app import QwcApp
from qwc_service.cli import payments as payment_commands
from qwc_service.cli.main import main
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.factories import make_connection
from tests.payments.factories import open_invoice, store_invoice

Run = Callable[..., Result]


@pytest.fixture
def run(app: QwcApp, tmp_path: Path) -> Run:
    """Invoke the CLI against the app's database."""
    if "payment" not in main.commands:
        payment_commands.register(main)
    env = {
        "QWC_DATABASE_URL": app.settings.database_url,
        "QWC_FILES_DIR": str(tmp_path / "files"),
    }
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(main, list(args), env=env)
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    return invoke


@pytest.fixture
def invoice(app: QwcApp) -> tuple[str, str]:
    """A connection and the TxnID of a stored invoice owing 500.00."""
    connection_id = make_connection(app)
    fake = open_invoice(FakeQuickBooks(generate_company(customers=3, invoices=4, payments=0)))
    store_invoice(app, connection_id, fake, balance=Decimal("500.00"))
    return connection_id, fake.txn_id


def _record(run: Run, connection_id: str, txn_id: str, *extra: str, ok: bool = True) -> Result:
    return run("payment", "record", connection_id, "--invoice", txn_id, *extra, ok=ok)


def test_record_prints_one_json_document_with_a_generated_key(
    run: Run, invoice: tuple[str, str]
) -> None:
    """--json prints the write: id, key, job, reference and status."""
    connection_id, txn_id = invoice
    options = ("--amount", "125.5", "--date", "2024-03-01", "--method", "Check", "--json")
    result = _record(run, connection_id, txn_id, *options)
    data: dict[str, Any] = json.loads(result.stdout)
    assert {"payment_id", "idempotency_key", "job_id", "ref_number", "status"} <= set(data)
    assert data["status"] == "pending" and data["amount"] == "125.50"
    assert data["txn_date"] == "2024-03-01" and data["payment_method"] == "Check"
    assert len(data["idempotency_key"]) >= 20


def test_the_printed_key_replays_the_same_payment(run: Run, invoice: tuple[str, str]) -> None:
    """Running again with --key returns the same payment and job."""
    connection_id, txn_id = invoice
    first = json.loads(_record(run, connection_id, txn_id, "--amount", "10", "--json").stdout)
    options = ("--amount", "10.00", "--key", first["idempotency_key"], "--json")
    again = json.loads(_record(run, connection_id, txn_id, *options).stdout)
    assert (again["payment_id"], again["job_id"]) == (first["payment_id"], first["job_id"])
    listed = json.loads(run("payment", "list", connection_id, "--json").stdout)
    assert [row["payment_id"] for row in listed] == [first["payment_id"]]
    shown = json.loads(
        run("payment", "show", connection_id, str(first["payment_id"]), "--json").stdout
    )
    assert shown["ref_number"] == first["ref_number"]


def test_human_output_names_the_key(run: Run, invoice: tuple[str, str]) -> None:
    """Without --json the key is printed for the next try."""
    connection_id, txn_id = invoice
    result = _record(run, connection_id, txn_id, "--amount", "1", "--key", "my-key-1")
    assert "idempotency key: my-key-1" in result.stdout and "pending" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--amount", "500.01"), "still owes: 500.00"),
        (("--amount", "0"), "more than 0"),
        (("--amount", "1.234"), "more than 2 decimals"),
        (("--amount", "12,50"), "is not an amount"),
        (("--amount", "1", "--reference", "X" * 21), "20 characters"),
    ],
)
def test_refusals_are_one_line_errors(
    run: Run, invoice: tuple[str, str], args: tuple[str, ...], message: str
) -> None:
    """Bad input exits non-zero with one readable line and queues nothing."""
    connection_id, txn_id = invoice
    result = _record(run, connection_id, txn_id, *args, ok=False)
    assert result.exit_code != 0 and message in result.stderr
    assert json.loads(run("payment", "list", connection_id, "--json").stdout) == []


def test_unknown_invoice_and_reused_key_are_explained(run: Run, invoice: tuple[str, str]) -> None:
    """The two refusals a caller must act on say what to do."""
    connection_id, txn_id = invoice
    unknown = _record(run, connection_id, "1-1", "--amount", "1", ok=False)
    assert "is not known for this connection; sync invoices first" in unknown.stderr
    _record(run, connection_id, txn_id, "--amount", "1", "--key", "k")
    reused = _record(run, connection_id, txn_id, "--amount", "2", "--key", "k", ok=False)
    assert "idempotency key already used" in reused.stderr
