"""A connection's health report: typed members, and the JSON the API and pages read from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qwc_service.app import QwcApp
from qwc_service.connections.queries import get_connection, get_machine
from qwc_service.db import unit_of_work
from qwc_service.reporting.health import ConnectionHealth, MachineCheckIn, connection_health
from qwc_service.reporting.states import ConnectionState
from tests.factories import make_connection, make_machine

NOW = datetime(2026, 12, 2, 17, 30, 5, 250_000, tzinfo=UTC)


def test_health_is_typed_and_writes_iso_times(app: QwcApp) -> None:
    """Times are datetimes in the report and ISO 8601 text with offset in its JSON."""
    connection_id = make_connection(app)
    front = make_machine(app, connection_id, "Front office PC")
    make_machine(app, connection_id, "Back office PC")
    seen = NOW - timedelta(minutes=5)
    with unit_of_work(app.session_factory) as db:
        get_machine(db, front.username).last_seen_at = seen
    with unit_of_work(app.session_factory) as db:
        health = connection_health(db, app.settings, connection_id, now=NOW)

    assert isinstance(health, ConnectionHealth) and health.connected
    assert health.last_check_in_at == seen
    assert [type(m) for m in health.machines] == [MachineCheckIn, MachineCheckIn]
    # A check-in alone is not a connection: QuickBooks has not answered anything yet.
    assert health.state is ConnectionState.WAITING_FOR_QUICKBOOKS
    payload = health.to_payload()
    assert payload["last_check_in_at"] == "2026-12-02T17:25:05+00:00"
    assert payload["machines"][0] == {
        "machine_id": health.machines[0].machine_id,
        "username": front.username,
        "label": "Front office PC",
        "revoked": False,
        "last_seen_at": "2026-12-02T17:25:05+00:00",
        "qbwc_version": None,
    }
    assert payload["machines"][1]["last_seen_at"] is None
    assert payload["last_session"] is None and payload["last_success_at"] is None


def test_state_word_follows_the_report(app: QwcApp) -> None:
    """Never seen, then stale once the last check-in is more than two run intervals old."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        health = connection_health(db, app.settings, connection_id, now=NOW)
        assert health.state is ConnectionState.WAITING_FOR_FIRST_SYNC
        get_machine(db, machine.username).last_seen_at = NOW - timedelta(hours=2)
        # Stale is for a connection that has worked: this one never got an answer.
        get_connection(db, connection_id).last_success_at = NOW - timedelta(hours=3)
    with unit_of_work(app.session_factory) as db:
        health = connection_health(db, app.settings, connection_id, now=NOW)
        assert health.state is ConnectionState.STALE and health.connected is False
