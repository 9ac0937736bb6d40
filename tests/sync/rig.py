"""A server with the sync handler, a machine, a fake QuickBooks, and a session driver."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from qwc_service.app import QwcApp
from qwc_service.connections.models import Connection
from qwc_service.db import unit_of_work
from qwc_service.qbwc.exchange import WebConnectorExchange
from qwc_service.qbwc.handlers.sync import SyncHandler
from qwc_service.qbwc.kinds import build_handlers
from qwc_service.queue.models import Job, JobKind
from qwc_service.sessions.service import AuthStatus
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.company import Company
from qwc_service.soap.application import build_soap_app
from qwc_service.soap.guard import guard_soap
from qwc_service.sync import schedule
from qwc_service.sync.models import SyncDefinition
from tests.factories import MachineCredentials, make_connection, make_machine


def with_sync_handler(app: QwcApp) -> QwcApp:
    """The same server, its exchange built with the sync handler among its handlers."""
    handlers = {**build_handlers(), JobKind.SYNC: SyncHandler()}
    exchange = WebConnectorExchange(app.settings, app.session_factory, handlers, app.hashing)
    soap = guard_soap(
        build_soap_app(exchange, app.settings.soap_url), max_body_bytes=app.settings.max_body_bytes
    )
    return QwcApp(
        app.settings,
        app.engine,
        app.session_factory,
        app.hashing,
        exchange,
        tuple(replace(r, handler=soap) if r.path == "/qbwc" else r for r in app.routes),
    )


class RecordingQuickBooks(FakeQuickBooks):
    """The fake QuickBooks, keeping every request it answered and each answer's size."""

    def __init__(self, company: Company, **kwargs: object) -> None:
        super().__init__(company, **kwargs)  # type: ignore[arg-type]
        self.requests: list[str] = []
        self.responses: list[str] = []

    def process(self, request_xml: str) -> str:
        """Answer as QuickBooks does, and remember the exchange."""
        self.requests.append(request_xml)
        answer = super().process(request_xml)
        self.responses.append(answer)
        return answer


@dataclass
class SessionRun:
    """What one driven session saw."""

    status: str
    progress: list[int] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@dataclass
class Rig:
    """One connection with a machine, a company in a fake QuickBooks, and the server."""

    app: QwcApp
    connection_id: str
    machine: MachineCredentials
    quickbooks: RecordingQuickBooks

    @property
    def exchange(self) -> WebConnectorExchange:
        """The server's protocol services."""
        return self.app.exchange

    def add_sync(self, record_type: str, every: int = 60, max_returned: int = 100) -> None:
        """Define a sync of ``record_type`` for the connection."""
        with unit_of_work(self.app.session_factory) as db:
            schedule.add_sync(db, self.connection_id, record_type, every, max_returned=max_returned)

    def sync_now(self, record_type: str | None = None) -> list[int]:
        """Queue syncs now; returns the job ids."""
        with unit_of_work(self.app.session_factory) as db:
            return [j.id for j in schedule.sync_now(db, self.connection_id, record_type)]

    def definition(self, record_type: str) -> SyncDefinition:
        """The stored definition of ``record_type``."""
        with unit_of_work(self.app.session_factory) as db:
            return schedule.get_sync(db, self.connection_id, record_type)

    def job(self, job_id: int) -> Job:
        """A job as stored now."""
        with unit_of_work(self.app.session_factory) as db:
            job = db.get(Job, job_id)
            assert job is not None
            return job

    def run_session(
        self,
        *,
        before_answer: Callable[[int, str], None] | None = None,
        stop_after: int | None = None,
        leave_after: int | None = None,
        answer: Callable[[str], tuple[str, str, str]] | None = None,
        close: bool = True,
    ) -> SessionRun:
        """Drive one Web Connector session through the exchange, QuickBooks answering.

        ``before_answer(n, request)`` runs before QuickBooks answers the n-th request (1-based);
        ``stop_after`` abandons the session once that many requests were handed out, without
        answering the last one and without closing; ``leave_after`` abandons the session once
        that many answers were delivered, without closing; ``answer`` replaces QuickBooks' answer
        with (response, hresult, message).
        """
        outcome = self.exchange.authenticate(self.machine.username, self.machine.password)
        run = SessionRun(outcome.status.value)
        if outcome.status is not AuthStatus.WORK:
            return run
        qb = self.quickbooks
        qb.begin_session("SYNC-PC")
        hcp = qb.hcp_response()
        try:
            while True:
                major, minor = qb.qbxml_version
                request = self.exchange.send_request(
                    outcome.ticket, hcp, qb.company_file, qb.country, major, minor
                )
                hcp = ""
                if not request:
                    break
                run.requests.append(request)
                if stop_after is not None and len(run.requests) >= stop_after:
                    return run
                if before_answer is not None:
                    before_answer(len(run.requests), request)
                if answer is not None:
                    response, hresult, message = answer(request)
                else:
                    response, hresult, message = qb.process(request), "", ""
                percent = self.exchange.receive_response(outcome.ticket, response, hresult, message)
                run.progress.append(percent)
                if leave_after is not None and len(run.progress) >= leave_after:
                    return run
                if percent < 0 or percent >= 100:
                    break
        finally:
            qb.end_session()
        if close:
            self.exchange.close_connection(outcome.ticket)
        return run


def make_rig(app: QwcApp, company: Company, *, timezone: str = "UTC") -> Rig:
    """A connection with one machine whose QuickBooks has ``company`` open."""
    server = with_sync_handler(app)
    connection_id = make_connection(server)
    machine = make_machine(server, connection_id)
    with unit_of_work(server.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        connection.timezone = timezone
        owner_id, file_id = connection.owner_id, connection.file_id
    quickbooks = RecordingQuickBooks(company)
    # What the Web Connector does when the .qwc is added.
    quickbooks.stamp_file_id(owner_id, file_id)
    return Rig(server, connection_id, machine, quickbooks)
