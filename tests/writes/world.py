"""A connection with one or two machines and a fake QuickBooks, for write tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from lxml import etree
from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.db import unit_of_work
from qwc_service.queue.models import Job
from qwc_service.sessions.models import WcSession
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.writes import service
from qwc_service.writes.models import Write
from qwc_service.writes.service import write_of_job
from tests.factories import MachineCredentials, make_connection, make_machine
from tests.payments.factories import HandDriven, connector, store_invoice


@dataclass
class World:
    """One connection, its machines, and the fake QuickBooks behind them."""

    app: QwcApp
    connection_id: str
    machine: MachineCredentials
    quickbooks: FakeQuickBooks

    def submit(self, request: str, fields: dict[str, Any], key: str) -> service.Submitted:
        """Queue a write on the connection."""
        with unit_of_work(self.app.session_factory) as db:
            return service.submit_write(
                db, self.connection_id, request=request, fields=fields, idempotency_key=key
            )

    def write(self, write_id: int) -> Write:
        """The write as stored now."""
        with unit_of_work(self.app.session_factory) as db:
            return service.get_write(db, self.connection_id, write_id)

    def job(self, job_id: int | None) -> Job:
        """The job as stored now."""
        with unit_of_work(self.app.session_factory) as db:
            job = db.get(Job, job_id)
            assert job is not None
            assert write_of_job(db, job) is not None
            return job

    def run(self, machine: MachineCredentials | None = None) -> str:
        """One whole Web Connector session; returns its outcome."""
        wc = connector(self.app, machine or self.machine, self.quickbooks)
        return wc.run_session().outcome

    def hand(self, machine: MachineCredentials | None = None) -> HandDriven:
        """A hand-driven Web Connector (FileID stamped)."""
        connector(self.app, machine or self.machine, self.quickbooks)
        return HandDriven(self.app, machine or self.machine, self.quickbooks)

    def expire_sessions(self) -> None:
        """Let every open session of the connection run out (a machine that went away)."""
        with unit_of_work(self.app.session_factory) as db:
            for wc in db.scalars(
                select(WcSession).where(WcSession.connection_id == self.connection_id)
            ):
                wc.expires_at = utcnow() - timedelta(seconds=1)
            for job in db.scalars(select(Job).where(Job.connection_id == self.connection_id)):
                if job.leased_until is not None:
                    job.leased_until = utcnow() - timedelta(seconds=1)

    def second_machine(self) -> MachineCredentials:
        """Another Web Connector of the same connection."""
        return make_machine(self.app, self.connection_id, label="second")


def make_world(app: QwcApp, schema: etree.XMLSchema) -> World:
    """A connection whose stored invoices match its fake company."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    company = generate_company(customers=5, invoices=8, payments=2)
    quickbooks = FakeQuickBooks(company, schema=schema)
    for invoice in company.invoices.values():
        store_invoice(app, connection_id, invoice)
    return World(app, connection_id, machine, quickbooks)
