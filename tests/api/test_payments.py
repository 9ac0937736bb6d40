"""Payment write-backs through the API, written to QuickBooks by the simulated Web Connector."""

from __future__ import annotations

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
    """A payment is queued, written by the next session, and a replay returns the same write."""
    cid, computer, quickbooks, invoice = synced
    body = {
        "invoice_txn_id": invoice["id"],
        "amount": "12.50",
        "date": "2026-11-02",
        "idempotency_key": "order-1001",
    }
    reply = client.post(f"/api/connections/{cid}/payments", body)
    assert reply.status == 201, reply.body
    write = reply.data
    assert (write["status"], write["amount"], write["txn_date"]) == (
        "pending",
        "12.50",
        "2026-11-02",
    )
    job = client.get(f"/api/connections/{cid}/jobs/{write['job_id']}").data
    assert job["kind"] == "payment" and job["status"] == "queued"

    replay = client.post(f"/api/connections/{cid}/payments", body)
    assert replay.status == 200 and replay.data["payment_id"] == write["payment_id"]

    result = run_session(server, computer, quickbooks, add=False)
    assert result.outcome == "completed", result.last_error
    recorded = client.get(f"/api/connections/{cid}/payments/{write['payment_id']}").data
    assert recorded["status"] == "recorded" and recorded["txn_id"] in quickbooks.company.payments
    paid = quickbooks.company.payments[recorded["txn_id"]]
    assert paid.total_amount == Decimal("12.50")

    listed = client.get(f"/api/connections/{cid}/payments", status="recorded").data["data"]
    assert [w["payment_id"] for w in listed] == [write["payment_id"]]
    after = client.post(f"/api/connections/{cid}/payments", body)
    assert after.status == 200 and after.data["status"] == "recorded"


def test_payment_conflicts_and_refusals(
    client: ApiClient, synced: tuple[str, Computer, FakeQuickBooks, dict[str, Any]]
) -> None:
    """A reused key is a 409; too much money or an unknown invoice a 422 naming the field."""
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
    assert too_much.status == 422
    assert (too_much.error["code"], too_much.error["field"]) == ("amount_exceeds_balance", "amount")

    unknown = client.post(path, {**first, "invoice_txn_id": "NOPE-1", "idempotency_key": "k3"})
    assert unknown.status == 422 and unknown.error["field"] == "invoice_txn_id"

    reference = client.post(path, {**first, "idempotency_key": "k4", "reference": "R" * 21})
    assert reference.status == 400
    assert (reference.error["code"], reference.error["field"]) == ("invalid_payment", "reference")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 12.5}, "amount"),
        ({"amount": "12.505"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "0.00"}, "amount"),
        ({"date": "02/11/2026"}, "date"),
        ({"invoice_txn_id": ""}, "invoice_txn_id"),
        ({"idempotency_key": "x" * 201}, "idempotency_key"),
        ({"memo": "hello"}, "memo"),
    ],
)
def test_payment_validation_names_the_field(
    client: ApiClient, change: dict[str, Any], field: str
) -> None:
    """Each malformed member is refused with a 400 that names it, before anything is stored."""
    cid = create_connection(client)
    body = {"invoice_txn_id": "1-1", "amount": "10.00", **change}
    reply = client.post(f"/api/connections/{cid}/payments", body)
    assert reply.status == 400, reply.body
    assert reply.error["field"] == field
    assert client.get(f"/api/connections/{cid}/payments").data["data"] == []
