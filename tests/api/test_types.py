"""``GET /api/types``: every object of the registry, with what it supports."""

from __future__ import annotations

from qwc_service.qbxml.objects.registry import all_objects
from tests.api.client import ApiClient


def test_types_lists_every_registry_object(client: ApiClient) -> None:
    """Each object of the registry is listed once, in registry order, as the document says."""
    reply = client.get("/api/types")
    assert reply.status == 200
    names = [row["name"] for row in reply.data["data"]]
    assert names == [spec.name for spec in all_objects()]
    assert [row["plural"] for row in reply.data["data"]] == [s.plural for s in all_objects()]


def test_types_say_how_each_is_read(client: ApiClient) -> None:
    """A list, a transaction, an item kind and a singleton each report their own facts."""
    rows = {row["name"]: row for row in client.get("/api/types").data["data"]}
    invoice = rows["Invoice"]
    assert invoice["category"] == "transaction" and invoice["identity"] == "TxnID"
    assert invoice["iterator"] is True
    assert invoice["incremental"] == "ModifiedDateRangeFilter/FromModifiedDate"
    assert invoice["deletions"] == "TxnDeletedQueryRq" and invoice["deleted_types"] == ["Invoice"]
    assert invoice["custom_fields"] is True and "InvoiceLineRet" in invoice["lines"]
    assert invoice["syncable"] is True
    customer = rows["Customer"]
    assert (customer["identity"], customer["incremental"]) == ("ListID", "FromModifiedDate")
    service = rows["ItemService"]
    assert service["category"] == "item_kind" and service["stored_under"] == "Item"
    assert service["query"] == "ItemServiceQueryRq"  # the query a sync of the kind sends
    assert "ItemService" in rows["Item"]["kinds"]
    company = rows["Company"]
    assert company["category"] == "singleton" and company["identity"] is None
    assert company["iterator"] is False and company["incremental"] is None
    assert company["deletions"] is None and company["deleted_types"] == []


def test_types_need_a_token(anonymous: ApiClient) -> None:
    """Like every operation but the document, the types need an API token."""
    assert anonymous.get("/api/types").status == 401
