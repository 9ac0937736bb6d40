"""Tickets: bearer secrets handed to the Web Connector, stored only as SHA-256 hashes."""

from __future__ import annotations

import secrets

from qwc_service.digest import secret_digest

MAX_TICKET_LENGTH = 128


def new_ticket() -> str:
    """A random ticket (192 bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def hash_ticket(ticket: str) -> str:
    """The stored form of a ticket; a ticket is never stored in the clear."""
    return secret_digest(ticket)
