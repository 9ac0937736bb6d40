"""Signatures: HMAC-SHA256 over "{t}.{body}", checked in constant time within a tolerance."""

from __future__ import annotations

import hashlib
import hmac
import time

from hypothesis import given
from hypothesis import strategies as st

from qwc_service.webhooks import signing
from qwc_service.webhooks.signing import parse_signature, sign, verify_signature

SECRET = "whsec_example"
BODY = b'{"id":42}'
T = 1_700_000_000


def test_worked_example_in_the_module_documentation_holds() -> None:
    """The example the docstring gives receivers is what sign() produces."""
    header = sign(SECRET, BODY, T)
    assert header in (signing.__doc__ or "")
    assert header.startswith(f"t={T},v1=")


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    """A receiver in any language can recompute v1 from the documented recipe."""
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, T) == f"t={T},v1={expected}"


def test_verify_accepts_a_fresh_signature_and_rejects_tampering() -> None:
    """The right secret and body verify; another body, secret or signature does not."""
    header = sign(SECRET, BODY, T)
    assert verify_signature(SECRET, header, BODY, now=T + 10)
    assert not verify_signature(SECRET, header, b'{"id":43}', now=T + 10)
    assert not verify_signature("whsec_other", header, BODY, now=T + 10)
    assert not verify_signature(SECRET, header[:-1] + "0", BODY, now=T + 10)


def test_verify_rejects_old_and_future_timestamps() -> None:
    """A replay older than the tolerance, or a timestamp from the future, is refused."""
    header = sign(SECRET, BODY, T)
    assert verify_signature(SECRET, header, BODY, tolerance=300, now=T + 300)
    assert not verify_signature(SECRET, header, BODY, tolerance=300, now=T + 301)
    assert not verify_signature(SECRET, header, BODY, tolerance=300, now=T - 301)


def test_verify_uses_the_clock_by_default() -> None:
    """Without ``now``, a header signed just now verifies and a day-old one does not."""
    assert verify_signature(SECRET, sign(SECRET, BODY), BODY)
    assert not verify_signature(SECRET, sign(SECRET, BODY, int(time.time()) - 86400), BODY)


def test_any_of_several_v1_signatures_may_match() -> None:
    """During a secret rotation the header may carry one v1 per secret."""
    new = sign("whsec_new", BODY, T).split(",")[1]
    header = f"{sign(SECRET, BODY, T)},{new}"
    assert verify_signature("whsec_new", header, BODY, now=T)
    assert verify_signature(SECRET, header, BODY, now=T)


def test_malformed_headers_are_rejected() -> None:
    """Missing parts, a non-numeric timestamp or an empty header never verify."""
    good = sign(SECRET, BODY, T)
    v1 = good.split(",")[1]
    for header in ("", "garbage", f"t={T}", v1, f"t=abc,{v1}", f"t={T},v0={v1[3:]}"):
        assert not verify_signature(SECRET, header, BODY, now=T), header
    assert parse_signature(f"t=abc,{v1}") == (None, [])


@given(st.binary(max_size=200), st.text(min_size=1, max_size=40), st.integers(0, 2**40))
def test_sign_then_verify_round_trips(body: bytes, secret: str, timestamp: int) -> None:
    """Any body signed with any secret verifies at the signing time."""
    assert verify_signature(secret, sign(secret, body, timestamp), body, now=timestamp)
