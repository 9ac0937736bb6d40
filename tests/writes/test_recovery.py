"""Writes whose answer is lost, recovered through the message-set status check or the
lookup by the server's key, and never applied twice (the fake QuickBooks counts)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.simulator.quickbooks import Loss
from qwc_service.writes.models import WriteStatus
from qwc_service.writes.resolve import Resolution, resolve_write
from tests.writes.world import World, make_world


@pytest.fixture
def world(app: QwcApp, qbxml_schema: etree.XMLSchema) -> World:
    """A connection with one machine and a fake QuickBooks company."""
    return make_world(app, qbxml_schema)


def _named(world: World, name: str) -> int:
    return sum(1 for c in world.quickbooks.company.customers.values() if c.name == name)


def _first_request(world: World, machine: object = None) -> str:
    hand = world.hand(machine)  # type: ignore[arg-type]
    return hand.next_request(hand.login())


def test_answer_lost_after_the_write_is_recovered_by_the_status_check(world: World) -> None:
    """Applied, answer dropped: the next session's first set is the status check, and the
    stored answer completes the write without sending it again."""
    submitted = world.submit("CustomerAdd", {"Name": "Lost After"}, "k-after")
    world.quickbooks.faults.lose(Loss.AFTER_DROPPED, request="CustomerAdd")
    world.run()
    assert world.write(submitted.write.id).status == WriteStatus.SENT
    lost_id = world.write(submitted.write.id).message_set_id
    request = _first_request(world)
    messages = etree.fromstring(request.encode()).find("QBXMLMsgsRq")
    assert messages.get("oldMessageSetID") == messages.get("newMessageSetID") == lost_id
    assert len(messages) == 0
    world.run()
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE and (write.sends, write.probes) == (1, 2)
    assert json.loads(write.result or "{}")["Name"] == "Lost After"
    assert _named(world, "Lost After") == 1


def test_answer_lost_before_the_write_is_sent_again(world: World) -> None:
    """Never seen: QuickBooks has no record, the lookup finds nothing, it goes out again."""
    submitted = world.submit("CustomerAdd", {"Name": "Lost Before"}, "k-before")
    world.quickbooks.faults.lose(Loss.BEFORE_DROPPED, request="CustomerAdd")
    world.run()
    assert _named(world, "Lost Before") == 0
    world.run()
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE
    assert (write.sends, write.probes, write.lookups) == (2, 1, 1)
    assert _named(world, "Lost Before") == 1


@pytest.mark.parametrize("loss", [Loss.AFTER_ERROR, Loss.BEFORE_ERROR])
def test_a_reported_failure_is_an_unknown_outcome_recovered_at_once(
    world: World, loss: Loss
) -> None:
    """An HRESULT other than 0x80040400 says nothing certain: status check, then settled."""
    submitted = world.submit("CustomerAdd", {"Name": f"Reported {loss}"}, f"k-{loss}")
    world.quickbooks.faults.lose(loss, request="CustomerAdd")
    world.run()
    world.run()
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE and write.probes >= 1
    assert _named(world, f"Reported {loss}") == 1


def test_parse_error_fails_and_applies_nothing(world: World) -> None:
    """0x80040400: QuickBooks parsed nothing, so the write failed and can be fixed and resent."""
    submitted = world.submit("CustomerAdd", {"Name": "Parse Error"}, "k-parse")
    world.quickbooks.faults.lose(Loss.PARSE_ERROR, request="CustomerAdd")
    world.run()
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.FAILED and "Nothing was applied" in (write.error or "")
    assert _named(world, "Parse Error") == 0
    with unit_of_work(world.app.session_factory) as db:
        resolve_write(db, world.connection_id, write.job_id or 0, Resolution.RESEND)
    world.run()
    assert world.write(submitted.write.id).status == WriteStatus.DONE
    assert _named(world, "Parse Error") == 1


def test_another_machine_recovers_by_lookup(world: World) -> None:
    """Lost on machine A; machine B logs in first and finds the record by its ExternalGUID."""
    submitted = world.submit("CustomerAdd", {"Name": "Other Machine"}, "k-other")
    world.quickbooks.faults.lose(Loss.AFTER_DROPPED, request="CustomerAdd")
    world.run()
    world.expire_sessions()
    second = world.second_machine()
    request = _first_request(world, second)
    assert "<CustomerQueryRq" in request and "oldMessageSetID" not in request
    world.run(second)
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE and (write.sends, write.lookups) >= (1, 1)
    assert _named(world, "Other Machine") == 1


def test_a_mod_that_cannot_be_looked_up_ends_outcome_unknown(world: World) -> None:
    """A Mod lost before QuickBooks saw it, recovered from another machine: outcome unknown,
    until an operator sends it again."""
    customer = next(iter(world.quickbooks.company.customers.values()))
    fields = {
        "ListID": customer.list_id,
        "EditSequence": customer.edit_sequence,
        "Phone": "555-0199",
    }
    submitted = world.submit("CustomerMod", fields, "k-mod")
    world.quickbooks.faults.lose(Loss.BEFORE_DROPPED, request="CustomerMod")
    world.run()
    world.expire_sessions()
    world.run(world.second_machine())
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.OUTCOME_UNKNOWN and write.sends == 1
    assert customer.phone != "555-0199"
    with unit_of_work(world.app.session_factory) as db:
        resolve_write(db, world.connection_id, write.job_id or 0, Resolution.RESEND)
    world.run()
    assert world.write(submitted.write.id).status == WriteStatus.DONE
    assert customer.phone == "555-0199"


def test_record_in_use_is_retried_and_written_once(world: World) -> None:
    """3180 twice: the write goes out again (each time under a new ID) and lands once."""
    submitted = world.submit("CustomerAdd", {"Name": "Busy Record"}, "k-busy")
    world.quickbooks.faults.refuse(3180, request="CustomerAdd", times=2)
    for _ in range(3):
        world.run()
        with unit_of_work(world.app.session_factory) as db:
            from qwc_service.queue.models import Job

            job = db.get(Job, submitted.write.job_id)
            assert job is not None
            job.not_before = None
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE and write.sends == 3
    assert _named(world, "Busy Record") == 1


def test_a_refusal_ends_the_write_with_the_code_and_what_to_do(world: World) -> None:
    """3250 (a feature switched off) fails the write with its explanation; nothing applied."""
    submitted = world.submit("CustomerAdd", {"Name": "Feature Off"}, "k-3250")
    world.quickbooks.faults.disable("CustomerAdd")
    world.run()
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.FAILED and write.status_code == 3250
    assert (write.error or "").startswith("3250:") and "Fix:" in (write.error or "")
    assert _named(world, "Feature Off") == 0
