"""Connections and machines through the API: changes, disabling, credentials, health."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.connections.queries import get_machine
from qwc_service.db import unit_of_work
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient
from tests.api.helpers import Computer, add_computer, create_connection, run_session
from tests.factories import customer_query


def test_update_changes_only_the_members_given(client: ApiClient) -> None:
    """PATCH changes name, company file and time zone; members left out stay; null clears."""
    cid = create_connection(client, "Acme", company_file="C:\\Acme.qbw", timezone="Europe/Paris")
    reply = client.patch(f"/api/connections/{cid}", {"name": "  Acme Inc  "})
    assert reply.status == 200
    assert (reply.data["name"], reply.data["company_file"], reply.data["timezone"]) == (
        "Acme Inc",
        "C:\\Acme.qbw",
        "Europe/Paris",
    )
    reply = client.patch(f"/api/connections/{cid}", {"company_file": None, "timezone": "UTC"})
    assert (reply.data["company_file"], reply.data["timezone"]) == (None, "UTC")
    events = client.get(f"/api/connections/{cid}/events").data["data"]
    assert [e["kind"] for e in events][:2] == ["connection_updated", "connection_updated"]


def test_update_sets_and_clears_polling(client: ApiClient) -> None:
    """PATCH sets the minimum poll interval and the .qwc run interval; null clears; bad is 400."""
    cid = create_connection(client, "Acme")
    reply = client.patch(
        f"/api/connections/{cid}", {"min_poll_seconds": 300, "qwc_run_seconds": 15}
    )
    assert reply.status == 200
    assert (reply.data["min_poll_seconds"], reply.data["qwc_run_seconds"]) == (300, 15)
    reply = client.patch(f"/api/connections/{cid}", {"qwc_run_seconds": None})
    assert (reply.data["min_poll_seconds"], reply.data["qwc_run_seconds"]) == (300, None)
    for bad in (0, 86401, "soon"):
        assert client.patch(f"/api/connections/{cid}", {"min_poll_seconds": bad}).status == 400
    assert client.get(f"/api/connections/{cid}").data["min_poll_seconds"] == 300


def test_list_pages_and_searches(client: ApiClient) -> None:
    """Pages follow next_after until null; q matches names and IDs, wildcards literally."""
    ids = [create_connection(client, f"Shop {i}") for i in range(5)]
    odd = create_connection(client, "50%_off Ltd")
    seen: list[str] = []
    after: str | None = None
    while True:
        page = client.get("/api/connections", limit=2, after=after)
        assert page.status == 200 and len(page.data["data"]) <= 2
        seen += [c["connection_id"] for c in page.data["data"]]
        after = page.data["next_after"]
        if after is None:
            break
    assert seen == sorted([*ids, odd])
    found = client.get("/api/connections", q="shop 3").data
    assert [c["connection_id"] for c in found["data"]] == [ids[3]] and found["next_after"] is None
    wild = client.get("/api/connections", q="%_").data["data"]
    assert [c["connection_id"] for c in wild] == [odd]
    assert client.get("/api/connections", limit=0).status == 400


def test_disabled_connection_takes_no_work_until_enabled(client: ApiClient) -> None:
    """Disabled: enqueue and new machines are 409s and health says not connected."""
    cid = create_connection(client)
    disabled = client.post(f"/api/connections/{cid}/disable")
    assert disabled.status == 200 and disabled.data["disabled_at"] is not None
    refused = client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    assert (refused.status, refused.error["code"]) == (409, "connection_disabled")
    machine = client.post(f"/api/connections/{cid}/machines", {"label": "PC"})
    assert machine.status == 409
    assert client.get(f"/api/connections/{cid}/health").data["disabled"] is True

    enabled = client.post(f"/api/connections/{cid}/enable")
    assert enabled.status == 200 and enabled.data["disabled_at"] is None
    queued = client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    assert queued.status == 201


def test_password_reset_and_revocation(client: ApiClient, server: Any) -> None:
    """A reset password replaces the old one; a revoked machine can neither log in nor download."""
    cid = create_connection(client)
    old = add_computer(client, cid, "PC")
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0, payments=0))
    base = f"/api/connections/{cid}/machines/{old.username}"
    reset = client.post(f"{base}/reset-password")
    assert reset.status == 200 and reset.data["password"] != old.password
    assert reset.data["machine"]["username"] == old.username
    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    assert run_session(server, old, quickbooks).auth_status == "nvu"
    new = Computer(old.username, reset.data["password"], old.qwc)
    assert run_session(server, new, quickbooks, add=False).outcome == "completed"

    revoked = client.post(f"{base}/revoke")
    assert revoked.status == 200 and revoked.data["revoked_at"] is not None
    assert client.get(f"{base}/qwc").error["code"] == "machine_revoked"
    assert client.post(f"{base}/reset-password").status == 409
    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    assert run_session(server, new, quickbooks, add=False).auth_status == "nvu"


def test_machines_belong_to_their_connection(client: ApiClient) -> None:
    """A machine read, reset or downloaded through another connection is not found."""
    one, two = create_connection(client, "One"), create_connection(client, "Two")
    computer = add_computer(client, one, "PC")
    for method, suffix in (("GET", ""), ("GET", "/qwc"), ("POST", "/reset-password")):
        reply = client.request(
            method, f"/api/connections/{two}/machines/{computer.username}{suffix}"
        )
        assert (reply.status, reply.error["code"]) == (404, "machine_not_found")
    listed = client.get(f"/api/connections/{two}/machines").data["data"]
    assert listed == []


def test_connected_means_a_check_in_within_twice_the_interval(
    app: QwcApp, client: ApiClient, server: Any
) -> None:
    """With RunEveryNMinutes 15, a check-in 29 minutes ago is connected and 31 is not."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "PC")
    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    run_session(server, computer, FakeQuickBooks(generate_company(customers=2, invoices=0)))
    assert app.settings.run_every_minutes == 15
    for minutes, connected in ((29, True), (31, False)):
        with unit_of_work(app.session_factory) as db:
            get_machine(db, computer.username).last_seen_at = utcnow() - timedelta(minutes=minutes)
        health = client.get(f"/api/connections/{cid}/health").data
        assert health["connected"] is connected, minutes


def test_health_reports_the_last_error_until_a_success(client: ApiClient, server: Any) -> None:
    """QuickBooks not running: the explained error shows as unresolved until work succeeds."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "PC")
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0))
    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    quickbooks.running = True
    run_session(server, computer, quickbooks)  # adds the application, runs the job
    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    quickbooks.running = False
    run_session(server, computer, quickbooks, add=False)

    health = client.get(f"/api/connections/{cid}/health").data
    assert "QuickBooks" in health["last_error"] and health["last_error_unresolved"] is True
    assert health["queue_depth"] == 1 and health["connected"] is True
    quickbooks.running = True
    assert run_session(server, computer, quickbooks, add=False).outcome == "completed"
    health = client.get(f"/api/connections/{cid}/health").data
    assert health["last_error_unresolved"] is False and health["queue_depth"] == 0
