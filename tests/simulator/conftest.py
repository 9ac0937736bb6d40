"""Fixtures for the simulator tests: the qbXML schema and the real .qwc files."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from qwc_service.qbxml.requests import SCHEMA_FILE
from qwc_service.simulator.quickbooks import load_qbxml_schema


@pytest.fixture(scope="session")
def schema(qbxml_schema_dir: Path) -> etree.XMLSchema:
    """The qbXML 13.0 schema, compiled once, as the simulator loads it."""
    return load_qbxml_schema(qbxml_schema_dir / SCHEMA_FILE)


@pytest.fixture(scope="session")
def qwc_samples(reference: Path) -> Path:
    """The folder of real .qwc files (Intuit's, and from projects that served QBWC)."""
    return reference / "samples"
