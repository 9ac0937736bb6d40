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


#: Starts the tickets of answers that open no session (none, busy, nvu). A session's
#: ticket never does (URL-safe base64 has no "~"), so closeConnection can answer such a
#: ticket without asking the database; a forged one gets the same "OK" as any unknown one.
NO_SESSION_MARK = "~"


def idle_ticket() -> str:
    """A ticket for an answer that opens no session; as random as a session's."""
    return NO_SESSION_MARK + secrets.token_urlsafe(24)


def names_no_session(ticket: str) -> bool:
    """Whether ``ticket`` was handed out with an answer that opened no session."""
    return ticket.startswith(NO_SESSION_MARK)
