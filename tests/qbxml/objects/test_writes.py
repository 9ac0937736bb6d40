"""The write registry: every Add, Mod, void and delete the schema has, looked up by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwc_service.qbxml.objects import names
from qwc_service.qbxml.objects.schema import SchemaReader
from qwc_service.qbxml.objects.specs import ValueType
from qwc_service.qbxml.objects.writes import (
    all_writes,
    can_delete,
    can_void,
    write_spec,
    writes_for,
)
from qwc_service.qbxml.objects.writespecs import Group, GroupKind, WriteKind


def test_every_add_and_mod_of_a_registry_object_is_there(qbxml_schema_dir: Path) -> None:
    """Each AddRq and ModRq the schema has for a registry object has a spec, and no other."""
    requests = SchemaReader(qbxml_schema_dir).message_names("Rq")
    expected = {
        f"{name}{kind}Rq"
        for name in names.NAMES
        for kind in ("Add", "Mod")
        if f"{name}{kind}Rq" in requests
    }
    found = {spec.request for spec in all_writes() if spec.object is not None}
    assert found == expected
    assert len(found) == 110


@pytest.mark.parametrize("text", ["ReceivePaymentAdd", "ReceivePaymentAddRq", "receivepaymentadd"])
def test_a_request_is_found_by_its_aggregate_or_request_name(text: str) -> None:
    """The aggregate name, the request element's name and any case name one request."""
    spec = write_spec(text)
    assert (spec.name, spec.request, spec.response) == (
        "ReceivePaymentAdd",
        "ReceivePaymentAddRq",
        "ReceivePaymentAddRs",
    )
    assert spec.kind is WriteKind.ADD
    assert spec.rets == ("ReceivePaymentRet",)


def test_an_unknown_request_names_the_closest_ones() -> None:
    """A misspelt request is refused with the names it was probably meant to be."""
    with pytest.raises(KeyError, match="did you mean ReceivePaymentAdd"):
        write_spec("RecievePaymentAdd")


def test_receive_payment_add_applies_to_transactions_or_auto_applies() -> None:
    """ReceivePaymentAdd ends in a choice of IsAutoApply or repeated AppliedToTxnAdd."""
    spec = write_spec("ReceivePaymentAdd")
    last = spec.content.items[-1]
    assert isinstance(last, Group)
    assert last.kind is GroupKind.CHOICE and last.min_occurs == 1
    assert [f.name for f in last.elements] == ["IsAutoApply", "AppliedToTxnAdd"]
    applied = spec.body.child("AppliedToTxnAdd")
    assert applied.max_occurs is None
    names_in_order = [f.name for f in applied.children]
    assert names_in_order[:2] == ["TxnID", "PaymentAmount"]
    for name in ("SetCredit", "DiscountAmount", "DiscountAccountRef"):
        assert name in names_in_order
    assert applied.child("PaymentAmount").type is ValueType.AMOUNT
    assert applied.child("TxnID").attributes == ("useMacro",)
    assert spec.body.attributes == ("defMacro",)
    assert [f.name for f in spec.request_fields] == ["IncludeRetElement"]


def test_a_deposit_line_is_a_payment_or_an_amount_to_an_account() -> None:
    """DepositLineAdd chooses between moving a payment and a line with its own account."""
    line = write_spec("DepositAdd").body.child("DepositLineAdd")
    assert line.content is not None
    (choice,) = line.content.items
    assert isinstance(choice, Group) and choice.kind is GroupKind.CHOICE
    payment, other = choice.items
    assert isinstance(payment, Group) and isinstance(other, Group)
    assert payment.items[0] == line.child("PaymentTxnID")
    assert other.has("AccountRef") and other.has("Amount")
    assert line.child("AccountRef").min_occurs == 1


def test_mods_name_the_record_and_its_edit_sequence() -> None:
    """Every Mod names its record by ListID or TxnID and carries an EditSequence."""
    mods = [spec for spec in all_writes() if spec.kind is WriteKind.MOD]
    assert mods
    for spec in mods:
        assert spec.identity in ("ListID", "TxnID"), spec.name
        assert spec.edit_sequence, spec.name
        first, second = spec.body.children[:2]
        assert (first.name, first.min_occurs, second.name) == (spec.identity, 1, "EditSequence")
    assert write_spec("CustomerMod").identity == "ListID"


def test_transaction_mods_with_lines_are_known() -> None:
    """InvoiceMod's lines carry TxnLineID; a Mod without line collections lists none."""
    invoice = write_spec("InvoiceMod")
    assert invoice.lines == ("InvoiceLineMod", "InvoiceLineGroupMod")
    assert invoice.body.child("InvoiceLineMod").child("TxnLineID").min_occurs == 1
    assert write_spec("CustomerMod").lines == ()
    assert write_spec("InvoiceAdd").lines == ()


def test_the_generic_requests_list_the_objects_they_take() -> None:
    """TxnVoid, TxnDel and ListDel carry their type element and its values from the schema."""
    void = write_spec("TxnVoidRq")
    assert (void.kind, void.type_element, void.identity) == (WriteKind.VOID, "TxnVoidType", "TxnID")
    assert [f.name for f in void.body.children] == ["TxnVoidType", "TxnID"]
    assert not void.wrapped and write_spec("InvoiceAdd").wrapped
    assert write_spec("ListDel").kind is WriteKind.DELETE
    assert can_void("Invoice") and can_delete("ReceivePayment") and can_delete("Customer")
    assert not can_void("Customer")


def test_shared_content_is_one_object() -> None:
    """A content model many requests use is built once, which keeps the module small."""
    first = write_spec("ReceivePaymentAdd").body.child("CustomerRef").content
    second = write_spec("InvoiceAdd").body.child("CustomerRef").content
    assert first is second


def test_writes_for_an_object() -> None:
    """An object's writes are its Add and Mod; a singleton has none."""
    assert [s.name for s in writes_for("Customer")] == ["CustomerAdd", "CustomerMod"]
    assert writes_for("Company") == ()
