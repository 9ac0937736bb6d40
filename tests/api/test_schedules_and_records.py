"""Sync schedules and stored records through the API."""

from __future__ import annotations

from typing import Any

from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient
from tests.api.helpers import add_computer, all_records, create_connection, run_session


def test_schedule_put_pause_run_and_delete(client: ApiClient) -> None:
    """PUT creates then changes; pause holds; run queues once; delete cancels queued work."""
    cid = create_connection(client, timezone="America/New_York")
    base = f"/api/connections/{cid}/schedules"
    created = client.put(f"{base}/items", {"every_minutes": 60, "window": "19:00-07:00"})
    assert created.status == 201
    assert (created.data["window"], created.data["timezone"]) == ("19:00-07:00", "America/New_York")
    changed = client.put(f"{base}/items", {"every_minutes": 30, "max_returned": 250})
    assert changed.status == 200
    assert (changed.data["every_minutes"], changed.data["window"]) == (30, None)
    assert changed.data["max_returned"] == 250

    paused = client.post(f"{base}/pause", {"until": "2099-01-01T00:00:00Z"}).data
    assert paused == {"paused_until": "2099-01-01T00:00:00+00:00", "types": ["items"]}
    assert client.get(f"{base}/items").data["paused_until"] == "2099-01-01T00:00:00+00:00"

    queued = client.post(f"{base}/run").data["data"]
    assert [(j["type"], j["status"]) for j in queued] == [("items", "queued")]
    assert client.post(f"{base}/run").data["data"] == []
    assert client.get(f"{base}/items").data["pending_job"]["job_id"] == queued[0]["job_id"]

    removed = client.delete(f"{base}/items")
    assert removed.data == {"type": "items", "removed": True, "cancelled_jobs": 1}
    job = client.get(f"/api/connections/{cid}/jobs/{queued[0]['job_id']}").data
    assert job["status"] == "cancelled"
    missing = client.get(f"{base}/items")
    assert (missing.status, missing.error["code"]) == (404, "schedule_not_found")
    assert client.delete(f"{base}/items").status == 404


def test_schedules_name_any_type_by_qbxml_name_or_plural(client: ApiClient) -> None:
    """PUT .../schedules/CreditMemo makes the credit_memos sync; the enum lists both names."""
    cid = create_connection(client)
    base = f"/api/connections/{cid}/schedules"
    created = client.put(f"{base}/CreditMemo", {"every_minutes": 60})
    assert (created.status, created.data["type"]) == (201, "credit_memos")
    assert client.put(f"{base}/credit_memos", {"every_minutes": 30}).status == 200
    assert client.get(f"{base}/CreditMemo").data["every_minutes"] == 30
    queued = client.post(f"{base}/run", {"type": "CreditMemo"}).data["data"]
    assert [j["type"] for j in queued] == ["credit_memos"]
    # A path naming no type names no resource.
    assert client.put(f"{base}/vendor_bills", {"every_minutes": 60}).status == 404
    unknown = client.post(f"{base}/run", {"type": "vendor_bills"})
    assert unknown.status == 400 and "credit_memos" in unknown.error["message"]
    spec = client.get("/api/openapi.json").data
    path = spec["paths"]["/api/connections/{connection_id}/schedules/{record_type}"]
    enum = next(p for p in path["put"]["parameters"] if p["name"] == "record_type")["schema"]
    assert {"credit_memos", "CreditMemo", "inventory_items", "payments"} <= set(enum["enum"])
    removed = client.delete(f"{base}/CreditMemo").data
    assert removed == {"type": "credit_memos", "removed": True, "cancelled_jobs": 1}


def test_records_filtered_by_modification_time(client: ApiClient, server: Any) -> None:
    """modified_since keeps records modified at or after it; an unknown id is a 404."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "PC")
    client.put(f"/api/connections/{cid}/schedules/customers", {"every_minutes": 60})
    run_session(server, computer, FakeQuickBooks(generate_company(customers=12, invoices=0)))
    customers = all_records(client, cid, "customers")
    assert len(customers) == 12
    times = sorted(c["time_modified"] for c in customers)
    since = times[6]
    recent = client.get(
        f"/api/connections/{cid}/records/customers", modified_since=since, limit=500
    ).data
    assert recent["next_after"] is None
    assert {c["id"] for c in recent["data"]} == {
        c["id"] for c in customers if c["time_modified"] >= since
    }
    assert 0 < len(recent["data"]) < 12
    missing = client.get(f"/api/connections/{cid}/records/customers/NOPE")
    assert (missing.status, missing.error["code"]) == (404, "record_not_found")
    other = create_connection(client, "Other")
    assert client.get(f"/api/connections/{other}/records/customers").data["data"] == []
    one = customers[0]["id"]
    assert client.get(f"/api/connections/{other}/records/customers/{one}").status == 404
