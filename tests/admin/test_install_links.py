"""A connection's installation link on its admin page: its state, issued once, revoked."""

from __future__ import annotations

from urllib.parse import urlsplit

from qwc_service.app import QwcApp
from tests.admin.browser import Browser
from tests.admin.helpers import create_connection
from tests.api.client import call_wsgi


def test_issue_shows_the_link_once_and_revoke_ends_it(app: QwcApp, signed_in: Browser) -> None:
    """The section says none; issuing shows the link once (with a copy button and the
    not-yet-synced warning); the page then shows it active without the token; revoke ends it."""
    connection_id = create_connection(signed_in)
    path = f"/admin/connections/{connection_id}"
    page = signed_in.get(path)
    assert page.text_of("install-link-state") == "None issued."
    assert page.text_of("issue-install-link") == "Issue an installation link"

    issued = signed_in.post(f"{path}/install-link", {"max_installs": "2"})
    assert issued.status == 200, issued.text[:500]
    assert issued.headers["cache-control"] == "no-store"
    url = issued.text_of("install-url")
    assert url.startswith(f"{app.settings.public_url}/install/")
    assert issued.element("install-url").get("href") == url
    assert "will not be shown here again" in issued.text_of("shown-once")
    assert "has not completed its first sync" in issued.text_of("not-ready")
    assert "at most 2 machines" in issued.text
    token = urlsplit(url).path.rsplit("/", 1)[-1]

    page = signed_in.get(path)
    assert page.element("install-link-section").get("data-state") == "active"
    assert "0 of 2 installs used" in page.text_of("install-link-state")
    assert token not in page.text
    assert "this one stops working" in page.text_of("issue-install-link")

    revoked = signed_in.post(f"{path}/install-link/revoke")
    assert revoked.status == 303 and revoked.location == path
    page = signed_in.follow(revoked)
    assert page.text_of("install-link-state").startswith("Revoked")
    assert call_wsgi(app, "GET", urlsplit(url).path).status == 410


def test_a_limit_that_is_not_a_number_is_refused(signed_in: Browser) -> None:
    """max_installs must be a whole number from 1: a 400 page, and no link is issued."""
    connection_id = create_connection(signed_in)
    path = f"/admin/connections/{connection_id}"
    signed_in.get(path)
    for typed in ("0", "many", "-1"):
        refused = signed_in.post(f"{path}/install-link", {"max_installs": typed})
        assert refused.status == 400, typed
    assert signed_in.get(path).text_of("install-link-state") == "None issued."
