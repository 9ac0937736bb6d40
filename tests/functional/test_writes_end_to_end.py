"""Writes over real HTTP to gunicorn, on SQLite and PostgreSQL, with the shipped simulator:
each lands in the fake company exactly once whatever is lost on the way."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.db import unit_of_work
from qwc_service.serving import ServerProcess
from qwc_service.simulator import wire
from qwc_service.simulator.connector import WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks, Loss
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.simulator.transport import HttpClientTransport
from qwc_service.tokens.service import create_token
from tests.factories import MachineCredentials, make_connection, make_machine
from tests.functional.faults import kill, start_post, wait_healthy
from tests.payments.factories import store_invoice
from tests.soap_client import SoapClient

pytestmark = pytest.mark.gunicorn


@dataclass
class Site:
    """gunicorn, the app on its settings, an API token, and one connection with its fake
    QuickBooks behind a simulated Web Connector."""

    server: ServerProcess
    app: QwcApp
    token: str
    connection_id: str
    machine: MachineCredentials
    quickbooks: FakeQuickBooks
    connector: WebConnector

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One JSON API call; the status and the decoded body."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        url = f"{self.server.url}/api/connections/{self.connection_id}{path}"
        request = urllib.request.Request(url, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def write(self, request: str, fields: dict[str, Any], key: str) -> tuple[int, Any]:
        """POST .../writes."""
        body = {"request": request, "fields": fields, "idempotency_key": key}
        return self.api("POST", "/writes", body)

    def job(self, job_id: int) -> dict[str, Any]:
        """GET .../jobs/{id}."""
        status, data = self.api("GET", f"/jobs/{job_id}")
        assert status == 200, data
        return dict(data)

    def session(self) -> str:
        """One whole Web Connector update."""
        return self.connector.run_session().outcome


@pytest.fixture
def site(settings: Settings, tmp_path: Path, qbxml_schema: etree.XMLSchema) -> Iterator[Site]:
    """One gunicorn worker (so a SIGKILL takes the whole server's state with it)."""
    process = ServerProcess(settings, workers=1, log_path=tmp_path / "gunicorn.log")
    process.settings = settings.with_overrides(public_url=f"http://localhost:{process.port}")
    with process:
        app = create_app(process.settings)
        try:
            with unit_of_work(app.session_factory) as db:
                token = create_token(db, "writes").secret
            connection_id = make_connection(app)
            machine = make_machine(app, connection_id)
            company = generate_company(customers=5, invoices=8, payments=0)
            quickbooks = FakeQuickBooks(company, schema=qbxml_schema)
            for invoice in company.invoices.values():
                store_invoice(app, connection_id, invoice)
            assert machine.qwc_path is not None
            connector = WebConnector(
                read_qwc(machine.qwc_path), machine.password, quickbooks, noop_wait_seconds=0
            )
            connector.add_application()
            yield Site(process, app, token, connection_id, machine, quickbooks, connector)
        finally:
            app.engine.dispose()


def _customers(site: Site, name: str) -> int:
    return sum(1 for c in site.quickbooks.company.customers.values() if c.name == name)


def test_lost_answers_and_repeated_keys_write_once(site: Site) -> None:
    """Lost after (status check), lost before (sent again), the same key twice: once each."""
    status, first = site.write("CustomerAdd", {"Name": "After Co"}, "after")
    assert status == 201 and first["status"] == "queued"
    status, again = site.write("CustomerAdd", {"Name": "After Co"}, "after")
    assert status == 200 and again["job_id"] == first["job_id"]
    status, refused = site.write("CustomerAdd", {"Name": "Other Co"}, "after")
    assert status == 409 and refused["error"]["field"] == "idempotency_key"
    site.quickbooks.faults.lose(Loss.AFTER_DROPPED, request="CustomerAdd")
    site.session()
    assert site.job(first["job_id"])["status"] == "sent"
    site.session()
    done = site.job(first["job_id"])
    assert done["status"] == "done" and done["result"]["Name"] == "After Co"
    assert done["write"]["sends"] == 1 and done["write"]["probes"] == 1

    status, before = site.write("CustomerAdd", {"Name": "Before Co"}, "before")
    site.quickbooks.faults.lose(Loss.BEFORE_DROPPED, request="CustomerAdd")
    site.session()
    site.session()
    assert site.job(before["job_id"])["status"] == "done"
    assert (_customers(site, "After Co"), _customers(site, "Before Co")) == (1, 1)


def test_invalid_write_is_refused_before_queuing(site: Site) -> None:
    """A request, element or value the schema refuses is a 400 naming it; nothing is queued."""
    status, refused = site.write("CustomerAdd", {"Name": "X", "bad name": "1"}, "bad")
    assert status == 400 and refused["error"]["field"] == "bad name"
    status, refused = site.write("CustomerFrobnicate", {"Name": "X"}, "bad")
    assert status == 400 and refused["error"]["field"] == "request"
    status, refused = site.write("CustomerAdd", {"Name": "N" * 42}, "bad")  # max 41
    assert status == 400 and refused["error"]["field"] == "Name"
    status, refused = site.write("CustomerAdd", {"Name": "Y", "CustomerRef": {}}, "bad")
    assert status == 400 and refused["error"]["field"].startswith("CustomerRef")
    status, jobs = site.api("GET", "/jobs?kind=write")
    assert status == 200 and jobs["data"] == []


def test_worker_killed_mid_write_is_recovered_once(site: Site) -> None:
    """SIGKILL while the write's answer is being received: the next session probes, and the
    stored answer completes the write without a second copy."""
    status, submitted = site.write("CustomerAdd", {"Name": "Killed Co"}, "killed")
    assert status == 201
    client = SoapClient(HttpClientTransport(), f"{site.server.url}/qbwc")
    ticket = client.authenticate(site.machine.username, site.machine.password)[0]
    hcp = site.quickbooks.hcp_response(site.connector.qwc.owner_id)
    site.quickbooks.begin_session("SIMULATED-PC")
    request = client.send_request(ticket, hcp=hcp)
    assert "CustomerAddRq" in request and "newMessageSetID" in request
    answer = site.quickbooks.process(request)  # QuickBooks applies it...
    site.quickbooks.end_session()
    body = wire.envelope(
        "receiveResponseXML",
        [("ticket", ticket), ("response", answer), ("hresult", ""), ("message", "")],
    )
    raw = start_post(site.server.port, "receiveResponseXML", body, len(body) // 2)
    time.sleep(0.3)
    for pid in site.server.worker_pids():
        kill(pid)  # ...and the worker dies before the answer is stored.
    raw.settimeout(10)
    assert raw.recv(1024) == b""
    raw.close()
    wait_healthy(site.server.url)
    assert site.session() == "completed"
    done = site.job(submitted["job_id"])
    assert done["status"] == "done" and done["write"]["sends"] == 1
    assert _customers(site, "Killed Co") == 1


def _until_settled(site: Site, job_id: int) -> dict[str, Any]:
    """Web Connector updates until the write is settled one way or another (at most five)."""
    for _ in range(5):
        job = site.job(job_id)
        if job["status"] in ("done", "failed", "conflict", "outcome_unknown"):
            return job
        site.session()
    return site.job(job_id)


def _queued(site: Site, path: str, body: dict[str, Any]) -> int:
    status, job = site.api("POST", path, body)
    assert status == 201, job
    return int(job["job_id"])


def _count(site: Site, obj: str, txn_id: str) -> int:
    return sum(1 for key in site.quickbooks.company.objects.get(obj, {}) if key == txn_id)


@pytest.mark.parametrize("loss", [Loss.AFTER_DROPPED, Loss.BEFORE_DROPPED])
def test_each_payments_operation_lands_once_whatever_is_lost(site: Site, loss: Loss) -> None:
    """Payment, credit memo, refund, payout and customer upsert, each with its answer lost
    after QuickBooks applied it or before it saw it: each is in the company exactly once.
    A Mod lost before QuickBooks saw it cannot be looked up: it waits for an operator."""
    company = site.quickbooks.company
    unpaid = [i for i in company.invoices.values() if i.balance_remaining > 0]
    first = unpaid[0]
    mine = [i for i in unpaid if i.customer_list_id == first.customer_list_id][:2]
    apply = [{"txn_id": i.txn_id, "amount": "1.00"} for i in mine]
    total = f"{len(mine) + 3}.00"
    pay = _queued(site, "/payments", {"apply": apply, "amount": total, "idempotency_key": "p"})
    site.quickbooks.faults.lose(loss, request="ReceivePaymentAdd")
    paid = _until_settled(site, pay)
    assert paid["status"] == "done" and paid["unused_payment"] == "3.00"
    payment_id = paid["result"]["TxnID"]
    assert sum(1 for p in company.payments.values() if p.txn_id == payment_id) == 1

    customer = company.customers[first.customer_list_id]
    item = next(iter(company.items.values()))
    body = {"customer": customer.full_name, "item": item.full_name, "amount": "20.00"}
    credit = _queued(site, "/credits", {**body, "idempotency_key": "c"})
    site.quickbooks.faults.lose(loss, request="CreditMemoAdd")
    memo = _until_settled(site, credit)
    assert memo["status"] == "done" and _count(site, "CreditMemo", memo["result"]["TxnID"]) == 1
    memos = len(company.objects.get("CreditMemo", {}))

    body = {"credit_txn_id": memo["result"]["TxnID"], "amount": "5.00", "account": "Checking"}
    refund = _queued(site, "/refunds", {**body, "idempotency_key": "r"})
    site.quickbooks.faults.lose(loss, request="ARRefundCreditCardAdd")
    refunded = _until_settled(site, refund)
    assert refunded["status"] == "done"
    assert _count(site, "ARRefundCreditCard", refunded["result"]["TxnID"]) == 1
    assert len(company.objects.get("ARRefundCreditCard", {})) == 1

    body = {"payments": [payment_id], "bank": "Checking", "fee": "0.10"}
    payout = _queued(
        site, "/payouts", {**body, "fee_account": "Cost of Goods Sold", "idempotency_key": "o"}
    )
    site.quickbooks.faults.lose(loss, request="DepositAdd")
    deposit = _until_settled(site, payout)
    assert deposit["status"] == "done"
    assert deposit["result"]["DepositTotal"] == f"{int(total[:-3]) - 1}.90"
    assert len(company.objects.get("Deposit", {})) == 1

    added = _queued(
        site, "/customers/upsert", {"fields": {"Name": "Upsert Co"}, "idempotency_key": "u"}
    )
    site.quickbooks.faults.lose(loss, request="CustomerAdd")
    assert _until_settled(site, added)["status"] == "done"
    assert _customers(site, "Upsert Co") == 1

    fields = {"Name": "Upsert Co", "Phone": "555-0100"}
    changed = _queued(site, "/customers/upsert", {"fields": fields, "idempotency_key": "u2"})
    site.quickbooks.faults.lose(loss, request="CustomerMod")
    modded = _until_settled(site, changed)
    if loss is Loss.AFTER_DROPPED:
        assert modded["status"] == "done"  # QuickBooks kept the answer: the status check has it
    else:
        assert modded["status"] == "outcome_unknown"
        status, resent = site.api("POST", f"/jobs/{changed}/resolve", {"action": "resend"})
        assert status == 200 and resent["status"] == "queued"
        assert _until_settled(site, changed)["status"] == "done"
    phones = [c.phone for c in company.customers.values() if c.name == "Upsert Co"]
    assert phones == ["555-0100"]
    assert len(company.objects.get("CreditMemo", {})) == memos
