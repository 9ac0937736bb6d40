"""The connections list, creating a connection, its page, its health and its company lock."""

from __future__ import annotations

import lxml.html
import pytest

from qwc_service.admin import pages_connections
from qwc_service.app import QwcApp
from qwc_service.connections.queries import get_connection
from qwc_service.connections.service import create_connection as create
from qwc_service.connections.service import list_connections
from qwc_service.db import unit_of_work
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.admin.browser import Browser
from tests.admin.helpers import add_machine, create_connection, run_machine
from tests.factories import enqueue


def test_create_connection_and_see_it_listed(app: QwcApp, signed_in: Browser) -> None:
    """The form creates a connection with its file path; the list shows it waiting for its
    first sync."""
    path = r"C:\Company Files\acme.qbw"
    connection_id = create_connection(signed_in, "Acme Widgets", company_file=path)
    with unit_of_work(app.session_factory) as db:
        connection = get_connection(db, connection_id)
        assert (connection.name, connection.company_file) == ("Acme Widgets", path)
    page = signed_in.get(f"/admin/connections/{connection_id}")
    assert page.status == 200 and page.text_of("connection-name") == "Acme Widgets"
    assert "waiting for first sync" in page.text and path in page.text
    listing = signed_in.get("/admin")
    row = listing.element("connections").xpath(f"//tr[@data-connection-id='{connection_id}']")[0]
    cells = [" ".join(td.text_content().split()) for td in row.findall("td")]
    assert cells[0].startswith("Acme Widgets") and cells[1].startswith("waiting for first sync")
    assert cells[5:] == ["0", "0"]


def test_list_is_searched_and_paged(app: QwcApp, signed_in: Browser) -> None:
    """Search matches names and IDs (wildcards taken literally); pages follow each other in
    name order."""
    size = pages_connections.PAGE_SIZE
    with unit_of_work(app.session_factory) as db:
        ids = [create(db, name=f"Shop {i}").id for i in range(size + 5)]
        special = create(db, name="100%_real & Co").id

    def listed(path: str) -> tuple[list[str], str | None]:
        page = signed_in.get(path)
        assert page.status == 200
        tree = lxml.html.fromstring(page.reply.body)
        rows = tree.xpath("//tr[@data-connection-id]")
        nexts = tree.xpath("//a[@id='next-page']/@href")
        return [r.get("data-connection-id") for r in rows], (nexts[0] if nexts else None)

    seen: list[str] = []
    path: str | None = "/admin"
    while path is not None:
        rows, path = listed(path)
        assert len(rows) <= size
        seen += rows
    names = {special: "100%_real & co", **{cid: f"shop {i}" for i, cid in enumerate(ids)}}
    assert seen == sorted(names, key=lambda cid: (names[cid], cid))
    assert listed("/admin?q=shop+54")[0] == [ids[54]]
    assert listed(f"/admin?q={ids[1][:-1].upper()}")[0] == [ids[1]]
    assert listed("/admin?q=%25_")[0] == [special]
    page = signed_in.get("/admin?q=nothing+like+it")
    assert page.status == 200 and "No connection matches" in page.text


def test_empty_name_is_refused_with_a_message(app: QwcApp, signed_in: Browser) -> None:
    """A blank name is a 400 page that says what is wrong; nothing is created."""
    page = signed_in.post("/admin/connections", {"name": "   "})
    assert page.status == 400 and "non-empty name" in page.text_of("error-message")
    with unit_of_work(app.session_factory) as db:
        assert list_connections(db) == []


def test_names_are_escaped(signed_in: Browser) -> None:
    """A connection named like markup is shown as text on every page."""
    name = "<script>alert('x')</script> & Sons"
    connection_id = create_connection(signed_in, name)
    for path in ("/admin", f"/admin/connections/{connection_id}"):
        page = signed_in.get(path)
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(" in page.text
    assert signed_in.get(f"/admin/connections/{connection_id}").text_of("connection-name") == name


def test_unknown_connection_is_a_404_page(signed_in: Browser) -> None:
    """An id that names no connection gets a 404 page, for pages and forms alike."""
    assert signed_in.get("/admin/connections/cnosuchconnection").status == 404
    for action in ("unlock", "machines", "schedules/run"):
        page = signed_in.post(f"/admin/connections/cnosuchconnection/{action}", {"label": "x"})
        assert page.status == 404, action
    assert signed_in.get("/admin/connections/cnosuchconnection/jobs").status == 404


def test_wrong_method_is_a_405_page(signed_in: Browser) -> None:
    """GET on a form's address is refused with 405, naming the method it takes."""
    page = signed_in.get("/admin/connections")
    assert page.status == 405
    assert page.headers["allow"] == "POST"


def test_health_after_a_session_and_the_company_lock(app: QwcApp, signed_in: Browser) -> None:
    """After a successful session the connection is connected, named and locked; then unlocked."""
    connection_id = create_connection(signed_in)
    machine = add_machine(signed_in, connection_id)
    enqueue(app, connection_id)
    company = generate_company(customers=3, invoices=0, payments=0)
    result = run_machine(app, machine.username, machine.password, FakeQuickBooks(company))
    assert result.outcome == "completed", result.last_error

    page = signed_in.get(f"/admin/connections/{connection_id}")
    assert "state-connected" in page.text
    assert page.text_of("company-name") == company.company_name
    assert page.text_of("lock-status").startswith(f"Locked to {company.company_name}")
    row = page.element("machine-list").xpath(f".//tr[@data-username='{machine.username}']")
    assert "2.3.0.215" in row[0].text_content()
    listing = signed_in.get("/admin")
    assert "state-connected" in listing.text and company.company_name in listing.text

    unlock = f"/admin/connections/{connection_id}/unlock"
    asked = signed_in.post(unlock, {})
    assert asked.status == 200 and "Release lock" in asked.text_of("confirm-button")
    with unit_of_work(app.session_factory) as db:
        assert get_connection(db, connection_id).locked_at is not None
    released = signed_in.follow(signed_in.post(unlock, {"confirm": "yes"}))
    assert released.text_of("lock-status").startswith("Not locked")
    with unit_of_work(app.session_factory) as db:
        assert get_connection(db, connection_id).locked_at is None


def test_unexpected_failure_is_a_fixed_500_page(
    signed_in: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure no table knows shows a fixed sentence, never its text or a traceback."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /srv/app.py line 12")

    create_connection(signed_in)
    monkeypatch.setattr(pages_connections, "connection_page", broken)
    page = signed_in.get("/admin")
    assert page.status == 500
    assert "secret internals" not in page.text and "Traceback" not in page.text
    assert "could not show this page" in page.text_of("error-message")
