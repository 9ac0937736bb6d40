"""qbXML in and out for the fake QuickBooks.

Out: a tiny element tree serialised the way QuickBooks writes responses (``<?xml version="1.0"
?>``, one element per line, no indentation, self-closing empty ``*Rs``). In: a hardened lxml
parse of the request message set, with the checks QuickBooks applies before it runs anything.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation

from lxml import etree

from qwc_service.simulator.quickbooks.catalog import QBXML13_REQUESTS
from qwc_service.simulator.quickbooks.status import QbxmlParseError, RequestFailed, invalid_date

XML_PROLOG = '<?xml version="1.0" ?>\n'
ON_ERROR_VALUES = ("stopOnError", "continueOnError")


class El:
    """One element of a response: a tag with text, or with children, plus attributes.

    ``xml`` holds an element already serialised (records are rendered straight to text,
    which is several times faster than building a node per field).
    """

    __slots__ = ("attrs", "children", "tag", "text", "xml")

    def __init__(
        self,
        tag: str,
        text: str | None = None,
        children: Iterable[El | None] = (),
        attrs: Sequence[tuple[str, str]] = (),
        xml: str | None = None,
    ) -> None:
        self.tag = tag
        self.text = text
        self.children = [c for c in children if c is not None] if children else []
        self.attrs = attrs
        self.xml = xml


def leaf(tag: str, value: str | None) -> El | None:
    """A text element, or nothing when ``value`` is ``None`` (optional fields)."""
    return None if value is None else El(tag, value)


def group(tag: str, *children: El | None) -> El | None:
    """An aggregate, or nothing when all of its children are absent."""
    present = [c for c in children if c is not None]
    return El(tag, children=present) if present else None


def _escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")


# Text-level builders for records: each returns serialised XML ("" when absent).
def x_leaf(tag: str, value: str | None) -> str:
    """``<Tag>value</Tag>`` (escaped), or ``""`` when ``value`` is ``None``."""
    return "" if value is None else f"<{tag}>{_escape_text(value)}</{tag}>\n"


def x_group(tag: str, *inner: str) -> str:
    """An aggregate around already serialised children, or ``""`` when they are all empty."""
    body = "".join(inner)
    return f"<{tag}>\n{body}</{tag}>\n" if body else ""


def x_ref(tag: str, list_id: str | None, full_name: str | None) -> str:
    """A ``*Ref`` aggregate (ListID + FullName)."""
    return x_group(tag, x_leaf("ListID", list_id), x_leaf("FullName", full_name))


def x_ret(tag: str, parts: Sequence[tuple[str, str]], include: Collection[str] = ()) -> El:
    """A record ``*Ret`` from ``(child tag, xml)`` parts; ``include`` applies
    ``IncludeRetElement`` (keep only the named top-level children)."""
    body = "".join(xml for child_tag, xml in parts if not include or child_tag in include)
    return El(tag, xml=f"<{tag}>\n{body}</{tag}>\n")


def _write(node: El, out: list[str]) -> None:
    if node.xml is not None:
        out.append(node.xml)
        return
    attrs = "".join(f' {k}="{_escape_attr(v)}"' for k, v in node.attrs)
    if node.children:
        out.append(f"<{node.tag}{attrs}>\n")
        for child in node.children:
            _write(child, out)
        out.append(f"</{node.tag}>\n")
    elif node.text is not None:
        out.append(f"<{node.tag}{attrs}>{_escape_text(node.text)}</{node.tag}>\n")
    else:
        out.append(f"<{node.tag}{attrs} />\n")


def render_document(responses: Iterable[El], attrs: Sequence[tuple[str, str]] = ()) -> str:
    """A complete response message set, prolog included; ``attrs`` go on ``QBXMLMsgsRs``
    (the message-set recovery attributes)."""
    head = "".join(f' {k}="{_escape_attr(v)}"' for k, v in attrs)
    out = [XML_PROLOG, f"<QBXML>\n<QBXMLMsgsRs{head}>\n"]
    for node in responses:
        _write(node, out)
    out.append("</QBXMLMsgsRs>\n</QBXML>\n")
    return "".join(out)


def render_fragment(node: El) -> str:
    """One element, serialised as it would appear inside a document."""
    out: list[str] = []
    _write(node, out)
    return "".join(out)


# ------------------------------------------------------------------------------- parsing
@dataclass
class RequestSet:
    """A parsed ``QBXMLMsgsRq``: its qbXML version, onError mode and request elements."""

    version: str
    on_error: str
    requests: list[etree._Element]
    response_data: str = "includeAll"
    old_message_set_id: str | None = None
    new_message_set_id: str | None = None


def _parser() -> etree.XMLParser:
    # The string handed to QuickBooks is already text, so any declared encoding is moot:
    # force UTF-8 on the bytes we make from it.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        encoding="utf-8",
    )


def parse_request_set(
    text: str, supported_versions: Sequence[str], schema: etree.XMLSchema | None = None
) -> RequestSet:
    """Parse and check a request message set; ``QbxmlParseError`` for anything QuickBooks
    would reject before running a single request."""
    if "<!DOCTYPE" in text.upper():
        raise QbxmlParseError("a DOCTYPE is not allowed")
    try:
        root = etree.fromstring(text.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise QbxmlParseError(f"not well-formed: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise QbxmlParseError("a DOCTYPE is not allowed")
    if root.tag != "QBXML":
        raise QbxmlParseError(f"the root element is {root.tag!r}, not 'QBXML'")
    version = _qbxml_version(root)
    if version not in supported_versions:
        raise QbxmlParseError(f"qbXML version {version!r} is not supported by this QuickBooks")
    if schema is not None and not schema.validate(root):
        raise QbxmlParseError(f"invalid against the qbXML schema: {schema.error_log.last_error}")
    sets = [child for child in root if isinstance(child.tag, str)]
    if len(sets) != 1 or sets[0].tag != "QBXMLMsgsRq":
        raise QbxmlParseError("QBXML must hold exactly one QBXMLMsgsRq")
    msgs = sets[0]
    on_error = msgs.get("onError")
    # rollbackOnError is in the schema's enumeration but QuickBooks rejects it (notes §3.3).
    if on_error not in ON_ERROR_VALUES:
        raise QbxmlParseError(f"onError must be stopOnError or continueOnError, not {on_error!r}")
    requests = [child for child in msgs if isinstance(child.tag, str)]
    for request in requests:
        if not request.tag.endswith("Rq") or request.tag[:-2] not in QBXML13_REQUESTS:
            raise QbxmlParseError(f"{request.tag!r} is not a qbXML request")
    return RequestSet(
        version=version,
        on_error=on_error,
        requests=requests,
        response_data=msgs.get("responseData") or "includeAll",
        old_message_set_id=msgs.get("oldMessageSetID"),
        new_message_set_id=msgs.get("newMessageSetID"),
    )


def _qbxml_version(root: etree._Element) -> str:
    for node in root.itersiblings(preceding=True):
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            version = node.get("version")
            if version:
                return str(version)
    raise QbxmlParseError('the <?qbxml version="…"?> processing instruction is missing')


# ------------------------------------------------------------------------------- reading
def child(node: etree._Element, tag: str) -> etree._Element | None:
    """The first direct child called ``tag``."""
    return node.find(tag)


def text_of(node: etree._Element, tag: str) -> str | None:
    """Text of the first direct child called ``tag`` (``""`` for an empty element)."""
    found = node.find(tag)
    return None if found is None else (found.text or "")


def texts_of(node: etree._Element, tag: str) -> list[str]:
    """Texts of every direct child called ``tag``."""
    return [found.text or "" for found in node.findall(tag)]


def read_int(node: etree._Element, tag: str) -> int | None:
    """An INTTYPE child; malformed numbers fail the whole set, as the schema would."""
    value = text_of(node, tag)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise QbxmlParseError(f"{tag} is not an integer: {value!r}") from None


def read_bool(node: etree._Element, tag: str) -> bool | None:
    """A BOOLTYPE child (``true``/``false``/``1``/``0``; empty means absent)."""
    value = text_of(node, tag)
    if value is None or not value.strip():
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise QbxmlParseError(f"{tag} is not a boolean: {value!r}")


def read_decimal(node: etree._Element, tag: str) -> Decimal | None:
    """An AMTTYPE/PRICETYPE/QUANTYPE child."""
    value = text_of(node, tag)
    if value is None or not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise QbxmlParseError(f"{tag} is not a number: {value!r}") from None
    if not number.is_finite():
        raise QbxmlParseError(f"{tag} is not a number: {value!r}")
    return number


def read_date(node: etree._Element, tag: str) -> date | None:
    """A DATETYPE child (``YYYY-MM-DD``)."""
    value = text_of(node, tag)
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise RequestFailed(invalid_date(value, tag)) from None


def read_datetime(
    node: etree._Element, tag: str, tz: tzinfo, *, end_of_day: bool
) -> datetime | None:
    """A DATETIMETYPE child. Without an offset it is QuickBooks-local time; a bare date
    means the start of that day (``FromModifiedDate``) or its end (``ToModifiedDate``)."""
    value = text_of(node, tag)
    if value is None or not value.strip():
        return None
    raw = value.strip()
    try:
        if "T" not in raw:
            day = date.fromisoformat(raw)
            return datetime.combine(day, time(23, 59, 59) if end_of_day else time(0), tz)
        day_part, _, clock_part = raw.partition("T")
        parsed = datetime.fromisoformat(f"{day_part}T{_pad_clock(clock_part)}")
    except ValueError:
        raise RequestFailed(invalid_date(value, tag)) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _pad_clock(clock_part: str) -> str:
    # The schema allows "T10" and "T10:08" as well as "T10:08:37[+-]hh:mm".
    offset = ""
    for sign in ("+", "-"):
        if sign in clock_part:
            clock_part, _, rest = clock_part.partition(sign)
            offset = sign + rest
    pieces = [p.zfill(2) for p in clock_part.split(":")]
    while len(pieces) < 3:
        pieces.append("00")
    if offset:
        hours, _, minutes = offset[1:].partition(":")
        offset = f"{offset[0]}{hours.zfill(2)}:{minutes.zfill(2)}"
    return ":".join(pieces) + offset
