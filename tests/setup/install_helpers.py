"""Installation links made through the services, the Admin's first sync, and the form read
from the installation page the way a browser would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import lxml.html

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.connections import install_links
from qwc_service.connections.models import InstallLink
from qwc_service.db import unit_of_work
from qwc_service.digest import secret_digest
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import Reply, call_wsgi
from tests.api.helpers import Computer, run_session
from tests.factories import enqueue
from tests.setup.helpers import Linked, add_linked_machine

FORM = "application/x-www-form-urlencoded"


def issue_link(
    app: QwcApp, connection_id: str, *, max_installs: int | None = None, hours: int | None = None
) -> str:
    """Issue the connection's installation link as the CLI and API do; returns its page path."""
    with unit_of_work(app.session_factory) as db:
        issued = install_links.issue_install_link(
            db, app.settings, connection_id, max_installs=max_installs, hours=hours
        )
        return f"/install/{issued.token}"


def expire_install_link(app: QwcApp, path: str) -> None:
    """Move an installation link's expiry into the past."""
    token = path.rsplit("/", 1)[-1]
    with unit_of_work(app.session_factory) as db:
        link = db.query(InstallLink).filter_by(token_hash=secret_digest(token)).one()
        link.expires_at = utcnow() - timedelta(minutes=1)


def admin_first_sync(
    server: Any, app: QwcApp, connection_id: str, quickbooks: FakeQuickBooks
) -> Linked:
    """The Admin sets up the main computer with its setup link and runs its first sync."""
    admin = add_linked_machine(app, connection_id, "Main office PC (Admin)")
    enqueue(app, connection_id)
    qwc = call_wsgi(server, "GET", admin.page + "/qwc")
    assert qwc.status == 200, qwc.body[:300]
    result = run_session(server, Computer(admin.username, admin.password, qwc.body), quickbooks)
    assert result.outcome == "completed", result.last_error
    return admin


@dataclass(frozen=True)
class InstallForm:
    """The form of an installation page: where it posts and its one-time value."""

    action: str
    value: str

    def body(self, label: str) -> bytes:
        """The urlencoded body a browser sends with ``label`` typed in."""
        return urlencode({"form": self.value, "label": label}).encode()


def install_form(html: bytes) -> InstallForm:
    """The installation form on a page (AssertionError when the page has none)."""
    forms = lxml.html.fromstring(html).xpath("//form[@id='install-form']")
    assert forms, "the page has no installation form"
    value = forms[0].xpath(".//input[@name='form']/@value")
    return InstallForm(str(forms[0].get("action")), str(value[0]))


def post_form(server: Any, form: InstallForm, label: str) -> Reply:
    """Send the form in-process, as the browser would."""
    return call_wsgi(server, "POST", form.action, "", {"Content-Type": FORM}, form.body(label))


def heading(reply: Reply) -> str:
    """The page's h1, whitespace collapsed."""
    return " ".join(lxml.html.fromstring(reply.body).findtext(".//h1").split())
