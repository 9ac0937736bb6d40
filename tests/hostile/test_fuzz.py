"""Property: whatever arrives at /qbwc, the WSGI app answers cleanly and keeps working.

Envelopes are generated three ways: valid Web Connector calls with random values, those calls
mutated byte by byte (insertions of XML's dangerous tokens, deletions, truncations, flips), and
random well-formed element trees in the Body. Headers vary too. Every reply must be judged
clean (see ``harness.judge``); a Server fault counts as a failure, since no input should make
the server fail.
"""

from __future__ import annotations

import os
from collections import Counter
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qwc_service.simulator import wire
from tests.hostile.harness import NS, SOAP11, SOAP12, Target, call, environ, judge

METHODS = sorted(wire.PARAMETERS)
PARAMETER_NAMES = sorted({name for params in wire.PARAMETERS.values() for name, _ in params})
TOKENS = [
    b"<", b">", b"&", b"&amp;", b"&lt;", b"&#0;", b"&#x1B;", b"&#xD800;", b"&e;", b"]]>",
    b"<!DOCTYPE x>", b'<!DOCTYPE x [<!ENTITY e "x">]>', b"<!ENTITY e SYSTEM 'file:///x'>",
    b"<!--", b"-->", b"<![CDATA[", b"<?pi x?>", b'<?xml version="1.0"?>', b'"', b"'", b"=",
    b' xmlns="urn:x"', b' xmlns:soap="' + SOAP12.encode() + b'"', b' xsi:nil="true"',
    b' href="#a"', b' id="a"', b' soap:mustUnderstand="1"', b"\x00", b"\xff", b"\xc3",
    b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\r\n", b"<soap:Header/>", b"</soap:Body>",
    b"<soap:Body>", b"<ticket>", b"</ticket>", b"<qbXMLMajorVers>x</qbXMLMajorVers>",
    b"<a>" * 40, b"-2147483648",
]  # fmt: skip
# Mostly what the Web Connector sends, so that most requests get past the media-type check.
CONTENT_TYPES = [
    *["text/xml; charset=utf-8"] * 8,
    "text/xml",
    "application/soap+xml; charset=utf-8",
    "application/json",
    "text/xml; charset=latin1",
    None,
]
NAMESPACES = [NS, SOAP11, SOAP12, "", "urn:x"]
# CI runs a few hundred per database; QWC_FUZZ_EXAMPLES=20000 digs deeper locally.
EXAMPLES = int(os.environ.get("QWC_FUZZ_EXAMPLES", "300"))


@st.composite
def wire_calls(draw: st.DrawFn) -> tuple[str, bytes]:
    """A Web Connector call as QBWC would serialise it, with random values."""
    method = draw(st.sampled_from(METHODS))
    params: list[tuple[str, str | int | None]] = []
    for name, kind in wire.PARAMETERS[method]:
        if kind is int:
            params.append((name, draw(st.integers(-(2**31), 2**31 - 1))))
        else:
            params.append((name, draw(st.none() | st.text(max_size=30))))
    return method, wire.envelope(method, params)


@st.composite
def mutated_calls(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid call with one to four byte-level mutations."""
    method, body = draw(wire_calls())
    data = bytearray(body)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "truncate", "flip", "repeat"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "truncate":
            del data[at:]
        elif action == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif action == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 60))]
    return method, bytes(data)


def _element(name: str, namespace: str, attrs: dict[str, str], children: list[str]) -> str:
    declared = f" xmlns={quoteattr(namespace)}"
    rendered = "".join(f" {key}={quoteattr(value)}" for key, value in attrs.items())
    return f"<{name}{declared}{rendered}>{''.join(children)}</{name}>"


TEXT = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20).map(escape)
NAMES = st.sampled_from([*METHODS, *PARAMETER_NAMES, "Envelope", "Body", "Header", "Fault", "a"])
TREES = st.recursive(
    TEXT,
    lambda children: st.builds(
        _element,
        NAMES,
        st.sampled_from(NAMESPACES),
        st.dictionaries(st.sampled_from(["id", "href", "nil", "type", "x"]), TEXT, max_size=2),
        st.lists(children, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def random_trees(draw: st.DrawFn) -> tuple[str, bytes]:
    """A well-formed SOAP 1.1 envelope around a random element tree."""
    inner = draw(st.lists(TREES, min_size=0, max_size=3))
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP11}">'
        f"<soap:Body>{''.join(inner)}</soap:Body></soap:Envelope>"
    )
    return draw(st.sampled_from(METHODS)), body.encode()


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    """A body from any of the generators and headers that may or may not fit it."""
    method, body = draw(st.one_of(wire_calls(), mutated_calls(), random_trees()))
    headers = dict(wire.headers(method))
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    headers.pop("Content-Type")
    if content_type is not None:
        headers["Content-Type"] = content_type
    action = draw(st.sampled_from(["same"] * 6 + ["none", "other", "garbage"]))
    if action == "none":
        headers.pop("SOAPAction")
    elif action == "other":
        headers["SOAPAction"] = f'"{NS}{draw(st.sampled_from(METHODS))}"'
    elif action == "garbage":
        headers["SOAPAction"] = draw(st.text(st.characters(max_codepoint=126), max_size=20))
    return body, headers


def test_fuzzed_requests_are_always_answered_cleanly(target: Target) -> None:
    """Random, mutated and malformed envelopes never escape the app or leak; it keeps working."""
    kinds: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=requests())
    def answered_cleanly(request: tuple[bytes, dict[str, str]]) -> None:
        body, headers = request
        # The worst case is an exception escaping the app: call() lets it fail the test.
        reply = call(target.app, environ(body, headers, remote_addr="198.51.100.7"))
        kind = judge(reply)
        assert kind != "fault:Server", (body[:300], reply.body)
        kinds[kind] += 1

    answered_cleanly()
    target.assert_healthy()
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    print(
        f"fuzzed {sum(kinds.values())} requests: all answered cleanly ({summary}); "
        "no exception escaped, server healthy"
    )
