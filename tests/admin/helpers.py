"""Steps the admin tests share: a connection made through the form, a machine added, a session."""

from __future__ import annotations

from dataclasses import dataclass

from qwc_service.app import QwcApp
from qwc_service.connections import service
from qwc_service.connections.queries import get_machine
from qwc_service.db import unit_of_work
from qwc_service.simulator.connector import SessionResult, WebConnector, WsgiTransport
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.admin.browser import Browser, Page


@dataclass(frozen=True)
class AddedMachine:
    """What the credentials page showed for a machine."""

    page: Page
    username: str
    setup_link: str
    password: str


def create_connection(browser: Browser, name: str = "Acme Widgets", **extra: str) -> str:
    """Create a connection through the form; returns its Connection ID."""
    page = browser.post("/admin/connections", {"name": name, **extra})
    assert page.status == 303, page.text[:500]
    assert page.location is not None and page.location.startswith("/admin/connections/")
    return page.location.rsplit("/", 1)[-1]


def add_machine(
    browser: Browser, connection_id: str, label: str = "Front office PC"
) -> AddedMachine:
    """Add a machine through the form and read the credentials page."""
    browser.get(f"/admin/connections/{connection_id}")
    page = browser.post(f"/admin/connections/{connection_id}/machines", {"label": label})
    assert page.status == 200, page.text[:500]
    return AddedMachine(
        page=page,
        username=page.text_of("machine-username"),
        setup_link=page.text_of("setup-link"),
        password=page.text_of("new-password"),
    )


def web_connector(
    app: QwcApp, username: str, password: str, quickbooks: FakeQuickBooks
) -> WebConnector:
    """A machine's Web Connector, in-process, with its application added and the password
    typed in."""
    with unit_of_work(app.session_factory) as db:
        machine = get_machine(db, username)
        document = service.qwc_document(app.settings, machine.connection, machine)
    connector = WebConnector(
        read_qwc(document.encode()),
        password,
        quickbooks,
        http=WsgiTransport(app),
        url="http://localhost/qbwc",
        noop_wait_seconds=0,
    )
    connector.add_application()
    return connector


def run_machine(
    app: QwcApp, username: str, password: str, quickbooks: FakeQuickBooks
) -> SessionResult:
    """One Web Connector update of a machine, in-process, with the password typed in."""
    return web_connector(app, username, password, quickbooks).run_session()
