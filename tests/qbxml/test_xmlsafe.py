"""Tests for qwc_service.qbxml.xmlsafe: hardened parsing and incremental reading."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from qwc_service.qbxml.errors import MalformedXml, QbxmlError, UnsafeXml
from qwc_service.qbxml.xmlsafe import (
    iter_elements,
    iter_events,
    parse_document,
    parse_document_recovering,
    safe_parser,
    to_xml_bytes,
)

TWELVE_MB = 12 * 1024 * 1024

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">\n' for i in range(1, 10)
    )
    + ']>\n<QBXML a="&lol9;">&lol9;</QBXML>'
)


def external_entity_document(secret: Path) -> str:
    """A document that asks the parser to read ``secret`` through an external entity."""
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE QBXML [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
        '<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="0">'
        "<Note>&leak;</Note></CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    )


def test_parse_bytes_uses_declared_encoding() -> None:
    """Bytes in Latin-1 with a matching declaration decode to the right characters."""
    raw = '<?xml version="1.0" encoding="ISO-8859-1"?><a>Café</a>'.encode("latin-1")
    assert parse_document(raw).text == "Café"


def test_parse_str_with_encoding_declaration() -> None:
    """A str whose declaration names an encoding still parses (lxml refuses it as-is)."""
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<a>Zoë “quoted”</a>'
    assert parse_document(text).text == "Zoë “quoted”"


def test_parse_str_with_quickbooks_prolog() -> None:
    """The prolog QuickBooks emits, with a space before ?>, is accepted."""
    assert parse_document('<?xml version="1.0" ?>\n<QBXML/>').tag == "QBXML"


def test_parse_tolerates_whitespace_before_declaration() -> None:
    """Leading whitespace before the declaration is dropped for str and bytes."""
    assert parse_document('\n  <?xml version="1.0"?><a/>').tag == "a"
    assert parse_document(b'\r\n<?xml version="1.0" encoding="utf-8"?><a/>').tag == "a"


def test_to_xml_bytes_drops_str_declaration_only() -> None:
    """A str loses its declaration and becomes UTF-8; bytes keep theirs."""
    assert to_xml_bytes('<?xml version="1.0" encoding="latin-1"?><a>é</a>') == "<a>é</a>".encode()
    raw = b'<?xml version="1.0" encoding="latin-1"?><a/>'
    assert to_xml_bytes(raw) == raw


def test_doctype_without_entities_is_refused() -> None:
    """Any DOCTYPE is refused, even a harmless-looking one."""
    with pytest.raises(UnsafeXml, match="DOCTYPE"):
        parse_document("<!DOCTYPE QBXML><QBXML/>")


def test_billion_laughs_is_refused() -> None:
    """Nested entity definitions are refused before anything is expanded."""
    with pytest.raises(UnsafeXml):
        parse_document(BILLION_LAUGHS)
    with pytest.raises(UnsafeXml):
        list(iter_events(BILLION_LAUGHS.encode()))


def test_external_entity_is_refused_and_file_not_read(tmp_path: Path) -> None:
    """An external entity is refused, and the hardened parser never reads the named file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-VALUE")
    document = external_entity_document(secret)
    with pytest.raises(UnsafeXml) as caught:
        parse_document(document)
    assert "TOPSECRET" not in str(caught.value)
    with pytest.raises(UnsafeXml):
        list(iter_events(document))
    # Below the DOCTYPE refusal: the parser itself leaves the reference unexpanded.
    root = etree.fromstring(document.encode(), safe_parser())
    assert b"TOPSECRET" not in etree.tostring(root)


def test_external_dtd_is_refused(tmp_path: Path) -> None:
    """A DOCTYPE that points to an external DTD is refused."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "TOPSECRET">')
    with pytest.raises(UnsafeXml):
        parse_document(f'<!DOCTYPE QBXML SYSTEM "{dtd.as_uri()}"><QBXML>&leak;</QBXML>')


def test_doctype_behind_a_long_prolog_is_still_refused() -> None:
    """A DOCTYPE hidden behind a prolog longer than the pre-scan is caught on the tree."""
    document = "<!--" + "x" * (1024 * 1024 + 10) + "-->\n<!DOCTYPE QBXML><QBXML/>"
    with pytest.raises(UnsafeXml):
        parse_document(document)
    with pytest.raises(UnsafeXml):
        list(iter_events(document.encode()))


def test_doctype_in_utf16_is_refused() -> None:
    """The DOCTYPE check also works for UTF-16 documents."""
    with pytest.raises(UnsafeXml):
        parse_document('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16"))


def test_utf16_document_parses() -> None:
    """A UTF-16 document with a byte-order mark parses."""
    raw = '<?xml version="1.0" encoding="UTF-16"?><a>é</a>'.encode("utf-16")
    assert parse_document(raw).text == "é"


def test_doctype_split_across_stream_chunks_is_refused() -> None:
    """The stream pre-scan sees a DOCTYPE even when it straddles two reads."""
    document = b'<?xml version="1.0"?>\n<!DOCTYPE QBXML [<!ENTITY a "b">]><QBXML>&a;</QBXML>'
    with pytest.raises(UnsafeXml):
        list(iter_events(io.BytesIO(document), chunk_size=5))


def test_malformed_message_is_short_and_positioned() -> None:
    """A syntax error becomes one short line that names the line and column."""
    with pytest.raises(MalformedXml) as caught:
        parse_document("<QBXML>\n<A></B>\n</QBXML>")
    message = str(caught.value)
    assert message.startswith("not well-formed XML")
    assert "line 2" in message
    assert "\n" not in message
    assert len(message) < 240


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_document_is_malformed(text: str) -> None:
    """Empty or blank input is reported as an empty document."""
    with pytest.raises(MalformedXml, match="empty"):
        parse_document(text)
    with pytest.raises(MalformedXml, match="empty"):
        list(iter_events(text))


def test_unencodable_str_is_malformed() -> None:
    """A str with a lone surrogate cannot be XML and is reported as malformed."""
    with pytest.raises(MalformedXml):
        parse_document("<a>\ud800</a>")


def test_undefined_entity_is_malformed() -> None:
    """A reference to an undeclared entity is a syntax error, not a lookup."""
    with pytest.raises(MalformedXml):
        parse_document("<a>&nbsp;</a>")


def test_iter_elements_yields_complete_records() -> None:
    """Each yielded element has its children and text."""
    document = b"<R><Ret><ID>1</ID><Name>A</Name></Ret><Ret><ID>2</ID><Name>B</Name></Ret></R>"
    seen = [(el.findtext("ID"), el.findtext("Name")) for el in iter_elements(document, {"Ret"})]
    assert seen == [("1", "A"), ("2", "B")]


def test_iter_elements_releases_finished_records() -> None:
    """When a record is yielded, the records before it have been dropped from the tree."""
    records = "".join(f"<Ret><ID>{n}</ID><Memo>{'m' * 100}</Memo></Ret>" for n in range(2000))
    document = f"<QBXML><QBXMLMsgsRs><CustomerQueryRs>{records}</CustomerQueryRs></QBXMLMsgsRs>"
    document += "</QBXML>"
    sizes = []
    ids = []
    for element in iter_elements(io.BytesIO(document.encode()), {"Ret"}, chunk_size=4096):
        ids.append(element.findtext("ID"))
        earlier = list(element.itersiblings(preceding=True))
        assert len(earlier) <= 1 and all(len(old) == 0 for old in earlier)
        sizes.append(sum(1 for _ in element.getroottree().iter()))
    assert ids == [str(n) for n in range(2000)]
    # 2000 records hold 6000 elements; only what one read chunk holds is ever in the tree.
    assert max(sizes) < 300


def test_iter_elements_keeps_nested_matches_inside_outer() -> None:
    """A wanted element inside another wanted one is yielded first and stays in its parent."""
    document = b"<R><Ret><ID>1</ID><Line><ID>1.1</ID></Line></Ret></R>"
    order = []
    for element in iter_elements(document, lambda name: name in {"Ret", "Line"}):
        order.append(element.tag)
        if element.tag == "Ret":
            assert element.find("Line/ID").text == "1.1"
    assert order == ["Line", "Ret"]


def test_iter_elements_reads_text_node_over_ten_megabytes() -> None:
    """A 12 MB text node is read whole (libxml2's 10 MB limit is lifted)."""
    document = b"<QBXML><Memo>" + b"x" * TWELVE_MB + b"</Memo></QBXML>"
    lengths = [len(el.text) for el in iter_elements(io.BytesIO(document), {"Memo"})]
    assert lengths == [TWELVE_MB]


def test_parse_document_reads_text_node_over_ten_megabytes() -> None:
    """parse_document lifts the 10 MB text limit that a default parser enforces."""
    document = b"<a>" + b"y" * TWELVE_MB + b"</a>"
    assert len(parse_document(document).text) == TWELVE_MB
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(document, safe_parser(huge=False))


def test_iter_events_reports_syntax_errors_as_malformed() -> None:
    """A stream that breaks off mid-document raises MalformedXml, not an lxml error."""
    with pytest.raises(MalformedXml):
        list(iter_events(io.BytesIO(b"<QBXML><QBXMLMsgsRs>"), chunk_size=3))


def test_recovering_parser_returns_none_for_junk() -> None:
    """Recovery gives up with None when no element can be salvaged."""
    assert parse_document_recovering("this is not xml") is None


def test_recovering_parser_still_refuses_doctype() -> None:
    """Recovery mode never accepts a DOCTYPE."""
    with pytest.raises(UnsafeXml):
        parse_document_recovering("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;<b></a>")


def test_all_errors_share_the_base_class() -> None:
    """Callers can catch every parsing problem as QbxmlError (a ValueError)."""
    for exc_type in (MalformedXml, UnsafeXml):
        assert issubclass(exc_type, QbxmlError)
        assert issubclass(exc_type, ValueError)
