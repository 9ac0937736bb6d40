"""Login throttling: temporary lockouts that never lock a customer's own machine out."""

from __future__ import annotations

from datetime import timedelta

from qwc_service.app import QwcApp
from qwc_service.audit.service import list_events
from qwc_service.clock import utcnow
from qwc_service.db import unit_of_work
from qwc_service.qbwc.exchange import CallContext
from qwc_service.sessions import throttle
from qwc_service.sessions.service import find_login
from tests.factories import enqueue, make_connection, make_machine


def _login(app: QwcApp, username: str, password: str, address: str) -> str:
    outcome = app.exchange.authenticate(username, password, CallContext(client_address=address))
    return outcome.wire_strings()[1]


def test_repeated_failures_lock_the_pair_then_expire(app: QwcApp) -> None:
    """Five wrong passwords from one address lock that username there, for a while only."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    for _ in range(5):
        assert _login(app, machine.username, "wrong", "203.0.113.7") == "nvu"
    # Even the right password is refused from that address now...
    assert _login(app, machine.username, machine.password, "203.0.113.7") == "nvu"
    # ...but not from another one.
    assert _login(app, machine.username, machine.password, "198.51.100.2") == ""
    with unit_of_work(app.session_factory) as db:
        later = utcnow() + timedelta(minutes=16)
        assert find_login(db, machine.username, "203.0.113.7", later)[1].locked_until is None
        kinds = [e.kind for e in list_events(db, connection_id=connection_id)]
    assert kinds.count("login_failed") == 5 and "lockout" in kinds
    print("5 failures -> pair locked; other address allowed; lock expires within 15 minutes")


def test_attack_from_many_addresses_does_not_lock_out_the_known_machine(app: QwcApp) -> None:
    """A username attacked from many addresses still logs in from its usual address."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    home = "192.0.2.10"
    assert _login(app, machine.username, machine.password, home) == ""
    for n in range(throttle.USERNAME.threshold):
        _login(app, machine.username, "guess", f"10.9.{n // 250}.{n % 250}")
    assert _login(app, machine.username, machine.password, "10.200.0.1") == "nvu"
    assert _login(app, machine.username, machine.password, home) in ("", "busy", "none")
    print(f"{throttle.USERNAME.threshold} failures from many addresses; home address still in")


def test_unknown_usernames_are_throttled_like_known_ones(app: QwcApp) -> None:
    """Guessing usernames from one address locks that address for every username."""
    for n in range(throttle.ADDRESS.threshold):
        assert _login(app, f"nobody-{n}", "x", "203.0.113.99") == "nvu"
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    assert _login(app, machine.username, machine.password, "203.0.113.99") == "nvu"
    assert _login(app, machine.username, machine.password, "203.0.113.100") == ""


def test_the_login_and_its_throttle_are_read_together(app: QwcApp) -> None:
    """One read finds the machine and the attempt's lockout, for a known username, an
    unknown one and one too long to be a username."""
    machine = make_machine(app, make_connection(app))
    for n in range(throttle.ADDRESS.threshold):
        _login(app, f"nobody-{n}", "x", "203.0.113.99")
    now = utcnow()
    with unit_of_work(app.session_factory) as db:
        login, gate = find_login(db, machine.username, "203.0.113.99", now)
        assert login is not None and login.machine_id is not None
        assert gate.locked_until is not None and gate.locked_until > now
        login, gate = find_login(db, machine.username, "198.51.100.2", now)
        assert login is not None and gate.locked_until is None and gate.to_clear == ()
        for username in ("nobody-0", "", "u" * 10_000):
            login, gate = find_login(db, username, "203.0.113.99", now)
            assert login is None and gate.locked_until is not None
