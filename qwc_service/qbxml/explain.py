"""One table of what goes wrong between QuickBooks, the Web Connector and this service.

Used wherever a person reads about a failure — getLastError, job records, operator commands — so
the same code always gets the same words and the same fix. Three kinds of code:

* HRESULTs from the QuickBooks request processor (``0x80040408``), seen in connectionError and
  receiveResponseXML;
* qbXML ``statusCode`` values (``3200``) from inside a response;
* Web Connector messages (``QBWC1039``) that users read on their screen and report to support.

``retryable`` means the condition is usually temporary: the same request, unchanged, is expected
to work when sent again later without anyone acting. Everything else needs a person to change the
request, the data or the QuickBooks setup first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qwc_service.qbxml.explain_table import HRESULTS, QBWC_CODES, STATUS_CODES, Entry

__all__ = [
    "MAX_LINE",
    "Explanation",
    "explain_code",
    "explain_hresult",
    "explain_qbwc",
    "explain_status",
    "format_for_person",
]

MAX_LINE = 300

_HEX = re.compile(r"(?:0x)?([0-9a-f]{1,8})", re.IGNORECASE)
_DECIMAL = re.compile(r"[+-]?\d{1,11}")
_QBWC = re.compile(r"(?:qbwc)?\s*(\d{4})", re.IGNORECASE)
_LOCK_WORDS = ("lock", "in use", "another user")


@dataclass(frozen=True)
class Explanation:
    """A short explanation of one code and the fix a person can act on."""

    code: str
    title: str
    fix: str
    retryable: bool
    severity: str


def explain_hresult(hresult: str) -> Explanation:
    """Explain a request-processor HRESULT such as ``0x80040408`` (any case, 0x optional).

    A signed decimal (as some clients log it) is accepted too. Unknown codes get a generic
    explanation that still carries the code.
    """
    code = _normalize_hresult(hresult)
    entry = HRESULTS.get(code)
    if entry is not None:
        return _build(code, entry, "error")
    return Explanation(
        code=code,
        title="QuickBooks reported an error connecting to or processing the request",
        fix=(
            "Check that QuickBooks is open with the right company file and no dialog is "
            "showing, then run the update again; if it repeats, look up the code in qbsdklog.txt."
        ),
        retryable=False,
        severity="error",
    )


def explain_status(code: int, message: str = "") -> Explanation:
    """Explain a qbXML statusCode; unknown codes are explained by the range they fall in.

    ``message`` (QuickBooks' statusMessage) only matters for 3180, which QuickBooks uses both
    for a record locked by someone else (temporary) and for a save that failed for good.
    """
    if code == 3180 and message and not _mentions_lock(message):
        return Explanation(
            code="3180",
            title="QuickBooks could not save the record",
            fix="Read QuickBooks' message: it names the field or rule that blocked the save.",
            retryable=False,
            severity="error",
        )
    entry = STATUS_CODES.get(code)
    if entry is not None:
        return _build(str(code), entry, _status_severity(code))
    return _status_range(code)


def explain_qbwc(code: str) -> Explanation:
    """Explain a Web Connector message code (``QBWC1039``, ``qbwc1039`` or ``1039``)."""
    match = _QBWC.fullmatch(code.strip())
    normalized = f"QBWC{match[1]}" if match else code.strip().upper()
    entry = QBWC_CODES.get(normalized)
    if entry is not None:
        return _build(normalized, entry, entry.severity or "error")
    return Explanation(
        code=normalized,
        title="The Web Connector reported a problem",
        fix=(
            "Open the Web Connector's log (View Log) on the QuickBooks computer and read the "
            "lines around the error."
        ),
        retryable=False,
        severity="error",
    )


def explain_code(code: str) -> Explanation:
    """Explain any of the three kinds of code, told apart by their form."""
    text = code.strip()
    if text.upper().startswith("QBWC"):
        return explain_qbwc(text)
    if text.lower().startswith("0x") or (len(text) == 8 and _HEX.fullmatch(text)):
        return explain_hresult(text)
    if _DECIMAL.fullmatch(text) and abs(int(text)) < 0x10000:
        return explain_status(int(text))
    return explain_hresult(text)


def format_for_person(exp: Explanation, detail: str = "") -> str:
    """One line of at most 300 characters: code, title, optional detail, then the fix."""
    head = f"{exp.code}: {exp.title}"
    fix = f"Fix: {exp.fix}"
    detail = " ".join(detail.split())
    room = MAX_LINE - len(head) - len(fix) - len(" (). ")
    if detail and room >= 20:
        if len(detail) > room:
            detail = detail[: room - 1].rstrip() + "…"
        line = f"{head} ({detail}). {fix}"
    else:
        line = f"{head}. {fix}"
    line = " ".join(line.split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _build(code: str, entry: Entry, severity: str) -> Explanation:
    """Turn a table entry into an :class:`Explanation`."""
    return Explanation(
        code=code, title=entry.title, fix=entry.fix, retryable=entry.retryable, severity=severity
    )


def _normalize_hresult(hresult: str) -> str:
    """``0x8004040a``, ``8004040A`` and ``-2147220470`` all become ``0x8004040A``.

    An empty string becomes ``unknown`` so a formatted line never starts with a bare colon.
    """
    text = hresult.strip()
    if not text:
        return "unknown"
    if _DECIMAL.fullmatch(text) and not (len(text) == 8 and _HEX.fullmatch(text)):
        return f"0x{int(text) & 0xFFFFFFFF:08X}"
    match = _HEX.fullmatch(text)
    if match is None:
        return text
    return f"0x{int(match[1], 16):08X}"


def _status_severity(code: int) -> str:
    """Severity word for a statusCode, by qbXML's ranges."""
    if 0 <= code < 500:
        return "info"
    if 500 <= code < 1000:
        return "warning"
    return "error"


def _status_range(code: int) -> Explanation:
    """Explain a statusCode that is not in the table by the range it belongs to."""
    if 0 <= code < 500:
        title, fix = "QuickBooks processed the request", "Nothing to do."
    elif 500 <= code < 1000:
        title = "QuickBooks processed the request with a warning"
        fix = "Read QuickBooks' message; the result may not be exactly what was asked for."
    elif 1000 <= code < 2000:
        title = "QuickBooks could not process the request"
        fix = "Read QuickBooks' message; if it names no field, try again later."
    elif 2000 <= code < 3000:
        title = "This request is not supported by this QuickBooks product"
        fix = "Use a request this edition of QuickBooks supports."
    elif 3000 <= code < 3100:
        title = "A value in the request has the wrong format"
        fix = "Correct the value QuickBooks names in its message and send the request again."
    elif 9100 <= code < 9200:
        title = "QuickBooks reported a macro error"
        fix = "Read QuickBooks' message; the request needs correcting."
    else:
        title = "QuickBooks rejected the request"
        fix = "Read QuickBooks' message; it names the record or field at fault."
    return Explanation(
        code=str(code),
        title=title,
        fix=fix,
        retryable=False,
        severity=_status_severity(code),
    )


def _mentions_lock(message: str) -> bool:
    """Whether a status message describes a record or list held by another user."""
    lowered = message.lower()
    return any(word in lowered for word in _LOCK_WORDS)
