"""The server with its JSON API, and clients holding a live API token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from qwc_service.api.app import ApiApp, build_api
from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.tokens.service import create_token
from tests.api.client import ApiClient


class Mounted:
    """The server's routes with the API answering every path under /api."""

    def __init__(self, app: QwcApp, api: ApiApp) -> None:
        self.app = app
        self.api = api

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/api" or path.startswith("/api/"):
            return self.api(environ, start_response)
        return self.app(environ, start_response)


@pytest.fixture
def api_app(app: QwcApp) -> ApiApp:
    """The API as the composition root builds it (or as build_api does, until it is mounted)."""
    mounted = app.mounted("/api")
    if isinstance(mounted, ApiApp):
        return mounted
    return build_api(app.settings, app.session_factory, app.exchange.hashing)


@pytest.fixture
def server(app: QwcApp, api_app: ApiApp) -> Any:
    """One WSGI application answering /qbwc, /support, /health and /api."""
    if app.mounted("/api") is api_app:
        return app
    return Mounted(app, api_app)


def new_token(app: QwcApp, name: str = "tests") -> str:
    """A fresh API token's secret."""
    with unit_of_work(app.session_factory) as db:
        return create_token(db, name).secret


@pytest.fixture
def anonymous(server: Any, api_app: ApiApp) -> ApiClient:
    """A client that sends no token."""
    return ApiClient(server, api_app)


@pytest.fixture
def client(app: QwcApp, anonymous: ApiClient) -> ApiClient:
    """A client with a live token."""
    return anonymous.with_token(new_token(app))
