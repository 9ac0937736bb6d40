"""How a Web Connector session ended, in words an operator reads at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qwc_service.sessions.models import WcSession

__all__ = ["COMPANY_MISMATCH", "NOTHING_TO_DO", "SessionOutcome", "session_outcome"]

#: What getLastError says when the queue ran dry: the normal end of a session, not a failure.
NOTHING_TO_DO = "No more requests for this company file."
#: ``WcSession.refused`` when another company file than the locked one was open.
COMPANY_MISMATCH = "company_mismatch"


@dataclass(frozen=True)
class SessionOutcome:
    """One word for filtering and colour (``completed``, ``failed``, ``refused``, ``running``,
    ``expired``, ``superseded``, ``revoked``, ``disabled``) and the text shown."""

    word: str
    text: str


def session_outcome(wc: WcSession, now: datetime) -> SessionOutcome:
    """How ``wc`` ended (or that it still runs).

    A refusal wins over how the session was closed; a session closed by the Web Connector
    ``completed`` unless an error was left on it (a connection error, a stray response),
    which makes it ``failed: <that error>``. A session nobody closed whose ticket ran out is
    ``expired`` before the next login marks it so.
    """
    if wc.refused == COMPANY_MISMATCH:
        return SessionOutcome("refused", "refused: wrong company file")
    if wc.refused:
        return SessionOutcome("refused", f"refused: {wc.refused}")
    if wc.closed_at is None:
        if wc.is_live(now):
            return SessionOutcome("running", "running")
        return SessionOutcome("expired", "expired")
    reason = wc.close_reason or "closed"
    # expired, superseded, revoked, disabled: the server ended it, and the reason says why.
    if reason != "closed":
        return SessionOutcome(reason, reason)
    if wc.last_error and wc.last_error != NOTHING_TO_DO:
        return SessionOutcome("failed", f"failed: {wc.last_error}")
    if wc.responses_received == 0:
        return SessionOutcome("completed", "completed, nothing was sent")
    return SessionOutcome("completed", "completed")
