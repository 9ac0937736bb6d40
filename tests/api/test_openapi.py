"""The OpenAPI document matches the router, and real replies match the document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from qwc_service.api.app import ApiApp
from qwc_service.qbxml.objects.registry import all_objects
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient
from tests.api.helpers import add_computer, create_connection, run_session
from tests.factories import customer_query

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_document_and_router_list_the_same_operations(
    api_app: ApiApp, anonymous: ApiClient
) -> None:
    """Every route is in the served document and every documented operation is a route or
    one record type's copy of a records route."""
    served = anonymous.get("/api/openapi.json").data
    assert served == api_app.document
    routes = {(r.method, r.path) for r in api_app.router.routes}
    typed = {
        (method, path.replace("/records/{record_type}", f"/records/{spec.plural}"))
        for method, path in routes
        if "/records/{record_type}" in path
        for spec in all_objects()
    }
    assert len(typed) == 2 * len(all_objects())
    assert _operations(served) == routes | typed
    ids = [op["operationId"] for item in served["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for route in api_app.router.routes:
        operation = served["paths"][route.path][route.method.lower()]
        if "/records/{record_type}" in route.path:
            continue  # see test_each_record_type_has_its_paths_and_schemas
        names = [(p["name"], p["in"]) for p in operation.get("parameters", [])]
        assert names == [(p.name, "path") for p in route.params] + [
            (q.name, "query") for q in route.query
        ]
        assert ("requestBody" in operation) == (route.body is not None)
        assert str(route.status) in operation["responses"]
        if not route.public:
            assert "401" in operation["responses"]


def test_every_schema_is_valid_and_every_reference_resolves(api_app: ApiApp) -> None:
    """Component, parameter and body schemas are JSON Schema 2020-12; no $ref dangles."""
    document = api_app.document
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    registry: Registry[Any] = Registry().with_resource(
        "urn:doc", DRAFT202012.create_resource(document)
    )
    resolver = registry.resolver(base_uri="urn:doc")

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                resolver.lookup(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                Draft202012Validator.check_schema(parameter["schema"])
            if "requestBody" in operation:
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                Draft202012Validator.check_schema(body)


def test_every_route_answers_as_documented(client: ApiClient, server: Any, api_app: ApiApp) -> None:
    """A run that calls every operation successfully; each reply validated against the document."""
    cid = create_connection(client, "Acme", timezone="America/Chicago")
    base = f"/api/connections/{cid}"
    assert client.get("/api/openapi.json").status == 200
    assert client.get("/api/connections").status == 200
    assert client.patch(base, {"company_file": None, "name": "Acme Inc"}).status == 200
    assert client.get(base).data["timezone"] == "America/Chicago"
    computer = add_computer(client, cid, "PC")
    spare = add_computer(client, cid, "Spare PC")
    assert client.get(f"{base}/machines").status == 200
    assert client.get(f"{base}/machines/{spare.username}").status == 200
    assert client.post(f"{base}/machines/{spare.username}/reset-password").status == 200
    assert client.post(f"{base}/machines/{spare.username}/setup-link").status == 201
    assert client.delete(f"{base}/machines/{spare.username}/setup-link").status == 200
    assert client.post(f"{base}/machines/{spare.username}/revoke").status == 200

    assert client.put(f"{base}/schedules/customers", {"every_minutes": 30}).status == 201
    assert client.put(f"{base}/schedules/invoices", {"every_minutes": 30}).status == 201
    assert client.put(f"{base}/schedules/payments", {"every_minutes": 30}).status == 201
    assert client.put(f"{base}/schedules/items", {"every_minutes": 5}).status == 201
    assert client.put(f"{base}/schedules/items", {"every_minutes": 50}).status == 200
    job = client.post(f"{base}/jobs", {"qbxml": customer_query()}).data["job"]["job_id"]
    quickbooks = FakeQuickBooks(generate_company(customers=4, invoices=5, payments=2))
    assert run_session(server, computer, quickbooks).outcome == "completed"

    assert client.get(f"{base}/jobs/{job}").data["status"] == "done"
    queued = client.post(f"{base}/jobs", {"qbxml": customer_query()}).data["job"]["job_id"]
    assert client.post(f"{base}/jobs/{queued}/cancel").status == 200
    assert client.post(f"{base}/jobs/{queued}/retry").status == 201
    assert client.get(f"{base}/jobs", status="done").status == 200

    invoices = client.get(f"{base}/records/invoices", limit=50).data["data"]
    for record_type in ("customers", "items", "payments"):
        page = client.get(f"{base}/records/{record_type}", include_deleted=True)
        assert page.status == 200 and page.data["data"], record_type
        one = page.data["data"][0]["id"]
        assert client.get(f"{base}/records/{record_type}/{one}").status == 200
    unpaid = next(i for i in invoices if i["data"]["IsPaid"] == "false")
    payment = {"invoice_txn_id": unpaid["id"], "amount": "1.00", "idempotency_key": "p1"}
    assert client.post(f"{base}/payments", payment).status == 201
    payout = {"payments": ["1-1"], "bank": "Checking", "fee": "0.10"}
    payout.update(fee_account="Fees", idempotency_key="po1")
    assert client.post(f"{base}/payouts", payout).status == 201
    customer = client.get(f"{base}/records/customers").data["data"][0]
    item = client.get(f"{base}/records/items").data["data"][0]
    credit = {
        "customer": customer["data"]["FullName"],
        "item": item["data"]["FullName"],
        "amount": "2.00",
    }
    assert client.post(f"{base}/credits", {**credit, "idempotency_key": "cr1"}).status == 201
    refund = {"credit_txn_id": "2-2", "amount": "1.00", "account": "Checking"}
    refund.update(customer=customer["data"]["FullName"], idempotency_key="rf1")
    assert client.post(f"{base}/refunds", refund).status == 201
    upsert = {"fields": {"Name": "Upserted Co"}, "idempotency_key": "up1"}
    assert client.post(f"{base}/customers/upsert", upsert).status == 201
    taken = customer["data"]["Name"]
    body = {"request": "CustomerAdd", "fields": {"Name": taken}, "idempotency_key": "dup"}
    write_job = client.post(f"{base}/writes", body).data["job_id"]
    assert run_session(server, computer, quickbooks).outcome == "completed"
    assert client.get(f"{base}/jobs/{write_job}").data["status"] == "failed"  # 3100
    resent = client.post(f"{base}/jobs/{write_job}/resolve", {"action": "resend"}).data
    assert resent["status"] == "queued"

    assert client.get(f"{base}/schedules").status == 200
    assert client.get(f"{base}/schedules/items").status == 200
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat(timespec="seconds")
    paused = client.post(f"{base}/schedules/pause", {"until": until, "type": "items"}).data
    assert paused["types"] == ["items"]
    assert client.post(f"{base}/schedules/run", {"type": "customers"}).status == 200
    assert client.delete(f"{base}/schedules/items").status == 200

    assert client.get(f"{base}/health").status == 200
    assert client.get("/api/types").status == 200
    assert client.post(f"{base}/install-link", {"max_installs": 3}).status == 201
    assert client.get(base).data["install_link"]["state"] == "active"
    assert client.delete(f"{base}/install-link").status == 200
    assert client.get(f"{base}/events", limit=5).status == 200
    assert client.post(f"{base}/disable").status == 200
    assert client.post(f"{base}/enable").status == 200
    hook = client.post("/api/webhooks", {"url": "https://app.example.com/hook"}).data
    assert client.get("/api/webhooks").status == 200
    assert client.get(f"/api/webhooks/{hook['webhook_id']}").status == 200
    assert client.get(f"/api/webhooks/{hook['webhook_id']}/events").status == 200
    assert client.delete(f"/api/webhooks/{hook['webhook_id']}").status == 200

    called = {(method, path) for method, path, status in client.checked if status < 300}
    missing = {(r.method, r.path) for r in api_app.router.routes} - called
    assert not missing, f"operations never called successfully: {sorted(missing)}"


def test_each_record_type_has_its_paths_and_schemas(api_app: ApiApp) -> None:
    """Each registry object has its records paths answering its own typed record and page,
    whose data is that object's document schema."""
    document = api_app.document
    schemas = document["components"]["schemas"]
    generic = sorted(r.path for r in api_app.router.routes if "/records/{record_type}" in r.path)
    listed_path, one_path = generic  # the page of a type, then one record
    for spec in all_objects():
        listed = document["paths"][listed_path.replace("{record_type}", spec.plural)]["get"]
        one = document["paths"][one_path.replace("{record_type}", spec.plural)]["get"]
        assert "record_type" not in {p["name"] for p in listed["parameters"] + one["parameters"]}
        assert listed["operationId"].endswith(spec.plural)
        page = listed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        record = one["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert page == f"#/components/schemas/{spec.name}RecordPage"
        assert record == f"#/components/schemas/{spec.name}Record"
        items = schemas[f"{spec.name}RecordPage"]["properties"]["data"]["items"]
        assert items == {"$ref": record}
        assert schemas[f"{spec.name}Document"]
        if spec.kinds:
            kinds = schemas[f"{spec.name}Record"]["anyOf"]
            assert kinds == [{"$ref": f"#/components/schemas/{k}Record"} for k in spec.kinds]
            continue
        typed = schemas[f"{spec.name}Record"]["allOf"][1]["properties"]
        assert typed["type"] == {"const": spec.name}
        assert typed["data"] == {"$ref": f"#/components/schemas/{spec.name}Document"}
