"""Installing a machine through the link: one machine, one audit event, one webhook per form."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qwc_service.app import QwcApp
from qwc_service.audit.service import list_events
from qwc_service.connections.install_links import Readiness
from qwc_service.connections.models import Connection, Machine
from qwc_service.db import unit_of_work
from qwc_service.qbwc.installs import InstallsClosed, install_machine, open_install_page
from tests.factories import make_connection
from tests.setup.install_helpers import issue_link
from tests.webhooks.factories import events, make_endpoint


def _lock(app: QwcApp, connection_id: str) -> None:
    """The state a first sync leaves: a success, and the lock on the company file."""
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        connection.last_success_at = connection.locked_at = moment
        connection.lock_company_name = "Acme Widgets Ltd"
        connection.lock_file_path = r"C:\Company\acme.QBW"
        connection.lock_file_id = connection.file_id


def _install(app: QwcApp, token: str, value: str, label: str) -> tuple[str, bool]:
    with unit_of_work(app.session_factory) as db:
        installed = install_machine(
            db,
            app.settings,
            app.hashing,
            token,
            form_value=value,
            label=label,
            client_address="203.0.113.7",
        )
        return installed.setup_token, installed.again


def test_a_form_sent_three_times_is_one_install(app: QwcApp) -> None:
    """The same machine and setup token each time; one audit event and one machine.installed."""
    connection_id = make_connection(app)
    _lock(app, connection_id)
    make_endpoint(app, "https://vendor.example/hooks", connection_id=connection_id)
    token = issue_link(app, connection_id).rsplit("/", 1)[-1]
    with unit_of_work(app.session_factory) as db:
        offer = open_install_page(db, token)
    assert offer.readiness is Readiness.READY and offer.form_value is not None
    assert offer.company_name == "Acme Widgets Ltd"
    results = [_install(app, token, offer.form_value, "Maria, terminal server") for _ in range(3)]
    assert [again for _, again in results] == [False, True, True]
    assert len({setup_token for setup_token, _ in results}) == 1
    with unit_of_work(app.session_factory) as db:
        machines = db.query(Machine).filter_by(connection_id=connection_id).all()
        audit = list_events(db, connection_id=connection_id, kinds=("machine_installed",))
    assert [m.label for m in machines] == ["Maria, terminal server"]
    assert len(audit) == 1 and audit[0].client_address == "203.0.113.7"
    hooks = [e for e in events(app) if e.kind == "machine.installed"]
    assert len(hooks) == 1
    assert json.loads(hooks[0].payload) == {
        "machine_id": machines[0].id,
        "username": machines[0].username,
        "label": "Maria, terminal server",
    }


@pytest.mark.parametrize("why", [Readiness.AWAITING_FIRST_SYNC, Readiness.DISABLED])
def test_nothing_is_installed_while_installs_are_closed(app: QwcApp, why: Readiness) -> None:
    """Before the first sync or on a disabled connection: InstallsClosed, nothing written."""
    connection_id = make_connection(app)
    token = issue_link(app, connection_id).rsplit("/", 1)[-1]
    if why is Readiness.DISABLED:
        _lock(app, connection_id)
        with unit_of_work(app.session_factory) as db:
            connection = db.get(Connection, connection_id)
            assert connection is not None
            connection.disabled_at = datetime(2026, 1, 3, tzinfo=UTC)
    with unit_of_work(app.session_factory) as db:
        offer = open_install_page(db, token)
    assert offer.readiness is why and offer.form_value is None and offer.company_name is None
    with pytest.raises(InstallsClosed) as closed:
        _install(app, token, "A" * 43, "Maria")
    assert closed.value.why is why
    with unit_of_work(app.session_factory) as db:
        assert db.query(Machine).filter_by(connection_id=connection_id).count() == 0
