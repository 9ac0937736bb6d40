"""A server with one machine and queued work, ready to be attacked and then used normally."""

from __future__ import annotations

import pytest

from qwc_service.app import QwcApp
from tests.factories import enqueue, make_connection, make_machine
from tests.hostile.harness import Target, row_counts


@pytest.fixture
def target(app: QwcApp) -> Target:
    """The app with a connection, a machine and one queued customer query."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id)
    return Target(app, machine, job_id, row_counts(app))
