"""Reading the status of qbXML responses that QuickBooks returns through receiveResponseXML.

QuickBooks output often fails its own XSD (missing required children, hand-edited fixtures), so
this reader checks only the envelope (``QBXML`` / ``QBXMLMsgsRs``) and reads the status
attributes of each ``*Rs`` element. It pull-parses and drops every record after it has passed,
so a response of tens of megabytes needs memory for one record, not for the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from qwc_service.qbxml.errors import InvalidQbxml
from qwc_service.qbxml.xmlsafe import (
    CHUNK_SIZE,
    iter_events,
    local_name,
    parse_document,
    release,
)

__all__ = [
    "ResponseStatus",
    "ResponseSummary",
    "iter_statuses",
    "severity_for_code",
    "summarize_response",
]

_SEVERITIES = {"info": "Info", "warn": "Warn", "warning": "Warn", "error": "Error"}
# Depths counted from the root element (1): QBXML > QBXMLMsgsRs > *Rs.
_MESSAGES_DEPTH = 2
_RS_DEPTH = 3


@dataclass(frozen=True)
class ResponseStatus:
    """The status attributes of one ``*Rs`` element (one answered request)."""

    name: str
    request_id: str | None
    status_code: int
    severity: str
    message: str
    iterator_id: str | None = None
    iterator_remaining: int | None = None
    ret_count: int | None = None

    @property
    def is_error(self) -> bool:
        """True for severity Error; "no match" (1, Info) and warnings (500-999) are not errors."""
        return self.severity == "Error"

    @property
    def is_warning(self) -> bool:
        """True when QuickBooks processed the request but warns about the result."""
        return self.severity == "Warn"

    @property
    def has_more(self) -> bool:
        """True when an iterator still holds records to fetch with ``iterator="Continue"``."""
        return (self.iterator_remaining or 0) > 0 and not self.is_error


@dataclass(frozen=True)
class ResponseSummary:
    """Every ``*Rs`` status of a response, in document (request) order."""

    statuses: tuple[ResponseStatus, ...]

    @property
    def request_ids(self) -> frozenset[str]:
        """All requestIDs QuickBooks echoed (requests sent without one have none)."""
        return frozenset(s.request_id for s in self.statuses if s.request_id is not None)

    @property
    def first_error(self) -> ResponseStatus | None:
        """The first status with severity Error, or None when every request went through."""
        return next((s for s in self.statuses if s.is_error), None)

    def for_request(self, request_id: str) -> tuple[ResponseStatus, ...]:
        """The statuses answering the requests stamped with ``request_id``."""
        return tuple(s for s in self.statuses if s.request_id == request_id)


# The requestID sits in the first few hundred bytes of every response.
_HEAD_CHUNK = 2048
HEAD_LIMIT = 64 * 1024
#: Responses up to this size are parsed whole by summarize_response; larger ones stream.
WHOLE_DOCUMENT_LIMIT = 1024 * 1024
#: Why a document without QBXMLMsgsRs is refused.
NO_MESSAGES = (
    "the <QBXML> document has no <QBXMLMsgsRs> element, so it is not a qbXML response "
    "(a request carries <QBXMLMsgsRq> instead)"
)


def severity_for_code(code: int) -> str:
    """The severity qbXML assigns to a status code range (used when the attribute is missing)."""
    if 0 <= code < 500:
        return "Info"
    if 500 <= code < 1000:
        return "Warn"
    return "Error"


def summarize_response(source: str | bytes | IO[bytes]) -> ResponseSummary:
    """Read the status of every request answered in a qbXML response.

    Raises :class:`~qwc_service.qbxml.errors.MalformedXml` when the text is not well-formed,
    :class:`~qwc_service.qbxml.errors.UnsafeXml` for a DOCTYPE, and
    :class:`~qwc_service.qbxml.errors.InvalidQbxml` when it is not a ``QBXML`` response or a
    status attribute is not a number. Content that merely fails the XSD is accepted.
    """
    if isinstance(source, str | bytes) and len(source) <= WHOLE_DOCUMENT_LIMIT:
        # Building the tree of a small response in one call costs a fraction of handing
        # every element of it to Python as an event.
        return ResponseSummary(tuple(_statuses_in(parse_document(source))))
    return ResponseSummary(tuple(iter_statuses(source)))


def answers_in(root: Any) -> Iterator[Any]:
    """Each ``*Rs`` element of a parsed response, in document order.

    Raises InvalidQbxml when the root is not ``QBXML`` or holds no ``QBXMLMsgsRs``.
    """
    check_root(root)
    seen_messages = False
    for messages in root:
        if messages.tag != "QBXMLMsgsRs":
            continue
        seen_messages = True
        for rs in messages:
            if isinstance(rs.tag, str):  # not a comment or processing instruction
                yield rs
    if not seen_messages:
        raise InvalidQbxml(NO_MESSAGES)


def _statuses_in(root: Any) -> Iterator[ResponseStatus]:
    """The statuses of a parsed response, as :func:`iter_statuses` reads them."""
    return map(status_of, answers_in(root))


def iter_statuses(
    source: str | bytes | IO[bytes], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[ResponseStatus]:
    """Yield the status of each ``*Rs`` element as soon as its start tag has been read.

    A small ``chunk_size`` makes stopping after the first status cheap: only that much of
    the document is parsed before it is yielded.
    """
    depth = 0
    seen_messages = False
    in_messages = False
    for event, element in iter_events(source, chunk_size=chunk_size):
        if event == "start":
            depth += 1
            if depth == 1:
                check_root(element)
            elif depth == _MESSAGES_DEPTH and element.tag == "QBXMLMsgsRs":
                seen_messages = in_messages = True
            elif depth == _RS_DEPTH and in_messages:
                yield status_of(element)
            continue
        if depth == _MESSAGES_DEPTH:
            in_messages = False
        depth -= 1
        # Only the attributes of *Rs start tags are needed: every finished element can go.
        release(element)
    if not seen_messages:
        raise InvalidQbxml(NO_MESSAGES)


def first_request_id(source: str | bytes) -> str | None:
    """The first requestID a response echoes, reading only the start of the document.

    Only the first :data:`HEAD_LIMIT` characters are looked at (a 50 MB response is not
    copied for this): a document whose first answer starts later, or one malformed before
    it, raises like :func:`iter_statuses`.
    """
    head = source[:HEAD_LIMIT]
    return next(
        (s.request_id for s in iter_statuses(head, chunk_size=_HEAD_CHUNK) if s.request_id),
        None,
    )


def check_root(element: Any) -> None:
    """Refuse a document whose root is not the un-namespaced ``QBXML`` element."""
    if element.tag == "QBXML":
        return
    name = local_name(element)
    if name == "Envelope":
        raise InvalidQbxml(
            "expected a <QBXML> response but got a SOAP envelope; pass the text of its "
            "<response> element instead"
        )
    if name == "QBXML":
        raise InvalidQbxml("the <QBXML> root must not be in an XML namespace")
    raise InvalidQbxml(f"expected a <QBXML> response but the root element is <{name}>")


def status_of(element: Any) -> ResponseStatus:
    """Build a :class:`ResponseStatus` from the attributes of one ``*Rs`` start tag."""
    name = local_name(element)
    raw_code = element.get("statusCode")
    code = 0 if raw_code is None else _integer(raw_code, name, "statusCode")
    raw_severity = (element.get("statusSeverity") or "").strip().lower()
    severity = _SEVERITIES.get(raw_severity) or severity_for_code(code)
    remaining = element.get("iteratorRemainingCount")
    ret_count = element.get("retCount")
    return ResponseStatus(
        name=name,
        request_id=element.get("requestID"),
        status_code=code,
        severity=severity,
        message=(element.get("statusMessage") or "").strip(),
        iterator_id=element.get("iteratorID") or None,
        iterator_remaining=(
            None if remaining is None else _integer(remaining, name, "iteratorRemainingCount")
        ),
        ret_count=None if ret_count is None else _integer(ret_count, name, "retCount"),
    )


def _integer(value: str, element_name: str, attribute: str) -> int:
    """Parse a decimal attribute value or explain which attribute is wrong."""
    text = value.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        shown = text if len(text) <= 20 else text[:19] + "…"
        raise InvalidQbxml(f'<{element_name}> has {attribute}="{shown}", which is not a number')
    return int(text)
