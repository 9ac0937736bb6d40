"""The server feeds the metrics: SOAP calls and refused logins, and mounts /metrics.

These tests pass once the SOAP layer calls ``observe_soap_call``, the exchange calls
``count_login_failure``, and the app routes ``/metrics`` to ``metrics_page``.
"""

from __future__ import annotations

from qwc_service.app import QwcApp
from tests.factories import make_connection, make_machine
from tests.metrics.wsgi import call, value
from tests.soap_client import SoapClient


def test_soap_calls_and_login_failures_show_on_the_metrics_route(app: QwcApp) -> None:
    """A serverVersion call and a wrong password appear in GET /metrics of the app itself."""
    before = call(app)[2].decode()
    calls = value(before, "qwc_soap_calls_total", method="serverVersion", outcome="ok") or 0
    timed = value(before, "qwc_soap_call_duration_seconds_count", method="serverVersion") or 0
    failed = value(before, "qwc_login_failures_total", reason="wrong_password") or 0

    client = SoapClient(app)
    client.call("serverVersion")
    machine = make_machine(app, make_connection(app))
    assert client.authenticate(machine.username, "not-the-password")[1] == "nvu"

    status, _, body = call(app)
    after = body.decode()
    assert status == "200 OK"
    assert value(after, "qwc_soap_calls_total", method="serverVersion", outcome="ok") == calls + 1
    assert value(after, "qwc_soap_call_duration_seconds_count", method="serverVersion") == timed + 1
    assert value(after, "qwc_soap_calls_total", method="authenticate", outcome="nvu")
    assert value(after, "qwc_login_failures_total", reason="wrong_password") == failed + 1
    assert value(after, "qwc_sessions_active") == 0
