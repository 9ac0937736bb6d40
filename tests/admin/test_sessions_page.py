"""A connection's sessions in words, and its idle check-ins summed up instead of listed."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.db import unit_of_work
from qwc_service.qbwc import operations
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.service import open_sessions
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.admin.browser import Browser, Page
from tests.admin.helpers import add_machine, create_connection, web_connector
from tests.factories import enqueue
from tests.soap_client import SoapClient


def _outcomes(page: Page) -> list[str]:
    """The outcome column, newest session first."""
    tree = lxml.html.fromstring(page.reply.body)
    cells = tree.xpath("//table[@id='session-list']//td[contains(@class, 'outcome')]")
    return [" ".join(cell.text_content().split()) for cell in cells]


def test_idle_check_ins_are_summed_up_not_listed(app: QwcApp, signed_in: Browser) -> None:
    """Logins with nothing to do make no rows: the page says since when they found none."""
    connection_id = create_connection(signed_in)
    machine = add_machine(signed_in, connection_id, "Front office PC")
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0))
    connector = web_connector(app, machine.username, machine.password, quickbooks)
    assert [connector.run_session().outcome for _ in range(3)] == ["none"] * 3

    page = signed_in.get(f"/admin/connections/{connection_id}")
    assert page.text_of("check-in-summary").startswith(
        "Last check-in just now from Front office PC, no work."
    )
    assert page.text_of("last-check-in-answer") == "Front office PC, no work"
    assert page.text_of("idle-check-ins").startswith("Check-ins have found no work since")
    assert "No Web Connector session yet" in page.text

    enqueue(app, connection_id)
    assert connector.run_session().outcome == "completed"
    page = signed_in.get(f"/admin/connections/{connection_id}")
    assert _outcomes(page) == ["completed"]
    assert page.text_of("check-in-summary").endswith("a session started.")
    assert 'id="idle-check-ins"' not in page.text
    connector.run_session()
    page = signed_in.get(f"/admin/connections/{connection_id}")
    assert page.text_of("idle-check-ins").startswith("Check-ins have found no work since")


def test_every_way_a_session_ends_is_named(app: QwcApp, signed_in: Browser) -> None:
    """completed, refused, failed, busy, superseded, revoked, expired, disabled: in words."""
    connection_id = create_connection(signed_in)
    front = add_machine(signed_in, connection_id, "Front office PC")
    back = add_machine(signed_in, connection_id, "Back office PC")
    acme = FakeQuickBooks(generate_company(name="Acme Widgets", customers=2, invoices=0))
    connector = web_connector(app, front.username, front.password, acme)
    enqueue(app, connection_id)
    assert connector.run_session().outcome == "completed"

    beta = FakeQuickBooks(generate_company(name="Beta Bakery", customers=2, seed=2))
    enqueue(app, connection_id)
    assert (
        web_connector(app, back.username, back.password, beta).run_session().requests_processed == 0
    )

    acme.running = False
    assert connector.run_session().outcome == "connection_error"
    page = signed_in.get(f"/admin/connections/{connection_id}")
    failed, refused, completed = _outcomes(page)
    assert completed == "completed" and refused == "refused: wrong company file"
    assert failed.startswith("failed: ") and "QuickBooks" in failed

    soap = SoapClient(app)
    assert soap.authenticate(front.username, front.password)[1] != "busy"
    assert soap.authenticate(back.username, back.password)[1] == "busy"
    page = signed_in.get(f"/admin/connections/{connection_id}")
    assert page.text_of("check-in-summary").startswith(
        "Last check-in just now from Back office PC, busy: another machine's session was running."
    )
    soap.authenticate(front.username, front.password)  # the first session is superseded
    base = f"/admin/connections/{connection_id}/machines/{front.username}/revoke"
    question = signed_in.post(base)
    assert "and the session it is running now ends" in question.text_of("confirm-consequence")
    signed_in.post(base, {"confirm": "yes"})

    soap.authenticate(back.username, back.password)
    with unit_of_work(app.session_factory) as db:
        (live,) = open_sessions(db, connection_id=connection_id)
        live.expires_at = utcnow() - timedelta(seconds=1)
    assert _outcomes(signed_in.get(f"/admin/connections/{connection_id}"))[0] == "expired"
    soap.authenticate(back.username, back.password)  # marks the expired one, starts another
    with unit_of_work(app.session_factory) as db:
        operations.set_disabled(db, connection_id, True)
        reasons = db.scalars(select(WcSession.close_reason).order_by(WcSession.id)).all()
        assert reasons.count("expired") == 1

    outcomes = _outcomes(signed_in.get(f"/admin/connections/{connection_id}"))
    assert outcomes == [
        "disabled",
        "expired",
        "revoked",
        "superseded",
        failed,
        "refused: wrong company file",
        "completed",
    ]
