"""Signing in with an API token, the cookie, CSRF, signing out and the headers of every page."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from qwc_service.admin.app import build_admin
from qwc_service.admin.models import AdminSignIn
from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.config import Settings
from qwc_service.connections import service
from qwc_service.db import unit_of_work
from qwc_service.serving import ServerProcess
from qwc_service.tokens.service import revoke_token
from tests.admin.browser import Browser
from tests.admin.conftest import new_token


def _connection_count(app: QwcApp) -> int:
    with unit_of_work(app.session_factory) as db:
        return len(service.list_connections(db))


def test_signed_out_browser_is_sent_to_sign_in(browser: Browser) -> None:
    """Every page but sign-in, known or not, GET or POST, redirects to /admin/login."""
    for method, path in [
        ("GET", "/admin"),
        ("GET", "/admin/"),
        ("GET", "/admin/connections/cxxxxxxxxxxxxxxxx"),
        ("GET", "/admin/no/such/page"),
        ("POST", "/admin/connections"),
        ("POST", "/admin/logout"),
    ]:
        page = browser.get(path) if method == "GET" else browser.post(path, {"name": "x"})
        assert (page.status, page.location) == (303, "/admin/login"), (method, path)


def test_sign_in_sets_a_strict_http_only_cookie(browser: Browser, token: str) -> None:
    """A valid token gives a cookie scoped to /admin that scripts and other sites cannot use."""
    login = browser.get("/admin/login")
    assert login.status == 200 and login.element("token").get("type") == "password"
    page = browser.post("/admin/login", {"token": f"  {token}\n"}, csrf=False)
    assert (page.status, page.location) == (303, "/admin")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("qwc_admin=")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age=43200"):
        assert flag in cookie
    assert "Secure" not in cookie  # the test server's public URL is http
    assert token not in cookie
    home = browser.follow(page)
    assert home.status == 200 and "New connection" in home.text
    assert browser.get("/admin/login").location == "/admin"


def test_cookie_is_secure_behind_https(app: QwcApp, token: str) -> None:
    """With an https public URL the cookie is sent over https only."""
    settings = app.settings.with_overrides(public_url="https://qbwc.example.com")
    admin = Browser(build_admin(settings, app.session_factory, app.hashing))
    page = admin.post("/admin/login", {"token": token}, csrf=False)
    assert page.status == 303 and "; Secure" in page.headers["set-cookie"]


def test_wrong_token_shows_the_form_again(app: QwcApp, browser: Browser) -> None:
    """Unknown, malformed, revoked and empty tokens get the same refusal and no cookie."""
    revoked = new_token(app)
    with unit_of_work(app.session_factory) as db:
        revoke_token(db, revoked)
    answers = set()
    for token in ["qwc_" + "A" * 43, "not a token", revoked, "", "x" * 70_000]:
        page = browser.post("/admin/login", {"token": token}, csrf=False)
        if len(token) > 65_536:
            assert page.status == 413
            continue
        assert page.status == 401 and "set-cookie" not in page.headers
        answers.add(page.text_of("login-refused"))
        assert page.element("token") is not None
    assert len(answers) == 1
    assert browser.cookies == {}


def test_post_without_the_right_csrf_value_is_refused(app: QwcApp, signed_in: Browser) -> None:
    """A form without its CSRF value, or with another browser's, is a 403 and changes nothing."""
    other = Browser(app)
    other.post("/admin/login", {"token": new_token(app)}, csrf=False)
    other.get("/admin")
    assert other.csrf is not None and other.csrf != signed_in.csrf
    for form in [
        {"name": "Forged"},
        {"name": "Forged", "csrf": ""},
        {"name": "Forged", "csrf": other.csrf},
    ]:
        page = signed_in.post("/admin/connections", form, csrf=False)
        assert page.status == 403, form
        assert "did not come from these pages" in page.text_of("error-message")
    assert _connection_count(app) == 0
    assert signed_in.post("/admin/logout", {}, csrf=False).status == 403


def test_sign_out_ends_the_session(app: QwcApp, signed_in: Browser) -> None:
    """After signing out the old cookie opens nothing, even if the browser kept it."""
    cookie = dict(signed_in.cookies)
    page = signed_in.post("/admin/logout", {})
    assert (page.status, page.location) == (303, "/admin/login")
    assert "Max-Age=0" in page.headers["set-cookie"]
    assert signed_in.cookies == {}
    signed_in.cookies.update(cookie)
    assert signed_in.get("/admin").location == "/admin/login"


def test_revoked_token_ends_admin_sessions(app: QwcApp, token: str, signed_in: Browser) -> None:
    """Revoking the API token signs out every browser that signed in with it."""
    assert signed_in.get("/admin").status == 200
    with unit_of_work(app.session_factory) as db:
        revoke_token(db, token)
    assert signed_in.get("/admin").location == "/admin/login"
    assert signed_in.post("/admin/connections", {"name": "Late"}).location == "/admin/login"
    assert _connection_count(app) == 0


def test_expired_session_signs_out(app: QwcApp, signed_in: Browser) -> None:
    """A session past its hours opens nothing."""
    with unit_of_work(app.session_factory) as db:
        for row in db.scalars(select(AdminSignIn)):
            row.expires_at = utcnow()
    assert signed_in.get("/admin").location == "/admin/login"


def test_every_reply_carries_the_safety_headers(browser: Browser, signed_in: Browser) -> None:
    """Pages, redirects and error pages are not stored, not framed, and run no stray script."""
    replies = [
        browser.get("/admin"),
        browser.get("/admin/login"),
        signed_in.get("/admin"),
        signed_in.get("/admin/no-such-page"),
        signed_in.post("/admin/connections", {"name": "x"}, csrf=False),
    ]
    for page in replies:
        headers = page.headers
        assert headers["cache-control"] == "no-store"
        assert headers["x-frame-options"] == "DENY"
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert (
            "script-src 'nonce-" in policy
            and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
        )
    assert replies[3].status == 404


def test_forms_must_be_urlencoded_and_small(signed_in: Browser) -> None:
    """Another media type is a 415; a body over 64 KB is a 413 before it is read."""
    reply = signed_in._request(
        "POST", "/admin/connections", b'{"name": "x"}', {"Content-Type": "application/json"}
    )
    assert reply.status == 415
    big = signed_in.post("/admin/connections", {"name": "x" * 70_000})
    assert big.status == 413


@pytest.mark.gunicorn
def test_sign_in_over_http(app: QwcApp, settings: Settings, tmp_path: Path) -> None:
    """Through gunicorn: sign in, the cookie opens the connections page, a made-up one does not."""
    token = new_token(app)
    with ServerProcess(settings, workers=1, log_path=tmp_path / "gunicorn.log") as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        body = urlencode({"token": token})
        conn.request(
            "POST",
            "/admin/login",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        reply = conn.getresponse()
        reply.read()
        assert reply.status == 303 and reply.getheader("Location") == "/admin"
        cookie = (reply.getheader("Set-Cookie") or "").split(";", 1)[0]
        conn.request("GET", "/admin", headers={"Cookie": cookie})
        page = conn.getresponse()
        assert page.status == 200 and b"New connection" in page.read()
        conn.request("GET", "/admin", headers={"Cookie": "qwc_admin=made-up"})
        refused = conn.getresponse()
        refused.read()
        assert refused.status == 303 and refused.getheader("Location") == "/admin/login"
        conn.close()
