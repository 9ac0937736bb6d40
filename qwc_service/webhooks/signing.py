"""Webhook signatures: how a receiver knows a POST came from this server, and is fresh.

The scheme
----------
Every delivery carries three headers::

    QWC-Event-Id: 42
    QWC-Event-Type: job.done
    QWC-Signature: t=1700000000,v1=<64 hex digits>

``t`` is the Unix time at which this attempt was signed. ``v1`` is the lowercase hex
HMAC-SHA256, keyed with the endpoint's secret (the UTF-8 bytes of the string printed by
``qwc-service webhook add``), of the bytes ``"{t}." + body``, where body is the raw request
body exactly as received. Each retry is signed afresh with a new ``t``; the body and the
event id stay the same.

A receiver should:

1. recompute the HMAC over the raw body (before any JSON parsing) and compare it in
   constant time with every ``v1`` value in the header (there may be several while a
   secret is being rotated);
2. reject the request when ``t`` is further than a few minutes from its own clock, so a
   captured request cannot be replayed later;
3. remember the event ids it has processed and answer 2xx without acting again for an id
   it has seen: delivery is at least once (a crash between sending and recording the
   answer, or a lost 2xx, makes the server send the event again).

``verify_signature`` does steps 1 and 2 for Python receivers.

A worked example: with the secret ``whsec_example``, the body ``{"id":42}`` signed at
``t=1700000000`` gives
``t=1700000000,v1=374dce3cc9f19bcc9a6e2b0d83ce0fa9f2f3fbaf8ce3a854fa6beb718f0c7ff9``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "QWC-Signature"
EVENT_ID_HEADER = "QWC-Event-Id"
EVENT_TYPE_HEADER = "QWC-Event-Type"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``QWC-Signature`` header value for ``body`` signed at ``timestamp`` (now)."""
    at = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={at},{SCHEME}={_digest(secret, at, body)}"


def parse_signature(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and the ``v1`` signatures named in a header (unknown parts ignored)."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in (header or "").split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return None, []
        elif key == SCHEME and value:
            signatures.append(value.strip().lower())
    return timestamp, signatures


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of now.

    ``body`` must be the raw request body. A header without a timestamp or without a
    ``v1`` signature, a timestamp too old or too far in the future, or a wrong signature
    all give False.
    """
    timestamp, signatures = parse_signature(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    # Compare against every candidate so the time taken does not reveal which one matched.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate)
    return matched
