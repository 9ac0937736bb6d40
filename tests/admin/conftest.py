"""The server with its admin pages, an API token, and a browser signed in with it."""

from __future__ import annotations

import pytest

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.tokens.service import create_token
from tests.admin.browser import Browser


def new_token(app: QwcApp, name: str = "admin tests") -> str:
    """A fresh API token's secret."""
    with unit_of_work(app.session_factory) as db:
        return create_token(db, name).secret


@pytest.fixture
def token(app: QwcApp) -> str:
    """An API token to sign in with."""
    return new_token(app)


@pytest.fixture
def browser(app: QwcApp) -> Browser:
    """A browser that is not signed in."""
    return Browser(app)


@pytest.fixture
def signed_in(app: QwcApp, token: str) -> Browser:
    """A browser signed in to the admin pages."""
    browser = Browser(app)
    page = browser.post("/admin/login", {"token": token}, csrf=False)
    assert page.status == 303 and page.location == "/admin", page.text[:500]
    browser.follow(page)
    return browser
