"""Endpoints: added for a connection or an API token, listed without secrets, removed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qwc_service.app import QwcApp
from qwc_service.connections.queries import ConnectionNotFound
from qwc_service.db import unit_of_work
from qwc_service.webhooks.endpoints import (
    ApiTokenNotFound,
    EndpointNotFound,
    InvalidWebhookUrl,
    add_endpoint,
    check_url,
    list_endpoints,
    remove_endpoint,
)
from qwc_service.webhooks.views import endpoint_view
from tests.factories import make_connection
from tests.webhooks.factories import emit, events, make_endpoint, make_token


def test_add_for_a_connection_and_for_a_token(app: QwcApp) -> None:
    """Each endpoint gets its own strong secret; listing shows both, never a secret."""
    connection_id = make_connection(app)
    token_id = make_token(app)
    first, secret_one = make_endpoint(app, "https://a.example/hook", connection_id=connection_id)
    second, secret_two = make_endpoint(app, "https://b.example/hook", token_id=token_id)
    assert secret_one != secret_two and secret_one.startswith("whsec_") and len(secret_one) > 40
    with unit_of_work(app.session_factory) as db:
        views = [endpoint_view(e) for e in list_endpoints(db)]
    assert [v["id"] for v in views] == [first, second]
    assert views[0]["connection_id"] == connection_id and views[1]["api_token_id"] == token_id
    assert all("secret" not in v for v in views)


@pytest.mark.parametrize(
    "url",
    ["ftp://x.example/", "/relative", "https://", "https://user:pw@x.example/", "x" * 10],
)
def test_urls_must_be_absolute_http_without_credentials(url: str) -> None:
    """Anything but an absolute http(s) URL without user info is refused."""
    with pytest.raises(InvalidWebhookUrl):
        check_url(url)


def test_scope_must_be_exactly_one_existing_owner(app: QwcApp) -> None:
    """Neither or both scopes, an unknown connection, or a revoked token are refused."""
    connection_id = make_connection(app)
    revoked = make_token(app, revoked_at=datetime(2026, 1, 1, tzinfo=UTC))
    with unit_of_work(app.session_factory) as db:
        with pytest.raises(ValueError, match="exactly one"):
            add_endpoint(db, "https://x.example/")
        with pytest.raises(ValueError, match="exactly one"):
            add_endpoint(db, "https://x.example/", connection_id=connection_id, api_token_id=1)
        with pytest.raises(ConnectionNotFound):
            add_endpoint(db, "https://x.example/", connection_id="nope")
        with pytest.raises(ApiTokenNotFound):
            add_endpoint(db, "https://x.example/", api_token_id=revoked)


def test_remove_stops_new_events_and_fails_pending_ones(app: QwcApp) -> None:
    """A removed endpoint keeps its history, gets no new events, and its backlog is failed."""
    connection_id = make_connection(app)
    endpoint_id, _ = make_endpoint(app, "https://a.example/hook", connection_id=connection_id)
    emit(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        remove_endpoint(db, endpoint_id)
    assert [e.status for e in events(app)] == ["failed"]
    assert emit(app, connection_id) == []
    with unit_of_work(app.session_factory) as db:
        assert list_endpoints(db) == []
        assert [e.id for e in list_endpoints(db, include_removed=True)] == [endpoint_id]
        with pytest.raises(EndpointNotFound):
            remove_endpoint(db, endpoint_id)
