"""Payments through the API, written to QuickBooks by the simulated Web Connector once."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient
from tests.api.helpers import Computer, add_computer, all_records, create_connection, run_session


@pytest.fixture
def synced(client: ApiClient, server: Any) -> tuple[str, Computer, FakeQuickBooks, dict[str, Any]]:
    """A connection whose invoices were synced; returns it with an open invoice."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "PC")
    client.put(f"/api/connections/{cid}/schedules/invoices", {"every_minutes": 60})
    quickbooks = FakeQuickBooks(generate_company(customers=5, invoices=8, payments=0))
    assert run_session(server, computer, quickbooks).outcome == "completed"
    invoices = all_records(client, cid, "invoices")
    open_invoice = next(i for i in invoices if Decimal(i["data"]["BalanceRemaining"]) > 20)
    return cid, computer, quickbooks, open_invoice


def test_payment_recorded_in_quickbooks_once(
    client: ApiClient, server: Any, synced: tuple[str, Computer, FakeQuickBooks, dict[str, Any]]
) -> None:
    """A payment is queued as a write, written by the next session; a replay returns its job."""
    cid, computer, quickbooks, invoice = synced
    body = {
        "invoice_txn_id": invoice["id"],
        "amount": "12.50",
        "date": "2026-11-02",
        "idempotency_key": "order-1001",
    }
    reply = client.post(f"/api/connections/{cid}/payments", body)
    assert reply.status == 201, reply.body
    job = reply.data
    assert (job["kind"], job["status"]) == ("write", "queued")
    assert job["write"]["request"] == "ReceivePaymentAdd"
    assert job["write"]["fields"]["TxnDate"] == "2026-11-02"

    replay = client.post(f"/api/connections/{cid}/payments", body)
    assert replay.status == 200 and replay.data["job_id"] == job["job_id"]

    result = run_session(server, computer, quickbooks, add=False)
    assert result.outcome == "completed", result.last_error
    done = client.get(f"/api/connections/{cid}/jobs/{job['job_id']}").data
    assert done["status"] == "done" and done["result"]["TxnID"] in quickbooks.company.payments
    paid = quickbooks.company.payments[done["result"]["TxnID"]]
    assert paid.total_amount == Decimal("12.50")
    after = client.post(f"/api/connections/{cid}/payments", body)
    assert after.status == 200 and after.data["status"] == "done"


def test_payment_conflicts_and_refusals(
    client: ApiClient, synced: tuple[str, Computer, FakeQuickBooks, dict[str, Any]]
) -> None:
    """A reused key is a 409; too much money or an unknown invoice a 400 naming the field."""
    cid, _, _, invoice = synced
    path = f"/api/connections/{cid}/payments"
    first = {"invoice_txn_id": invoice["id"], "amount": "5.00", "idempotency_key": "k"}
    assert client.post(path, first).status == 201

    reused = client.post(path, {**first, "amount": "6.00"})
    assert reused.status == 409
    assert (reused.error["code"], reused.error["field"]) == (
        "idempotency_key_reused",
        "idempotency_key",
    )
    too_much = client.post(path, {**first, "amount": "99999.00", "idempotency_key": "k2"})
    assert too_much.status == 400 and too_much.error["field"] == "apply"
    unknown = client.post(path, {**first, "invoice_txn_id": "NOPE-1", "idempotency_key": "k3"})
    assert unknown.status == 400 and unknown.error["field"] == "apply"
    reference = client.post(path, {**first, "idempotency_key": "k4", "reference": "R" * 21})
    assert reference.status == 400 and reference.error["field"] == "reference"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 12.5}, "amount"),
        ({"amount": "12.505"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"date": "02/11/2026"}, "date"),
        ({"idempotency_key": "x" * 201}, "idempotency_key"),
        ({"idempotency_key": None}, "idempotency_key"),
        ({"apply": "INV=1"}, "apply"),
        ({"apply": [{"txn_id": "1-1", "amount": "ten"}]}, "apply"),
        ({"apply": [{"txn_id": "1-1"}]}, "apply"),
        ({"credits": [{"txn_id": "2-2", "amount": 5}]}, "credits"),
    ],
)
def test_payment_validation_names_the_field(
    client: ApiClient, change: dict[str, Any], field: str
) -> None:
    """Each malformed member is refused with a 400 that names it, before anything is queued."""
    cid = create_connection(client)
    body = {"invoice_txn_id": "1-1", "amount": "10.00", "idempotency_key": "k", **change}
    reply = client.post(f"/api/connections/{cid}/payments", body)
    assert reply.status == 400, reply.body
    assert reply.error["field"] == field
    assert client.get(f"/api/connections/{cid}/jobs").data["data"] == []


def test_a_payment_submitted_with_wait_answers_once_written(
    client: ApiClient, server: Any, synced: tuple[str, Computer, FakeQuickBooks, dict[str, Any]]
) -> None:
    """POST .../payments?wait=30 answers with the done job once the Web Connector wrote it."""
    cid, computer, quickbooks, invoice = synced
    body = {"invoice_txn_id": invoice["id"], "amount": "5.00", "idempotency_key": "waited"}
    session = threading.Timer(0.3, run_session, (server, computer, quickbooks), {"add": False})
    session.start()
    path = f"/api/connections/{cid}/payments"
    reply = client.request("POST", path, query={"wait": 30}, json_body=body)
    session.join()
    assert reply.status == 201, reply.body
    assert reply.data["status"] == "done" and reply.data["result"]["TxnID"]
