"""``qwc-service write``, ``payment record``, ``payout record`` and ``resolve-write``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qwc_service.app import QwcApp
from qwc_service.cli.main import main
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.factories import make_connection
from tests.payments.factories import open_invoice, store_invoice


@pytest.fixture
def run(app: QwcApp, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Invoke the CLI against the app's database."""
    env = {"QWC_DATABASE_URL": app.settings.database_url, "QWC_FILES_DIR": str(tmp_path)}
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True, stdin: str | None = None) -> Result:
        result = runner.invoke(main, list(args), env=env, input=stdin)
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    return invoke


def test_write_prints_the_job_and_a_repeat_returns_it(run, app: QwcApp) -> None:  # type: ignore[no-untyped-def]
    """``write`` queues once per key; other fields under the key are refused with a clear line."""
    cid = make_connection(app)
    args = ("write", cid, "--request", "CustomerAdd", "--fields", "-", "--key", "k", "--json")
    first = json.loads(run(*args, stdin='{"Name": "CLI Co"}').stdout)
    assert first["status"] == "queued" and first["created"] is True
    again = json.loads(run(*args, stdin='{"Name": "CLI Co"}').stdout)
    assert again["job_id"] == first["job_id"] and again["created"] is False
    refused = run(*args, stdin='{"Name": "Other Co"}', ok=False)
    assert refused.exit_code == 1 and "idempotency key already used" in refused.stderr
    invalid = run(*args[:-3], "--key", "k2", stdin='{"Name": "X", "bad name": 1}', ok=False)
    assert invalid.exit_code == 1 and "bad name" in invalid.stderr


def test_payment_record_old_and_new_forms(run, app: QwcApp) -> None:  # type: ignore[no-untyped-def]
    """``--invoice/--amount`` still works; ``--apply`` pays several invoices."""
    cid = make_connection(app)
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=6, payments=0))
    invoice = open_invoice(quickbooks)
    store_invoice(app, cid, invoice)
    old = run(
        "payment", "record", cid, "--invoice", invoice.txn_id, "--amount", "1.00",
        "--key", "old", "--json",
    )  # fmt: skip
    assert json.loads(old.stdout)["write"]["request"] == "ReceivePaymentAdd"
    new = run(
        "payment", "record", cid, "--apply", f"{invoice.txn_id}=2.00", "--amount", "5.00",
        "--method", "Visa", "--key", "new", "--json",
    )  # fmt: skip
    fields = json.loads(new.stdout)["write"]["fields"]
    assert (
        fields["TotalAmount"] == "5.00" and fields["AppliedToTxnAdd"][0]["PaymentAmount"] == "2.00"
    )
    payout = run(
        "payout", "record", cid, "--payments", "1-1,2-2", "--bank", "Checking",
        "--fee", "0.50", "--fee-account", "Fees", "--key", "po", "--json",
    )  # fmt: skip
    lines = json.loads(payout.stdout)["write"]["fields"]["DepositLineAdd"]
    assert lines[-1]["Amount"] == "-0.50" and len(lines) == 3
    unknown = run(
        "resolve-write", cid, str(json.loads(payout.stdout)["job_id"]), "--done", ok=False
    )
    assert unknown.exit_code == 1 and "only a write whose outcome is unknown" in unknown.stderr
