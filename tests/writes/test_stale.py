"""A Mod whose EditSequence went stale (3200): re-read, merge the caller's fields and retry
once, or report a conflict with both values and overwrite nothing."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.records.models import StoredRecord
from qwc_service.simulator.quickbooks.records import Customer as FakeCustomer
from qwc_service.writes.models import WriteStatus
from qwc_service.writes.shapes import InvalidWrite, field_of
from tests.writes.world import World, make_world


@pytest.fixture
def world(app: QwcApp, qbxml_schema: etree.XMLSchema) -> World:
    """A connection with one machine and a fake QuickBooks company."""
    return make_world(app, qbxml_schema)


def _stored(world: World) -> FakeCustomer:
    """A customer of the fake company, stored as synced (EditSequence and phone)."""
    customer = next(iter(world.quickbooks.company.customers.values()))
    with unit_of_work(world.app.session_factory) as db:
        document = {
            "ListID": customer.list_id,
            "EditSequence": customer.edit_sequence,
            "Name": customer.name,
            "FullName": customer.full_name,
            "Phone": customer.phone,
            "Email": customer.email,
        }
        db.add(
            StoredRecord(
                connection_id=world.connection_id,
                record_type="Customer",
                object_name="Customer",
                qb_id=customer.list_id,
                name=customer.name,
                full_name=customer.full_name,
                edit_sequence=customer.edit_sequence,
                document={k: v for k, v in document.items() if v is not None},
            )
        )
    return customer


def test_the_stored_edit_sequence_is_used_when_the_caller_gives_none(world: World) -> None:
    """Without EditSequence the stored record's goes out, and the Mod lands."""
    customer = _stored(world)
    submitted = world.submit("CustomerMod", {"ListID": customer.list_id, "Phone": "555-1"}, "m0")
    fields = json.loads(submitted.write.fields)
    assert list(fields) == ["ListID", "EditSequence", "Phone"]
    world.run()
    assert world.write(submitted.write.id).status == WriteStatus.DONE
    assert customer.phone == "555-1"


def test_a_mod_without_any_edit_sequence_is_refused(world: World) -> None:
    """No EditSequence and no stored record: refused before queuing, naming the field."""
    with pytest.raises(InvalidWrite) as refused:
        world.submit("CustomerMod", {"ListID": "80000099-1", "Phone": "555-2"}, "m1")
    assert field_of(refused.value) == "EditSequence"


def test_stale_edit_sequence_merges_and_retries(world: World) -> None:
    """Someone else changed another field: the caller's field is re-applied on top, once."""
    customer = _stored(world)
    submitted = world.submit("CustomerMod", {"ListID": customer.list_id, "Phone": "555-3"}, "m2")
    world.quickbooks.company.update_customer(customer.list_id, email="new@example.com")
    world.run()
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.DONE and write.sends == 2
    assert customer.phone == "555-3" and customer.email == "new@example.com"


def test_stale_edit_sequence_on_the_same_field_is_a_conflict(world: World) -> None:
    """Someone else changed the same field: a conflict with both values; nothing overwritten."""
    customer = _stored(world)
    submitted = world.submit("CustomerMod", {"ListID": customer.list_id, "Phone": "555-4"}, "m3")
    world.quickbooks.company.update_customer(customer.list_id, phone="555-9999")
    world.run()
    write = world.write(submitted.write.id)
    assert write.status == WriteStatus.CONFLICT and write.sends == 1
    assert json.loads(write.conflict or "{}") == {
        "Phone": {"requested": "555-4", "in_quickbooks": "555-9999"}
    }
    assert customer.phone == "555-9999"


def test_adding_a_fee_line_keeps_every_stored_line(world: World) -> None:
    """An InvoiceMod that adds a line carries every stored line's TxnLineID, so none is lost."""
    from sqlalchemy import select

    invoice = next(i for i in world.quickbooks.company.invoices.values() if len(i.lines) > 1)
    with unit_of_work(world.app.session_factory) as db:
        stored = db.scalar(
            select(StoredRecord).where(
                StoredRecord.record_type == "Invoice", StoredRecord.qb_id == invoice.txn_id
            )
        )
        assert stored is not None
        stored.edit_sequence = invoice.edit_sequence
        lines = [{"TxnLineID": line.txn_line_id} for line in invoice.lines]
        stored.document = {
            **stored.document,
            "EditSequence": invoice.edit_sequence,
            "InvoiceLineRet": lines,
        }
    item = next(iter(world.quickbooks.company.items.values()))
    fee = {"TxnLineID": "-1", "ItemRef": {"ListID": item.list_id}, "Amount": "2.50"}
    submitted = world.submit(
        "InvoiceMod", {"TxnID": invoice.txn_id, "InvoiceLineMod": [fee]}, "fee-1"
    )
    sent = json.loads(submitted.write.fields)["InvoiceLineMod"]
    assert [line["TxnLineID"] for line in sent] == [
        *(line.txn_line_id for line in invoice.lines),
        "-1",
    ]
    before = len(invoice.lines)
    world.run()
    assert world.write(submitted.write.id).status == WriteStatus.DONE
    assert len(invoice.lines) == before + 1
