"""Tests for qwc_service.qbxml.requests: checking, stamping and building request documents."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from qwc_service.qbxml.errors import InvalidQbxml, MalformedXml, QbxmlError, UnsafeXml
from qwc_service.qbxml.requests import (
    RequestSet,
    build_request,
    load_schema,
    schema_errors,
    stamp_request_id,
    validate_request,
)
from qwc_service.qbxml.xmlsafe import parse_document

PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{}"?>\n<QBXML>'

MINIMAL = (
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerQueryRq requestID="1" iterator="Start"><MaxReturned>100</MaxReturned>'
    "</CustomerQueryRq></QBXMLMsgsRq></QBXML>"
)

HCP_QUERIES = """<?xml version="1.0" encoding="ISO-8859-1"?>
<?qbxml version="11.0"?>
<QBXML>
  <QBXMLMsgsRq onError="continueOnError">
    <!-- what the Web Connector asks before every session -->
    <HostQueryRq requestID="0"/>
    <CompanyQueryRq requestID="1"/>
    <PreferencesQueryRq requestID="2"/>
  </QBXMLMsgsRq>
</QBXML>
"""

CUSTOMER_ADD = """<?xml version="1.0"?>
<QBXML>
  <QBXMLMsgsRq onError="stopOnError">
    <CustomerAddRq>
      <CustomerAdd>
        <Name>Café “Zoë” &amp; Sons</Name>
        <CompanyName>AT&amp;T &lt;West&gt; 'Ltd'</CompanyName>
      </CustomerAdd>
    </CustomerAddRq>
  </QBXMLMsgsRq>
</QBXML>
"""

INVOICE_CONTINUE = (
    '<QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<InvoiceQueryRq requestID="x" iterator="Continue" '
    'iteratorID="{eb05f701-e727-472f-8ade-6753c4f67a46}">'
    "<MaxReturned>50</MaxReturned>"
    "<ModifiedDateRangeFilter><FromModifiedDate>2010-05-18T15:20:20-08:00</FromModifiedDate>"
    "</ModifiedDateRangeFilter><IncludeLineItems>true</IncludeLineItems>"
    "</InvoiceQueryRq></QBXMLMsgsRq></QBXML>"
)


def body_of(document: str) -> str:
    """Everything after the two prolog lines."""
    return document.split("\n", 2)[2]


def test_validate_minimal_request() -> None:
    """The minimal request from the notes is described correctly."""
    assert validate_request(MINIMAL) == RequestSet(
        version="13.0", on_error="stopOnError", request_names=("CustomerQueryRq",)
    )


def test_validate_batched_request_skips_comments() -> None:
    """Every *Rq element is listed in order; comments between them are ignored."""
    described = validate_request(HCP_QUERIES)
    assert described.request_names == ("HostQueryRq", "CompanyQueryRq", "PreferencesQueryRq")
    assert (described.version, described.on_error) == ("11.0", "continueOnError")


def test_validate_without_qbxml_instruction() -> None:
    """A request without <?qbxml?> has no version."""
    assert validate_request(CUSTOMER_ADD).version is None


def test_rollback_on_error_is_refused_with_reason() -> None:
    """rollbackOnError passes the XSD but QuickBooks rejects it, so it is refused."""
    with pytest.raises(InvalidQbxml, match=r"rollbackOnError.*stopOnError"):
        validate_request(MINIMAL.replace("stopOnError", "rollbackOnError"))


def test_missing_on_error_is_refused() -> None:
    """onError is required."""
    with pytest.raises(InvalidQbxml, match="onError"):
        validate_request(MINIMAL.replace(' onError="stopOnError"', ""))


def test_unknown_on_error_is_refused() -> None:
    """Only stopOnError and continueOnError are accepted."""
    with pytest.raises(InvalidQbxml, match="keepGoing"):
        validate_request(MINIMAL.replace("stopOnError", "keepGoing"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<QBXML><QBXMLMsgsRq onError="stopOnError"/></QBXML>', "no requests"),
        (
            '<QBXML><QBXMLMsgsRq onError="stopOnError"><!-- none --></QBXMLMsgsRq></QBXML>',
            "no requests",
        ),
        ("<QBXML/>", "QBXMLMsgsRq"),
        ("<QBXML><QBXMLMsgsRs/></QBXML>", "response"),
        ('<QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq/></QBXMLMsgsRq>', "root element"),
        ('<QBXML xmlns="urn:x"><QBXMLMsgsRq onError="stopOnError"/></QBXML>', "namespace"),
        (
            '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerRet/></QBXMLMsgsRq></QBXML>',
            "CustomerRet",
        ),
        (
            '<QBXML><QBXMLMsgsRq onError="stopOnError"><q:CustomerQueryRq xmlns:q="urn:q"/>'
            "</QBXMLMsgsRq></QBXML>",
            "namespace",
        ),
        (
            '<?qbxml version="thirteen"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
            "<CustomerQueryRq/></QBXMLMsgsRq></QBXML>",
            "thirteen",
        ),
    ],
)
def test_invalid_envelopes_are_explained(text: str, expected: str) -> None:
    """Each broken envelope raises InvalidQbxml with a message naming the problem."""
    with pytest.raises(InvalidQbxml, match=expected):
        validate_request(text)


def test_validate_refuses_doctype_and_broken_xml() -> None:
    """XML-level problems surface as UnsafeXml and MalformedXml."""
    with pytest.raises(UnsafeXml):
        validate_request('<!DOCTYPE QBXML [<!ENTITY a "b">]>' + MINIMAL.split("?>", 2)[2])
    with pytest.raises(MalformedXml):
        validate_request("<QBXML><QBXMLMsgsRq>")


def test_stamp_sets_request_id_on_every_request() -> None:
    """Every request element gets the requestID, replacing any that was there."""
    stamped = stamp_request_id(HCP_QUERIES, "job-17")
    requests = parse_document(stamped).find("QBXMLMsgsRq")
    assert [r.get("requestID") for r in requests.iterchildren(tag=etree.Element)] == ["job-17"] * 3


def test_stamp_output_form() -> None:
    """The output starts with our exact prolog and keeps the document's qbxml version."""
    stamped = stamp_request_id(HCP_QUERIES, "a")
    assert stamped.startswith(PROLOG.format("11.0"))


def test_stamp_adds_default_version_when_missing() -> None:
    """A request without <?qbxml?> is labelled 13.0."""
    assert stamp_request_id(CUSTOMER_ADD, "a").startswith(PROLOG.format("13.0"))


def test_stamp_falls_back_to_the_session_version_only_when_the_request_names_none() -> None:
    """fallback_version labels a request without <?qbxml?> and leaves a labelled one alone."""
    assert stamp_request_id(CUSTOMER_ADD, "a", fallback_version="12.0").startswith(
        PROLOG.format("12.0")
    )
    assert stamp_request_id(HCP_QUERIES, "a", fallback_version="12.0").startswith(
        PROLOG.format("11.0")
    )


def test_stamp_replaces_version_when_given() -> None:
    """An explicit version replaces the document's own instruction."""
    stamped = stamp_request_id(HCP_QUERIES, "a", version="8.0")
    assert stamped.startswith(PROLOG.format("8.0"))
    assert stamped.count("<?qbxml") == 1


def test_stamp_body_is_ascii_with_character_references() -> None:
    """Non-ASCII text becomes numeric references; markup characters stay escaped."""
    stamped = stamp_request_id(CUSTOMER_ADD, "a")
    assert stamped.isascii()
    assert "Caf&#233; &#8220;Zo&#235;&#8221; &amp; Sons" in stamped
    assert "AT&amp;T &lt;West&gt; 'Ltd'" in stamped
    assert "&apos;" not in stamped
    name = parse_document(stamped).findtext("QBXMLMsgsRq/CustomerAddRq/CustomerAdd/Name")
    assert name == "Café “Zoë” & Sons"


def test_stamp_escapes_the_request_id() -> None:
    """A requestID with markup characters is escaped, not injected."""
    stamped = stamp_request_id(MINIMAL, 'a"<b>&c')
    request = parse_document(stamped).find("QBXMLMsgsRq/CustomerQueryRq")
    assert request.get("requestID") == 'a"<b>&c'


def test_stamp_request_id_length_limit() -> None:
    """50 characters are accepted; 51 and empty are refused."""
    assert 'requestID="' + "r" * 50 + '"' in stamp_request_id(MINIMAL, "r" * 50)
    with pytest.raises(ValueError, match="50"):
        stamp_request_id(MINIMAL, "r" * 51)
    with pytest.raises(ValueError):
        stamp_request_id(MINIMAL, "")


def test_stamp_refuses_invalid_documents() -> None:
    """Stamping runs the envelope checks first."""
    with pytest.raises(InvalidQbxml):
        stamp_request_id(MINIMAL.replace("stopOnError", "rollbackOnError"), "a")


def test_stamp_refuses_bad_version() -> None:
    """A version that is not N.N is a ValueError."""
    with pytest.raises(ValueError):
        stamp_request_id(MINIMAL, "a", version="latest")


@pytest.mark.parametrize("document", [MINIMAL, HCP_QUERIES, CUSTOMER_ADD, INVOICE_CONTINUE])
def test_stamped_requests_validate_against_the_schema(
    document: str, qbxml_schema: etree.XMLSchema
) -> None:
    """Stamped output is valid qbXML 13.0."""
    assert schema_errors(stamp_request_id(document, "job-1"), qbxml_schema) == []


def test_stamped_output_round_trips() -> None:
    """Stamping twice with the same ID gives the same text."""
    once = stamp_request_id(CUSTOMER_ADD, "same")
    assert stamp_request_id(once, "same") == once


def test_build_request_from_strings_and_elements(qbxml_schema: etree.XMLSchema) -> None:
    """Strings and elements are wrapped, in order, into a valid document."""
    element = etree.fromstring(
        '<CustomerQueryRq requestID="2"><MaxReturned>10</MaxReturned></CustomerQueryRq>'
    )
    built = build_request('<HostQueryRq requestID="1"/>', element, on_error="continueOnError")
    assert built.startswith(PROLOG.format("13.0"))
    assert validate_request(built) == RequestSet(
        version="13.0", on_error="continueOnError", request_names=("HostQueryRq", "CustomerQueryRq")
    )
    assert schema_errors(built, qbxml_schema) == []


def test_build_request_copies_elements() -> None:
    """The caller's element stays in its own tree."""
    holder = etree.fromstring("<Holder><HostQueryRq/></Holder>")
    build_request(holder[0])
    assert len(holder) == 1


def test_build_request_escapes_text(qbxml_schema: etree.XMLSchema) -> None:
    """Text with markup and Latin-1 characters comes out escaped and ASCII-only."""
    add = etree.Element("CustomerAddRq")
    etree.SubElement(etree.SubElement(add, "CustomerAdd"), "Name").text = "Ben & Jerry's Café"
    built = build_request(add, version="12.0")
    assert built.isascii()
    assert "Ben &amp; Jerry's Caf&#233;" in built
    assert built.startswith(PROLOG.format("12.0"))
    assert schema_errors(built, qbxml_schema) == []


def test_build_request_argument_errors() -> None:
    """Unusable arguments raise ValueError (InvalidQbxml for non-request elements)."""
    with pytest.raises(ValueError, match="rollbackOnError"):
        build_request("<HostQueryRq/>", on_error="rollbackOnError")
    with pytest.raises(ValueError, match="at least one"):
        build_request()
    with pytest.raises(ValueError):
        build_request("<HostQueryRq/>", version="v13")
    with pytest.raises(InvalidQbxml, match="CustomerRet"):
        build_request("<CustomerRet/>")


def test_schema_errors_report_element_order(qbxml_schema: etree.XMLSchema) -> None:
    """qbXML is order-sensitive: FromModifiedDate before MaxReturned is reported."""
    wrong = build_request(
        "<CustomerQueryRq><FromModifiedDate>2020-01-01</FromModifiedDate>"
        "<MaxReturned>5</MaxReturned></CustomerQueryRq>"
    )
    errors = schema_errors(wrong, qbxml_schema)
    assert errors
    assert errors[0].startswith("line ")
    assert "MaxReturned" in errors[0]


def test_schema_accepts_rollback_that_quickbooks_rejects(qbxml_schema: etree.XMLSchema) -> None:
    """The XSD allows rollbackOnError, which is why validate_request checks it separately."""
    assert schema_errors(MINIMAL.replace("stopOnError", "rollbackOnError"), qbxml_schema) == []


def test_load_schema_is_cached(qbxml_schema_dir: Path, qbxml_schema: etree.XMLSchema) -> None:
    """Loading the same directory again returns the compiled schema already built."""
    assert load_schema(qbxml_schema_dir) is qbxml_schema


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_validate_request_raises_only_qbxml_errors(text: str) -> None:
    """Arbitrary text makes validate_request raise nothing but QbxmlError."""
    with contextlib.suppress(QbxmlError):
        validate_request(text)
