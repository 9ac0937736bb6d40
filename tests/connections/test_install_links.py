"""Installation links: one live link per connection, hashed, expiring, limited, one-time forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.audit.service import list_events
from qwc_service.clock import utcnow
from qwc_service.connections import install_links
from qwc_service.connections.install_links import (
    FormClaim,
    InstallLinkExpired,
    InstallLinkNotFound,
    InstallLinkRevoked,
    InstallLinkUsedUp,
    InvalidLabel,
    LinkState,
    NoLiveInstallLink,
    Readiness,
    check_label,
    check_usable,
    claim_form,
    count_install,
    find_install_link,
    install_link_report,
    issue_install_link,
    new_form,
    readiness,
    revoke_install_link,
    setup_token_for,
)
from qwc_service.connections.models import Connection, InstallForm, InstallLink
from qwc_service.connections.queries import ConnectionDisabled, ConnectionNotFound
from qwc_service.db import unit_of_work
from qwc_service.digest import secret_digest
from qwc_service.qbwc.operations import set_disabled
from tests.factories import make_connection


def _issue(app: QwcApp, connection_id: str, **options: int | None) -> str:
    with unit_of_work(app.session_factory) as db:
        return issue_install_link(db, app.settings, connection_id, **options).token  # type: ignore[arg-type]


def _state(app: QwcApp, connection_id: str) -> str:
    with unit_of_work(app.session_factory) as db:
        return install_link_report(db, connection_id).state


def test_a_link_is_unguessable_stored_hashed_and_lasts_thirty_days(app: QwcApp) -> None:
    """43 URL-safe characters (256 bits); only SHA-256 stored; QWC_INSTALL_LINK_HOURS = 720."""
    assert app.settings.install_link_hours == 720
    connection_id = make_connection(app)
    before = utcnow()
    token = _issue(app, connection_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    with unit_of_work(app.session_factory) as db:
        (link,) = db.scalars(select(InstallLink))
        assert link.token_hash == secret_digest(token) and token not in link.token_hash
        lifetime = link.expires_at - before
        assert timedelta(hours=720) <= lifetime < timedelta(hours=720, minutes=1)
        assert link.max_installs is None and link.installs == 0
        report = install_link_report(db, connection_id)
        assert report.state == "active" and report.to_payload()["expires_at"].endswith("+00:00")
        url = install_links.install_url(app.settings, token)
        assert url == f"{app.settings.public_url}/install/{token}"


def test_a_new_link_replaces_the_live_one(app: QwcApp) -> None:
    """Issuing revokes the link before it; revoking leaves none live; each step is audited."""
    connection_id = make_connection(app)
    assert _state(app, connection_id) == "none"
    first = _issue(app, connection_id, hours=2, max_installs=3)
    second = _issue(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(InstallLinkRevoked):
            check_usable(find_install_link(db, first), utcnow())
        check_usable(find_install_link(db, second), utcnow())
        assert [
            link.revoked_at is None
            for link in db.scalars(select(InstallLink).order_by(InstallLink.id))
        ] == [
            False,
            True,
        ]
    with unit_of_work(app.session_factory) as db:
        revoked = revoke_install_link(db, connection_id)
        assert revoked.token_hash == secret_digest(second)
    assert _state(app, connection_id) == "revoked"
    with unit_of_work(app.session_factory) as db, pytest.raises(NoLiveInstallLink):
        revoke_install_link(db, connection_id)
    with unit_of_work(app.session_factory) as db:
        kinds = [e.kind for e in list_events(db, connection_id=connection_id)]
    assert kinds == ["install_link_revoked", "install_link_issued", "install_link_issued"]


def test_issuing_needs_a_known_enabled_connection_and_sane_options(app: QwcApp) -> None:
    """Unknown connection, disabled connection, zero hours or installs: refused."""
    connection_id = make_connection(app)
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(ConnectionNotFound):
            issue_install_link(db, app.settings, "nope")
        with pytest.raises(ValueError, match="at least one hour"):
            issue_install_link(db, app.settings, connection_id, hours=0)
        with pytest.raises(ValueError, match="at least one install"):
            issue_install_link(db, app.settings, connection_id, max_installs=0)
        set_disabled(db, connection_id, True)
    with unit_of_work(app.session_factory) as db, pytest.raises(ConnectionDisabled):
        issue_install_link(db, app.settings, connection_id)


def test_installs_are_counted_up_to_the_limit(app: QwcApp) -> None:
    """count_install adds one per machine and refuses once max_installs is reached."""
    connection_id = make_connection(app)
    token = _issue(app, connection_id, max_installs=2)
    for _ in range(2):
        with unit_of_work(app.session_factory) as db:
            count_install(db, find_install_link(db, token), now=utcnow())
    with unit_of_work(app.session_factory) as db:
        link = find_install_link(db, token)
        assert link.installs == 2
        with pytest.raises(InstallLinkUsedUp):
            count_install(db, link, now=utcnow())
        with pytest.raises(InstallLinkUsedUp):
            check_usable(link, utcnow())
    assert _state(app, connection_id) == "used_up"


def test_expired_and_unknown_links(app: QwcApp) -> None:
    """A link past its time is expired (and counts no install); a token never issued is unknown."""
    connection_id = make_connection(app)
    token = _issue(app, connection_id, hours=1)
    later = utcnow() + timedelta(hours=1, seconds=1)
    with unit_of_work(app.session_factory) as db:
        link = find_install_link(db, token)
        with pytest.raises(InstallLinkExpired):
            check_usable(link, later)
        with pytest.raises(InstallLinkExpired):
            count_install(db, link, now=later)
        assert install_links.InstallLinkReport.of(link, later).state == LinkState.EXPIRED
        for wrong in ("", "x", token[:-1] + ("A" if token[-1] != "A" else "B"), "é" * 43):
            with pytest.raises(InstallLinkNotFound):
                find_install_link(db, wrong)


def test_a_form_is_claimed_once(app: QwcApp) -> None:
    """A rendered form's value is stored hashed and claimed once; another link's value and a
    made-up one are unknown."""
    connection_id = make_connection(app)
    token = _issue(app, connection_id)
    other = _issue(app, make_connection(app, "Other"))
    with unit_of_work(app.session_factory) as db:
        link, elsewhere = find_install_link(db, token), find_install_link(db, other)
        value, foreign = new_form(db, link), new_form(db, elsewhere)
        stored = db.scalar(select(InstallForm).where(InstallForm.link_id == link.id))
        assert stored is not None and stored.value_hash == secret_digest(value)
    now = utcnow()
    with unit_of_work(app.session_factory) as db:
        link = find_install_link(db, token)
        assert claim_form(db, link, value, now=now) is FormClaim.CLAIMED
        assert claim_form(db, link, value, now=now) is FormClaim.USED
        assert claim_form(db, link, foreign, now=now) is FormClaim.UNKNOWN
        assert claim_form(db, link, "A" * 43, now=now) is FormClaim.UNKNOWN
        assert claim_form(db, link, "not a value", now=now) is FormClaim.UNKNOWN


def test_the_setup_token_is_derived_from_the_form_value() -> None:
    """Shaped like a setup-link token, the same for the same form, different for another."""
    first = setup_token_for("a" * 43)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first)
    assert first == setup_token_for("a" * 43) != setup_token_for("b" * 43)


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("Maria, terminal server", "Maria, terminal server"),
        ("  Jo  ", "Jo"),
        ("Ünïcødé ☃ seat", "Ünïcødé ☃ seat"),
        ("x" * 100, "x" * 100),
    ],
)
def test_labels_that_are_accepted(typed: str, accepted: str) -> None:
    """Surrounding spaces go; everything else is kept as typed."""
    assert check_label(typed) == accepted


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", "x" * 101, "tab\there", "bidi\u202eoverride"])
def test_labels_that_are_refused(typed: str) -> None:
    """Empty, blank, over 100 characters, control or format characters: InvalidLabel."""
    with pytest.raises(InvalidLabel):
        check_label(typed)


def test_readiness_follows_the_first_sync_lock_and_disabling(app: QwcApp) -> None:
    """Awaiting the first sync until locked after a success; unlocked after a release; disabled."""
    connection_id = make_connection(app)
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        assert readiness(connection) is Readiness.AWAITING_FIRST_SYNC
        connection.locked_at = moment
        assert readiness(connection) is Readiness.AWAITING_FIRST_SYNC
        connection.last_success_at = moment
        assert readiness(connection) is Readiness.READY
        connection.locked_at = None
        assert readiness(connection) is Readiness.UNLOCKED
        connection.disabled_at = moment
        assert readiness(connection) is Readiness.DISABLED
