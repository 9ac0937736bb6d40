"""Bearer tokens: every route but the OpenAPI document needs a live one, and says nothing else."""

from __future__ import annotations

import json
import re
from typing import Any

import click
import pytest
from click.testing import CliRunner

from qwc_service.api.app import ApiApp
from qwc_service.app import QwcApp
from qwc_service.cli import tokens as tokens_cli
from qwc_service.cli.common import CliContext
from qwc_service.db import unit_of_work
from qwc_service.tokens.service import authenticate, create_token, hash_token, revoke_token
from tests.api.client import ApiClient, Reply
from tests.api.conftest import new_token
from tests.api.helpers import add_computer, create_connection

SAMPLE_PARAMS = {
    "job_id": "1",
    "payment_id": "1",
    "record_type": "customers",
    "record_id": "80000001-1234567890",
    "webhook_id": "1",
}


def _concrete_paths(api_app: ApiApp, connection_id: str, username: str) -> list[tuple[str, str]]:
    values = {**SAMPLE_PARAMS, "connection_id": connection_id, "username": username}
    return [
        (route.method, re.sub(r"{(\w+)}", lambda m: values[m.group(1)], route.path))
        for route in api_app.router.routes
        if not route.public
    ]


def _assert_refused(reply: Reply, first: Reply) -> None:
    assert reply.status == 401
    assert reply.body == first.body
    assert reply.headers["www-authenticate"] == 'Bearer realm="api"'
    assert reply.error["code"] == "unauthorized"


def test_every_route_refuses_requests_without_a_valid_token(
    app: QwcApp, client: ApiClient, api_app: ApiApp
) -> None:
    """No token, another scheme, a malformed, unknown or revoked token: the same bare 401."""
    connection_id = create_connection(client)
    username = add_computer(client, connection_id, "PC").username
    revoked = new_token(app, "soon revoked")
    with unit_of_work(app.session_factory) as db:
        revoke_token(db, revoked[:12])
    unknown = "qwc_" + "A" * 43
    variants: list[tuple[str | None, dict[str, str]]] = [
        (None, {}),
        (None, {"Authorization": f"Basic {client.token}"}),
        (None, {"Authorization": "Bearer"}),
        (None, {"Authorization": "Bearer not-a-token"}),
        (unknown, {}),
        (revoked, {}),
    ]
    paths = _concrete_paths(api_app, connection_id, username)
    assert len(paths) == len(api_app.router.routes) - 1
    first = client.with_token(None).get("/api/connections")
    for method, path in [*paths, ("GET", "/api/no-such-thing"), ("DELETE", "/api/connections")]:
        for token, headers in variants:
            reply = client.with_token(token).request(
                method, path, json_body={} if method != "GET" else None, headers=headers
            )
            _assert_refused(reply, first)
    # The token itself still works, so the refusals above were about the tokens.
    assert client.get("/api/connections").status == 200


def test_openapi_document_needs_no_token(anonymous: ApiClient) -> None:
    """GET /api/openapi.json is public; it holds no customer data."""
    reply = anonymous.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.data["openapi"].startswith("3.1")


def test_revoked_token_stops_working_at_once(app: QwcApp, anonymous: ApiClient) -> None:
    """A token works, is revoked, and the next request with it gets 401."""
    token = new_token(app)
    client = anonymous.with_token(token)
    assert client.get("/api/connections").status == 200
    with unit_of_work(app.session_factory) as db:
        revoke_token(db, token)
    assert client.get("/api/connections").status == 401


def test_tokens_are_random_stored_hashed_and_record_their_use(app: QwcApp) -> None:
    """256-bit URL-safe secrets, only their SHA-256 stored, last use recorded."""
    with unit_of_work(app.session_factory) as db:
        one = create_token(db, "one")
        two = create_token(db, "two")
    assert re.fullmatch(r"qwc_[A-Za-z0-9_-]{43}", one.secret)
    assert one.secret != two.secret
    assert one.token.token_hash == hash_token(one.secret) != one.secret
    assert one.token.prefix == one.secret[:12]
    with unit_of_work(app.session_factory) as db:
        found = authenticate(db, f"Bearer {one.secret}")
        assert found is not None and found.id == one.token.id
        assert found.last_used_at is not None
        assert authenticate(db, f"bearer {one.secret}") is not None
        assert authenticate(db, f"Bearer {one.secret}x") is None


@pytest.fixture
def token_cli(app: QwcApp) -> Any:
    """Run ``qwc-service token …`` against this test's database."""
    group = click.Group()
    tokens_cli.register(group)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Any:
        result = runner.invoke(group, ["token", *args], obj=CliContext(app.settings))
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    return invoke


def test_token_commands_create_list_and_revoke(token_cli: Any, anonymous: ApiClient) -> None:
    """create prints the token once, list shows prefixes only, revoke by prefix ends it."""
    created = json.loads(token_cli("create", "--name", "billing app", "--json").stdout)
    secret = created["token"]
    assert created["prefix"] == secret[:12] and created["name"] == "billing app"
    client = anonymous.with_token(secret)
    assert client.get("/api/connections").status == 200

    listed = token_cli("list", "--json").stdout
    assert secret not in listed
    rows = json.loads(listed)
    assert [(r["token_id"], r["prefix"]) for r in rows] == [(created["token_id"], secret[:12])]
    assert rows[0]["last_used_at"] is not None
    assert created["prefix"] in token_cli("list").stdout

    revoked = json.loads(token_cli("revoke", secret[:10], "--json").stdout)
    assert revoked["revoked_at"] is not None
    assert client.get("/api/connections").status == 401
    missing = token_cli("revoke", "999", ok=False)
    assert missing.exit_code == 1 and "no API token" in missing.stderr


def test_token_revoke_refuses_an_ambiguous_prefix(token_cli: Any) -> None:
    """Two tokens share the prefix 'qwc_': revoking by it names neither."""
    token_cli("create", "--name", "a")
    token_cli("create", "--name", "b")
    result = token_cli("revoke", "qwc_", ok=False)
    assert result.exit_code == 1 and "2 API tokens start with" in result.stderr
