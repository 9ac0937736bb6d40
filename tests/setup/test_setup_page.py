"""The setup page: steps, password and .qwc for one machine, behind nothing but its link."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import lxml.html
import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.connections.models import Connection, Machine
from qwc_service.connections.setup_links import issue_setup_link, live_link
from qwc_service.db import unit_of_work
from qwc_service.qbwc.operations import revoke_machine
from qwc_service.qbxml.explain_table import HRESULTS, QBWC_CODES, STATUS_CODES
from qwc_service.setup.content import TROUBLESHOOTING
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import Reply, call_wsgi
from tests.api.helpers import Computer, run_session
from tests.factories import enqueue, make_connection
from tests.setup.helpers import (
    add_linked_machine,
    element_attribute,
    element_text,
    expire_link,
)

SECURITY_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


def _qwc_fields(document: bytes) -> dict[str, str | None]:
    root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    return {child.tag: child.text for child in root if isinstance(child.tag, str)}


def _assert_secret_page_headers(reply: Reply) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers.get(name) == value, (name, reply.headers)
    policy = reply.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_page_shows_the_password_that_logs_the_downloaded_qwc_in(app: QwcApp) -> None:
    """The page's password and the .qwc behind its download link complete a Web Connector update."""
    connection_id = make_connection(app, "Acme Widgets")
    machine = add_linked_machine(app, connection_id)
    enqueue(app, connection_id)

    page = call_wsgi(app, "GET", machine.page)
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    password = element_text(page.body, "password")
    assert password == machine.password
    href = element_attribute(page.body, "download-qwc", "href")
    assert href == f"/setup/{machine.token}/qwc"

    download = call_wsgi(app, "GET", href)
    assert download.status == 200
    assert download.headers["content-type"].split(";")[0] == "application/xml"
    assert download.headers["content-disposition"] == (
        'attachment; filename="qwc-service - Acme Widgets (Front office PC).qwc"'
    )
    quickbooks = FakeQuickBooks(generate_company(customers=3))
    result = run_session(app, Computer(machine.username, password, download.body), quickbooks)
    assert result.auth_status not in ("nvu", None), result.last_error
    assert result.outcome == "completed" and result.progress[-1] == 100
    with unit_of_work(app.session_factory) as db:
        stored = db.query(Machine).filter_by(username=machine.username).one()
        assert app.exchange.hashing.verify(stored.password_hash, password)


def test_each_machine_gets_the_connection_ids_and_its_own_username(app: QwcApp) -> None:
    """Two machines of one connection: same OwnerID and FileID in their files, own UserName."""
    connection_id = make_connection(app)
    first = add_linked_machine(app, connection_id, "Front office PC")
    second = add_linked_machine(app, connection_id, "Terminal server seat 2")
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        owner_id, file_id = connection.owner_id, connection.file_id
    files = [_qwc_fields(call_wsgi(app, "GET", m.page + "/qwc").body) for m in (first, second)]
    assert [f["OwnerID"] for f in files] == [owner_id, owner_id]
    assert [f["FileID"] for f in files] == [file_id, file_id]
    assert [f["UserName"] for f in files] == [first.username, second.username]
    assert first.password != second.password


def test_page_names_the_connection_company_and_expiry(app: QwcApp) -> None:
    """#connection-name, #company (first sync decides) and #expires-at are on the page."""
    connection_id = make_connection(app, "Acme <Widgets> & Co")
    machine = add_linked_machine(app, connection_id)
    before = utcnow()
    page = call_wsgi(app, "GET", machine.page).body
    assert element_text(page, "connection-name") == "Acme <Widgets> & Co"
    assert b"Acme &lt;Widgets&gt; &amp; Co" in page
    company = element_text(page, "company")
    assert "the company file open in QuickBooks the first time it syncs" in company
    assert "locked to that file" in company
    expires = datetime.fromisoformat(element_attribute(page, "expires-at", "datetime"))
    hours = (expires - before).total_seconds() / 3600
    assert app.settings.setup_link_hours - 1 < hours <= app.settings.setup_link_hours
    assert element_text(page, "expires-at").endswith("UTC")
    assert element_text(page, "copy-password") == "Copy password"


def test_locked_connection_names_its_company_file(app: QwcApp) -> None:
    """Once locked, #company says which QuickBooks company and file the setup belongs to."""
    connection_id = make_connection(app)
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        connection.lock_company_name = "Acme Widgets Ltd"
        connection.lock_file_path = r"C:\Company\acme.QBW"
        connection.lock_file_id = connection.file_id
        connection.locked_at = datetime(2026, 1, 2, tzinfo=UTC)
    machine = add_linked_machine(app, connection_id)
    company = element_text(call_wsgi(app, "GET", machine.page).body, "company")
    assert "Acme Widgets Ltd" in company and r"C:\Company\acme.QBW" in company
    assert "first time it syncs" not in company


def test_opening_the_page_is_recorded_on_the_link(app: QwcApp) -> None:
    """last_opened_at is set when the page is opened."""
    machine = add_linked_machine(app, make_connection(app))
    with unit_of_work(app.session_factory) as db:
        machine_id = db.query(Machine).filter_by(username=machine.username).one().id
        link = live_link(db, machine_id)
        assert link is not None and link.last_opened_at is None
    assert call_wsgi(app, "GET", machine.page).status == 200
    with unit_of_work(app.session_factory) as db:
        link = live_link(db, machine_id)
        assert link is not None and link.last_opened_at is not None


def _refusal(reply: Reply) -> str:
    document = lxml.html.fromstring(reply.body)
    return " ".join(document.findtext(".//h1").split())


@pytest.mark.parametrize("suffix", ["", "/qwc"])
def test_expired_link_answers_410_asking_for_a_new_one(app: QwcApp, suffix: str) -> None:
    """An expired link: 410, the page says it expired, and shows no password or file."""
    machine = add_linked_machine(app, make_connection(app, "Acme Widgets"))
    expire_link(app, machine.token)
    reply = call_wsgi(app, "GET", machine.page + suffix)
    assert reply.status == 410
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert _refusal(reply) == "This setup link has expired"
    assert b"new one" in reply.body
    for secret in (machine.password, machine.username, "Acme Widgets"):
        assert secret.encode() not in reply.body
    _assert_secret_page_headers(reply)


def test_replaced_and_revoked_links_answer_410(app: QwcApp) -> None:
    """A link replaced by a newer one, and a revoked machine's link: 410 "replaced or revoked"."""
    connection_id = make_connection(app)
    replaced = add_linked_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        newer = issue_setup_link(db, app.settings, app.exchange.hashing, replaced.username)
        newer_token = newer.token
    gone = add_linked_machine(app, connection_id, "Old PC")
    with unit_of_work(app.session_factory) as db:
        revoke_machine(db, gone.username)
    for token in (replaced.token, gone.token):
        for suffix in ("", "/qwc"):
            reply = call_wsgi(app, "GET", f"/setup/{token}{suffix}")
            assert reply.status == 410
            assert _refusal(reply) == "This setup link was replaced or revoked"
    assert call_wsgi(app, "GET", f"/setup/{newer_token}").status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/setup/" + secrets.token_urlsafe(32),
        "/setup/not-a-token",
        "/setup/" + "x" * 500,
        "/setup",
        "/setup/",
        "/setup/%3Cscript%3E/qwc",
        "/setup/" + secrets.token_urlsafe(32) + "/qwc/extra",
    ],
)
def test_unknown_links_answer_404_with_the_same_page(app: QwcApp, path: str) -> None:
    """A token that never existed, is malformed, or a path that is no link: 404 "not valid"."""
    reply = call_wsgi(app, "GET", path)
    assert reply.status == 404
    assert _refusal(reply) == "This setup link is not valid"
    assert b"<script" not in reply.body
    _assert_secret_page_headers(reply)


def test_headers_head_and_methods(app: QwcApp) -> None:
    """Security headers on page and file; CSP nonce matches the script; HEAD works; POST is 405."""
    machine = add_linked_machine(app, make_connection(app))
    page = call_wsgi(app, "GET", machine.page)
    _assert_secret_page_headers(page)
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce is not None
    scripts = lxml.html.fromstring(page.body).findall(".//script")
    assert [s.get("nonce") for s in scripts] == [nonce.group(1)]
    again = call_wsgi(app, "GET", machine.page)
    assert again.headers["content-security-policy"] != page.headers["content-security-policy"]
    _assert_secret_page_headers(call_wsgi(app, "GET", machine.page + "/qwc"))

    head = call_wsgi(app, "HEAD", machine.page)
    assert head.status == 200 and head.body == b""
    assert int(head.headers["content-length"]) > 1000
    _assert_secret_page_headers(head)
    assert call_wsgi(app, "HEAD", machine.page + "/qwc").status == 200
    for method in ("POST", "PUT", "DELETE"):
        refused = call_wsgi(app, method, machine.page)
        assert refused.status == 405 and refused.headers["allow"] == "GET, HEAD"


def test_every_code_on_the_page_is_one_the_server_explains(app: QwcApp) -> None:
    """Troubleshooting names only codes of the explanation table, and each is on the page."""
    machine = add_linked_machine(app, make_connection(app))
    page = call_wsgi(app, "GET", machine.page).body.decode()
    for trouble in TROUBLESHOOTING:
        for code in trouble.codes:
            if code.startswith("QBWC"):
                assert code in QBWC_CODES
            elif code.startswith("0x"):
                assert code in HRESULTS
            else:
                assert int(code) in STATUS_CODES
            assert code in page
    for must in ("QBWC1039", "QBWC1012", "QBWC1013", "QBWC1016", "0x80040408", "0x8004041A"):
        assert must in page
    assert "Integrated Applications" in page and "Update Selected" in page
