"""A connection's installation link through the API: issue, read its state, revoke."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from qwc_service.app import QwcApp
from tests.api.client import ApiClient, call_wsgi
from tests.api.helpers import create_connection


def test_issue_read_replace_and_revoke(client: ApiClient, server: Any, app: QwcApp) -> None:
    """POST (no body needed) answers the URL once; GET shows the state; a new link makes the
    old one answer 410; DELETE revokes, and a second DELETE finds none live (404)."""
    cid = create_connection(client)
    base = f"/api/connections/{cid}"
    assert client.get(base).data["install_link"] == {
        "state": "none",
        "expires_at": None,
        "max_installs": None,
        "installs": 0,
    }
    first = client.post(f"{base}/install-link")
    assert first.status == 201
    assert set(first.data) == {"install_url", "expires_at", "max_installs", "state"}
    assert first.data["install_url"].startswith(f"{app.settings.public_url}/install/")
    assert first.data["state"] == "active" and first.data["max_installs"] is None
    days = datetime.fromisoformat(first.data["expires_at"]) - datetime.now(UTC)
    assert 29.9 < days.total_seconds() / 86400 <= 30
    assert client.get(base).data["install_link"]["state"] == "active"
    first_page = urlsplit(first.data["install_url"]).path
    assert call_wsgi(server, "GET", first_page).status == 200

    second = client.post(f"{base}/install-link", {"hours": 48, "max_installs": 5})
    assert second.status == 201 and second.data["max_installs"] == 5
    assert call_wsgi(server, "GET", first_page).status == 410
    link = client.get(base).data["install_link"]
    assert link == {
        "state": "active",
        "expires_at": second.data["expires_at"],
        "max_installs": 5,
        "installs": 0,
    }

    revoked = client.delete(f"{base}/install-link")
    assert revoked.status == 200 and revoked.data == {**link, "state": "revoked"}
    assert call_wsgi(server, "GET", urlsplit(second.data["install_url"]).path).status == 410
    again = client.delete(f"{base}/install-link")
    assert again.status == 404 and again.error["code"] == "install_link_not_found"


def test_bad_input_unknown_and_disabled_connections(client: ApiClient) -> None:
    """Out-of-range or unknown members are 400; an unknown connection 404; a disabled one 409."""
    cid = create_connection(client)
    base = f"/api/connections/{cid}/install-link"
    for body, field in (
        ({"max_installs": 0}, "max_installs"),
        ({"hours": 0}, "hours"),
        ({"hours": "48"}, "hours"),
        ({"label": "x"}, "label"),
    ):
        reply = client.post(base, body)
        assert reply.status == 400 and reply.error["field"] == field, reply.body
    assert client.post("/api/connections/nope/install-link").status == 404
    assert client.delete("/api/connections/nope/install-link").status == 404
    assert client.post(f"/api/connections/{cid}/disable").status == 200
    disabled = client.post(base)
    assert disabled.status == 409 and disabled.error["code"] == "connection_disabled"
