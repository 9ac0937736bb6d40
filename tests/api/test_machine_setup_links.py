"""Setup links through the API: issued with every new password, replaced, revoked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from qwc_service.app import QwcApp
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient, call_wsgi
from tests.api.helpers import Computer, create_connection, run_session
from tests.factories import customer_query


def _page_password(server: Any, setup_url: str) -> tuple[int, str | None]:
    reply = call_wsgi(server, "GET", urlsplit(setup_url).path)
    if reply.status != 200:
        return reply.status, None
    return 200, lxml.html.fromstring(reply.body).get_element_by_id("password").text_content()


def test_adding_a_machine_issues_its_setup_link(
    client: ApiClient, server: Any, app: QwcApp
) -> None:
    """The reply holds setup_url and its expiry; the page shows the password of the reply."""
    cid = create_connection(client)
    before = datetime.now().astimezone()
    reply = client.post(f"/api/connections/{cid}/machines", {"label": "Front office PC"})
    assert reply.status == 201
    data = reply.data
    assert data["setup_url"].startswith(f"{app.settings.public_url}/setup/")
    expires = datetime.fromisoformat(data["setup_link_expires_at"])
    lifetime = timedelta(hours=app.settings.setup_link_hours)
    # The reply gives whole seconds.
    assert (
        before + lifetime - timedelta(minutes=1)
        <= expires
        <= before + lifetime + timedelta(seconds=1)
    )
    assert _page_password(server, data["setup_url"]) == (200, data["password"])
    page = call_wsgi(server, "GET", urlsplit(data["setup_url"]).path + "/qwc")
    assert page.status == 200 and data["machine"]["username"].encode() in page.body


def test_reset_and_new_link_replace_the_password_and_the_link(
    client: ApiClient, server: Any
) -> None:
    """Reset and POST setup-link: a new password and link each time; earlier links answer 410."""
    cid = create_connection(client)
    first = client.post(f"/api/connections/{cid}/machines", {"label": "PC"}).data
    base = f"/api/connections/{cid}/machines/{first['machine']['username']}"

    reset = client.post(f"{base}/reset-password")
    assert reset.status == 200
    assert reset.data["setup_url"] != first["setup_url"]
    assert reset.data["password"] != first["password"]
    assert _page_password(server, first["setup_url"]) == (410, None)
    assert _page_password(server, reset.data["setup_url"]) == (200, reset.data["password"])

    issued = client.post(f"{base}/setup-link")
    assert issued.status == 201
    assert set(issued.data) == set(reset.data)
    assert issued.data["password"] != reset.data["password"]
    assert _page_password(server, reset.data["setup_url"]) == (410, None)
    assert _page_password(server, issued.data["setup_url"]) == (200, issued.data["password"])


def test_revoking_the_link_keeps_the_password(client: ApiClient, server: Any) -> None:
    """DELETE setup-link ends the page; the Web Connector still logs in with the password."""
    cid = create_connection(client)
    added = client.post(f"/api/connections/{cid}/machines", {"label": "PC"}).data
    username = added["machine"]["username"]
    base = f"/api/connections/{cid}/machines/{username}"
    qwc = client.get(f"{base}/qwc").body

    revoked = client.delete(f"{base}/setup-link")
    assert revoked.status == 200 and revoked.data["username"] == username
    assert revoked.data["revoked_at"] is None
    assert _page_password(server, added["setup_url"]) == (410, None)
    assert client.delete(f"{base}/setup-link").status == 200

    client.post(f"/api/connections/{cid}/jobs", {"qbxml": customer_query()})
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0, payments=0))
    result = run_session(server, Computer(username, added["password"], qwc), quickbooks)
    assert result.outcome == "completed", result.last_error


def test_revoked_or_unknown_machines_get_no_link(client: ApiClient) -> None:
    """A revoked machine gets 409 for a new link; an unknown one, or another connection's, 404."""
    cid, other = create_connection(client, "One"), create_connection(client, "Two")
    added = client.post(f"/api/connections/{cid}/machines", {"label": "PC"}).data
    username = added["machine"]["username"]
    base = f"/api/connections/{cid}/machines/{username}"
    elsewhere = f"/api/connections/{other}/machines/{username}/setup-link"
    missing = f"/api/connections/{cid}/machines/{cid}-nobody/setup-link"
    for method in ("POST", "DELETE"):
        reply = client.request(method, elsewhere)
        assert (reply.status, reply.error["code"]) == (404, "machine_not_found")
        assert client.request(method, missing).status == 404
    assert client.post(f"{base}/revoke").status == 200
    refused = client.post(f"{base}/setup-link")
    assert (refused.status, refused.error["code"]) == (409, "machine_revoked")
