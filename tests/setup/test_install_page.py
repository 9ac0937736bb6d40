"""The installation page: a connection's link with which its people add their own machines."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode

import lxml.html
import pytest
from sqlalchemy import func, select

from qwc_service.app import QwcApp
from qwc_service.audit.service import list_events
from qwc_service.connections.models import Connection, InstallLink, Machine
from qwc_service.connections.service import release_company_lock
from qwc_service.connections.setup_links import issue_setup_link
from qwc_service.db import unit_of_work
from qwc_service.qbwc.operations import set_disabled
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import Reply, call_wsgi
from tests.api.helpers import Computer, run_session
from tests.factories import make_connection
from tests.setup.helpers import add_linked_machine, element_attribute, element_text
from tests.setup.install_helpers import (
    FORM,
    admin_first_sync,
    expire_install_link,
    heading,
    install_form,
    issue_link,
    post_form,
)
from tests.webhooks.factories import events, make_endpoint

SECURITY_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


def _assert_secret_page_headers(reply: Reply) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers.get(name) == value, (name, reply.headers)
    policy = reply.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def _forms(reply: Reply) -> list[object]:
    return list(lxml.html.fromstring(reply.body).iter("form"))


def _machines(app: QwcApp, connection_id: str) -> list[Machine]:
    with unit_of_work(app.session_factory) as db:
        query = select(Machine).where(Machine.connection_id == connection_id)
        return list(db.scalars(query.order_by(Machine.id)))


def _ready(app: QwcApp, name: str = "Acme Widgets") -> tuple[str, FakeQuickBooks]:
    """A connection whose Admin has run the first sync."""
    connection_id = make_connection(app, name)
    quickbooks = FakeQuickBooks(generate_company(customers=3))
    admin_first_sync(app, app, connection_id, quickbooks)
    return connection_id, quickbooks


def test_before_the_first_sync_the_page_says_so_and_adds_nothing(app: QwcApp) -> None:
    """No first sync yet (a login with nothing to do included): the page says the Admin must
    finish the main computer first, shows no form, and a form sent anyway adds nothing."""
    connection_id = make_connection(app, "Acme Widgets")
    path = issue_link(app, connection_id)
    admin = add_linked_machine(app, connection_id, "Main office PC")
    qwc = call_wsgi(app, "GET", admin.page + "/qwc").body
    idle = run_session(
        app,
        Computer(admin.username, admin.password, qwc),
        FakeQuickBooks(generate_company(customers=2)),
    )
    assert idle.outcome == "none"

    page = call_wsgi(app, "GET", path)
    assert page.status == 200
    assert element_text(page.body, "connection-name") == "Acme Widgets"
    waiting = element_text(page.body, "not-ready")
    assert "not complete" in waiting and "Admin must first finish setting up the main computer" in (
        waiting
    )
    assert not _forms(page) and b"<script" not in page.body
    _assert_secret_page_headers(page)

    body = urlencode({"form": secrets.token_urlsafe(32), "label": "Maria"}).encode()
    refused = call_wsgi(app, "POST", path, "", {"Content-Type": FORM}, body)
    assert refused.status == 409
    assert "Admin must first finish" in element_text(refused.body, "not-ready")
    assert [m.label for m in _machines(app, connection_id)] == ["Main office PC"]


def test_after_the_first_sync_a_form_adds_a_machine_and_opens_its_setup_page(
    app: QwcApp,
) -> None:
    """The page shows the locked company read-only; the form adds a machine with the
    connection's OwnerID and FileID, audited and announced, and redirects to its setup page."""
    connection_id, quickbooks = _ready(app)
    make_endpoint(app, "https://vendor.example/hooks", connection_id=connection_id)
    path = issue_link(app, connection_id)

    page = call_wsgi(app, "GET", path)
    assert page.status == 200
    company = quickbooks.company
    assert element_attribute(page.body, "company-name", "value") == company.company_name
    assert element_attribute(page.body, "company-file", "value") == quickbooks.company_file
    for field in ("company-name", "company-file"):
        assert element_attribute(page.body, field, "readonly") is not None
    assert element_text(page.body, "company-locked") == "locked"
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce is not None
    scripts = lxml.html.fromstring(page.body).findall(".//script")
    assert [s.get("nonce") for s in scripts] == [nonce.group(1)]

    form = install_form(page.body)
    assert form.action == path
    sent = post_form(app, form, "  Maria, terminal server  ")
    assert sent.status == 303, sent.body[:500]
    location = sent.headers["location"]
    assert location.startswith("/setup/") and location != path
    _assert_secret_page_headers(sent)

    setup = call_wsgi(app, "GET", location)
    assert setup.status == 200
    assert "“Maria, terminal server”" in setup.body.decode()
    machines = _machines(app, connection_id)
    installed = machines[-1]
    assert installed.label == "Maria, terminal server"
    password = element_text(setup.body, "password")
    qwc = call_wsgi(app, "GET", location + "/qwc")
    assert f"<UserName>{installed.username}</UserName>".encode() in qwc.body
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        assert f"<OwnerID>{connection.owner_id}</OwnerID>".encode() in qwc.body
        assert f"<FileID>{connection.file_id}</FileID>".encode() in qwc.body
        audit = list_events(db, connection_id=connection_id, kinds=("machine_installed",))
        stored = db.get(Machine, installed.id)
        assert stored is not None and app.hashing.verify(stored.password_hash, password)
    assert len(audit) == 1
    assert audit[0].username == installed.username and audit[0].client_address == "127.0.0.1"
    assert "Maria, terminal server" in audit[0].message
    hooks = [e for e in events(app) if e.kind == "machine.installed"]
    assert len(hooks) == 1 and hooks[0].connection_id == connection_id
    assert f'"username":"{installed.username}"' in hooks[0].payload
    assert '"label":"Maria, terminal server"' in hooks[0].payload

    result = run_session(app, Computer(installed.username, password, qwc.body), quickbooks)
    assert result.auth_status not in ("nvu", None), result.last_error


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type who you are"),
        ("   \t ", "Type who you are"),
        ("M" * 101, "at most 100 characters (this has 101)"),
        ("Maria\u202eCP", "letters, digits, spaces and punctuation"),
    ],
)
def test_a_label_that_is_not_accepted_shows_the_form_again(
    app: QwcApp, typed: str, message: str
) -> None:
    """Empty, blank, over 100 characters or control characters: 400, the form again with the
    error and what was typed, untruncated; the same form then adds the machine."""
    connection_id, _ = _ready(app)
    path = issue_link(app, connection_id)
    form = install_form(call_wsgi(app, "GET", path).body)
    before = len(_machines(app, connection_id))

    again = post_form(app, form, typed)
    assert again.status == 400
    assert message in element_text(again.body, "label-error")
    assert element_attribute(again.body, "label", "aria-invalid") == "true"
    shown = lxml.html.fromstring(again.body).get_element_by_id("label").get("value") or ""
    assert shown == typed
    assert install_form(again.body) == form
    assert len(_machines(app, connection_id)) == before

    exactly = "M" * 100
    assert post_form(app, form, exactly).status == 303
    assert _machines(app, connection_id)[-1].label == exactly


def test_a_form_sent_again_lands_on_the_machine_it_added(app: QwcApp) -> None:
    """A refresh or a double click: one machine, one count, the same setup page; once that
    page no longer works, a page saying the form was used, naming the machine."""
    connection_id, _ = _ready(app)
    path = issue_link(app, connection_id, max_installs=1)
    form = install_form(call_wsgi(app, "GET", path).body)
    first = post_form(app, form, "Front desk")
    second = post_form(app, form, "Front desk")
    assert first.status == second.status == 303
    assert first.headers["location"] == second.headers["location"]
    assert [m.label for m in _machines(app, connection_id)].count("Front desk") == 1
    with unit_of_work(app.session_factory) as db:
        assert db.scalar(select(func.sum(InstallLink.installs))) == 1

    username = _machines(app, connection_id)[-1].username
    with unit_of_work(app.session_factory) as db:
        issue_setup_link(db, app.settings, app.hashing, username)
    used = post_form(app, form, "Front desk")
    assert used.status == 409
    assert heading(used) == "This form was already sent"
    assert element_text(used.body, "machine-label") == "“Front desk”"
    assert "new setup link" in element_text(used.body, "what-to-do")


def test_a_form_the_link_never_showed_is_shown_again_with_a_fresh_value(app: QwcApp) -> None:
    """A made-up or altered one-time value adds nothing: 400 and a new form to send."""
    connection_id, _ = _ready(app)
    path = issue_link(app, connection_id)
    body = urlencode({"form": secrets.token_urlsafe(32), "label": "Maria"}).encode()
    reply = call_wsgi(app, "POST", path, "", {"Content-Type": FORM}, body)
    assert reply.status == 400
    assert "out of date" in element_text(reply.body, "label-error")
    assert element_attribute(reply.body, "label", "value") == "Maria"
    assert post_form(app, install_form(reply.body), "Maria").status == 303
    assert _machines(app, connection_id)[-1].label == "Maria"


def _refused(app: QwcApp, path: str, status: int, title: str) -> None:
    for method in ("GET", "POST"):
        body = urlencode({"form": secrets.token_urlsafe(32), "label": "X"}).encode()
        reply = call_wsgi(app, method, path, "", {"Content-Type": FORM}, body)
        assert reply.status == status, (method, path, reply.body[:300])
        assert heading(reply) == title
        assert not _forms(reply)
        _assert_secret_page_headers(reply)


def test_links_that_no_longer_work_answer_410_and_say_to_ask_for_a_new_one(app: QwcApp) -> None:
    """Replaced, revoked, expired and used up: 410 with what happened and what to do."""
    connection_id, _ = _ready(app)
    replaced = issue_link(app, connection_id)
    used_up = issue_link(app, connection_id, max_installs=1)
    _refused(app, replaced, 410, "This installation link was replaced or revoked")
    assert post_form(app, install_form(call_wsgi(app, "GET", used_up).body), "One").status == 303
    _refused(app, used_up, 410, "This installation link has been used up")
    expired = issue_link(app, connection_id)
    expire_install_link(app, expired)
    _refused(app, expired, 410, "This installation link has expired")
    reply = call_wsgi(app, "GET", expired)
    assert "Ask the company that sent you this link for a new" in element_text(
        reply.body, "what-to-do"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/install/" + secrets.token_urlsafe(32),
        "/install/not-a-token",
        "/install/" + "x" * 500,
        "/install",
        "/install/",
        "/install/%3Cscript%3E",
        "/install/" + secrets.token_urlsafe(32) + "/extra",
    ],
)
def test_unknown_links_answer_404(app: QwcApp, path: str) -> None:
    """A token that never existed, is malformed, or a path that is no link: 404 "not valid"."""
    reply = call_wsgi(app, "GET", path)
    assert reply.status == 404
    assert heading(reply) == "This installation link is not valid"
    assert b"<script" not in reply.body
    _assert_secret_page_headers(reply)


def test_head_methods_and_unreadable_forms(app: QwcApp) -> None:
    """HEAD has the page's headers; PUT is 405 naming GET, HEAD, POST; a body that is not a
    form is refused with a page, and the setup pages still take only GET and HEAD."""
    connection_id, _ = _ready(app)
    path = issue_link(app, connection_id)
    head = call_wsgi(app, "HEAD", path)
    assert head.status == 200 and head.body == b""
    _assert_secret_page_headers(head)
    refused = call_wsgi(app, "PUT", path)
    assert refused.status == 405 and refused.headers["allow"] == "GET, HEAD, POST"
    not_a_form = call_wsgi(app, "POST", path, "", {"Content-Type": "application/json"}, b"{}")
    assert not_a_form.status == 400 and heading(not_a_form) == "This form could not be read"
    machine = add_linked_machine(app, connection_id)
    assert call_wsgi(app, "POST", machine.page).headers["allow"] == "GET, HEAD"


def test_disabled_or_unlocked_connections_offer_no_installs(app: QwcApp) -> None:
    """Disabled, or its company lock released since: the page says why and adds nothing."""
    connection_id, _ = _ready(app)
    path = issue_link(app, connection_id)
    form = install_form(call_wsgi(app, "GET", path).body)
    count = len(_machines(app, connection_id))
    with unit_of_work(app.session_factory) as db:
        set_disabled(db, connection_id, True)
    page = call_wsgi(app, "GET", path)
    assert page.status == 200 and "switched off" in element_text(page.body, "not-ready")
    assert post_form(app, form, "Maria").status == 409

    with unit_of_work(app.session_factory) as db:
        set_disabled(db, connection_id, False)
        release_company_lock(db, connection_id)
    page = call_wsgi(app, "GET", path)
    assert "released from its lock" in element_text(page.body, "not-ready")
    refused = post_form(app, form, "Maria")
    assert refused.status == 409 and not _forms(refused)
    assert len(_machines(app, connection_id)) == count
