"""Setup links: unguessable, expiring, revocable, and the password they show works."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.connections import setup_links
from qwc_service.connections.models import Machine
from qwc_service.connections.service import MachineRevoked, reset_password
from qwc_service.connections.setup_links import (
    SetupLinkExpired,
    SetupLinkNotFound,
    SetupLinkRevoked,
    add_machine_with_link,
    issue_setup_link,
    open_setup_link,
    password_for,
)
from qwc_service.db import unit_of_work
from qwc_service.qbwc.operations import revoke_machine
from tests.factories import make_connection, make_machine


def test_password_is_derived_from_the_token_in_the_password_alphabet() -> None:
    """The same token gives the same 24-character password; another token another one."""
    first = password_for("a" * 43)
    assert first == password_for("a" * 43)
    assert len(first) == 24 and first != password_for("b" * 43)
    assert set(first) <= set("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def test_new_machine_link_opens_with_the_machine_password(app: QwcApp) -> None:
    """Adding a machine with a link: the page's password verifies against the stored hash."""
    connection_id = make_connection(app)
    with unit_of_work(app.session_factory) as db:
        issued = add_machine_with_link(
            db, app.settings, app.exchange.hashing, connection_id, label="Server seat 2"
        )
        token, username = issued.token, issued.credentials.machine.username
        assert issued.link.token_hash != token and token not in issued.link.token_hash
    with unit_of_work(app.session_factory) as db:
        opened = open_setup_link(db, token)
        assert opened.machine.username == username
        assert opened.connection.id == connection_id
        assert opened.password == issued.credentials.password
        assert app.exchange.hashing.verify(opened.machine.password_hash, opened.password)
        assert opened.link.last_opened_at is not None


def test_unknown_and_malformed_tokens_are_not_found(app: QwcApp) -> None:
    """A token that was never issued, or is not shaped like one, is simply not found."""
    with unit_of_work(app.session_factory) as db:
        for token in ["x" * 43, "", "../../etc/passwd", "a" * 500]:
            with pytest.raises(SetupLinkNotFound):
                open_setup_link(db, token)


def test_link_expires(app: QwcApp) -> None:
    """After QWC_SETUP_LINK_HOURS the link says it expired."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        issued = issue_setup_link(db, app.settings, app.exchange.hashing, machine.username)
    later = utcnow() + timedelta(hours=app.settings.setup_link_hours, seconds=1)
    with unit_of_work(app.session_factory) as db, pytest.raises(SetupLinkExpired):
        open_setup_link(db, issued.token, now=later)


def test_a_new_link_or_reset_revokes_the_old_link(app: QwcApp) -> None:
    """Each new link, a password reset and revoking the machine end the earlier link."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    hashing = app.exchange.hashing
    with unit_of_work(app.session_factory) as db:
        first = issue_setup_link(db, app.settings, hashing, machine.username)
        second = issue_setup_link(db, app.settings, hashing, machine.username)
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(SetupLinkRevoked):
            open_setup_link(db, first.token)
        assert open_setup_link(db, second.token).password == second.credentials.password
        # The old password no longer works either: the link's password replaced it.
        stored = db.get(Machine, second.credentials.machine.id)
        assert stored is not None
        assert not hashing.verify(stored.password_hash, machine.password)
    with unit_of_work(app.session_factory) as db:
        reset_password(db, hashing, machine.username)
    with unit_of_work(app.session_factory) as db, pytest.raises(SetupLinkRevoked):
        open_setup_link(db, second.token)
    with unit_of_work(app.session_factory) as db:
        third = issue_setup_link(db, app.settings, hashing, machine.username)
        revoke_machine(db, machine.username)
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(SetupLinkRevoked):
            open_setup_link(db, third.token)
        with pytest.raises(MachineRevoked):
            issue_setup_link(db, app.settings, hashing, machine.username)


def test_revoking_links_keeps_the_password(app: QwcApp) -> None:
    """Revoking a link ends the page but the installed machine keeps its password."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        issued = issue_setup_link(db, app.settings, app.exchange.hashing, machine.username)
    with unit_of_work(app.session_factory) as db:
        assert setup_links.revoke_setup_links(db, machine.username) == 1
        assert setup_links.live_link(db, issued.credentials.machine.id) is None
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(SetupLinkRevoked):
            open_setup_link(db, issued.token)
        stored = db.get(Machine, issued.credentials.machine.id)
        assert stored is not None
        assert app.exchange.hashing.verify(stored.password_hash, issued.credentials.password)
