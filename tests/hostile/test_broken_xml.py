"""Bodies that are not XML, not finished, or not UTF-8: a short Client fault, nothing stored."""

from __future__ import annotations

from qwc_service.simulator import wire
from qwc_service.soap import xmlguard
from tests.hostile.harness import Case, Target, run_corpus

VALID = wire.envelope("getLastError", [("ticket", "T")])
CLIENT = "fault:Client"


def _with_ticket(raw: bytes) -> bytes:
    return VALID.replace(b"<ticket>T</ticket>", b"<ticket>" + raw + b"</ticket>")


def test_malformed_and_truncated_bodies_get_a_client_fault(target: Target) -> None:
    """Empty, truncated, malformed and non-XML bodies each get the matching fixed message."""
    truncations = [
        Case(f"truncated at {n}", VALID[:n], CLIENT, xmlguard.MALFORMED)
        for n in (1, 20, 39, 60, len(VALID) // 2, len(VALID) - 1)
    ]
    cases = [
        Case("empty", b"", CLIENT, xmlguard.EMPTY_BODY),
        Case("whitespace", b" \r\n\t ", CLIENT, xmlguard.EMPTY_BODY),
        Case("plain text", b"hello world", CLIENT, xmlguard.MALFORMED),
        Case("json", b'{"method": "getLastError"}', CLIENT, xmlguard.MALFORMED),
        Case("html", b"<html><body>hi</body></html>", CLIENT, xmlguard.NOT_ENVELOPE),
        *truncations,
        Case("unclosed", VALID.replace(b"</ticket>", b""), CLIENT, xmlguard.MALFORMED),
        Case("crossed tags", _with_ticket(b"<a><b></a></b>"), CLIENT, xmlguard.MALFORMED),
        Case("two roots", VALID + VALID, CLIENT, xmlguard.MALFORMED),
        Case("undefined entity", _with_ticket(b"&nope;"), CLIENT, xmlguard.MALFORMED),
        Case("bare ampersand", _with_ticket(b"a & b"), CLIENT, xmlguard.MALFORMED),
        Case("bare less-than", _with_ticket(b"a < b"), CLIENT, xmlguard.MALFORMED),
        Case("undeclared prefix", b"<soap:Envelope/>", CLIENT, xmlguard.MALFORMED),
        Case("garbage after root", VALID + b"<x/>junk", CLIENT, xmlguard.MALFORMED),
        Case("binary", bytes(range(1, 256)) * 4, CLIENT),
    ]
    run_corpus(target, cases, "malformed or truncated bodies")


def test_non_utf8_and_invalid_characters_get_a_client_fault(target: Target) -> None:
    """Other encodings, invalid UTF-8 and characters XML forbids are refused, never decoded."""
    utf16 = VALID.replace(b'encoding="utf-8"', b'encoding="utf-16"').decode().encode("utf-16")
    cases = [
        Case("latin-1 bytes", _with_ticket(b"caf\xe9"), CLIENT, xmlguard.NOT_UTF8),
        Case("truncated sequence", _with_ticket(b"\xe2\x82"), CLIENT, xmlguard.NOT_UTF8),
        Case("overlong slash", _with_ticket(b"\xc0\xaf"), CLIENT, xmlguard.NOT_UTF8),
        Case("surrogate", _with_ticket(b"\xed\xa0\x80"), CLIENT, xmlguard.NOT_UTF8),
        Case(
            "declared latin-1",
            VALID.replace(b'encoding="utf-8"', b'encoding="ISO-8859-1"'),
            CLIENT,
            xmlguard.NOT_UTF8,
        ),
        Case(
            "declared utf-7",
            VALID.replace(b'encoding="utf-8"', b"encoding='UTF-7'"),
            CLIENT,
            xmlguard.NOT_UTF8,
        ),
        Case("utf-16 with BOM", utf16, CLIENT, xmlguard.NOT_UTF8),
        Case("utf-16 without BOM", utf16[2:], CLIENT, xmlguard.NOT_UTF8),
        Case("NUL byte", _with_ticket(b"a\x00b"), CLIENT, xmlguard.NOT_UTF8),
        Case("ESC byte", _with_ticket(b"a\x1bb"), CLIENT, xmlguard.MALFORMED),
        Case("ESC reference", _with_ticket(b"a&#x1B;b"), CLIENT, xmlguard.MALFORMED),
        Case("NUL reference", _with_ticket(b"&#0;"), CLIENT, xmlguard.MALFORMED),
        Case("U+FFFE", _with_ticket("\ufffe".encode()), CLIENT, xmlguard.MALFORMED),
        Case("reference past Unicode", _with_ticket(b"&#x110000;"), CLIENT, xmlguard.MALFORMED),
    ]
    run_corpus(target, cases, "badly encoded bodies")


def test_utf8_text_of_every_plane_is_accepted(target: Target) -> None:
    """Valid UTF-8 in any plane, a UTF-8 BOM and CR/LF/TAB are ordinary text, not attacks."""
    text = "Zoë, 北京, Ελλάδα, 🧾\t\r\n"
    body = wire.envelope("getLastError", [("ticket", text)])
    cases = [
        Case("multilingual ticket", body, "ok"),
        Case("UTF-8 BOM", b"\xef\xbb\xbf" + VALID, "ok"),
        Case("no declaration", VALID.split(b"?>", 1)[1], "ok"),
    ]
    run_corpus(target, cases, "well-encoded bodies")
