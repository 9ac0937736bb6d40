"""Fixtures for the qbXML tests: the shared reference files and the compiled 13.0 schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from qwc_service.qbxml.requests import load_schema
from qwc_service.qbxml.xmlsafe import parse_document

REFERENCE = (Path(__file__).resolve().parents[2] / ".." / "shared" / "reference").resolve()
SAMPLES = REFERENCE / "qbxml-samples"
CAPTURES = REFERENCE / "captures"
SCHEMA_DIR = REFERENCE / "qbxml-schema"

PAYLOAD_MARKER = "<!-- ===== verbatim payload follows"
INTUIT_NS = "http://developer.intuit.com/"

MALFORMED_SAMPLE = "HCP-HostQueryRs-CompanyQueryRs-PreferencesQueryRs-QBPro2014-MALFORMED-qbwc-qbwc.xml"
FRAGMENT_SAMPLE = "ReceivePaymentRet-fragment-LinkedTxn-consolibyte-quickbooks-php.xml"
SOAP_SAMPLE = "receiveResponseXML-SOAP-ItemServiceAddRs-3100-consolibyte-quickbooks-php.xml"
PREMIER_HCP = "HCP-HostQueryRs-CompanyQueryRs-PreferencesQueryRs-QBPremier2012-johnballantyne-qbws.xml"
PRO2014_HCP_CAPTURE = "strHCPResponse-QuickBooksPro2014-qbwc-gem-test_helper.xml"


def response_samples() -> list[Path]:
    """Every qbXML response sample that is a complete, well-formed QBXML document."""
    excluded = {MALFORMED_SAMPLE, FRAGMENT_SAMPLE, SOAP_SAMPLE}
    return [path for path in sorted(SAMPLES.glob("*.xml")) if path.name not in excluded]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``response_sample`` over the well-formed response samples."""
    if "response_sample" in metafunc.fixturenames:
        paths = response_samples()
        metafunc.parametrize("response_sample", paths, ids=[path.stem[:60] for path in paths])


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


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The shared reference directory next to the repository."""
    assert REFERENCE.is_dir(), f"reference files missing at {REFERENCE}"
    return REFERENCE


@pytest.fixture(scope="session")
def qbxml_schema(reference_dir: Path) -> etree.XMLSchema:
    """The qbXML 13.0 schema, compiled once per test session."""
    return load_schema(reference_dir / "qbxml-schema")


@pytest.fixture
def sample_text(reference_dir: Path) -> Callable[[str], str]:
    """Read a file from qbxml-samples by name."""

    def read(name: str) -> str:
        return (reference_dir / "qbxml-samples" / name).read_text(encoding="utf-8")

    return read


@pytest.fixture
def load_payload(reference_dir: Path) -> Callable[[str], str]:
    """Read the payload of a file from captures/ by name."""

    def read(name: str) -> str:
        return read_payload(reference_dir / "captures" / name)

    return read


@pytest.fixture
def soap_response() -> Callable[[str], str]:
    """Extract the <response> text from a receiveResponseXML SOAP request."""
    return soap_response_text
