"""Fixtures for the payment tests: an app that runs payment jobs."""

from __future__ import annotations

import pytest

from qwc_service.app import QwcApp
from qwc_service.qbwc.handlers.payment import PaymentHandler
from qwc_service.queue.models import JobKind


@pytest.fixture
def payment_app(app: QwcApp) -> QwcApp:
    """The app, with the payment handler in its handler table."""
    if JobKind.PAYMENT not in app.exchange.handlers:
        app.exchange.handlers = {**app.exchange.handlers, JobKind.PAYMENT: PaymentHandler()}
    return app
