"""What a simulated Web Connector session did: one record per SOAP call, and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal[
    "completed",  # receiveResponseXML reached 100 and closeConnection answered
    "none",  # authenticate: valid user, nothing to do
    "nvu",  # authenticate: not a valid user
    "busy",  # authenticate: server busy
    "version_refused",  # clientVersion answered E: or O:
    "connection_error",  # QuickBooks could not be reached and connectionError gave up
    "server_error",  # getLastError reported an error (after "" or a negative percentage)
    "protocol_violation",  # a reply the Web Connector would reject (QBWC code in qbwc_code)
    "http_error",  # no HTTP answer, or an HTTP status other than 200
    "call_limit",  # max_calls SOAP calls without reaching an end of session
]

#: How QBWC writes the password into its log.
MASKED = "<MaskedForSecurity>"
_SHOWN_CHARS = 48


def summarize(value: object) -> str:
    """A short, single-line rendering of a parameter or result value for logs and transcripts."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(summarize(item) for item in value) + "]"
    text = str(value)
    flat = " ".join(text.split())
    if len(flat) <= _SHOWN_CHARS:
        return f'"{flat}"'
    return f'"{flat[:_SHOWN_CHARS]}..." ({len(text)} chars)'


@dataclass(frozen=True)
class CallRecord:
    """One SOAP call: its parameters (password masked) and result, both summarised."""

    method: str
    params: str
    result: str
    http_status: int | None
    duration_ms: float


@dataclass
class SessionResult:
    """Everything a session produced; ``outcome`` says how it ended."""

    outcome: Outcome = "completed"
    auth_status: str | None = None
    postpone_seconds: int | None = None
    min_run_seconds: int | None = None
    ticket: str | None = None
    calls: list[CallRecord] = field(default_factory=list)
    requests_processed: int = 0
    progress: list[int] = field(default_factory=list)
    last_error: str | None = None
    server_version: str | None = None
    close_message: str | None = None
    company_file: str | None = None
    #: The QBWC code the user would see for a protocol violation or HTTP failure.
    qbwc_code: str | None = None
    #: Things the real Web Connector tolerates but a well-behaved server should not do.
    warnings: list[str] = field(default_factory=list)
    #: Answers lost on purpose (``Loss`` values of the faults armed on the fake QuickBooks).
    answers_lost: list[str] = field(default_factory=list)


def format_transcript(result: SessionResult) -> str:
    """A short log of the session in the spirit of QWCLog.txt: one line per call, then a summary."""
    lines: list[str] = []
    for number, call in enumerate(result.calls, start=1):
        status = "-" if call.http_status is None else str(call.http_status)
        lines.append(
            f"{number:>4}  {call.method}({call.params}) -> {call.result}"
            f"  [HTTP {status}, {call.duration_ms:.0f} ms]"
        )
    lines.append(f"outcome: {result.outcome}")
    if result.auth_status is not None:
        lines.append(f"authenticate status: {summarize(result.auth_status)}")
    if result.postpone_seconds is not None or result.min_run_seconds is not None:
        lines.append(
            f"postpone: {result.postpone_seconds} s, minimum run interval: "
            f"{result.min_run_seconds} s"
        )
    if result.company_file:
        lines.append(f"company file: {result.company_file}")
    lines.append(
        f"requests processed: {result.requests_processed}; progress: "
        + (", ".join(str(p) for p in result.progress) or "-")
    )
    if result.qbwc_code:
        lines.append(f"error code: {result.qbwc_code}")
    if result.last_error:
        lines.append(f"last error: {result.last_error}")
    if result.close_message is not None:
        lines.append(f"closeConnection: {summarize(result.close_message)}")
    if result.answers_lost:
        lines.append(f"answers lost on purpose: {', '.join(result.answers_lost)}")
    lines.extend(f"warning: {warning}" for warning in result.warnings)
    return "\n".join(lines)
