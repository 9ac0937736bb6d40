"""Write requests read back from XML: the fields they were built from, and order problems."""

from __future__ import annotations

import pytest
from lxml import etree

from qwc_service.qbxml.objects.write_check import ProblemKind
from qwc_service.qbxml.objects.write_read import read_write
from qwc_service.qbxml.objects.write_request import build_write
from qwc_service.qbxml.objects.write_samples import sample_fields
from qwc_service.qbxml.objects.writes import all_writes


@pytest.mark.parametrize("name", [spec.name for spec in all_writes()])
def test_a_built_request_reads_back_to_the_same_request(name: str) -> None:
    """Reading a built request gives fields that build the same XML, with no problems."""
    request = build_write(name, sample_fields(name, full=True), request_id="5")
    read = read_write(request)
    assert read.problems == ()
    assert read.spec.name == name and read.request_id == "5"
    again = build_write(name, read.fields, request_id="5")
    assert etree.tostring(again) == etree.tostring(request)


def test_elements_out_of_order_are_named() -> None:
    """A child before one it must follow is reported, as QuickBooks refuses such XML."""
    request = build_write("CustomerAdd", {"Name": "Ada", "Email": "a@example.com"})
    body = request[0]
    body[:] = list(reversed(list(body)))
    (problem,) = read_write(request).problems
    assert (problem.path, problem.kind) == ("Name", ProblemKind.OUT_OF_ORDER)
    assert problem.message == "Name must come before Email in CustomerAdd"


def test_lines_and_line_groups_may_mix() -> None:
    """The alternatives of a repeating choice (lines, line groups) come in any order."""
    fields = {
        "TxnID": "1",
        "EditSequence": "2",
        "InvoiceLineMod": [{"TxnLineID": "L-1"}, {"TxnLineID": "L-3"}],
        "InvoiceLineGroupMod": [{"TxnLineID": "G-2"}],
    }
    request = build_write("InvoiceMod", fields)
    body = request[0]
    group = body.find("InvoiceLineGroupMod")
    body.remove(group)
    body.insert(3, group)  # line, group, line
    read = read_write(request)
    assert read.problems == ()
    assert [line["TxnLineID"] for line in read.fields["InvoiceLineMod"]] == ["L-1", "L-3"]


def test_unknown_repeated_and_invalid_elements_are_problems() -> None:
    """An unknown child, a second Name, and a bad amount each make a problem."""
    request = etree.fromstring(
        "<CustomerAddRq><CustomerAdd><Name>A</Name><Name>B</Name><Bogus/></CustomerAdd>"
        "</CustomerAddRq>"
    )
    kinds = {p.path: p.kind for p in read_write(request).problems}
    assert kinds == {"Name": ProblemKind.REPEATED, "Bogus": ProblemKind.UNKNOWN_ELEMENT}
    payment = etree.fromstring(
        "<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><ListID>1</ListID></CustomerRef>"
        "<TotalAmount>1.234</TotalAmount><IsAutoApply>true</IsAutoApply></ReceivePaymentAdd>"
        "</ReceivePaymentAddRq>"
    )
    (problem,) = read_write(payment).problems
    assert (problem.path, problem.kind) == ("TotalAmount", ProblemKind.BAD_VALUE)
