"""The stored form of a random secret (ticket, API token, setup link, admin cookie)."""

from __future__ import annotations

import hashlib


def secret_digest(secret: str) -> str:
    """SHA-256 of ``secret`` in hex: what is stored and looked up instead of the secret.

    The secrets are random, so a plain hash is enough (no salt, no slow hash); any string,
    even one no client should send, gets a digest rather than an encoding error.
    """
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
