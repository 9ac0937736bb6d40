"""Write jobs end to end in one process: the real app, the simulated Web Connector and the
fake QuickBooks. Each test ends by counting what landed in the fake company."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.queue.models import JobStatus
from qwc_service.writes.models import WriteStatus
from tests.writes.world import World, make_world


@pytest.fixture
def world(app: QwcApp, qbxml_schema: etree.XMLSchema) -> World:
    """A connection with one machine and a fake QuickBooks company."""
    return make_world(app, qbxml_schema)


def _customers_named(world: World, name: str) -> list[object]:
    return [c for c in world.quickbooks.company.customers.values() if c.name == name]


def test_customer_add_is_written_once_with_its_result(world: World) -> None:
    """A CustomerAdd goes out under a message-set ID and its Ret becomes the job's result."""
    submitted = world.submit("CustomerAdd", {"Name": "Ada Lovelace", "Phone": "555-0100"}, "c1")
    assert submitted.created
    assert world.run() == "completed"
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE
    assert write.message_set_id and len(write.message_set_id) <= 23
    result = json.loads(write.result or "{}")
    assert result["Name"] == "Ada Lovelace" and write.qb_id == result["ListID"]
    assert world.job(write.job_id).status == JobStatus.DONE
    assert len(_customers_named(world, "Ada Lovelace")) == 1


def test_the_request_carries_a_new_message_set_id_and_an_external_guid(world: World) -> None:
    """The set handed out names the write's ID; the Add carries the server's ExternalGUID."""
    submitted = world.submit("CustomerAdd", {"Name": "Grace Hopper"}, "c2")
    hand = world.hand()
    request = hand.next_request(hand.login())
    root = etree.fromstring(request.encode())
    messages = root.find("QBXMLMsgsRq")
    write = world.write(submitted.write.id)
    assert messages.get("newMessageSetID") == write.message_set_id
    assert root.findtext(".//ExternalGUID") == write.external_guid
    assert write.status == WriteStatus.SENT


def test_same_key_same_fields_returns_the_first_write(world: World) -> None:
    """The same key and fields make one write and one job."""
    first = world.submit("CustomerAdd", {"Name": "Alan Turing"}, "same")
    second = world.submit("CustomerAdd", {"Name": "Alan Turing"}, "same")
    assert not second.created and second.write.id == first.write.id
    assert world.run() == "completed"
    assert len(_customers_named(world, "Alan Turing")) == 1


def test_an_added_customer_is_stored_at_once(world: World) -> None:
    """The CustomerRet of a finished CustomerAdd is stored as a sync would store it."""
    from sqlalchemy import select

    from qwc_service.db import unit_of_work
    from qwc_service.records.models import StoredRecord

    submitted = world.submit("CustomerAdd", {"Name": "Stored At Once"}, "stored")
    world.run()
    list_id = world.write(submitted.write.id).qb_id
    with unit_of_work(world.app.session_factory) as db:
        stored = db.scalar(
            select(StoredRecord).where(
                StoredRecord.record_type == "Customer", StoredRecord.qb_id == list_id
            )
        )
        assert stored is not None and stored.name == "Stored At Once"
        assert stored.document["Name"] == "Stored At Once"
