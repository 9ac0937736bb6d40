"""Write requests built from JSON fields are valid qbXML 13.0, in the schema's order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from qwc_service.qbxml.objects.write_request import build_write
from qwc_service.qbxml.objects.write_samples import sample_fields
from qwc_service.qbxml.objects.writes import all_writes
from qwc_service.qbxml.objects.writespecs import WriteKind
from qwc_service.qbxml.requests import build_request, schema_errors

_NAMES = [spec.name for spec in all_writes()]
_ADDS = [spec.name for spec in all_writes() if spec.kind is WriteKind.ADD]


def _errors(request: Any, schema: etree.XMLSchema) -> list[str]:
    return schema_errors(build_request(request), schema)


def _reversed(fields: dict[str, Any]) -> dict[str, Any]:
    """The same fields with every object's keys in reverse order, lists reversed too."""
    out: dict[str, Any] = {}
    for key in reversed(list(fields)):
        value = fields[key]
        if isinstance(value, dict):
            value = _reversed(value)
        elif isinstance(value, list):
            value = [_reversed(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


@pytest.mark.parametrize("name", _ADDS)
def test_the_minimal_add_is_valid(name: str, qbxml_schema: etree.XMLSchema) -> None:
    """Each Add with only its required elements, made from the spec, passes Intuit's XSD."""
    assert _errors(build_write(name, sample_fields(name), request_id="1"), qbxml_schema) == []


@pytest.mark.parametrize("name", _NAMES)
def test_a_full_sample_in_any_key_order_is_valid(name: str, qbxml_schema: etree.XMLSchema) -> None:
    """Each write with every element it may take, given in reverse order, passes the XSD."""
    fields = _reversed(sample_fields(name, full=True))
    request = build_write(name, fields, request_id="1", include_ret_elements=())
    assert _errors(request, qbxml_schema) == []


def test_the_schema_refuses_the_callers_order(qbxml_schema: etree.XMLSchema) -> None:
    """Written in the JSON's order instead of the schema's, the same request is invalid."""
    request = build_write("CustomerAdd", {"Name": "Ada", "Email": "a@example.com", "Phone": "1"})
    body = request[0]
    body[:] = list(reversed(list(body)))
    assert _errors(request, qbxml_schema) != []


def _texts(request: Any, path: str) -> list[str]:
    return [str(node.text) for node in request.iterfind(path)]


def test_receive_payment_applied_to_several_invoices(qbxml_schema: etree.XMLSchema) -> None:
    """A payment over two invoices with a credit, a discount, a method and a deposit account."""
    fields = {
        "AppliedToTxnAdd": [
            {
                "DiscountAccountRef": {"FullName": "Discounts Given"},
                "DiscountAmount": Decimal("2"),
                "SetCredit": [{"AppliedAmount": "15", "CreditTxnID": "CM-1"}],
                "PaymentAmount": Decimal("80.5"),
                "TxnID": "INV-1",
            },
            {"TxnID": "INV-2", "PaymentAmount": 40},
        ],
        "DepositToAccountRef": {"FullName": "Undeposited Funds"},
        "PaymentMethodRef": {"FullName": "Visa"},
        "TotalAmount": "120.50",
        "RefNumber": "PAY-1",
        "TxnDate": dt.date(2026, 5, 1),
        "CustomerRef": {"ListID": "80000001-1700000000"},
    }
    request = build_write("ReceivePaymentAddRq", fields, request_id="pay-1")
    assert _errors(request, qbxml_schema) == []
    assert request.get("requestID") == "pay-1"
    applied = request.find("ReceivePaymentAdd/AppliedToTxnAdd")
    assert [child.tag for child in applied] == [
        "TxnID",
        "PaymentAmount",
        "SetCredit",
        "DiscountAmount",
        "DiscountAccountRef",
    ]
    assert _texts(request, ".//AppliedToTxnAdd/PaymentAmount") == ["80.50", "40.00"]
    assert _texts(request, ".//SetCredit/AppliedAmount") == ["15.00"]
    assert _texts(request, ".//TxnDate") == ["2026-05-01"]


def test_a_payout_deposit_with_a_fee_line(qbxml_schema: etree.XMLSchema) -> None:
    """A DepositAdd moving two payments to the bank, less a negative fee line to an account."""
    fields = {
        "DepositLineAdd": [
            {"PaymentTxnID": "PAY-1"},
            {"PaymentTxnID": "PAY-2"},
            {"Amount": "-3.20", "AccountRef": {"FullName": "Merchant Fees"}, "Memo": "fees"},
        ],
        "TxnDate": "2026-05-02",
        "DepositToAccountRef": {"FullName": "Checking"},
    }
    request = build_write("DepositAdd", fields)
    assert _errors(request, qbxml_schema) == []
    assert _texts(request, ".//DepositLineAdd/PaymentTxnID") == ["PAY-1", "PAY-2"]
    assert _texts(request, ".//DepositLineAdd/Amount") == ["-3.20"]


def test_a_credit_memo_and_a_card_refund(qbxml_schema: etree.XMLSchema) -> None:
    """A CreditMemoAdd with one line, and the ARRefundCreditCardAdd that refunds it."""
    memo = {
        "CreditMemoLineAdd": [{"Amount": 25, "ItemRef": {"FullName": "Refunds"}, "Desc": "x"}],
        "Memo": "goodwill",
        "CustomerRef": {"FullName": "Ada Lovelace"},
    }
    refund = {
        "RefundAppliedToTxnAdd": [{"RefundAmount": "25", "TxnID": "CM-1"}],
        "PaymentMethodRef": {"FullName": "Visa"},
        "RefundFromAccountRef": {"FullName": "Undeposited Funds"},
        "CustomerRef": {"FullName": "Ada Lovelace"},
    }
    for name, fields in (("CreditMemoAdd", memo), ("ARRefundCreditCardAdd", refund)):
        assert _errors(build_write(name, fields), qbxml_schema) == [], name


def test_a_customer_is_added_and_changed(qbxml_schema: etree.XMLSchema) -> None:
    """CustomerAdd with contact details, and a CustomerMod changing email and phone."""
    added = {
        "Email": "ada@example.com",
        "BillAddress": {"City": "London", "Addr1": "1 Main St"},
        "CompanyName": "Analytical Engines",
        "Name": "Ada Lovelace",
        "Phone": "555-0100",
    }
    changed = {
        "Phone": "555-0199",
        "Email": "ada@new.example",
        "EditSequence": "1700",
        "ListID": "1",
    }
    for name, fields in (("CustomerAdd", added), ("CustomerMod", changed)):
        assert _errors(build_write(name, fields), qbxml_schema) == [], name


def test_an_invoice_mod_keeps_its_lines_and_adds_one(qbxml_schema: etree.XMLSchema) -> None:
    """An InvoiceMod lists the existing lines by TxnLineID and adds a fee line as -1."""
    fields = {
        "InvoiceLineMod": [
            {"TxnLineID": "L-1"},
            {"TxnLineID": "L-2"},
            {
                "Amount": "2.95",
                "Desc": "Convenience fee",
                "ItemRef": {"FullName": "Fee"},
                "TxnLineID": "-1",
            },
        ],
        "EditSequence": "1700000001",
        "TxnID": "INV-1",
    }
    request = build_write("InvoiceMod", fields)
    assert _errors(request, qbxml_schema) == []
    assert _texts(request, ".//InvoiceLineMod/TxnLineID") == ["L-1", "L-2", "-1"]
    first = request.find("InvoiceMod")
    assert [first[0].tag, first[1].tag] == ["TxnID", "EditSequence"]


def test_void_and_delete_take_their_fields_directly(qbxml_schema: etree.XMLSchema) -> None:
    """TxnVoid, TxnDel and ListDel carry the type and ID in the request, not an aggregate."""
    cases = {
        "TxnVoid": {"TxnID": "INV-1", "TxnVoidType": "Invoice"},
        "TxnDelRq": {"TxnID": "PAY-1", "TxnDelType": "ReceivePayment"},
        "ListDel": {"ListID": "1", "ListDelType": "Customer"},
    }
    for name, fields in cases.items():
        request = build_write(name, fields, request_id="9")
        assert _errors(request, qbxml_schema) == [], name
        assert request[0].tag.endswith("Type")


def test_values_are_written_in_their_canonical_form() -> None:
    """Amounts get two decimals, quantities at most five, booleans true/false, dates ISO."""
    fields = {
        "CustomerRef": {"FullName": "Ada"},
        "InvoiceLineAdd": [
            {"Quantity": Decimal("1.50000"), "Rate": 3, "Amount": 4.5, "IsTaxable": False}
        ],
        "TxnDate": "2026-05-01",
        "IsToBePrinted": True,
        "IsPending": "FALSE",
    }
    request = build_write("InvoiceAdd", fields)
    assert _texts(request, ".//Quantity") == ["1.5"]
    assert _texts(request, ".//Rate") == ["3"]
    assert _texts(request, ".//InvoiceLineAdd/Amount") == ["4.50"]
    assert _texts(request, ".//IsTaxable") == ["false"]
    assert _texts(request, ".//IsToBePrinted") == ["true"]
    assert _texts(request, ".//IsPending") == ["false"]


def test_attributes_and_ret_elements() -> None:
    """``@defMacro`` sets the aggregate's attribute; IncludeRetElement follows the aggregate."""
    fields = {"@defMacro": "TxnID:pay", "CustomerRef": {"ListID": "1"}, "IsAutoApply": True}
    request = build_write("ReceivePaymentAdd", fields, include_ret_elements=["TxnID"])
    assert request.find("ReceivePaymentAdd").get("defMacro") == "TxnID:pay"
    assert [child.tag for child in request] == ["ReceivePaymentAdd", "IncludeRetElement"]


def test_a_leaf_with_an_attribute(qbxml_schema: etree.XMLSchema) -> None:
    """A leaf's attribute comes as ``{"value": ..., "@useMacro": ...}`` and is written on it."""
    fields = {
        "CustomerRef": {"ListID": "1"},
        "AppliedToTxnAdd": [{"TxnID": {"value": "INV-1", "@useMacro": "TxnID:inv"}}],
    }
    request = build_write("ReceivePaymentAdd", fields)
    assert _errors(request, qbxml_schema) == []
    txn_id = request.find(".//AppliedToTxnAdd/TxnID")
    assert (txn_id.text, txn_id.get("useMacro")) == ("INV-1", "TxnID:inv")
