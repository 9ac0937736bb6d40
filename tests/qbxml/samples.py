"""The reference files the qbXML tests read, by name, and small helpers to open them."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from qwc_service.qbxml.xmlsafe import parse_document

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
SAMPLES = REFERENCE / "qbxml-samples"
CAPTURES = REFERENCE / "captures"
SCHEMA_DIR = REFERENCE / "qbxml-schema"

_HCP = "HCP-HostQueryRs-CompanyQueryRs-PreferencesQueryRs-"
PREMIER_HCP = f"{_HCP}QBPremier2012-johnballantyne-qbws.xml"
MALFORMED_HCP = f"{_HCP}QBPro2014-MALFORMED-qbwc-qbwc.xml"
PRO2014_CAPTURE = "strHCPResponse-QuickBooksPro2014-qbwc-gem-test_helper.xml"
FRAGMENT_SAMPLE = "ReceivePaymentRet-fragment-LinkedTxn-consolibyte-quickbooks-php.xml"
SOAP_SAMPLE = "receiveResponseXML-SOAP-ItemServiceAddRs-3100-consolibyte-quickbooks-php.xml"

PAYLOAD_MARKER = "<!-- ===== verbatim payload follows"
INTUIT_NS = "http://developer.intuit.com/"


def response_samples() -> list[Path]:
    """Every qbXML response sample that is a complete, well-formed QBXML document."""
    excluded = {MALFORMED_HCP, FRAGMENT_SAMPLE, SOAP_SAMPLE}
    return [path for path in sorted(SAMPLES.glob("*.xml")) if path.name not in excluded]


def read_payload(path: Path) -> str:
    """The payload of a capture file: everything after its marker line."""
    text = path.read_text(encoding="utf-8")
    start = text.index(PAYLOAD_MARKER)
    return text[text.index("\n", start) + 1 :]


def soap_response_text(envelope: str) -> str:
    """The qbXML text a receiveResponseXML SOAP request carries in its <response> element."""
    root = parse_document(envelope)
    node = next(root.iter(etree.QName(INTUIT_NS, "response").text), None)
    assert node is not None, "no <response> element in the envelope"
    return str(node.text or "")
