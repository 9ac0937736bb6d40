"""Hardened XML parsing for everything that arrives from the network.

Every document is parsed with entity expansion, DTD loading and network access switched off, and
any document that carries a DOCTYPE is refused outright (:class:`UnsafeXml`): qbXML never needs
one, and refusing it closes the door on entity-expansion and external-entity tricks. ``huge_tree``
is on because QuickBooks legitimately sends text nodes larger than libxml2's 10 MB default limit
(long memos, big report cells).

Two ways in:

* :func:`parse_document` builds the whole tree (requests, HCP documents, small responses);
* :func:`iter_events` / :func:`iter_elements` pull-parse a stream and let the caller drop each
  finished record, so a 50 MB response costs memory of the order of one record.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection, Generator, Iterator
from typing import IO, Any

from lxml import etree

from qwc_service.qbxml.errors import MalformedXml, UnsafeXml

__all__ = [
    "CHUNK_END",
    "CHUNK_SIZE",
    "EndEvents",
    "byte_stream",
    "iter_elements",
    "iter_events",
    "local_name",
    "parse_document",
    "parse_document_recovering",
    "release",
    "safe_parser",
    "to_xml_bytes",
]

_SAFE_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
}

# Bytes read per step when pull-parsing a stream.
CHUNK_SIZE = 64 * 1024
# How much of a document's start is searched for a DOCTYPE before the parser sees it; the prolog
# of any real qbXML document is a few hundred bytes.  Longer prologs still meet the check on the
# parsed tree's docinfo.
_PROLOG_SCAN_LIMIT = 1024 * 1024
_PROLOG = re.compile(
    rb"\A(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL
)
# A str cannot carry an encoding of its own: its declaration (if any) is dropped before the text
# is encoded as UTF-8 for the parser.
_STR_DECLARATION = re.compile(r"\A\ufeff?\s*<\?xml(?:\s[^>]*)?\?>")
_BYTES_LEADING_SPACE = re.compile(rb"\A\s+(?=<\?xml\s)")
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+\s*$")
_MESSAGE_LIMIT = 160
_EMPTY = "not well-formed XML: the document is empty or has no root element"


def safe_parser(*, huge: bool = True, recover: bool = False) -> etree.XMLParser:
    """Return a new parser that never expands entities, loads DTDs or touches the network.

    ``huge`` lifts libxml2's 10 MB limit on a single text node. ``recover`` makes libxml2 patch up
    broken markup instead of failing; only the lenient HCP reader asks for it.
    """
    return etree.XMLParser(huge_tree=huge, recover=recover, **_SAFE_OPTIONS)


class _EncodedText:
    """A str read as UTF-8 bytes a slice at a time: a 50 MB response is never copied whole."""

    def __init__(self, text: str) -> None:
        declaration = _STR_DECLARATION.match(text)
        self._text = text
        self._position = declaration.end() if declaration else 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._text) if size < 0 else self._position + size
        piece = self._text[self._position : end]
        self._position += len(piece)
        try:
            return piece.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedXml(
                "not well-formed XML: the text contains characters that cannot be encoded"
            ) from None


def byte_stream(source: IO[bytes] | bytes | str) -> IO[bytes]:
    """``source`` as a stream of the bytes to hand to libxml2 (see :func:`to_xml_bytes`)."""
    if isinstance(source, str):
        return _EncodedText(source)  # type: ignore[return-value]
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(to_xml_bytes(source))
    return source


def to_xml_bytes(data: str | bytes) -> bytes:
    """Return the bytes to hand to libxml2 for ``data``.

    A ``str`` loses its XML declaration (an ``encoding=`` in it would contradict the UTF-8 we
    encode to) and any whitespace or byte-order mark before it. ``bytes`` keep their declaration,
    which libxml2 uses to pick the encoding; only whitespace in front of it is dropped.
    """
    if isinstance(data, str):
        text = _STR_DECLARATION.sub("", data, count=1)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedXml(
                "not well-formed XML: the text contains characters that cannot be encoded"
            ) from None
    if isinstance(data, bytes | bytearray | memoryview):
        return _BYTES_LEADING_SPACE.sub(b"", bytes(data), count=1)
    raise TypeError(f"expected str or bytes, not {type(data).__name__}")


def parse_document(data: str | bytes) -> Any:
    """Parse a complete document and return its root element.

    Raises :class:`UnsafeXml` for a document with a DOCTYPE (and so any entity declaration) and
    :class:`MalformedXml` for anything that is not well-formed.
    """
    raw = to_xml_bytes(data)
    if not raw.strip():
        raise MalformedXml(_EMPTY)
    _refuse_doctype_in_prolog(raw[:_PROLOG_SCAN_LIMIT])
    try:
        root = etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(exc) from None
    _refuse_dtd(root)
    return root


def parse_document_recovering(data: str | bytes) -> Any | None:
    """Parse broken markup as far as libxml2 can repair it; ``None`` when nothing is left.

    Meant only for documents we read for diagnostics (the HCP response), never for data we act
    on record by record. Entities stay unexpanded and a DOCTYPE is still refused.
    """
    raw = to_xml_bytes(data)
    _refuse_doctype_in_prolog(raw[:_PROLOG_SCAN_LIMIT])
    try:
        root = etree.fromstring(raw, safe_parser(recover=True))
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    _refuse_dtd(root)
    return root


def _pull(
    stream: IO[bytes], parser: etree.XMLPullParser, chunk_size: int
) -> Generator[tuple[str, Any] | None, None, Any]:
    """Feed ``stream`` to ``parser`` a chunk at a time, yielding its events and ``None`` after
    each chunk; returns the root. Refuses a DOCTYPE before the first event is reported and
    turns syntax errors into :class:`MalformedXml`."""
    head = b""
    checked = False
    try:
        while chunk := stream.read(chunk_size):
            if not checked and len(head) < _PROLOG_SCAN_LIMIT:
                head += chunk
                _refuse_doctype_in_prolog(head)
            parser.feed(chunk)
            for event in parser.read_events():
                if not checked:
                    checked = True
                    _refuse_dtd(event[1])
                yield event
            yield None
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        if not head.strip():
            raise MalformedXml(_EMPTY) from None
        raise _not_well_formed(exc) from None
    if root is None:
        raise MalformedXml(_EMPTY)
    _refuse_dtd(root)
    # close() can complete the last end events (e.g. no trailing newline).
    yield from parser.read_events()
    return root


def iter_events(
    source: IO[bytes] | bytes | str, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[str, Any]]:
    """Pull-parse ``source`` and yield ``("start" | "end", element)`` pairs.

    Attributes are complete at ``start``; children and text only at ``end``. The tree keeps
    growing unless the caller calls :func:`release` on finished elements. Refuses a DOCTYPE
    before the first element is reported and turns syntax errors into :class:`MalformedXml`.
    """
    parser = etree.XMLPullParser(events=("start", "end"), huge_tree=True, **_SAFE_OPTIONS)
    for event in _pull(byte_stream(source), parser, chunk_size):
        if event is not None:
            yield event


#: What :class:`EndEvents` yields between chunks instead of an element.
CHUNK_END = None


class EndEvents:
    """Pull-parse a document and yield each completed element whose tag is in ``tags``.

    The filter runs inside libxml2, so elements of other names cost no Python at all; that is
    what makes this the fast path for reading records. After the events of each chunk it
    yields :data:`CHUNK_END` (``None``), the moment to prune what the tree holds; once the
    iteration is over, :attr:`root` is the document's root element. The same refusals as
    :func:`iter_events`: a DOCTYPE, and syntax errors as :class:`MalformedXml`.
    """

    def __init__(
        self,
        source: IO[bytes] | bytes | str,
        tags: Collection[str],
        *,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self._stream = byte_stream(source)
        self._tags = list(tags)
        self._chunk_size = chunk_size
        self.root: Any = None

    def __iter__(self) -> Iterator[Any]:
        parser = etree.XMLPullParser(
            events=("end",), tag=self._tags, huge_tree=True, **_SAFE_OPTIONS
        )
        events = _pull(self._stream, parser, self._chunk_size)
        while True:
            try:
                event = next(events)
            except StopIteration as done:
                self.root = done.value
                return
            yield CHUNK_END if event is None else event[1]


def iter_elements(
    source: IO[bytes] | bytes | str,
    tags: Collection[str] | Callable[[str], bool],
    *,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[Any]:
    """Yield each completed element whose local name is in ``tags`` (or satisfies it).

    A yielded element is complete (children and text) but is cleared and detached as soon as
    the caller asks for the next one, together with everything parsed outside the wanted
    elements, so memory stays at the order of one record. Copy what you need before moving on.
    Matching elements nested inside a matching element are yielded too and stay inside it until
    the outer one has been yielded.
    """
    wanted: Callable[[str], bool]
    if callable(tags):
        wanted = tags
    else:
        names = frozenset(tags)
        wanted = names.__contains__
    open_matches = 0
    for event, element in iter_events(source, chunk_size=chunk_size):
        matched = wanted(local_name(element))
        if event == "start":
            open_matches += matched
            continue
        if matched:
            open_matches -= 1
            yield element
        if open_matches == 0:
            release(element)


def release(element: Any) -> None:
    """Clear a finished element and drop the finished siblings before it from the tree.

    Keeps the element itself (empty) because the parser may still hold a reference to it.
    """
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def local_name(element: Any) -> str:
    """Return an element's tag without its ``{namespace}`` part ('' for comments and PIs)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _refuse_doctype_in_prolog(head: bytes) -> None:
    """Refuse a DOCTYPE found before the root element, before libxml2 reads its declarations."""
    # UTF-16/32 text has NUL bytes between the ASCII characters of the markup.
    view = head.replace(b"\x00", b"") if b"\x00" in head[:4] else head
    prolog_end = _PROLOG.match(view)
    position = prolog_end.end() if prolog_end else 0
    if view.startswith(b"<!DOCTYPE", position):
        raise UnsafeXml("refused: the document has a DOCTYPE (qbXML never declares one)")


def _refuse_dtd(element: Any) -> None:
    """Refuse a parsed document that turned out to carry a DOCTYPE or DTD."""
    info = element.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise UnsafeXml("refused: the document has a DOCTYPE (qbXML never declares one)")


def _not_well_formed(exc: etree.XMLSyntaxError) -> MalformedXml | UnsafeXml:
    """Turn a libxml2 syntax error into a short message with the position, no internals."""
    message = _POSITION_SUFFIX.sub("", str(exc.msg or "")).strip()
    lowered = message.lower()
    if "amplification" in lowered or "entity reference loop" in lowered:
        return UnsafeXml("refused: the document tries to expand entities")
    if not message or "document is empty" in lowered or "no element found" in lowered:
        return MalformedXml(_EMPTY)
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 1] + "…"
    line, column = exc.position if exc.position else (0, 0)
    where = f" (line {line}, column {column})" if line else ""
    return MalformedXml(f"not well-formed XML: {message}{where}")
