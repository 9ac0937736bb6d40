"""The simulated Web Connector: adds a .qwc application and runs update sessions against a server.

A session makes the calls in the order the Windows Web Connector makes them (QWCLog.txt):
serverVersion, clientVersion, authenticate, then, when there is work, opening the company in
QuickBooks (connectionError when that fails), sendRequestXML / receiveResponseXML until 100 %,
and closeConnection. Every message goes through :mod:`wire`, so a reply the real client would
reject ends the session as a ``protocol_violation`` carrying the QBWC code the user would see.

Decisions where the Web Connector's behaviour is not documented:

* closeConnection is called after a session that reached QuickBooks work (completed, an error
  reported through getLastError, or connectionError giving up) and not after authenticate
  answered nvu/none/busy, nor after a reply was rejected or the server could not be reached.
* A SOAP fault from serverVersion or clientVersion is tolerated (both are optional callbacks;
  servers built on Intuit's original six-method WSDL fault them) and recorded as a warning.
* A null (missing or nil) string result reads as "" except for connectionError, where it ends
  the retry like "done".
* connectionError is given one retry: the second failure ends the session whatever it answers.
* A company file path from authenticate or connectionError that is not the file QuickBooks has
  open fails to open with 0x8004040A, as QuickBooks does when another file is open; a fake
  QuickBooks that already has a session open (another simulated machine) fails with 0x80040422.
* Interactive mode is not simulated: getLastError's "Interactive mode" ends the session.
* Answers lost on purpose (``FakeQuickBooks.faults.lose``): a dropped connection ends the
  session at once, without closeConnection, as an ``http_error`` with QBWC1041 (the
  sendRequestXML reply never arrived, QuickBooks never saw the set) or QBWC1042 (QuickBooks
  applied the set, receiveResponseXML never reached the server); a reported loss sends
  receiveResponseXML with an empty response and the HRESULT, and the session goes on.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from qwc_service.simulator import wire
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import (
    CONNECT_HRESULT,
    CONNECT_MESSAGE,
    PARSE_ERROR_HRESULT,
    PARSE_ERROR_MESSAGE,
    FakeQuickBooks,
    FileIdConflict,
    QbxmlParseError,
    QuickBooksNotRunning,
    SessionAlreadyOpen,
)
from qwc_service.simulator.quickbooks.faults import Loss
from qwc_service.simulator.qwcfile import QwcFile, QwcRejected, read_qwc, reject_if_invalid
from qwc_service.simulator.transcript import (
    MASKED,
    CallRecord,
    Outcome,
    SessionResult,
    format_transcript,
    summarize,
)
from qwc_service.simulator.transport import (
    HttpClientTransport,
    HttpTransport,
    TransportError,
    WsgiTransport,
)

__all__ = [
    "CallRecord",
    "HttpClientTransport",
    "HttpTransport",
    "QwcRejected",
    "SessionResult",
    "WebConnector",
    "WsgiTransport",
    "format_transcript",
    "parse_dataset_spec",
    "simulate",
]

#: What QuickBooks answers BeginSession when another company file than the requested one is open.
OTHER_FILE_HRESULT = "0x8004040A"
OTHER_FILE_MESSAGE = (
    "A QuickBooks company data file is already open and it is different from the one requested."
)
#: What BeginSession fails with while another session holds the company file.
IN_USE_HRESULT = "0x80040422"
IN_USE_MESSAGE = "The company file is in use by another application's session."
#: What QBWC passes as strHCPResponse when the .qwc says QBPOS (PG2.0 p.22).
POS_HCP = "HOSTQUERY/COMPANYQUERY/PREFQUERY is currently not supported in QBPOS."
_STOP_STATUSES: dict[str, Outcome] = {"nvu": "nvu", "none": "none", "busy": "busy"}


#: What receiveResponseXML carries for a loss the Web Connector reports rather than drops.
LOSS_HRESULTS: dict[Loss, tuple[str, str]] = {
    Loss.AFTER_ERROR: (
        "0x80040402",
        "Unexpected error. Check the qbsdklog.txt file for possible additional information.",
    ),
    Loss.BEFORE_ERROR: ("0x80040401", "Could not access QuickBooks."),
    Loss.PARSE_ERROR: (PARSE_ERROR_HRESULT, PARSE_ERROR_MESSAGE),
}


class AnswerLost(TransportError):
    """A lost answer armed with ``FakeQuickBooks.faults.lose`` dropped the connection."""


class CallLimitReached(Exception):
    """The session made ``max_calls`` SOAP calls without ending."""


class WebConnector:
    """One Web Connector application (a .qwc plus the password the user typed) on one machine."""

    def __init__(
        self,
        qwc: QwcFile,
        password: str,
        quickbooks: FakeQuickBooks,
        *,
        url: str | None = None,
        version: str = "2.3.0.215",
        machine_name: str = "SIMULATED-PC",
        http: HttpTransport | None = None,
        on_event: Callable[[CallRecord], None] | None = None,
        noop_wait_seconds: float = 5.0,
        max_calls: int = 100_000,
    ) -> None:
        self.qwc = qwc
        self.quickbooks = quickbooks
        self.url = url or qwc.app_url
        self.version = version
        self.machine_name = machine_name
        self.http: HttpTransport = http or HttpClientTransport()
        self.on_event = on_event
        self.noop_wait_seconds = noop_wait_seconds
        self.max_calls = max_calls
        self._password = password
        self._result = SessionResult()
        self._failed_method = ""

    # -- adding the application ------------------------------------------------------------

    def support_url(self) -> str:
        """AppSupport, moved to the overriding ``url``'s origin when it shares AppURL's host."""
        support = urlsplit(self.qwc.app_support)
        app = urlsplit(self.qwc.app_url)
        target = urlsplit(self.url)
        # urlsplit lower-cases hostname, so this compares hosts case-insensitively.
        if self.url == self.qwc.app_url or support.hostname != app.hostname:
            return self.qwc.app_support
        return urlunsplit((target.scheme, target.netloc, support.path, support.query, ""))

    def add_application(self) -> None:
        """What QBWC does when the user adds the .qwc; raises :class:`QwcRejected` on refusal.

        Validates the file, GETs AppSupport (200 or 202 required) and stamps the FileID into
        the company under the OwnerID, refusing a company that carries another FileID there.
        """
        reject_if_invalid(self.qwc)
        support = self.support_url()
        try:
            reply = self.http.get(support)
        except TransportError as exc:
            raise QwcRejected("QBWC1004", f"Could not reach AppSupport {support}: {exc}") from exc
        if reply.status not in (200, 202):
            raise QwcRejected(
                "QBWC1003", f"AppSupport {support} answered HTTP {reply.status}, not 200 or 202"
            )
        if not self.quickbooks.running:
            raise QwcRejected(
                "QBWC1022",
                f"Could not connect to QuickBooks to look up the FileID: {CONNECT_MESSAGE}",
            )
        try:
            self.quickbooks.stamp_file_id(self.qwc.owner_id, self.qwc.file_id)
        except FileIdConflict as exc:
            raise QwcRejected("QBWC1039", "Unique OwnerID/FileID pair value required") from exc

    # -- one SOAP call ---------------------------------------------------------------------

    def _params_summary(self, params: Sequence[wire.Param]) -> str:
        return ", ".join(
            f"{name}={MASKED if name == 'strPassword' else summarize(value)}"
            for name, value in params
        )

    def _record(
        self,
        method: str,
        params: Sequence[wire.Param],
        result: str,
        status: int | None,
        started: float,
    ) -> None:
        record = CallRecord(
            method=method,
            params=self._params_summary(params),
            result=result,
            http_status=status,
            duration_ms=(time.perf_counter() - started) * 1000.0,
        )
        self._result.calls.append(record)
        if self.on_event is not None:
            self.on_event(record)

    def _call(self, method: str, params: Sequence[wire.Param]) -> wire.Reply:
        if len(self._result.calls) >= self.max_calls:
            raise CallLimitReached(f"{self.max_calls} calls made and the session has not ended")
        body = wire.envelope(method, params)
        started = time.perf_counter()
        status: int | None = None
        try:
            reply = self.http.post(self.url, wire.headers(method), body)
            status = reply.status
            value = wire.parse_reply(method, reply.status, reply.content_type, reply.body)
        except wire.ReplyRejected as exc:
            self._failed_method = method
            self._record(method, params, f"rejected: {exc}", status, started)
            raise
        except TransportError as exc:
            self._failed_method = method
            self._record(method, params, f"no answer: {exc}", status, started)
            raise
        self._record(method, params, summarize(value), status, started)
        return value

    def _call_str(self, method: str, params: Sequence[wire.Param]) -> str | None:
        value = self._call(method, params)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{method} gave {value!r}, expected a string")
        return value

    def _call_int(self, method: str, params: Sequence[wire.Param]) -> int:
        value = self._call(method, params)
        if not isinstance(value, int):
            raise TypeError(f"{method} gave {value!r}, expected an int")
        return value

    def _call_list(self, method: str, params: Sequence[wire.Param]) -> list[str]:
        value = self._call(method, params)
        if not isinstance(value, list):
            raise TypeError(f"{method} gave {value!r}, expected a list")
        return value

    def _optional_call(self, method: str, params: Sequence[wire.Param]) -> str | None:
        try:
            return self._call_str(method, params)
        except wire.SoapFault as exc:
            self._result.warnings.append(f"{method} answered a SOAP fault ({exc}); ignored")
            return None

    # -- the session -----------------------------------------------------------------------

    def run_session(self) -> SessionResult:
        """Run one update session against the server and report what happened."""
        self._result = result = SessionResult()
        self._failed_method = ""
        try:
            self._session(result)
        except wire.ReplyRejected as exc:
            failed_http = isinstance(exc, wire.HttpStatusError)
            result.outcome = "http_error" if failed_http else "protocol_violation"
            result.qbwc_code = exc.qbwc_code
            result.last_error = str(exc)
        except TransportError as exc:
            result.outcome = "http_error"
            result.qbwc_code = wire.QBWC_CODES.get(self._failed_method)
            result.last_error = f"{self._failed_method}: {exc}"
        except CallLimitReached as exc:
            result.outcome = "call_limit"
            result.last_error = str(exc)
        finally:
            self.http.close()
        return result

    def _session(self, result: SessionResult) -> None:
        result.server_version = self._optional_call("serverVersion", []) or ""
        verdict = self._optional_call("clientVersion", [("strVersion", self.version)]) or ""
        if verdict[:2].upper() in ("E:", "O:"):
            result.outcome = "version_refused"
            result.last_error = verdict
            return
        if verdict[:2].upper() == "W:":
            result.warnings.append(f"clientVersion warning: {verdict[2:]}")
        auth = self._call_list(
            "authenticate", [("strUserName", self.qwc.user_name), ("strPassword", self._password)]
        )
        ticket, status = auth[0], auth[1]
        result.ticket, result.auth_status = ticket, status
        result.postpone_seconds = self._seconds(auth, 2, "postpone")
        result.min_run_seconds = self._seconds(auth, 3, "minimum run interval")
        stop = _STOP_STATUSES.get(status.strip().lower())
        if stop is not None:
            result.outcome = stop
            return
        if self._open_company(ticket, status, result):
            try:
                self._exchange(ticket, result)
            finally:
                self.quickbooks.end_session()
        result.close_message = self._call_str("closeConnection", [("ticket", ticket)]) or ""

    def _seconds(self, auth: list[str], index: int, what: str) -> int | None:
        if len(auth) <= index or not auth[index].strip():
            return None
        try:
            return int(auth[index].strip())
        except ValueError:
            self._result.warnings.append(f"authenticate {what} {auth[index]!r} is not a number")
            return None

    def _begin_session(self, requested: str) -> tuple[str, str] | None:
        """Open the company and begin a QuickBooks session: None, or the HRESULT and message."""
        if not self.quickbooks.running:
            return CONNECT_HRESULT, CONNECT_MESSAGE
        if requested and requested.casefold() != self.quickbooks.company_file.casefold():
            return OTHER_FILE_HRESULT, OTHER_FILE_MESSAGE
        try:
            self.quickbooks.begin_session(
                self.machine_name, self.qwc.owner_id, app_name=self.qwc.app_name
            )
        except QuickBooksNotRunning as exc:
            return exc.hresult, exc.message
        except SessionAlreadyOpen:
            return IN_USE_HRESULT, IN_USE_MESSAGE
        return None

    def _open_company(self, ticket: str, requested: str, result: SessionResult) -> bool:
        """Begin the QuickBooks session, calling connectionError (one retry) when that fails."""
        for attempt in (1, 2):
            failure = self._begin_session(requested)
            if failure is None:
                result.company_file = self.quickbooks.company_file
                return True
            hresult, message = failure
            answer = self._call_str(
                "connectionError", [("ticket", ticket), ("hresult", hresult), ("message", message)]
            )
            if answer is None:
                result.warnings.append("connectionError returned null; treated as done")
            if answer is None or answer.strip().lower() == "done" or attempt == 2:
                result.outcome = "connection_error"
                result.qbwc_code = "QBWC1013"
                result.last_error = f"{hresult}: {message}"
                return False
            requested = answer
        return False

    def _hcp(self) -> str:
        if self.qwc.qb_type == "QBPOS":
            return POS_HCP
        return self.quickbooks.hcp_response(self.qwc.owner_id)

    def _exchange(self, ticket: str, result: SessionResult) -> None:
        """sendRequestXML / receiveResponseXML until 100 %, an error, or getLastError's word."""
        quickbooks = self.quickbooks
        major, minor = quickbooks.qbxml_version
        hcp = self._hcp()
        while True:
            request = self._call_str(
                "sendRequestXML",
                [
                    ("ticket", ticket),
                    ("strHCPResponse", hcp),
                    ("strCompanyFileName", quickbooks.company_file),
                    ("qbXMLCountry", quickbooks.country),
                    ("qbXMLMajorVers", major),
                    ("qbXMLMinorVers", minor),
                ],
            )
            hcp = ""  # only the session's first sendRequestXML carries it
            if not request:
                message = self._call_str("getLastError", [("ticket", ticket)]) or ""
                if message.strip().lower() == "noop":
                    time.sleep(self.noop_wait_seconds)
                    continue
                if message.strip().lower() == "interactive mode":
                    result.warnings.append("interactive mode is not simulated")
                result.outcome = "server_error"
                result.last_error = message
                return
            response, hresult, text = self._deliver(request, result)
            result.requests_processed += 1
            percent = self._call_int(
                "receiveResponseXML",
                [
                    ("ticket", ticket),
                    ("response", response),
                    ("hresult", hresult),
                    ("message", text),
                ],
            )
            result.progress.append(percent)
            if percent < 0:
                result.outcome = "server_error"
                result.last_error = self._call_str("getLastError", [("ticket", ticket)]) or ""
                return
            if percent >= 100:
                if percent > 100:
                    result.warnings.append(f"receiveResponseXML returned {percent} (> 100)")
                return

    def _deliver(self, request: str, result: SessionResult) -> tuple[str, str, str]:
        """Hand a request set to QuickBooks: ``(response, hresult, message)`` for
        receiveResponseXML, or :class:`AnswerLost` when an armed loss drops the connection."""
        loss = self.quickbooks.faults.loss_for(request)
        if loss is not None:
            result.answers_lost.append(loss.value)
        if loss is None or loss.applied:
            try:
                response, hresult, text = self.quickbooks.process(request), "", ""
            except (QbxmlParseError, QuickBooksNotRunning) as exc:
                # ProcessRequest failed as a whole: QBWC passes the HRESULT on instead.
                response, hresult, text = "", exc.hresult, exc.message
            if loss is None:
                return response, hresult, text
        if loss.dropped:
            method = "receiveResponseXML" if loss.applied else "sendRequestXML"
            self._failed_method = method
            raise AnswerLost(f"the connection dropped ({loss.value}, simulated)")
        return "", *LOSS_HRESULTS[loss]


# -- command-line entry points ---------------------------------------------------------------

DEFAULT_DATASET = "customers=25,items=10,invoices=50,payments=10"


def parse_dataset_spec(spec: str | None) -> dict[str, int]:
    """Parse ``"customers=25,items=10"`` into keyword arguments for ``generate_company``.

    Keys are the integer parameters ``generate_company`` takes; None means the defaults.
    """
    allowed = _integer_parameters()
    counts: dict[str, int] = {}
    for part in (spec if spec is not None else DEFAULT_DATASET).split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise ValueError(
                f"dataset setting {part.strip()!r}: expected NAME=N, NAME one of {expected}"
            )
        if not value.isdigit():
            raise ValueError(f"dataset setting {key}: {value!r} is not a non-negative whole number")
        counts[key] = int(value)
    return counts


def _integer_parameters() -> frozenset[str]:
    signature = inspect.signature(generate_company)
    return frozenset(
        name
        for name, parameter in signature.parameters.items()
        if isinstance(parameter.default, int) and not isinstance(parameter.default, bool)
    )


def simulate(
    qwc_path: Path,
    password: str,
    *,
    url: str | None = None,
    company: FakeQuickBooks | None = None,
    dataset_spec: str | None = None,
) -> SessionResult:
    """Add the .qwc at ``qwc_path`` and run one session, as a user with the real client would.

    ``company`` is the QuickBooks to run against; without one a company is generated from
    ``dataset_spec``. Raises :class:`QwcRejected` when the application cannot be added.
    """
    if company is None:
        settings: dict[str, Any] = dict(parse_dataset_spec(dataset_spec))
        company = FakeQuickBooks(generate_company(**settings))
    connector = WebConnector(read_qwc(qwc_path), password, company, url=url)
    connector.add_application()
    return connector.run_session()
