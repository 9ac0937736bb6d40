"""The health report's state and its reason, as the API returns them after real sessions."""

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
from tests.api.helpers import add_computer, create_connection, run_session
from tests.factories import customer_query


def _state(client: ApiClient, cid: str) -> tuple[str, str]:
    health = client.get(f"/api/connections/{cid}/health").data
    return health["state"], health["state_reason"]


def test_state_moves_from_waiting_to_connected_stale_and_error(
    app: QwcApp, client: ApiClient, server: Any
) -> None:
    """No login, a login with nothing to do, a sync, an old check-in, then an error."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "PC")
    state, reason = _state(client, cid)
    assert state == "waiting_for_first_sync" and "1 machine waits" in reason

    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0))
    assert run_session(server, computer, quickbooks).outcome == "none"
    health = client.get(f"/api/connections/{cid}/health").data
    # The old key still says a machine checked in; the state says nothing was exchanged.
    assert health["connected"] is True and health["state"] == "waiting_for_quickbooks"

    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    assert run_session(server, computer, quickbooks, add=False).outcome == "completed"
    assert _state(client, cid)[0] == "connected"

    with unit_of_work(app.session_factory) as db:
        get_machine(db, computer.username).last_seen_at = utcnow() - timedelta(hours=2)
    state, reason = _state(client, cid)
    assert state == "stale" and "for 2 h" in reason

    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    quickbooks.running = False
    assert run_session(server, computer, quickbooks, add=False).outcome == "connection_error"
    state, reason = _state(client, cid)
    assert state == "error" and "came after the last success" in reason


def test_wrong_company_file_and_disabled(client: ApiClient, server: Any) -> None:
    """A refused session reads as the wrong company file; disabling wins over everything."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "PC")
    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    acme = FakeQuickBooks(generate_company(name="Acme Widgets", customers=2, invoices=0))
    assert run_session(server, computer, acme).outcome == "completed"
    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    beta = FakeQuickBooks(generate_company(name="Beta Bakery", customers=2, seed=2))
    assert run_session(server, computer, beta).requests_processed == 0
    state, reason = _state(client, cid)
    assert state == "wrong_company_file" and "Beta Bakery" in reason

    assert client.post(f"/api/connections/{cid}/disable", {}).status == 200
    assert _state(client, cid)[0] == "disabled"
