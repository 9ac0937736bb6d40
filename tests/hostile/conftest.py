"""A server with a connection and a machine, ready to be attacked and then used normally."""

from __future__ import annotations

import pytest

from qwc_service.app import QwcApp
from tests.factories import make_connection, make_machine
from tests.hostile.harness import Target, row_counts


@pytest.fixture
def target(app: QwcApp) -> Target:
    """The app with a connection and one machine of it; row counts taken after setup."""
    machine = make_machine(app, make_connection(app))
    return Target(app, machine, row_counts(app))
