"""XML's own weapons: DTDs, entities, instructions, depth and width bombs. All refused cheaply."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from qwc_service.simulator import wire
from qwc_service.soap import xmlguard
from tests.hostile.harness import NS, Case, Tally, Target, judge, soap_headers

CLIENT = "fault:Client"
DECLARATIONS = xmlguard.DECLARATIONS
PROLOG = b'<?xml version="1.0" encoding="utf-8"?>'


def client_version(text: str, *, doctype: str = "", prolog: bytes = PROLOG) -> bytes:
    """A clientVersion call whose strVersion holds ``text`` raw (entity references stay)."""
    body = wire.envelope("clientVersion", [("strVersion", "X")]).replace(
        b">X<", b">" + text.encode() + b"<"
    )
    return prolog + doctype.encode() + body[len(PROLOG) :]


def _billion_laughs() -> str:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f"<!DOCTYPE soap:Envelope [{''.join(lines)}]>"


def run(target: Target, cases: list[Case], what: str, secret: str = "") -> Tally:
    """Send the cases as clientVersion calls; every reply must be clean and free of ``secret``."""
    tally = Tally(what)
    for case in cases:
        reply = target.post(case.body, case.headers or soap_headers("clientVersion"))
        kind = judge(reply, [secret] if secret else [])
        assert kind == case.expect, f"{case.label}: wanted {case.expect}, got {reply!r}"
        if case.message is not None:
            assert reply.fault() == ("Client", case.message), case.label
        tally.add(kind)
    # clientVersion remembers a version it could read; none of these may get that far.
    stored = target.stored()
    assert stored == 0
    target.assert_healthy()
    print(tally.report(stored))
    return tally


def test_external_entities_never_read_a_file(target: Target, tmp_path: Path) -> None:
    """Every way of pointing an entity, DTD or include at a local file is refused unread."""
    secret = f"SECRET-{secrets.token_hex(8)}"
    path = tmp_path / "secret.txt"
    path.write_text(secret)
    uri = path.as_uri()
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY % file SYSTEM "{uri}"><!ENTITY leak "%file;">')
    xinclude = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{uri}" parse="text"/>'
    cases = [
        Case(
            "general entity",
            client_version("&xxe;", doctype=f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{uri}">]>'),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "plain path",
            client_version("&xxe;", doctype=f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{path}">]>'),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "parameter entity",
            client_version(
                "&leak;", doctype=f'<!DOCTYPE x [<!ENTITY % d SYSTEM "{dtd.as_uri()}">%d;]>'
            ),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "external DTD",
            client_version("x", doctype=f'<!DOCTYPE x SYSTEM "{uri}">'),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "public DTD",
            client_version("x", doctype=f'<!DOCTYPE x PUBLIC "-//x" "{uri}">'),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "network DTD",
            client_version("x", doctype='<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">'),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "lower-case doctype",
            client_version("&xxe;", doctype=f'<!doctype x [<!ENTITY xxe SYSTEM "{uri}">]>'),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "doctype after a long comment",
            client_version(
                "&xxe;",
                prolog=PROLOG + b"<!--" + b"x" * 2_000_000 + b"-->",
                doctype=f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{uri}">]>',
            ),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "entity declaration in the body",
            client_version(f'<!ENTITY xxe SYSTEM "{uri}">'),
            CLIENT,
            DECLARATIONS,
        ),
        Case("undeclared entity", client_version("&xxe;"), CLIENT, xmlguard.MALFORMED),
        Case(
            "XInclude",
            client_version(xinclude),
            CLIENT,
            xmlguard.NOT_TEXT.format(name="strVersion"),
        ),
        Case(
            "schemaLocation",
            client_version("").replace(
                b"<strVersion>", f'<strVersion xsi:schemaLocation="urn:x {uri}">'.encode()
            ),
            "ok",
        ),
    ]
    run(target, cases, "external-entity requests", secret)


def test_entity_expansion_bombs_are_refused_before_parsing(target: Target) -> None:
    """Billion laughs, quadratic blowup and recursive entities cost nothing: no parser runs."""
    quadratic = f'<!DOCTYPE x [<!ENTITY a "{"a" * 50_000}">]>'
    cases = [
        Case(
            "billion laughs",
            client_version("&lol9;", doctype=_billion_laughs()),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "quadratic blowup",
            client_version("&a;" * 20_000, doctype=quadratic),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "recursive",
            client_version("&a;", doctype='<!DOCTYPE x [<!ENTITY a "&b;"><!ENTITY b "&a;">]>'),
            CLIENT,
            DECLARATIONS,
        ),
        Case(
            "billion laughs in UTF-16",
            client_version("&lol9;", doctype=_billion_laughs()).decode().encode("utf-16"),
            CLIENT,
            xmlguard.NOT_UTF8,
        ),
    ]
    for case in cases:
        # The byte screen alone refuses each one: no parser ever sees the declarations.
        with pytest.raises(xmlguard.EnvelopeRefused):
            xmlguard.screen_bytes(case.body)
    run(target, cases, "entity bombs (each refused by the byte screen, before any parser)")


def test_instructions_depth_and_width_are_bounded(target: Target) -> None:
    """Processing instructions, 100,000 levels of nesting and element or attribute floods."""
    deep = "<a>" * 100_000 + "</a>" * 100_000
    attributes = " ".join(f'a{i}="{i}"' for i in range(100_000))
    namespaces = " ".join(f'xmlns:p{i}="urn:{i}"' for i in range(100_000))
    quoted_gt = '<x y=">" ' + " ".join(f'z{i}=""' for i in range(1_000)) + "/>"
    wrapper = f'<clientVersion xmlns="{NS}">'
    cases = [
        Case(
            "instruction in text",
            client_version("1<?php system('id'); ?>"),
            CLIENT,
            xmlguard.INSTRUCTIONS,
        ),
        Case(
            "instruction in prolog",
            client_version("1", doctype="<?xml-stylesheet href='x'?>"),
            CLIENT,
            xmlguard.INSTRUCTIONS,
        ),
        Case(
            "100,000 levels in the Body",
            client_version("1").replace(wrapper.encode(), (deep + wrapper).encode()),
            CLIENT,
            xmlguard.TOO_DEEP,
        ),
        Case("100,000 levels in a parameter", client_version(deep), CLIENT, xmlguard.TOO_DEEP),
        Case("33 levels", client_version("<a>" * 33 + "</a>" * 33), CLIENT, xmlguard.TOO_DEEP),
        Case(
            "100,000 siblings",
            client_version("1").replace(wrapper.encode(), ("<a/>" * 100_000 + wrapper).encode()),
            CLIENT,
            xmlguard.TOO_MANY,
        ),
        Case(
            "100,000 attributes",
            client_version("1").replace(b"<strVersion>", f"<strVersion {attributes}>".encode()),
            CLIENT,
            xmlguard.TOO_MANY,
        ),
        Case(
            "100,000 namespaces",
            client_version("1").replace(b"<strVersion>", f"<strVersion {namespaces}>".encode()),
            CLIENT,
            xmlguard.TOO_MANY,
        ),
        Case("attributes behind a quoted >", client_version(quoted_gt), CLIENT, xmlguard.TOO_MANY),
        Case(
            "a 1 MB element name",
            client_version("<" + "n" * 1_000_000 + "/>"),
            CLIENT,
            xmlguard.NOT_TEXT.format(name="strVersion"),
        ),
    ]
    run(target, cases, "instruction, depth and width bombs")
