"""Fixtures for the payment tests: the qbXML schema and an app that runs payment jobs."""

from __future__ import annotations

import pytest
from lxml import etree

from qwc_service.app import QwcApp
from qwc_service.qbwc.handlers.payment import PaymentHandler
from qwc_service.qbxml.requests import load_schema
from qwc_service.queue.models import JobKind
from tests.qbxml.samples import SCHEMA_DIR


@pytest.fixture(scope="session")
def qbxml_schema() -> etree.XMLSchema:
    """The qbXML 13.0 schema, compiled once per test session."""
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"qbXML schema not found at {SCHEMA_DIR}")
    return load_schema(SCHEMA_DIR)


@pytest.fixture
def payment_app(app: QwcApp) -> QwcApp:
    """The app, with the payment handler in its handler table."""
    if JobKind.PAYMENT not in app.exchange.handlers:
        app.exchange.handlers = {**app.exchange.handlers, JobKind.PAYMENT: PaymentHandler()}
    return app
