"""Machines through the admin pages: the setup link and password shown once, reset, revoke."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from qwc_service.app import QwcApp
from qwc_service.connections.queries import get_machine
from qwc_service.connections.setup_links import SetupLinkRevoked, open_setup_link
from qwc_service.db import unit_of_work
from tests.admin.browser import Browser, Page
from tests.admin.helpers import add_machine, create_connection


def _token(setup_link: str) -> str:
    return urlsplit(setup_link).path.rsplit("/", 1)[-1]


def _password_works(app: QwcApp, username: str, password: str) -> bool:
    with unit_of_work(app.session_factory) as db:
        return app.hashing.verify(get_machine(db, username).password_hash, password)


def _row(page: Page, username: str) -> str:
    rows = page.element("machine-list").xpath(f".//tr[@data-username='{username}']")
    return " ".join(rows[0].text_content().split())


def test_add_machine_shows_link_and_password_once(app: QwcApp, signed_in: Browser) -> None:
    """The credentials page shows the absolute setup link and the password; later pages do not."""
    connection_id = create_connection(signed_in)
    added = add_machine(signed_in, connection_id, "Front office PC")
    assert added.page.headers["cache-control"] == "no-store"
    assert "will not be shown here again" in added.page.text_of("shown-once")
    assert added.setup_link.startswith(f"{app.settings.public_url}/setup/")
    assert added.page.element("setup-link").get("href") == added.setup_link
    assert len(added.password) == 24 and _password_works(app, added.username, added.password)
    with unit_of_work(app.session_factory) as db:
        opened = open_setup_link(db, _token(added.setup_link))
        assert opened.password == added.password and opened.machine.username == added.username

    token = _token(added.setup_link)
    for path in ("/admin", f"/admin/connections/{connection_id}"):
        again = signed_in.get(path)
        assert added.password not in again.text and token not in again.text
    row = _row(signed_in.get(f"/admin/connections/{connection_id}"), added.username)
    assert "Front office PC" in row and "live until" in row


def test_reset_gives_a_new_link_and_password(app: QwcApp, signed_in: Browser) -> None:
    """Reset shows a new link and password; the old password and link stop working."""
    connection_id = create_connection(signed_in)
    first = add_machine(signed_in, connection_id)
    signed_in.get(f"/admin/connections/{connection_id}")
    reset = f"/admin/connections/{connection_id}/machines/{first.username}/reset"
    page = signed_in.post(reset, {"confirm": "yes"})
    assert page.status == 200
    link, password = page.text_of("setup-link"), page.text_of("new-password")
    assert page.text_of("machine-username") == first.username
    assert (link, password) != (first.setup_link, first.password)
    assert "no longer work" in page.text_of("shown-once")
    assert _password_works(app, first.username, password)
    assert not _password_works(app, first.username, first.password)
    with unit_of_work(app.session_factory) as db:
        assert open_setup_link(db, _token(link)).password == password
        with pytest.raises(SetupLinkRevoked):
            open_setup_link(db, _token(first.setup_link))


def test_revoke_link_keeps_the_password(app: QwcApp, signed_in: Browser) -> None:
    """Revoking the setup link ends the link; the machine's password still works."""
    connection_id = create_connection(signed_in)
    added = add_machine(signed_in, connection_id)
    signed_in.get(f"/admin/connections/{connection_id}")
    base = f"/admin/connections/{connection_id}/machines/{added.username}"
    page = signed_in.follow(signed_in.post(base + "/revoke-link"))
    assert "Setup link" in page.text and "live until" not in _row(page, added.username)
    assert _password_works(app, added.username, added.password)
    with unit_of_work(app.session_factory) as db, pytest.raises(SetupLinkRevoked):
        open_setup_link(db, _token(added.setup_link))


def test_revoke_machine_needs_the_confirmation(app: QwcApp, signed_in: Browser) -> None:
    """Without the confirmation nothing happens; with it the machine is revoked and cannot reset."""
    connection_id = create_connection(signed_in)
    added = add_machine(signed_in, connection_id)
    signed_in.get(f"/admin/connections/{connection_id}")
    base = f"/admin/connections/{connection_id}/machines/{added.username}"
    unconfirmed = signed_in.post(base + "/revoke")
    assert unconfirmed.status == 200
    assert "stop working for good" in unconfirmed.text_of("confirm-consequence")
    with unit_of_work(app.session_factory) as db:
        assert get_machine(db, added.username).revoked_at is None

    page = signed_in.follow(signed_in.post(base + "/revoke", {"confirm": "yes"}))
    assert "revoked" in _row(page, added.username)
    with unit_of_work(app.session_factory) as db:
        assert get_machine(db, added.username).revoked_at is not None
    refused = signed_in.post(base + "/reset")
    assert refused.status == 409 and "revoked" in refused.text_of("error-message")


def test_machine_of_another_connection_is_not_found(app: QwcApp, signed_in: Browser) -> None:
    """A machine's actions answer only under its own connection."""
    mine = create_connection(signed_in, "Mine")
    theirs = create_connection(signed_in, "Theirs")
    added = add_machine(signed_in, theirs)
    signed_in.get(f"/admin/connections/{mine}")
    for action in ("reset", "revoke-link"):
        page = signed_in.post(f"/admin/connections/{mine}/machines/{added.username}/{action}")
        assert page.status == 404, action
    revoke = f"/admin/connections/{mine}/machines/{added.username}/revoke"
    assert signed_in.post(revoke, {"confirm": "yes"}).status == 404
    assert _password_works(app, added.username, added.password)


def test_blank_label_is_refused(signed_in: Browser) -> None:
    """A machine needs a label: a blank one is a 400 page."""
    connection_id = create_connection(signed_in)
    signed_in.get(f"/admin/connections/{connection_id}")
    page = signed_in.post(f"/admin/connections/{connection_id}/machines", {"label": " "})
    assert page.status == 400 and "label" in page.text_of("error-message")
