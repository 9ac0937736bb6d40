"""Fixtures for the qbXML tests: reference files by name, and the text a SOAP request carries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from qwc_service.qbxml.xmlsafe import parse_document
from tests.reference_files import RESPONSE_SAMPLES

INTUIT_NS = "http://developer.intuit.com/"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``response_sample`` over the names of the well-formed response samples."""
    if "response_sample" in metafunc.fixturenames:
        metafunc.parametrize(
            "response_sample",
            RESPONSE_SAMPLES,
            indirect=True,
            ids=[name.removesuffix(".xml")[:60] for name in RESPONSE_SAMPLES],
        )


@pytest.fixture
def response_sample(request: pytest.FixtureRequest, reference: Path) -> Path:
    """The path of the response sample this test is parametrised with."""
    return reference / "qbxml-samples" / request.param


@pytest.fixture
def sample_text(qbxml_sample: Callable[[str], bytes]) -> Callable[[str], str]:
    """Read a file from qbxml-samples by name."""
    return lambda name: qbxml_sample(name).decode("utf-8")


@pytest.fixture
def load_payload(capture: Callable[[str], bytes]) -> Callable[[str], str]:
    """Read the payload (what follows the marker line) of a file in captures/ by name."""
    return lambda name: capture(name).decode("utf-8")


def soap_response_text(envelope: str) -> str:
    """The qbXML text a receiveResponseXML SOAP request carries in its <response> element."""
    root = parse_document(envelope)
    node = next(root.iter(etree.QName(INTUIT_NS, "response").text), None)
    assert node is not None, "no <response> element in the envelope"
    return str(node.text or "")


@pytest.fixture
def soap_response() -> Callable[[str], str]:
    """Extract the <response> text from a receiveResponseXML SOAP request."""
    return soap_response_text
