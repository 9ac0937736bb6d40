"""A whole sync through the SOAP endpoint, driven by the simulated Web Connector."""

from __future__ import annotations

from sqlalchemy import func, select

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.records.models import StoredRecord
from qwc_service.simulator.connector import WebConnector, WsgiTransport
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.sync.rig import make_rig


def test_simulated_web_connector_runs_a_paged_sync(app: QwcApp) -> None:
    """250 customers over SOAP: three pages, progress 33, 66, 100, every customer stored."""
    rig = make_rig(app, generate_company(customers=250, invoices=0, payments=0))
    rig.add_sync("customers", max_returned=100)
    rig.sync_now()
    assert rig.machine.qwc_path is not None
    quickbooks = FakeQuickBooks(rig.quickbooks.company)
    connector = WebConnector(
        read_qwc(rig.machine.qwc_path),
        rig.machine.password,
        quickbooks,
        http=WsgiTransport(rig.app),
        url="http://localhost/qbwc",
    )
    connector.add_application()
    result = connector.run_session()
    assert result.outcome == "completed", result.last_error
    assert result.progress == [33, 66, 100]
    assert result.requests_processed == 3
    with unit_of_work(rig.app.session_factory) as db:
        stored = db.scalar(
            select(func.count()).where(
                StoredRecord.connection_id == rig.connection_id,
                StoredRecord.record_type == "Customer",
            )
        )
    assert stored == 250
    assert rig.definition("customers").last_success_at is not None
