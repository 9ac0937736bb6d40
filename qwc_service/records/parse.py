"""Reading the records of a qbXML response in one pass, a record at a time.

:class:`ResponseReader` pull-parses the response once (hardened parser, text nodes over 10 MB
allowed) and yields each customer, item, invoice, payment and deletion as soon as its ``*Ret``
element is complete, then drops that element: a 50 MB ``InvoiceQueryRs`` holds one invoice in
memory at a time. The status of every ``*Rs`` element is read with the same rules as
:func:`qwc_service.qbxml.responses.summarize_response` and collected on the reader as it goes.

A record that cannot be read is not dropped silently: the reader yields a
:class:`~qwc_service.records.types.ParseProblem` in its place and carries on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from qwc_service.qbxml.errors import InvalidQbxml
from qwc_service.qbxml.responses import (
    ResponseStatus,
    ResponseSummary,
    check_root,
    status_of,
)
from qwc_service.qbxml.xmlsafe import iter_events, release
from qwc_service.records.elements import BUILDERS, UnreadableRecord, deletion, identity_of
from qwc_service.records.types import (
    RECORD_TYPES,
    AppliedToTxnRecord,
    CustomerRecord,
    DeletedRecord,
    InvoiceLineRecord,
    InvoiceRecord,
    ItemRecord,
    ParseProblem,
    PaymentRecord,
    Record,
)

__all__ = [
    "RECORD_TYPES",
    "AppliedToTxnRecord",
    "CustomerRecord",
    "DeletedRecord",
    "InvoiceLineRecord",
    "InvoiceRecord",
    "ItemRecord",
    "ParseProblem",
    "Parsed",
    "ParsedResponse",
    "PaymentRecord",
    "Record",
    "ResponseReader",
    "parse_response",
    "read_response",
]

Parsed = Record | DeletedRecord | ParseProblem
Source = str | bytes | IO[bytes]

# Bytes fed to the parser per step: the tree holds at most this much beyond the current record.
CHUNK_SIZE = 64 * 1024
# Depths counted from the root element (1): QBXML > QBXMLMsgsRs > *Rs > *Ret.
_MESSAGES_DEPTH = 2
_RS_DEPTH = 3
_RET_DEPTH = 4
# Answers to ListDelRq / TxnDelRq carry the deleted element's fields directly, without a Ret.
_DELETE_ANSWERS = frozenset({"ListDelRs", "TxnDelRs"})


class ResponseReader:
    """One pass over a qbXML response: iterate it for records; statuses fill in as it goes.

    Iterate once (``for item in reader`` or hand it to ``store.apply_records``); afterwards
    :attr:`statuses` holds every ``*Rs`` status in document order, and :attr:`summary` the
    same as :func:`~qwc_service.qbxml.responses.summarize_response` would have returned.
    Raises ``MalformedXml``, ``UnsafeXml`` or ``InvalidQbxml`` while iterating, like that
    function. The parser reads ``chunk_size`` bytes at a time, so besides the current record
    it holds at most the elements of one chunk.
    """

    def __init__(self, source: Source, *, chunk_size: int = CHUNK_SIZE) -> None:
        self._source = source
        self._chunk_size = chunk_size
        self._root: Any = None
        self._started = False
        self.statuses: list[ResponseStatus] = []

    @property
    def summary(self) -> ResponseSummary:
        """The statuses read so far, as a :class:`ResponseSummary`."""
        return ResponseSummary(tuple(self.statuses))

    def held_elements(self) -> int:
        """How many XML elements the parser holds right now (a memory gauge for tests and
        monitoring: it stays at the size of one record, whatever the document's size)."""
        if self._root is None:
            return 0
        return sum(1 for _ in self._root.iter())

    def __iter__(self) -> Iterator[Parsed]:
        if self._started:
            raise RuntimeError("a response reader can be iterated only once")
        self._started = True
        return self._read()

    def _read(self) -> Iterator[Parsed]:
        depth = 0
        seen_messages = in_messages = False
        current: ResponseStatus | None = None
        position = 0
        for event, element in iter_events(self._source, chunk_size=self._chunk_size):
            if event == "start":
                depth += 1
                if depth == 1:
                    check_root(element)
                    self._root = element
                elif depth == _MESSAGES_DEPTH and element.tag == "QBXMLMsgsRs":
                    seen_messages = in_messages = True
                elif depth == _RS_DEPTH and in_messages:
                    current = status_of(element)
                    self.statuses.append(current)
                    position = 0
                continue
            # An end tag: everything below the Ret depth belongs to a record still being read.
            if depth == _RET_DEPTH and current is not None:
                builder = BUILDERS.get(element.tag)
                if builder is not None:
                    position += 1
                    parsed = _build(element, builder, f"{current.name} #{position}")
                    release(element)
                    yield parsed
                elif current.name not in _DELETE_ANSWERS:
                    release(element)
            elif depth == _RS_DEPTH and current is not None:
                answer = _delete_answer(element, current)
                current = None
                release(element)
                if answer is not None:
                    yield answer
            elif depth < _RET_DEPTH:
                if depth == _MESSAGES_DEPTH:
                    in_messages = False
                release(element)
            depth -= 1
        if not seen_messages:
            raise InvalidQbxml(
                "the <QBXML> document has no <QBXMLMsgsRs> element, so it is not a qbXML "
                "response (a request carries <QBXMLMsgsRq> instead)"
            )


def _build(element: Any, builder: Any, position: str) -> Parsed:
    """Run ``builder`` on a complete Ret; a value it cannot read becomes a ParseProblem."""
    try:
        result: Parsed = builder(element)
    except UnreadableRecord as exc:
        return ParseProblem(element.tag, identity_of(element) or position, str(exc))
    return result


def _delete_answer(element: Any, status: ResponseStatus) -> Parsed | None:
    """The deletion a ``ListDelRs`` / ``TxnDelRs`` reports, if it reports one."""
    if status.name not in _DELETE_ANSWERS or len(element) == 0:
        return None
    return _build(element, deletion, status.name)


def read_response(source: Source) -> ResponseReader:
    """A single-pass reader over ``source`` (see :class:`ResponseReader`)."""
    return ResponseReader(source)


@dataclass(frozen=True)
class ParsedResponse:
    """Everything in a response, in lists: for small responses and tests."""

    records: list[Record]
    deleted: list[DeletedRecord]
    problems: list[ParseProblem]
    summary: ResponseSummary


def parse_response(source: Source) -> ParsedResponse:
    """Read a whole response into lists (use :class:`ResponseReader` for big ones)."""
    reader = ResponseReader(source)
    records: list[Record] = []
    deleted: list[DeletedRecord] = []
    problems: list[ParseProblem] = []
    for item in reader:
        if isinstance(item, ParseProblem):
            problems.append(item)
        elif isinstance(item, DeletedRecord):
            deleted.append(item)
        else:
            records.append(item)
    return ParsedResponse(records, deleted, problems, reader.summary)
