"""Fixtures for the qbXML tests: reference files and the compiled qbXML 13.0 schema."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from qwc_service.qbxml.requests import load_schema
from tests.qbxml.samples import (
    CAPTURES,
    SAMPLES,
    SCHEMA_DIR,
    read_payload,
    response_samples,
    soap_response_text,
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``response_sample`` over the well-formed response samples."""
    if "response_sample" in metafunc.fixturenames:
        paths = response_samples()
        metafunc.parametrize("response_sample", paths, ids=[path.stem[:60] for path in paths])


@pytest.fixture(scope="session")
def qbxml_schema() -> etree.XMLSchema:
    """The qbXML 13.0 schema, compiled once per test session."""
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"qbXML schema not found at {SCHEMA_DIR}")
    return load_schema(SCHEMA_DIR)


@pytest.fixture
def sample_text() -> Callable[[str], str]:
    """Read a file from qbxml-samples by name."""
    if not SAMPLES.is_dir():
        pytest.skip(f"qbXML samples not found at {SAMPLES}")

    def read(name: str) -> str:
        return (SAMPLES / name).read_text(encoding="utf-8")

    return read


@pytest.fixture
def load_payload() -> Callable[[str], str]:
    """Read the payload (what follows the marker line) of a file in captures/ by name."""
    if not CAPTURES.is_dir():
        pytest.skip(f"captures not found at {CAPTURES}")

    def read(name: str) -> str:
        return read_payload(CAPTURES / name)

    return read


@pytest.fixture
def soap_response() -> Callable[[str], str]:
    """Extract the <response> text from a receiveResponseXML SOAP request."""
    return soap_response_text
