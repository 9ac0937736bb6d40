"""Actions that stop a Web Connector ask first, and the server holds to the answer: a POST
without the confirmation changes nothing and gets the question again."""

from __future__ import annotations

import lxml.html

from qwc_service.app import QwcApp
from qwc_service.connections.queries import get_connection, get_machine
from qwc_service.db import unit_of_work
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.admin.browser import Browser, Page
from tests.admin.helpers import AddedMachine, add_machine, create_connection, run_machine
from tests.factories import enqueue


def _synced(app: QwcApp, browser: Browser) -> tuple[str, AddedMachine]:
    connection_id = create_connection(browser)
    machine = add_machine(browser, connection_id, "Front office PC")
    enqueue(app, connection_id)
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0))
    assert run_machine(app, machine.username, machine.password, quickbooks).outcome == "completed"
    browser.get(f"/admin/connections/{connection_id}")
    return connection_id, machine


def _answer(browser: Browser, question: Page) -> Page:
    """Submit the question's form as it stands: the confirmation included."""
    form = lxml.html.fromstring(question.reply.body).get_element_by_id("confirm-form")
    fields = {field.get("name"): field.get("value") for field in form.xpath(".//input")}
    return browser.post(form.get("action"), fields)


def _state(app: QwcApp, username: str) -> tuple[object, object, object]:
    with unit_of_work(app.session_factory) as db:
        machine = get_machine(db, username)
        return machine.password_hash, machine.revoked_at, machine.password_changed_at


def test_reset_asks_and_says_what_stops(app: QwcApp, signed_in: Browser) -> None:
    """Unconfirmed (or wrongly confirmed) resets change nothing; the answer resets."""
    connection_id, machine = _synced(app, signed_in)
    before = _state(app, machine.username)
    path = f"/admin/connections/{connection_id}/machines/{machine.username}/reset"
    for form in ({}, {"confirm": "no"}, {"confirm": "YES "}):
        question = signed_in.post(path, form)
        assert question.status == 200, form
        assert question.text_of("confirm-title") == "Reset the password of Front office PC?"
        assert question.text_of("confirm-consequence") == (
            "The Web Connector on Front office PC will stop syncing until the new password "
            "is entered there."
        )
        assert _state(app, machine.username) == before
    assert question.element("confirm-cancel").get("href").endswith("#machines")

    credentials = _answer(signed_in, question)
    assert credentials.status == 200 and credentials.text_of("machine-username")
    assert _state(app, machine.username)[0] != before[0]


def test_reset_of_a_machine_never_used_says_nothing_stops(app: QwcApp, signed_in: Browser) -> None:
    """Before its first login a machine's reset only replaces the link, and says so."""
    connection_id = create_connection(signed_in)
    machine = add_machine(signed_in, connection_id, "Spare PC")
    signed_in.get(f"/admin/connections/{connection_id}")
    question = signed_in.post(
        f"/admin/connections/{connection_id}/machines/{machine.username}/reset"
    )
    assert "nothing that syncs stops" in question.text_of("confirm-consequence")


def test_revoke_asks_and_names_the_running_session(app: QwcApp, signed_in: Browser) -> None:
    """Revoking asks, saying the Web Connector stops for good; only the answer revokes."""
    connection_id, machine = _synced(app, signed_in)
    path = f"/admin/connections/{connection_id}/machines/{machine.username}/revoke"
    question = signed_in.post(path)
    assert question.status == 200
    assert question.text_of("confirm-consequence") == (
        "The Web Connector on Front office PC will stop syncing for good: its logins are "
        "refused from now on."
    )
    assert _state(app, machine.username)[1] is None
    done = _answer(signed_in, question)
    assert done.status == 303
    assert _state(app, machine.username)[1] is not None


def test_release_lock_asks_and_a_bare_post_keeps_the_lock(app: QwcApp, signed_in: Browser) -> None:
    """Releasing the lock asks what it gives up; only the answer releases it."""
    connection_id, _ = _synced(app, signed_in)
    question = signed_in.post(f"/admin/connections/{connection_id}/unlock")
    assert question.status == 200
    assert "are no longer refused" in question.text_of("confirm-consequence")
    with unit_of_work(app.session_factory) as db:
        assert get_connection(db, connection_id).locked_at is not None
    assert _answer(signed_in, question).status == 303
    with unit_of_work(app.session_factory) as db:
        assert get_connection(db, connection_id).locked_at is None


def test_revoking_a_setup_link_does_not_ask(app: QwcApp, signed_in: Browser) -> None:
    """The link's revocation stops nothing that syncs (the password stays), so it is done."""
    connection_id, machine = _synced(app, signed_in)
    page = signed_in.post(
        f"/admin/connections/{connection_id}/machines/{machine.username}/revoke-link"
    )
    assert page.status == 303
    with unit_of_work(app.session_factory) as db:
        hashed = get_machine(db, machine.username).password_hash
    assert app.hashing.verify(hashed, machine.password)
