"""Reading the records of a qbXML response in one pass, a record at a time.

:class:`ResponseReader` parses the response once (hardened parser, text nodes over 10 MB
allowed) and yields each record (every ``…Ret`` of the object registry, as a whole document:
see :mod:`qwc_service.records.documents`) and each deletion in document order. A
response of up to 1 MiB (a sync page) is parsed whole first; a larger one is pull-parsed, each
``*Ret`` element yielded as soon as it is complete and then dropped: a 50 MB
``InvoiceQueryRs`` holds one invoice in memory at a time. The status of every ``*Rs``
element is read with the same rules as
:func:`qwc_service.qbxml.responses.summarize_response` and collected on the reader as it goes.

Nothing is dropped silently: what in a record breaks the schema follows it as a
:class:`~qwc_service.records.parsed.ParseProblem`, and a record that cannot be stored at all
(no ListID/TxnID) is a ParseProblem in its place; the reader carries on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from qwc_service.qbxml.errors import InvalidQbxml
from qwc_service.qbxml.responses import (
    NO_MESSAGES,
    WHOLE_DOCUMENT_LIMIT,
    ResponseStatus,
    ResponseSummary,
    answers_in,
    check_root,
    status_of,
)
from qwc_service.qbxml.xmlsafe import (
    CHUNK_END,
    CHUNK_SIZE,
    EndEvents,
    parse_document,
    release,
)
from qwc_service.records.documents import (
    RET_ELEMENTS,
    UnreadableRecord,
    deletion,
    identity_of,
    read_record,
)
from qwc_service.records.parsed import DeletedRecord, ParseProblem, RecordDocument

__all__ = [
    "DeletedRecord",
    "ParseProblem",
    "Parsed",
    "ParsedResponse",
    "RecordDocument",
    "ResponseReader",
    "parse_response",
    "read_response",
]

Parsed = RecordDocument | DeletedRecord | ParseProblem
Source = str | bytes | IO[bytes]

# Answers to ListDelRq / TxnDelRq carry the deleted element's fields directly, without a Ret.
_DELETE_ANSWERS = frozenset({"ListDelRs", "TxnDelRs"})
_DELETED_RETS = frozenset({"ListDeletedRet", "TxnDeletedRet"})
_RETS = RET_ELEMENTS | _DELETED_RETS
_WANTED = _RETS | _DELETE_ANSWERS


class ResponseReader:
    """One pass over a qbXML response: iterate it for records; statuses fill in as it goes.

    Iterate once (``for item in reader`` or hand it to ``store.apply_records``); afterwards
    :attr:`statuses` holds every ``*Rs`` status in document order, and :attr:`summary` the
    same as :func:`~qwc_service.qbxml.responses.summarize_response` would have returned.
    Raises ``MalformedXml``, ``UnsafeXml`` or ``InvalidQbxml`` while iterating, like that
    function. A text of up to ``whole_document_limit`` characters (or bytes) is parsed whole
    first; anything larger is fed to the parser ``chunk_size`` bytes at a time, so besides
    the current record it holds at most the elements of one chunk.
    """

    def __init__(
        self,
        source: Source,
        *,
        chunk_size: int = CHUNK_SIZE,
        whole_document_limit: int = WHOLE_DOCUMENT_LIMIT,
    ) -> None:
        self._source = source
        self._chunk_size = chunk_size
        self._whole_document_limit = whole_document_limit
        self._root: Any = None
        self._started = False
        self.statuses: list[ResponseStatus] = []

    @property
    def summary(self) -> ResponseSummary:
        """The statuses read so far, as a :class:`ResponseSummary`."""
        return ResponseSummary(tuple(self.statuses))

    def held_elements(self) -> int:
        """How many XML elements the parser holds right now (a memory gauge for tests and
        monitoring: for a streamed response it stays at the size of one record, whatever the
        document's size; a response parsed whole holds its whole tree)."""
        if self._root is None:
            return 0
        return sum(1 for _ in self._root.iter())

    def __iter__(self) -> Iterator[Parsed]:
        if self._started:
            raise RuntimeError("a response reader can be iterated only once")
        self._started = True
        source = self._source
        if isinstance(source, str | bytes) and len(source) <= self._whole_document_limit:
            # A sync page: building its tree in one call costs about half as much as
            # having the parser report each record to Python as it completes.
            return self._read_whole(source)
        return self._read_streamed()

    def _read_whole(self, source: str | bytes) -> Iterator[Parsed]:
        self._root = parse_document(source)
        for rs in answers_in(self._root):
            status = status_of(rs)
            self.statuses.append(status)
            if rs.tag in _DELETE_ANSWERS:
                answer = _delete_answer(rs, status)
                if answer is not None:
                    yield answer
                continue
            position = 0
            for element in rs:
                if element.tag in _RETS:
                    position += 1
                    yield from _build(element, f"{status.name} #{position}")

    def _read_streamed(self) -> Iterator[Parsed]:
        # Only Ret elements (and the two delete answers) reach Python; each *Rs status is read
        # from its element's attributes when the first Ret inside it, a later *Rs or the end
        # of the document shows it is there, so statuses keep document order.
        events = EndEvents(self._source, _WANTED, chunk_size=self._chunk_size)
        messages = _Messages(self.statuses)
        for element in events:
            if element is CHUNK_END:
                messages.prune()
                continue
            if self._root is None:
                self._root = element.getroottree().getroot()
                check_root(self._root)
            if element.tag in _DELETE_ANSWERS:
                if not messages.is_answer(element):
                    continue
                status = messages.status_through(element)
                answer = _delete_answer(element, status)
                release(element)
                if answer is not None:
                    yield answer
                continue
            rs = element.getparent()
            if rs is None or not messages.is_answer(rs):
                continue  # the same name deeper inside a record: part of that record
            status = messages.status_through(rs)
            position = messages.next_position()
            parsed = list(_build(element, f"{status.name} #{position}"))
            release(element)
            yield from parsed
        self._root = events.root
        check_root(self._root)
        if not messages.finish(self._root):
            raise InvalidQbxml(NO_MESSAGES)


class _Messages:
    """The ``QBXMLMsgsRs`` elements of a document and the statuses of their ``*Rs`` children.

    Keeps the tree small: at each chunk boundary, children of answers that are complete (and so
    already read) are dropped, and so is everything before the last child of the open one.
    """

    def __init__(self, statuses: list[ResponseStatus]) -> None:
        self.statuses = statuses
        self._messages: list[Any] = []
        self._read = 0  # children of the last QBXMLMsgsRs whose status is recorded
        self._current: Any = None
        self._position = 0

    def is_answer(self, element: Any) -> bool:
        """Whether ``element`` is an ``*Rs`` directly under a root-level ``QBXMLMsgsRs``."""
        messages = element.getparent()
        return (
            messages is not None
            and messages.tag == "QBXMLMsgsRs"
            and (root := messages.getparent()) is not None
            and root.getparent() is None
        )

    def status_through(self, rs: Any) -> ResponseStatus:
        """The status of ``rs``, recording every answer before it (and it) on first sight."""
        if rs is not self._current:
            self._record_through(rs.getparent(), rs)
            self._current, self._position = rs, 0
        return self.statuses[-1]

    def next_position(self) -> int:
        """The 1-based number of the next record within the current answer."""
        self._position += 1
        return self._position

    def _record_through(self, messages: Any, last: Any) -> None:
        if not self._messages or self._messages[-1] is not messages:
            if self._messages:
                self._record_rest(self._messages[-1])
            self._messages.append(messages)
            self._read = 0
        for child in messages[self._read :]:
            if not isinstance(child.tag, str):
                self._read += 1
                continue
            self.statuses.append(status_of(child))
            self._read += 1
            if child is last:
                return

    def _record_rest(self, messages: Any) -> None:
        for child in messages[self._read :]:
            if isinstance(child.tag, str):
                self.statuses.append(status_of(child))
        self._read = len(messages)

    def prune(self) -> None:
        """Drop what has been read: complete answers keep only their attributes."""
        if not self._messages:
            return
        answers = self._messages[-1][max(self._read - 1, 0) :]
        # A delete answer carries its fields directly: it is read whole, at its end.
        for rs in answers[:-1]:
            if rs.tag not in _DELETE_ANSWERS:
                del rs[:]
        if answers and answers[-1].tag not in _DELETE_ANSWERS and len(answers[-1]) > 1:
            del answers[-1][:-1]

    def finish(self, root: Any) -> bool:
        """Record the statuses not seen yet; False when the root has no QBXMLMsgsRs."""
        found = False
        for messages in root:
            if messages.tag != "QBXMLMsgsRs":
                continue
            found = True
            if self._messages and messages is self._messages[-1]:
                self._record_rest(messages)
            elif not any(messages is seen for seen in self._messages):
                self._read = 0
                self._record_rest(messages)
        return found


def _build(element: Any, position: str) -> list[Parsed]:
    """What a complete Ret holds: its record and the problems in it, or its deletion; a
    record that cannot be stored at all becomes a ParseProblem naming it."""
    try:
        if element.tag in _DELETED_RETS:
            return [deletion(element)]
        record, problems = read_record(element)
    except UnreadableRecord as exc:
        return [ParseProblem(element.tag, identity_of(element) or position, str(exc))]
    if problems:
        return [record, *problems]
    return [record]


def _delete_answer(element: Any, status: ResponseStatus) -> Parsed | None:
    """The deletion a ``ListDelRs`` / ``TxnDelRs`` reports, if it reports one."""
    if status.name not in _DELETE_ANSWERS or len(element) == 0:
        return None
    try:
        return deletion(element)
    except UnreadableRecord as exc:
        return ParseProblem(status.name, identity_of(element) or status.name, str(exc))


def read_response(source: Source) -> ResponseReader:
    """A single-pass reader over ``source`` (see :class:`ResponseReader`)."""
    return ResponseReader(source)


@dataclass(frozen=True)
class ParsedResponse:
    """Everything in a response, in lists: for small responses and tests."""

    records: list[RecordDocument]
    deleted: list[DeletedRecord]
    problems: list[ParseProblem]
    summary: ResponseSummary


def parse_response(source: Source) -> ParsedResponse:
    """Read a whole response into lists (use :class:`ResponseReader` for big ones)."""
    reader = ResponseReader(source)
    records: list[RecordDocument] = []
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
