"""A customer with two computers onboarded entirely through the API, then synced."""

from __future__ import annotations

from typing import Any

from lxml import etree

from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient
from tests.api.helpers import add_computer, all_records, create_connection, run_session


def _qwc_fields(document: bytes) -> dict[str, str | None]:
    root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    return {child.tag: child.text for child in root if isinstance(child.tag, str)}


def test_two_computers_onboarded_and_synced_through_the_api(client: ApiClient, server: Any) -> None:
    """Create, add two machines, download both .qwc, schedule, sync: health and records follow."""
    connection_id = create_connection(client, "Acme Widgets")
    connection = client.get(f"/api/connections/{connection_id}").data
    front = add_computer(client, connection_id, "Front office PC")
    back = add_computer(client, connection_id, "Back office PC")

    fields = [_qwc_fields(c.qwc) for c in (front, back)]
    assert fields[0]["OwnerID"] == fields[1]["OwnerID"] == connection["owner_id"]
    assert fields[0]["FileID"] == fields[1]["FileID"] == connection["file_id"]
    assert [f["UserName"] for f in fields] == [front.username, back.username]
    assert front.username != back.username and front.password != back.password

    for record_type in ("customers", "invoices"):
        reply = client.put(
            f"/api/connections/{connection_id}/schedules/{record_type}",
            {"every_minutes": 60, "max_returned": 10},
        )
        assert reply.status == 201, reply.body
    health = client.get(f"/api/connections/{connection_id}/health").data
    assert health["connected"] is False and health["last_check_in_at"] is None

    company = generate_company(customers=23, items=4, invoices=14, payments=3)
    quickbooks = FakeQuickBooks(company)
    first = run_session(server, front, quickbooks)
    assert first.outcome == "completed", first.last_error
    assert first.requests_processed >= 5  # three pages of customers, two of invoices
    second = run_session(server, back, quickbooks)
    assert second.auth_status == "none"  # nothing due: the other computer did the work

    health = client.get(f"/api/connections/{connection_id}/health").data
    assert health["connected"] is True
    assert {m["username"] for m in health["machines"] if m["last_seen_at"]} == {
        front.username,
        back.username,
    }
    assert health["company_name"] == company.company_name
    assert health["company_file"] == quickbooks.company_file
    assert health["qbxml_version"] and health["queue_depth"] == 0
    assert health["last_error"] is None and health["last_error_unresolved"] is False
    assert health["last_session"]["machine_id"] is not None

    customers = all_records(client, connection_id, "customers")
    assert {c["id"] for c in customers} == set(company.customers)
    invoices = all_records(client, connection_id, "invoices", limit=5)
    assert {i["id"] for i in invoices} == set(company.invoices)
    assert all(i["type"] == "Invoice" and i["data"]["InvoiceLineRet"] for i in invoices)
    one = invoices[0]
    reply = client.get(f"/api/connections/{connection_id}/records/invoices/{one['id']}")
    assert reply.status == 200 and reply.data == one

    schedules = client.get(f"/api/connections/{connection_id}/schedules").data["data"]
    assert [s["type"] for s in schedules] == ["customers", "invoices"]
    assert all(s["last_success_at"] and s["watermark"] for s in schedules)
