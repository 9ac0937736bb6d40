"""Tests for qwc_service.qbxml.responses: status summaries of qbXML responses."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwc_service.qbxml.errors import InvalidQbxml, MalformedXml, QbxmlError, UnsafeXml
from qwc_service.qbxml.responses import (
    WHOLE_DOCUMENT_LIMIT,
    ResponseStatus,
    iter_statuses,
    severity_for_code,
    summarize_response,
)
from qwc_service.qbxml.xmlsafe import parse_document
from tests.reference_files import FRAGMENT_SAMPLE, MALFORMED_HCP, SOAP_SAMPLE

FLOWLINK_CAPTURES = {
    "receiveResponseXML-request-flowlink-item_inventory_query_rs_raw.xml": [0],
    "receiveResponseXML-request-flowlink-sales_order_add_rs_raw.xml": [1, 1, 0, 3140],
}


def response(*rs: str) -> str:
    """A response document holding the given *Rs elements."""
    return '<?xml version="1.0" ?>\n<QBXML><QBXMLMsgsRs>' + "".join(rs) + "</QBXMLMsgsRs></QBXML>"


class CountingReader(io.BytesIO):
    """A byte stream that remembers how far it has been read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_every_sample_response_is_summarised(response_sample: Path) -> None:
    """Each well-formed sample yields at least one *Rs status, from str and from bytes."""
    from_text = summarize_response(response_sample.read_text(encoding="utf-8"))
    from_bytes = summarize_response(response_sample.read_bytes())
    assert from_text == from_bytes
    assert from_text.statuses
    for status in from_text.statuses:
        assert status.name.endswith("Rs")
        assert status.severity in {"Info", "Warn", "Error"}


def test_small_responses_read_whole_agree_with_the_stream(response_sample: Path) -> None:
    """A sample summarised from its parsed tree gives the statuses the streaming reader gives."""
    text = response_sample.read_text(encoding="utf-8")
    assert len(text) <= WHOLE_DOCUMENT_LIMIT
    assert summarize_response(text).statuses == tuple(iter_statuses(text))


@pytest.mark.parametrize(
    "text",
    [
        "<QBXML><QBXMLMsgsRq/></QBXML>",
        "<Other/>",
        "<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode='x'/></QBXMLMsgsRs></QBXML>",
        "<QBXML><QBXMLMsgsRs>",
    ],
)
def test_small_responses_are_refused_as_the_stream_refuses_them(text: str) -> None:
    """Read whole or streamed, a bad response raises the same error with the same message."""
    with pytest.raises(QbxmlError) as whole:
        summarize_response(text)
    with pytest.raises(QbxmlError) as streamed:
        tuple(iter_statuses(text))
    assert type(whole.value) is type(streamed.value)
    assert str(whole.value) == str(streamed.value)


def test_iterator_page(sample_text: Callable[[str], str]) -> None:
    """An iterator page reports its ID and the records still to come."""
    summary = summarize_response(sample_text("CustomerQueryRs-iterator-qbwc-qbxml.xml"))
    assert summary.statuses == (
        ResponseStatus(
            name="CustomerQueryRs",
            request_id="1",
            status_code=0,
            severity="Info",
            message="Status OK",
            iterator_id="{eb05f701-e727-472f-8ade-6753c4f67a46}",
            iterator_remaining=18,
        ),
    )
    assert summary.statuses[0].has_more
    assert summary.first_error is None


def test_two_iterators_in_one_message_set(sample_text: Callable[[str], str]) -> None:
    """Both Rs are read in order; the finished one has no iteratorID and nothing more."""
    name = "CustomerQueryRs-InvoiceQueryRs-iterator-first-page-jwachira-quickbooks-sync.xml"
    customer, invoice = summarize_response(sample_text(name)).statuses
    assert (customer.name, customer.iterator_remaining, customer.has_more) == (
        "CustomerQueryRs",
        1,
        True,
    )
    assert (invoice.name, invoice.iterator_id, invoice.iterator_remaining) == (
        "InvoiceQueryRs",
        None,
        0,
    )
    assert not invoice.has_more


def test_name_in_use_error(sample_text: Callable[[str], str]) -> None:
    """A self-closing 3100 Rs is the first error, with its unescaped message."""
    summary = summarize_response(
        sample_text("CustomerAddRs-3100-NameInUse-Error-jwachira-quickbooks-sync.xml")
    )
    error = summary.first_error
    assert error is not None
    assert (error.status_code, error.severity, error.request_id) == (3100, "Error", "0")
    assert error.message == 'The name "abc" of the list element is already in use.'


def test_stale_edit_sequence_is_an_error_and_message_is_trimmed(
    sample_text: Callable[[str], str],
) -> None:
    """3200 is an error; QuickBooks' trailing space in the message is dropped."""
    summary = summarize_response(
        sample_text("CustomerModRs-3200-EditSequence-Error-jwachira-quickbooks-sync.xml")
    )
    status = summary.statuses[0]
    assert status.is_error
    assert status.message == 'The provided edit sequence "1272664823" is out-of-date.'


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("CustomerModRs-530-Warn-jwachira-quickbooks-sync.xml", 530),
        ("CustomerQueryRs-500-Warn-qbwc-qbwc.xml", 500),
    ],
)
def test_warnings_are_not_errors(sample_text: Callable[[str], str], name: str, code: int) -> None:
    """Warn statuses (500-999) are warnings, never the first error."""
    summary = summarize_response(sample_text(name))
    status = summary.statuses[0]
    assert (status.status_code, status.is_warning, status.is_error) == (code, True, False)
    assert summary.first_error is None


def test_object_not_found_without_request_id(sample_text: Callable[[str], str]) -> None:
    """A 3120 without requestID is an error and adds nothing to request_ids."""
    summary = summarize_response(
        sample_text("CustomerQueryRs-3120-ObjectNotFound-Error-qbwc-qbwc.xml")
    )
    assert summary.first_error is not None
    assert summary.first_error.request_id is None
    assert summary.request_ids == frozenset()


def test_batched_responses_keep_request_order(sample_text: Callable[[str], str]) -> None:
    """Several Rs in one message set come back in order with every requestID."""
    summary = summarize_response(
        sample_text("MultiRs-Customer-Invoice-Item-QueryRs-jwachira-quickbooks-sync.xml")
    )
    assert [s.name for s in summary.statuses] == [
        "CustomerQueryRs",
        "InvoiceQueryRs",
        "ItemQueryRs",
    ]
    assert summary.request_ids == frozenset({"0", "1", "2"})
    assert [s.name for s in summary.for_request("1")] == ["InvoiceQueryRs"]


def test_response_failing_the_xsd_is_still_read(sample_text: Callable[[str], str]) -> None:
    """Real output that breaks the schema (ReceivePaymentQueryRs) is summarised anyway."""
    summary = summarize_response(sample_text("ReceivePaymentQueryRs-qbwc-qbxml.xml"))
    assert summary.statuses[0].name == "ReceivePaymentQueryRs"
    assert summary.statuses[0].status_code == 0


def test_malformed_sample_raises_malformed(sample_text: Callable[[str], str]) -> None:
    """The not-well-formed HCP sample raises MalformedXml naming the position."""
    with pytest.raises(MalformedXml, match=r"line \d+, column \d+"):
        summarize_response(sample_text(MALFORMED_HCP))


def test_fragment_sample_is_not_qbxml(sample_text: Callable[[str], str]) -> None:
    """A bare ReceivePaymentRet fragment is refused and the message names its root."""
    with pytest.raises(InvalidQbxml, match="ReceivePaymentRet"):
        summarize_response(sample_text(FRAGMENT_SAMPLE))


def test_soap_envelope_is_refused_with_a_hint(sample_text: Callable[[str], str]) -> None:
    """Passing the whole SOAP request explains that the <response> text is wanted."""
    with pytest.raises(InvalidQbxml, match="SOAP envelope"):
        summarize_response(sample_text(SOAP_SAMPLE))


def test_response_inside_soap_sample(
    sample_text: Callable[[str], str], soap_response: Callable[[str], str]
) -> None:
    """The qbXML carried in the SOAP sample's <response> reads as a 3100 error."""
    summary = summarize_response(soap_response(sample_text(SOAP_SAMPLE)))
    error = summary.first_error
    assert error is not None
    assert (error.name, error.status_code) == ("ItemServiceAddRs", 3100)
    assert error.request_id == "SXRlbVNlcnZpY2VBZGR8c2hpcHBpbmc="
    assert '"Shipping Item - QuickBooks Inte"' in error.message


@pytest.mark.parametrize(("name", "codes"), FLOWLINK_CAPTURES.items())
def test_responses_in_real_web_connector_captures(
    name: str,
    codes: list[int],
    load_payload: Callable[[str], str],
    soap_response: Callable[[str], str],
) -> None:
    """The qbXML inside real receiveResponseXML requests reads with every status code."""
    summary = summarize_response(soap_response(load_payload(name)))
    assert [s.status_code for s in summary.statuses] == codes
    # "No match" (1) is Info; only the 3140 invalid reference counts as an error.
    error = summary.first_error
    if 3140 in codes:
        assert error is not None
        assert error.message.startswith("There is an invalid reference to QuickBooks Customer")
    else:
        assert error is None


def test_request_document_is_not_a_response() -> None:
    """A request message set is refused with a message that says so."""
    request = '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq/></QBXMLMsgsRq></QBXML>'
    with pytest.raises(InvalidQbxml, match="QBXMLMsgsRq"):
        summarize_response(request)


def test_namespaced_root_is_refused() -> None:
    """qbXML is un-namespaced; a namespaced QBXML root is refused."""
    with pytest.raises(InvalidQbxml, match="namespace"):
        summarize_response('<QBXML xmlns="urn:x"><QBXMLMsgsRs/></QBXML>')


def test_empty_message_set_has_no_statuses() -> None:
    """An empty QBXMLMsgsRs is accepted and reports nothing."""
    assert summarize_response(response()).statuses == ()


def test_missing_status_code_reads_as_zero() -> None:
    """An Rs without statusCode or severity is read as 0 / Info."""
    (status,) = summarize_response(response('<CustomerQueryRs requestID="7"/>')).statuses
    assert (status.status_code, status.severity, status.message) == (0, "Info", "")


def test_missing_severity_is_derived_from_the_code() -> None:
    """Without statusSeverity the code's range decides: 3100 is an Error, 530 a Warn."""
    summary = summarize_response(
        response('<CustomerAddRs statusCode="3100"/>', '<CustomerModRs statusCode="530"/>')
    )
    assert [s.severity for s in summary.statuses] == ["Error", "Warn"]


def test_no_match_is_info() -> None:
    """statusCode 1 (no matching object) is Info, not an error."""
    rs = '<InvoiceQueryRs statusCode="1" statusSeverity="Info" statusMessage="No match"/>'
    summary = summarize_response(response(rs))
    assert summary.first_error is None
    assert not summary.statuses[0].is_error


def test_severity_case_is_normalised() -> None:
    """A severity written in another case is still understood."""
    (status,) = summarize_response(
        response('<CustomerAddRs statusCode="3100" statusSeverity="ERROR"/>')
    ).statuses
    assert status.severity == "Error"


@pytest.mark.parametrize("attribute", ["statusCode", "iteratorRemainingCount", "retCount"])
def test_non_integer_counts_are_invalid(attribute: str) -> None:
    """A status number that is not an integer raises InvalidQbxml naming the attribute."""
    with pytest.raises(InvalidQbxml, match=attribute):
        summarize_response(response(f'<CustomerQueryRs {attribute}="12x"/>'))


def test_ret_count_is_read() -> None:
    """retCount is reported as an integer."""
    (status,) = summarize_response(
        response('<CustomerQueryRs statusCode="0" retCount="25" iteratorRemainingCount="5"/>')
    ).statuses
    assert (status.ret_count, status.iterator_remaining) == (25, 5)


@pytest.mark.parametrize(
    ("code", "severity"),
    [
        (0, "Info"),
        (1, "Info"),
        (499, "Info"),
        (500, "Warn"),
        (999, "Warn"),
        (1000, "Error"),
        (3200, "Error"),
        (-1, "Error"),
    ],
)
def test_severity_for_code(code: int, severity: str) -> None:
    """Code ranges map to qbXML severities."""
    assert severity_for_code(code) == severity


def test_text_node_over_ten_megabytes_in_a_response() -> None:
    """A ~12 MB Notes field inside a record does not stop the summary."""
    notes = "n" * (12 * 1024 * 1024)
    rs = (
        '<CustomerQueryRs requestID="big" statusCode="0" statusSeverity="Info">'
        f"<CustomerRet><ListID>1</ListID><Notes>{notes}</Notes></CustomerRet></CustomerQueryRs>"
    )
    summary = summarize_response(response(rs).encode())
    assert [s.request_id for s in summary.statuses] == ["big"]


def test_statuses_arrive_before_the_rest_is_read() -> None:
    """The first status is produced after reading the start of a large stream, not all of it."""
    records = "".join(
        f"<CustomerRet><ListID>{n}</ListID><Name>Customer {n}</Name></CustomerRet>"
        for n in range(60_000)
    )
    data = response('<CustomerQueryRs requestID="1" statusCode="0">', records, "</CustomerQueryRs>")
    stream = CountingReader(data.encode())
    first = next(iter_statuses(stream))
    assert first.request_id == "1"
    assert stream.consumed < len(data) // 10


def test_doctype_in_response_is_refused() -> None:
    """A response with entity declarations is refused as unsafe."""
    with pytest.raises(UnsafeXml):
        summarize_response('<!DOCTYPE QBXML [<!ENTITY x "y">]>' + response())


def test_response_parsed_as_whole_document_matches() -> None:
    """The streaming summary agrees with a whole-tree reading of the same response."""
    text = response(
        '<CustomerQueryRs requestID="a" statusCode="0"><CustomerRet/></CustomerQueryRs>',
        '<InvoiceQueryRs requestID="b" statusCode="3120" statusSeverity="Error"/>',
    )
    names = [child.tag for child in parse_document(text).find("QBXMLMsgsRs")]
    assert [s.name for s in summarize_response(text).statuses] == names


_XMLISH = st.lists(
    st.sampled_from(
        [
            "<QBXML>",
            "</QBXML>",
            "<QBXMLMsgsRs>",
            "</QBXMLMsgsRs>",
            "<QBXMLMsgsRq onError='stopOnError'>",
            "<CustomerQueryRs",
            ' statusCode="',
            ' statusSeverity="',
            ' iteratorRemainingCount="',
            ' retCount="',
            ' requestID="',
            "0",
            "3100",
            "-1",
            "x",
            "Error",
            '"',
            ">",
            "/>",
            "</CustomerQueryRs>",
            "<CustomerRet>",
            "</CustomerRet>",
            '<?xml version="1.0" ?>',
            '<?xml version="1.0" encoding="bogus"?>',
            "<!DOCTYPE QBXML>",
            '<!ENTITY a "b">',
            "&amp;",
            "&a;",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "é",
            "\x00",
            "\ud800",
            " ",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _XMLISH))
def test_arbitrary_text_raises_only_qbxml_errors(text: str) -> None:
    """Whatever str arrives, summarising or parsing it raises nothing but QbxmlError."""
    for reader in (summarize_response, parse_document):
        with contextlib.suppress(QbxmlError):
            reader(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(), _XMLISH.map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_arbitrary_bytes_raise_only_qbxml_errors(data: bytes) -> None:
    """Whatever bytes arrive, summarising or parsing them raises nothing but QbxmlError."""
    for reader in (summarize_response, parse_document):
        with contextlib.suppress(QbxmlError):
            reader(data)
