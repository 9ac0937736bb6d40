"""The Web Connector's side of a session, one method per SOAP call, one transaction each.

The SOAP transport translates the wire into these calls and back; everything the protocol
decides (what to answer for an unknown ticket, when to say 100, what getLastError says)
is decided here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.orm import Session

from qwc_service import __version__
from qwc_service.audit.service import record_event
from qwc_service.clock import isoformat, utcnow
from qwc_service.config import Settings
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.connections.lock import CompanyMismatch, CompanySeen, check_company, lock_company
from qwc_service.connections.models import Connection
from qwc_service.db import SessionFactory, unit_of_work
from qwc_service.metrics import count_login_failure
from qwc_service.qbwc.jobs import JobContext, JobHandler
from qwc_service.qbwc.login import note_check_in, start_session
from qwc_service.qbwc.operations import end_session
from qwc_service.qbxml.errors import QbxmlError
from qwc_service.qbxml.explain import explain_hresult, format_for_person
from qwc_service.qbxml.hcp import file_id_for, parse_hcp
from qwc_service.qbxml.requests import stamp_request_id
from qwc_service.qbxml.responses import first_request_id
from qwc_service.qbxml.versions import DEFAULT_VERSION, choose_version
from qwc_service.queue.models import Job, JobStatus
from qwc_service.queue.service import (
    claim_next,
    fail_dependants,
    release_session_jobs,
    sent_job_of_session,
    units_remaining,
)
from qwc_service.sessions import clients, throttle, tickets
from qwc_service.sessions.models import WcSession
from qwc_service.sessions.outcomes import COMPANY_MISMATCH, NOTHING_TO_DO
from qwc_service.sessions.service import (
    LOGIN_ANSWERED,
    AuthOutcome,
    Login,
    TicketInvalid,
    find_login,
    find_session,
    rejected,
    resolve,
)
from qwc_service.webhooks.events import emit_company_mismatch, emit_first_sync, emit_job_finished

log = structlog.get_logger("qwc_service.exchange")

NO_SESSION_MESSAGE = (
    "The server does not know this Web Connector session (it expired or was closed). "
    "The Web Connector starts a new one at the next update; nothing was lost."
)
BUSY_RETRY_SECONDS = 300
SESSION_FATAL = -101


@dataclass(frozen=True)
class CallContext:
    """Who is calling: used for logs and for linking clientVersion to a machine."""

    client_address: str = ""


class WebConnectorExchange:
    """The QBWC protocol, as services the SOAP layer, the CLI and the tests can call."""

    def __init__(
        self,
        settings: Settings,
        session_factory: SessionFactory,
        handlers: Mapping[str, JobHandler],
        hashing: PasswordHashing,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.handlers = handlers
        self.hashing = hashing
        self.versions_written = clients.WrittenVersions()

    # -- before a session ---------------------------------------------------------------

    def server_version(self) -> str:
        """The version string shown in the Web Connector's More Information dialog."""
        return f"qwc-service {__version__}"

    def client_version(self, version: str, ctx: CallContext = CallContext()) -> str:
        """``""`` to proceed, or ``"O:<min>"`` when the Web Connector is older than supported."""
        version = (version or "").strip()[:32]
        now = utcnow()
        if (
            ctx.client_address
            and version
            and self.versions_written.due(ctx.client_address, version, now)
        ):
            with unit_of_work(self.session_factory) as db:
                clients.remember_version(db, ctx.client_address, version, now)
            self.versions_written.wrote(ctx.client_address, version, now)
        if not version:
            return ""
        if clients.version_tuple(version) < clients.version_tuple(self.settings.min_qbwc_version):
            return f"O:{self.settings.min_qbwc_version}"
        return ""

    def authenticate(
        self, username: str, password: str, ctx: CallContext = CallContext()
    ) -> AuthOutcome:
        """Check a machine's password and start a session if its connection has work.

        One transaction: the login and its throttle are read, the password is checked
        (a keyed hash, microseconds), due syncs are queued and the answer is decided. An
        idle poll like the one before it writes at most the machine's last_seen_at, once
        a minute; the audit log records only first logins, failures, lockouts, changed
        answers and sessions with work.
        """
        username = (username or "").strip()
        address = ctx.client_address
        now = utcnow()
        with unit_of_work(self.session_factory) as db:
            login, gate = find_login(db, username, address, now)
            if gate.locked_until is not None:
                # Refused without looking at the password: the lockout is temporary.
                seconds = int((gate.locked_until - now).total_seconds())
                log.info("login_throttled", seconds=seconds)
                count_login_failure("throttled")
                return rejected()
            if not self.hashing.verify(login.password_hash if login else None, password or ""):
                self._refuse(db, login, username, address, now)
                return rejected()
            assert login is not None
            throttle.record_success(db, gate)
            outcome = start_session(
                db,
                login,
                now=now,
                ttl_seconds=self.settings.ticket_ttl_seconds,
                busy_retry_seconds=BUSY_RETRY_SECONDS,
            )
            machine = outcome.machine
            if machine is None:
                return outcome
            if self.hashing.outdated(machine.password_hash):
                # Stored by an earlier version (argon2) or under an earlier key: the
                # password was just proved, so it is stored again under the current key.
                machine.password_hash = self.hashing.hash(password)
                log.info("password_hash_updated")
            structlog.contextvars.bind_contextvars(
                connection_id=login.connection_id, machine_id=login.machine_id
            )
            seen_before = machine.last_seen_at
            if note_check_in(machine, outcome.status, now):
                record_event(
                    db,
                    "login",
                    LOGIN_ANSWERED + outcome.status.value,
                    connection_id=login.connection_id,
                    machine_id=login.machine_id,
                    username=username,
                    client_address=address,
                    now=now,
                )
            if address and machine.last_seen_at != seen_before:
                # The address and the Web Connector's version change rarely: they are
                # read again when last_seen_at is, at most once a minute.
                machine.last_login_address = address
                seen = clients.recent_version(db, address, now)
                if seen:
                    machine.qbwc_version = seen
        return outcome

    def _refuse(
        self, db: Session, login: Login | None, username: str, address: str, now: datetime
    ) -> None:
        """Count a failed login: log, metric, audit event and throttle (maybe a lockout)."""
        log.info("login_rejected", known_user=login is not None)
        count_login_failure("wrong_password" if login else "unknown_user")
        record_event(
            db,
            "login_failed",
            "wrong password" if login else "unknown or revoked username",
            connection_id=login.connection_id if login else None,
            machine_id=login.machine_id if login else None,
            username=username,
            client_address=address,
        )
        locked = throttle.record_failure(db, username, address, now)
        if locked is not None:
            record_event(
                db,
                "lockout",
                f"further logins refused until {isoformat(locked)}",
                connection_id=login.connection_id if login else None,
                username=username,
                client_address=address,
            )

    # -- inside a session ---------------------------------------------------------------

    def send_request(
        self,
        ticket: str,
        hcp_response: str,
        company_file_name: str,
        country: str,
        major: int | None,
        minor: int | None,
    ) -> str:
        """The next qbXML request for the session, or ``""`` when there is none."""
        now = utcnow()
        with unit_of_work(self.session_factory) as db:
            try:
                wc = resolve(db, ticket, now=now, ttl_seconds=self.settings.ticket_ttl_seconds)
                _bind(wc)
            except TicketInvalid:
                return ""
            connection = db.get(Connection, wc.connection_id)
            assert connection is not None
            if wc.requests_sent == 0 and wc.company_file_name is None:
                self._record_host(
                    wc, connection, hcp_response, company_file_name, country, major, minor
                )
                self._check_company(db, wc, connection, now)
            if wc.refused:
                return ""
            if wc.requests_sent > wc.responses_received:
                # A request handed out earlier and never answered: its response was lost.
                # (A response that matched no job leaves its job to the session's end.)
                release_session_jobs(db, wc.id, ended=False)
            ctx = _job_context(db, wc, now)
            while True:
                job = claim_next(db, connection.id, wc.id, wc.expires_at, now)
                if job is None:
                    wc.last_error = NOTHING_TO_DO
                    return ""
                try:
                    text = self._prepare(ctx, job)
                except QbxmlError as exc:
                    job.status = JobStatus.ERROR
                    job.error = f"the request could not be prepared: {exc}"
                    job.completed_at = now
                    fail_dependants(db, job, now)
                    emit_job_finished(db, job, now=now)
                    wc.last_error = "A queued request was not valid qbXML; it was skipped."
                    return ""
                if text:
                    wc.requests_sent += 1
                    return text
                # The handler ended the job without a request (a write whose outcome can
                # only be settled by a person): on to the next job.
                if job.status == JobStatus.ERROR:
                    fail_dependants(db, job, now)
                emit_job_finished(db, job, now=now)
                db.flush()

    def receive_response(self, ticket: str, response: str, hresult: str, message: str) -> int:
        """Store QuickBooks' answer on its job; return progress 0-100, or negative on failure."""
        now = utcnow()
        with unit_of_work(self.session_factory) as db:
            try:
                wc = resolve(db, ticket, now=now, ttl_seconds=self.settings.ticket_ttl_seconds)
                _bind(wc)
            except TicketInvalid:
                return SESSION_FATAL
            job = self._match_job(db, wc, response)
            if job is None:
                wc.responses_received += 1
                wc.last_error = (
                    "QuickBooks sent a response that matches no request of this session; "
                    "it was not stored."
                )
                return SESSION_FATAL
            connection = db.get(Connection, wc.connection_id)
            assert connection is not None
            ctx = _job_context(db, wc, now)
            self.handlers[job.kind].on_response(ctx, job, response, hresult, message)
            if job.status == JobStatus.ERROR:
                fail_dependants(db, job, now)
            elif job.status == JobStatus.DONE and _stale(connection, now):
                connection.last_success_at = now
            emit_job_finished(db, job, now=now)
            if job.status == JobStatus.DONE and lock_company(connection, _seen(wc), now):
                record_event(
                    db,
                    "company_locked",
                    f"connection locked to {_seen(wc).describe()}",
                    connection_id=connection.id,
                    machine_id=wc.machine_id,
                )
                emit_first_sync(db, connection, job_id=job.id, now=now)
            return self._progress(db, wc, now)

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """Record why the Web Connector could not reach QuickBooks; retry once, then ``done``."""
        now = utcnow()
        with unit_of_work(self.session_factory) as db:
            try:
                wc = resolve(db, ticket, now=now, ttl_seconds=self.settings.ticket_ttl_seconds)
                _bind(wc)
            except TicketInvalid:
                return "done"
            wc.connection_errors += 1
            text = format_for_person(explain_hresult(hresult or ""), (message or "")[:500])
            wc.last_error = text
            connection = db.get(Connection, wc.connection_id)
            assert connection is not None
            connection.last_error = text
            connection.last_error_at = now
            log.info("connection_error", hresult=(hresult or "")[:32], attempt=wc.connection_errors)
            # Retry once with whatever company file is open; after that, give up for this run.
            return "" if wc.connection_errors == 1 else "done"

    def get_last_error(self, ticket: str) -> str:
        """A message a person can act on, about why the session stopped."""
        if tickets.names_no_session(ticket or ""):
            return NO_SESSION_MESSAGE
        with unit_of_work(self.session_factory) as db:
            try:
                wc = find_session(db, ticket)
            except TicketInvalid:
                return NO_SESSION_MESSAGE
            if wc.last_error:
                return wc.last_error
            if wc.closed_at is not None or wc.expires_at <= utcnow():
                return NO_SESSION_MESSAGE
            return NOTHING_TO_DO

    def close_connection(self, ticket: str) -> str:
        """End the session; unanswered jobs go back to the queue."""
        if tickets.names_no_session(ticket or ""):
            # The end of an idle poll: there is no session, and nothing to ask the database.
            return "OK"
        now = utcnow()
        with unit_of_work(self.session_factory) as db:
            try:
                wc = find_session(db, ticket)
            except TicketInvalid:
                return "OK"
            if wc.closed_at is not None:
                return "OK"
            reason = "expired" if wc.expires_at <= now else "closed"
            end_session(db, wc, now=now, reason=reason)
            done = wc.responses_received
            return f"Complete: {done} request{'s' if done != 1 else ''} processed."

    # -- helpers --------------------------------------------------------------------------

    def _record_host(
        self,
        wc: WcSession,
        connection: Connection,
        hcp_response: str,
        company_file_name: str,
        country: str,
        major: int | None,
        minor: int | None,
    ) -> None:
        wc.company_file_name = (company_file_name or "")[:1024]
        wc.qbxml_country = (country or "")[:8] or None
        wc.qbxml_major, wc.qbxml_minor = major, minor
        wc.hcp_response = hcp_response or None
        hcp = parse_hcp(hcp_response or "")
        try:
            wc.qbxml_version = choose_version(hcp, major, minor)
        except ValueError:
            wc.qbxml_version = None
        connection.qbxml_version = wc.qbxml_version
        connection.last_company_file = wc.company_file_name or None
        if hcp.host is not None:
            connection.product_name = (hcp.host.product_name or "")[:200] or None
        if hcp.company is not None:
            wc.company_name = (hcp.company.company_name or "")[:200] or None
            connection.company_name = wc.company_name
        wc.file_id_stamp = file_id_for(hcp, connection.owner_id)

    def _check_company(
        self, db: Session, wc: WcSession, connection: Connection, now: datetime
    ) -> None:
        try:
            check_company(connection, _seen(wc))
        except CompanyMismatch as exc:
            wc.refused = COMPANY_MISMATCH
            wc.last_error = str(exc)
            connection.last_error = str(exc)
            connection.last_error_at = now
            record_event(
                db,
                "company_mismatch",
                str(exc),
                connection_id=connection.id,
                machine_id=wc.machine_id,
            )
            emit_company_mismatch(
                db, connection, _seen(wc), message=str(exc), machine_id=wc.machine_id, now=now
            )
            log.warning("company_mismatch", connection_id=connection.id)

    def _prepare(self, ctx: JobContext, job: Job) -> str:
        text = self.handlers[job.kind].request_for(ctx, job)
        if not text:
            return ""
        assert job.request_id is not None
        # Stamping parses and checks the request set: a request naming no version is sent
        # at the session's.
        return stamp_request_id(text, job.request_id, fallback_version=ctx.qbxml_version)

    def _match_job(self, db: Session, wc: WcSession, response: str) -> Job | None:
        current = sent_job_of_session(db, wc.id)
        if not response or current is None:
            return current
        # Every request of a set carries the job's requestID, so the first response that
        # names one is enough; the handler reads the whole document once, afterwards.
        try:
            echoed = first_request_id(response)
        except QbxmlError:
            return current
        if echoed is not None and _job_part(echoed) != _job_part(current.request_id or ""):
            # QuickBooks echoes our requestID; another job's means a stray response. An
            # earlier attempt of the same job is QuickBooks replaying the answer it stored
            # for a message set (error recovery).
            return None
        return current

    def _progress(self, db: Session, wc: WcSession, now: datetime) -> int:
        """Count the answered response and set the session's progress from what is left."""
        # The query flushes the job's changes; the session row's are made after it, so
        # they go out in one UPDATE at commit.
        remaining = units_remaining(db, wc.connection_id, wc.id, now)
        wc.responses_received += 1
        wc.last_error = None
        if remaining == 0:
            wc.progress = 100
        else:
            done = wc.responses_received
            wc.progress = max(wc.progress, min(99, (100 * done) // (done + remaining)))
        return wc.progress


def _stale(connection: Connection, now: datetime) -> bool:
    # A success stamp a minute old is fresh enough, unless an error came after it; not
    # writing the connection row on every response keeps the hot path to two rows.
    stamp = connection.last_success_at
    if stamp is None or now - stamp > timedelta(minutes=1):
        return True
    return connection.last_error_at is not None and stamp < connection.last_error_at


def _job_part(request_id: str) -> str:
    # requestIDs are "<job id>-<attempt>" (queue.service.claim_next).
    return request_id.partition("-")[0]


def _job_context(db: Session, wc: WcSession, now: datetime) -> JobContext:
    return JobContext(db, wc.id, wc.qbxml_version or DEFAULT_VERSION, now)


def _bind(wc: WcSession) -> None:
    structlog.contextvars.bind_contextvars(connection_id=wc.connection_id, machine_id=wc.machine_id)


def _seen(wc: WcSession) -> CompanySeen:
    return CompanySeen(wc.file_id_stamp, wc.company_name, wc.company_file_name)
