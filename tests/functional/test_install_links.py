"""Installation links over real HTTP to gunicorn, with the shipped Web Connector simulator.

The Admin's first computer syncs through its setup link; then people add their own
machines through the connection's installation link, each with the same OwnerID and FileID
and a password of its own that runs a session. Forms sent at the same moment add one
machine.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from sqlalchemy import select

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.connections import install_links
from qwc_service.connections.models import Connection, InstallLink, Machine
from qwc_service.db import unit_of_work
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import SessionResult, WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.factories import enqueue, make_connection, make_test_settings
from tests.setup.helpers import add_linked_machine
from tests.setup.install_helpers import FORM, InstallForm, install_form, issue_link

pytestmark = pytest.mark.gunicorn


@dataclass(frozen=True)
class Answer:
    """One HTTP reply, redirects not followed."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def text_of(self, element_id: str) -> str:
        """The text of an element, whitespace collapsed."""
        element = lxml.html.fromstring(self.body).get_element_by_id(element_id)
        return " ".join(element.text_content().split())

    def value_of(self, element_id: str) -> str:
        """The value attribute of an input."""
        return str(lxml.html.fromstring(self.body).get_element_by_id(element_id).get("value"))

    def heading(self) -> str:
        """The page's h1."""
        return " ".join(lxml.html.fromstring(self.body).findtext(".//h1").split())


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def fetch(url: str, body: bytes | None = None) -> Answer:
    """GET ``url``, or POST ``body`` as a form, without following a redirect."""
    headers = {"Content-Type": FORM} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with _OPENER.open(request, timeout=60) as reply:
            return Answer(reply.status, dict(reply.headers.items()), reply.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), error.read())


@pytest.fixture
def logged_server(settings: Settings, tmp_path: Path) -> ServerProcess:
    """gunicorn with two workers writing an access log; .qwc files point at it."""
    process = ServerProcess(
        settings, workers=2, log_path=tmp_path / "gunicorn.log", env={"QWC_ACCESS_LOG": "-"}
    )
    process.settings = settings.with_overrides(
        public_url=f"http://localhost:{process.port}", log_level="info", log_format="json"
    )
    return process


def _session(qwc: bytes, password: str, quickbooks: FakeQuickBooks) -> SessionResult:
    connector = WebConnector(read_qwc(qwc), password, quickbooks, noop_wait_seconds=0)
    connector.add_application()
    return connector.run_session()


def _qwc_ids(qwc: bytes) -> dict[str, str | None]:
    root = etree.fromstring(qwc, etree.XMLParser(resolve_entities=False, no_network=True))
    return {child.tag: child.text for child in root if child.tag in ("OwnerID", "FileID")}


@dataclass(frozen=True)
class Seat:
    """A machine added through the installation link, as its person saw it."""

    setup_path: str
    password: str
    qwc: bytes


def _install(base: str, link: str, label: str) -> Seat:
    page = fetch(base + link)
    assert page.status == 200, page.body[:500]
    form = install_form(page.body)
    sent = fetch(base + form.action, form.body(label))
    assert sent.status == 303, sent.body[:500]
    setup_path = sent.headers["Location"]
    setup = fetch(base + setup_path)
    assert setup.status == 200 and label in setup.body.decode()
    qwc = fetch(base + setup_path + "/qwc")
    assert qwc.status == 200
    return Seat(setup_path, setup.text_of("password"), qwc.body)


def test_people_add_their_own_machines_once_the_admin_has_synced(
    logged_server: ServerProcess,
) -> None:
    """Before the first sync the link adds nothing and says why; after a real sync three
    installs give three working machines of the same company file; the fourth, a replaced, a
    revoked and an unknown link are refused; no log line holds a token or a password."""
    with logged_server as server:
        assert server.settings is not None
        app = create_app(server.settings)
        try:
            secrets = _run_install_flow(server, app)
        finally:
            app.engine.dispose()
    assert server.log_path is not None
    log = server.log_path.read_text(errors="replace")
    assert "GET /install/[redacted]" in log and "POST /install/[redacted]" in log
    assert "machine_installed" in log and "install_link_refused" in log
    for secret in secrets:
        assert secret not in log


def _run_install_flow(server: ServerProcess, app: QwcApp) -> list[str]:
    base = server.url
    connection_id = make_connection(app, "Acme Widgets")
    link = issue_link(app, connection_id, max_installs=3)

    # Before the Admin's first sync: the page says so, and a form sent anyway adds nothing.
    waiting = fetch(base + link)
    assert waiting.status == 200
    assert waiting.text_of("connection-name") == "Acme Widgets"
    assert "Admin must first finish setting up the main computer" in waiting.text_of("not-ready")
    made_up = InstallForm(link, "A" * 43)
    refused = fetch(base + link, made_up.body("Maria"))
    assert refused.status == 409 and "Admin must first" in refused.text_of("not-ready")

    # The Admin sets up the main computer with its setup link and syncs for real.
    admin = add_linked_machine(app, connection_id, "Main office PC")
    admin_qwc = fetch(base + admin.page + "/qwc").body
    company = generate_company(customers=8)
    quickbooks = FakeQuickBooks(company)
    enqueue(app, connection_id)
    assert _session(admin_qwc, admin.password, quickbooks).outcome == "completed"

    page = fetch(base + link)
    assert page.value_of("company-name") == company.company_name
    assert page.value_of("company-file") == quickbooks.company_file
    assert "3 more computers" in page.text_of("link-terms")

    seats = [_install(base, link, label) for label in ("Maria, terminal server", "Jo", "Sam")]
    expected = _qwc_ids(admin_qwc)
    assert [_qwc_ids(seat.qwc) for seat in seats] == [expected] * 3
    assert len({seat.password for seat in seats} | {admin.password}) == 4
    for seat in seats:
        enqueue(app, connection_id)
        result = _session(seat.qwc, seat.password, quickbooks)
        assert result.outcome == "completed", result.last_error
    with unit_of_work(app.session_factory) as db:
        labels = db.scalars(
            select(Machine.label).where(Machine.connection_id == connection_id).order_by(Machine.id)
        )
        assert list(labels) == ["Main office PC", "Maria, terminal server", "Jo", "Sam"]

    fourth = fetch(base + link)
    assert fourth.status == 410 and fourth.heading() == "This installation link has been used up"

    replaced = issue_link(app, connection_id)
    newest = issue_link(app, connection_id)
    assert fetch(base + replaced).status == 410
    assert fetch(base + newest).status == 200
    with unit_of_work(app.session_factory) as db:
        install_links.revoke_install_link(db, connection_id)
    gone = fetch(base + newest)
    assert gone.status == 410 and gone.heading() == "This installation link was replaced or revoked"
    assert fetch(base + "/install/" + "B" * 43).status == 404
    tokens = [path.rsplit("/", 1)[-1] for path in (link, replaced, newest)]
    setup_tokens = [seat.setup_path.rsplit("/", 1)[-1] for seat in seats]
    return tokens + setup_tokens + [seat.password for seat in seats]


def _send_at_once(url: str, bodies: list[bytes]) -> list[Answer]:
    """POST every body from its own thread, released together."""
    barrier = threading.Barrier(len(bodies))
    answers: list[Answer | None] = [None] * len(bodies)

    def send(index: int) -> None:
        barrier.wait()
        answers[index] = fetch(url, bodies[index])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


@pytest.mark.postgres
def test_one_form_sent_many_times_at_once_adds_one_machine(pg_url: str, tmp_path: Path) -> None:
    """Six sendings of one form at the same moment, on PostgreSQL through two workers: one
    machine, one install counted, every answer the same redirect, no server error; two
    different forms racing for a link's last install: one adds, the other is told 410."""
    settings = make_test_settings(pg_url, tmp_path / "qwc_files")
    process = ServerProcess(settings, workers=2, threads=4, log_path=tmp_path / "gunicorn.log")
    process.settings = settings.with_overrides(public_url=f"http://localhost:{process.port}")
    with process as server:
        assert server.settings is not None
        app = create_app(server.settings)
        try:
            _race(server, app)
        finally:
            app.engine.dispose()


def _race(server: ServerProcess, app: QwcApp) -> None:
    base = server.url
    connection_id = make_connection(app, "Acme Widgets")
    admin = add_linked_machine(app, connection_id, "Main office PC")
    quickbooks = FakeQuickBooks(generate_company(customers=3))
    enqueue(app, connection_id)
    admin_qwc = fetch(base + admin.page + "/qwc").body
    assert _session(admin_qwc, admin.password, quickbooks).outcome == "completed"

    link = issue_link(app, connection_id)
    form = install_form(fetch(base + link).body)
    answers = _send_at_once(base + link, [form.body("Maria, terminal server")] * 6)
    assert [a.status for a in answers] == [303] * 6, [a.body[:200] for a in answers]
    assert len({a.headers["Location"] for a in answers}) == 1
    with unit_of_work(app.session_factory) as db:
        added = db.scalars(select(Machine).where(Machine.label == "Maria, terminal server"))
        assert len(list(added)) == 1
        assert list(db.scalars(select(InstallLink.installs))) == [1]
    assert fetch(base + answers[0].headers["Location"]).status == 200

    last = issue_link(app, connection_id, max_installs=1)
    forms = [install_form(fetch(base + last).body) for _ in range(2)]
    raced = _send_at_once(base + last, [forms[0].body("Jo"), forms[1].body("Sam")])
    assert sorted(a.status for a in raced) == [303, 410]
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        labels = {m.label for m in connection.machines}
        assert len(labels & {"Jo", "Sam"}) == 1
