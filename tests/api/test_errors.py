"""Errors: JSON with a stable code, the field at fault, the right status, and no internals."""

from __future__ import annotations

from typing import Any

import pytest

from qwc_service.api.app import ApiApp, build_api
from qwc_service.api.routing import Call, Operation
from qwc_service.app import QwcApp
from tests.api.client import ApiClient, call_wsgi
from tests.api.conftest import new_token
from tests.api.helpers import create_connection
from tests.factories import customer_query


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "missing_field", "name"),
        ({"name": ""}, "invalid_field", "name"),
        ({"name": "   "}, "invalid_field", "name"),
        ({"name": 7}, "invalid_field", "name"),
        ({"name": "A" * 201}, "invalid_field", "name"),
        ({"name": "A", "colour": "red"}, "unknown_field", "colour"),
        ({"name": "A", "company_file": 3}, "invalid_field", "company_file"),
        ({"name": "A", "timezone": "Mars/Olympus"}, "invalid_field", "timezone"),
    ],
)
def test_connection_body_errors_name_the_field(
    client: ApiClient, body: dict[str, Any], code: str, field: str
) -> None:
    """Each bad member of a create is a 400 with its code and the member's name."""
    reply = client.post("/api/connections", body)
    assert reply.status == 400
    assert (reply.error["code"], reply.error["field"]) == (code, field)
    assert client.get("/api/connections").data["data"] == []


def test_body_that_is_not_a_json_object(client: ApiClient) -> None:
    """Broken JSON, a JSON array, and a non-JSON media type are refused as such."""
    broken = client.request(
        "POST", "/api/connections", raw_body=b"{", headers={"Content-Type": "application/json"}
    )
    assert (broken.status, broken.error["code"]) == (400, "invalid_json")
    array = client.request("POST", "/api/connections", json_body=["name"])
    assert (array.status, array.error["code"]) == (400, "invalid_body")
    form = client.request(
        "POST",
        "/api/connections",
        raw_body=b"name=Acme",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (form.status, form.error["code"]) == (415, "unsupported_media_type")
    latin = client.request(
        "POST",
        "/api/connections",
        raw_body=b'{"name": "Acme"}',
        headers={"Content-Type": "application/json; charset=latin-1"},
    )
    assert latin.status == 415


def test_bodies_over_the_cap_are_refused(app: QwcApp) -> None:
    """A declared length over the cap is a 413 before reading; so is a longer body."""
    small = build_api(app.settings, app.session_factory, app.exchange.hashing, max_body_bytes=64)
    client = ApiClient(small, small, new_token(app))
    declared = client.request(
        "POST",
        "/api/connections",
        raw_body=b"",
        headers={"Content-Type": "application/json", "Content-Length": "100000000"},
    )
    assert (declared.status, declared.error["code"]) == (413, "body_too_large")
    long = client.post("/api/connections", {"name": "A" * 100})
    assert long.status == 413
    assert client.post("/api/connections", {"name": "A"}).status == 201


def test_unknown_paths_methods_and_parameters(client: ApiClient) -> None:
    """404 for no such path or id, 405 with Allow, 400 naming a bad query parameter."""
    cid = create_connection(client)
    assert client.get("/api/nothing").error["code"] == "not_found"
    assert client.get(f"/api/connections/{cid}/jobs/abc").status == 404
    widgets = client.get(f"/api/connections/{cid}/records/widgets")
    assert (widgets.status, widgets.error["code"]) == (404, "record_type_not_found")
    assert "CreditMemo" in widgets.error["message"]
    assert client.get("/api/connections/cnope").error["code"] == "connection_not_found"
    wrong = client.delete(f"/api/connections/{cid}")
    assert wrong.status == 405 and wrong.headers["allow"] == "GET, PATCH"
    for query, field in (
        ({"limit": 0}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"colour": 1}, "colour"),
    ):
        reply = client.get(f"/api/connections/{cid}/jobs", **query)
        assert reply.status == 400 and reply.error["field"] == field
    stamp = client.get(f"/api/connections/{cid}/records/customers", modified_since="2026-01-01")
    assert stamp.status == 400 and stamp.error["field"] == "modified_since"


def test_qbxml_and_schedule_errors(client: ApiClient) -> None:
    """Not qbXML, a DOCTYPE, a bad window or interval: 400s naming the field."""
    cid = create_connection(client)
    jobs = f"/api/connections/{cid}/jobs"
    for text in ("<QBXML/>", "not xml", '<!DOCTYPE x [<!ENTITY e "e">]>' + customer_query()):
        reply = client.post(jobs, {"qbxml": text})
        assert reply.status == 400
        assert (reply.error["code"], reply.error["field"]) == ("invalid_qbxml", "qbxml")
    big = client.post(jobs, {"qbxml": customer_query(), "priority": 10**9})
    assert big.status == 400 and big.error["field"] == "priority"
    schedules = f"/api/connections/{cid}/schedules/customers"
    for body, field in (
        ({"every_minutes": 0}, "every_minutes"),
        ({"every_minutes": 5, "window": "7pm-7am"}, "window"),
        ({"every_minutes": 5, "max_returned": 0}, "max_returned"),
        ({}, "every_minutes"),
    ):
        reply = client.put(schedules, body)
        assert reply.status == 400 and reply.error["field"] == field


def test_allow_names_only_the_routes_that_take_the_path(client: ApiClient) -> None:
    """A segment no route of a method can take is no path of it: not in Allow, else 404."""
    cid = create_connection(client)
    headers = {"Authorization": f"Bearer {client.token}"}
    pause = call_wsgi(client.app, "GET", f"/api/connections/{cid}/schedules/pause", headers=headers)
    assert pause.status == 405 and pause.headers["allow"] == "POST"
    for method, path in (
        ("DELETE", f"/api/connections/{cid}/schedules/bogus"),
        ("GET", "/api/connections/" + "c" * 40),
    ):
        reply = call_wsgi(client.app, method, path, headers=headers)
        assert reply.status == 404 and reply.error["code"] == "not_found", (method, path)
        assert "allow" not in reply.headers


def test_unexpected_failures_are_a_bare_500(app: QwcApp) -> None:
    """An exception no table knows is logged and answered without its message or a trace."""

    def explode(call: Call) -> Any:
        """Fail the way a bug would."""
        raise RuntimeError("password=hunter2 at /srv/secret.py line 3")

    route = Operation("GET", "/api/explode", explode, "Fail", "test", {"type": "object"})
    api = ApiApp(app.settings, app.session_factory, app.exchange.hashing, [route], {}, 1024)
    reply = call_wsgi(
        api, "GET", "/api/explode", headers={"Authorization": f"Bearer {new_token(app)}"}
    )
    assert reply.status == 500
    assert reply.data == {
        "error": {"code": "internal", "message": "the server could not process this request"}
    }
    assert b"hunter2" not in reply.body and b"Traceback" not in reply.body
