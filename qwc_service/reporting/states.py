"""A connection's state in one word, and the one-line reason for it.

The rules, first match wins (``window`` is twice the .qwc run interval; a check-in is a
login of a machine that is not revoked, whatever authenticate answered):

1. ``disabled``: the connection is disabled.
2. ``wrong_company_file``: the last error came after the last success, and the
   connection's latest session was refused because another company file was open
   (``WcSession.refused == "company_mismatch"``).
3. ``error``: the last error came after the last success (or there was never a success).
4. ``connected``: QuickBooks answered a request at least once (``last_success_at`` is set)
   and a machine checked in within ``window``.
5. ``stale``: QuickBooks answered at least once, but no machine has checked in within
   ``window`` since.
6. ``waiting_for_quickbooks``: a machine has checked in, but no request was ever answered:
   it had no work, or its session has not got an answer from QuickBooks yet.
7. ``waiting_for_first_sync``: no machine has checked in yet (or there is no machine).

:func:`judge` applies them to one connection's :class:`StateFacts`;
:mod:`qwc_service.reporting.overview` writes the same rules as SQL for lists.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from qwc_service.config import Settings
from qwc_service.sessions.outcomes import COMPANY_MISMATCH

__all__ = [
    "ATTENTION_ORDER",
    "ConnectionState",
    "StateFacts",
    "StateVerdict",
    "judge",
    "span",
    "stale_after",
]


class ConnectionState(enum.StrEnum):
    """A connection's state (the values are what the API and query strings carry)."""

    CONNECTED = "connected"
    WAITING_FOR_FIRST_SYNC = "waiting_for_first_sync"
    WAITING_FOR_QUICKBOOKS = "waiting_for_quickbooks"
    STALE = "stale"
    ERROR = "error"
    WRONG_COMPANY_FILE = "wrong_company_file"
    DISABLED = "disabled"


#: "Needs attention first": what an operator should look at before what works.
ATTENTION_ORDER: tuple[ConnectionState, ...] = (
    ConnectionState.ERROR,
    ConnectionState.WRONG_COMPANY_FILE,
    ConnectionState.STALE,
    ConnectionState.WAITING_FOR_QUICKBOOKS,
    ConnectionState.WAITING_FOR_FIRST_SYNC,
    ConnectionState.CONNECTED,
    ConnectionState.DISABLED,
)


@dataclass(frozen=True)
class StateFacts:
    """What the state of one connection is decided from."""

    disabled: bool
    #: Machines that are not revoked.
    machines: int
    #: The latest login of a machine that is not revoked.
    last_check_in_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    #: ``refused`` of the connection's latest session (None without sessions).
    last_session_refused: str | None
    #: Whether the connection ever had a session (a login that was given work).
    sessions_started: bool
    #: The company name or file the Web Connector last reported, if any.
    company_seen: str | None

    @property
    def error_unresolved(self) -> bool:
        """Whether the last error came after the last success."""
        if self.last_error_at is None:
            return False
        return self.last_success_at is None or self.last_success_at < self.last_error_at


@dataclass(frozen=True)
class StateVerdict:
    """A state and the sentence that says why."""

    state: ConnectionState
    reason: str


def stale_after(
    settings: Settings, min_poll_seconds: int | None = None, qwc_run_seconds: int | None = None
) -> timedelta:
    """How long without a check-in a connection stays connected: two of its run intervals.

    A connection's interval is its .qwc files' (``qwc_run_seconds``, else the server's
    ``QWC_RUN_EVERY_MINUTES``), unless its minimum poll interval holds its Web Connectors
    back for longer: a fleet slowed down from the server is not stale for being slow.
    """
    run = qwc_run_seconds or settings.run_every_minutes * 60
    return timedelta(seconds=2 * max(run, min_poll_seconds or 0))


def span(delta: timedelta) -> str:
    """A duration in its largest whole unit: ``under a minute``, ``5 min``, ``3 h``, ``2 days``."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    days = seconds // 86400
    return f"{days} day{'s' if days > 1 else ''}"


def _ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else f"{span(now - moment)} ago"


def judge(facts: StateFacts, *, now: datetime, window: timedelta) -> StateVerdict:
    """The state of a connection with ``facts`` at ``now`` (rules in the module docstring)."""
    if facts.disabled:
        return StateVerdict(
            ConnectionState.DISABLED,
            "Disabled: it takes no new work, machines or sessions until it is enabled.",
        )
    if facts.error_unresolved:
        if facts.last_session_refused == COMPANY_MISMATCH:
            seen = f" ({facts.company_seen})" if facts.company_seen else ""
            return StateVerdict(
                ConnectionState.WRONG_COMPANY_FILE,
                f"The last session was refused: QuickBooks had another company file open{seen} "
                "than the one this connection is locked to.",
            )
        return StateVerdict(
            ConnectionState.ERROR,
            f"The last error ({_ago(facts.last_error_at, now)}) came after the last success "
            f"({_ago(facts.last_success_at, now)}): nothing has worked since.",
        )
    check_in = facts.last_check_in_at
    recent = check_in is not None and now - check_in <= window
    if facts.last_success_at is not None:
        answered = _ago(facts.last_success_at, now)
        if recent:
            return StateVerdict(
                ConnectionState.CONNECTED,
                f"QuickBooks answered {answered}; a Web Connector checked in "
                f"{_ago(check_in, now)}.",
            )
        if check_in is None:
            # The machines that synced were revoked; the others never logged in.
            reason = (
                f"No machine that may log in has checked in; QuickBooks last answered {answered}."
            )
        else:
            reason = (
                f"No Web Connector has checked in for {span(now - check_in)}, more than two "
                f"run intervals ({span(window)}); QuickBooks last answered {answered}."
            )
        return StateVerdict(ConnectionState.STALE, reason)
    if check_in is not None:
        if not facts.sessions_started:
            reason = (
                f"A Web Connector checked in {_ago(check_in, now)} but had no work, so "
                "QuickBooks has not been asked anything yet: add a sync or queue a job."
            )
        elif facts.company_seen:
            reason = (
                f"The Web Connector opened {facts.company_seen}, but no answer from "
                "QuickBooks has been stored yet."
            )
        else:
            reason = "A session started, but QuickBooks has not answered a request yet."
        return StateVerdict(ConnectionState.WAITING_FOR_QUICKBOOKS, reason)
    if facts.machines == 0:
        reason = "No machine yet: add one and send its setup link to the customer."
    else:
        count = "machine waits for its" if facts.machines == 1 else "machines wait for their"
        reason = (
            f"No Web Connector has checked in yet: {facts.machines} {count} .qwc file to be "
            "added to the Web Connector."
        )
    return StateVerdict(ConnectionState.WAITING_FOR_FIRST_SYNC, reason)
