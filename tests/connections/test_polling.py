"""Polling an operator controls: the minimum interval sent at each login, seconds in .qwc files."""

from __future__ import annotations

import itertools

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.connections import service
from qwc_service.connections.lifecycle import MAX_POLL_SECONDS, update_connection
from qwc_service.connections.queries import get_machine
from qwc_service.db import unit_of_work
from qwc_service.sessions.service import AuthOutcome, AuthStatus
from qwc_service.simulator import wire
from qwc_service.simulator.connector import WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.simulator.transport import WsgiTransport
from qwc_service.sync.schedule import add_sync
from tests.factories import enqueue, make_connection, make_machine
from tests.soap_client import SoapClient


def _set(app: QwcApp, connection_id: str, **changes: int | None) -> None:
    with unit_of_work(app.session_factory) as db:
        update_connection(db, connection_id, **changes)


def test_minimum_interval_is_the_fourth_string_after_an_empty_third(app: QwcApp) -> None:
    """No sync due and a minimum set: [ticket, "none", "", "600"]; cleared: two strings."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    soap = SoapClient(app)
    assert len(soap.authenticate(machine.username, machine.password)) == 2
    _set(app, connection_id, min_poll_seconds=600)
    assert soap.authenticate(machine.username, machine.password)[1:] == ["none", "", "600"]
    _set(app, connection_id, min_poll_seconds=None)
    assert len(soap.authenticate(machine.username, machine.password)) == 2


def test_the_postpone_hint_stays_beside_the_minimum(app: QwcApp) -> None:
    """A sync due later gives its hint as the third string, the minimum as the fourth."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        add_sync(db, connection_id, "customers", every_minutes=60)
    _set(app, connection_id, min_poll_seconds=120)
    quickbooks = FakeQuickBooks(generate_company(customers=3, invoices=0))
    with unit_of_work(app.session_factory) as db:
        row = get_machine(db, machine.username)
        document = service.qwc_document(app.settings, row.connection, row)
    connector = WebConnector(
        read_qwc(document.encode()),
        machine.password,
        quickbooks,
        http=WsgiTransport(app),
        url="http://localhost/qbwc",
        noop_wait_seconds=0,
    )
    # The first run does the due sync; after it the next one is an hour away.
    assert connector.run_session().outcome == "completed"
    result = connector.run_session()
    assert result.outcome == "none"
    assert result.min_run_seconds == 120
    assert result.postpone_seconds is not None and 0 < result.postpone_seconds <= 3600


def test_busy_and_work_answers_carry_the_minimum_too(app: QwcApp) -> None:
    """busy: [ticket, "busy", wait, min]; work: [ticket, path, "", min]."""
    connection_id = make_connection(app)
    front, back = make_machine(app, connection_id), make_machine(app, connection_id, "Back")
    _set(app, connection_id, min_poll_seconds=90)
    enqueue(app, connection_id)
    soap = SoapClient(app)
    work = soap.authenticate(front.username, front.password)
    assert work[1:] == ["", "", "90"]
    busy = soap.authenticate(back.username, back.password)
    assert busy[1] == "busy" and busy[2].isdigit() and busy[3] == "90"


def test_authenticate_never_sends_more_than_four_strings() -> None:
    """Whatever the status, hint and minimum, the answer has two to four strings."""
    for status, postpone, minimum in itertools.product(AuthStatus, (None, 0, 30), (None, 1, 60)):
        strings = AuthOutcome(
            "t",
            status,
            company_file="C:\\x.QBW",
            postpone_seconds=postpone,
            min_run_seconds=minimum,
        ).wire_strings()
        assert 2 <= len(strings) <= 4
        assert (len(strings) == 4) == (minimum is not None)


def test_the_web_connector_refuses_a_fifth_string() -> None:
    """Five strings fail the update with QBWC1012, as the Web Connector does."""
    items = "".join(f"<string>{v}</string>" for v in ("t", "none", "", "60", "extra"))
    body = (
        f'<?xml version="1.0"?><soap:Envelope xmlns:soap="{wire.SOAP11}"><soap:Body>'
        f'<authenticateResponse xmlns="{wire.NS}"><authenticateResult>{items}'
        "</authenticateResult></authenticateResponse></soap:Body></soap:Envelope>"
    ).encode()
    with pytest.raises(wire.ProtocolViolation) as refused:
        wire.parse_reply("authenticate", 200, "text/xml; charset=utf-8", body)
    assert refused.value.qbwc_code == "QBWC1012"
    four = body.replace(b"<string>extra</string>", b"")
    assert wire.parse_reply("authenticate", 200, "text/xml", four) == ["t", "none", "", "60"]


def test_qwc_files_run_every_n_seconds_when_the_connection_asks(app: QwcApp) -> None:
    """qwc_run_seconds writes RunEveryNSeconds; cleared, the file has RunEveryNMinutes."""
    connection_id = make_connection(app)
    _set(app, connection_id, qwc_run_seconds=30)
    machine = make_machine(app, connection_id)
    assert machine.qwc_path is not None
    scheduler = etree.parse(str(machine.qwc_path)).getroot().find("Scheduler")
    assert scheduler is not None and [(e.tag, e.text) for e in scheduler] == [
        ("RunEveryNSeconds", "30")
    ]
    assert read_qwc(machine.qwc_path.read_bytes()).run_every_n_seconds == 30
    _set(app, connection_id, qwc_run_seconds=None)
    with unit_of_work(app.session_factory) as db:
        row = get_machine(db, machine.username)
        document = service.qwc_document(app.settings, row.connection, row)
    minutes = app.settings.run_every_minutes
    assert f"<RunEveryNMinutes>{minutes}</RunEveryNMinutes>" in document
    assert "RunEveryNSeconds" not in document


@pytest.mark.parametrize("seconds", [0, -5, MAX_POLL_SECONDS + 1])
def test_intervals_out_of_range_are_refused(app: QwcApp, seconds: int) -> None:
    """An interval below one second or above a day is refused and nothing changes."""
    connection_id = make_connection(app)
    with pytest.raises(ValueError, match="between 1 and"):
        _set(app, connection_id, min_poll_seconds=seconds)
    with pytest.raises(ValueError, match="between 1 and"):
        _set(app, connection_id, qwc_run_seconds=seconds)
