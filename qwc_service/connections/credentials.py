"""Connector passwords and identifiers: generated here, stored only as argon2 hashes."""

from __future__ import annotations

import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from qwc_service.config import Settings

# No look-alikes (0/O, 1/l/I), nothing a keyboard layout or a shell could mangle.
PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 24
_ID_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"


def new_password() -> str:
    """A connector password: 24 characters from a safe alphabet (about 140 bits)."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def new_connection_id() -> str:
    """A short, URL-safe, unguessable Connection ID (about 80 bits)."""
    return "c" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def new_username(connection_id: str) -> str:
    """A machine username, unique across the server and traceable to its connection."""
    suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
    return f"{connection_id}-{suffix}"


def new_guid() -> str:
    """A GUID in braces, upper case, as the Web Connector expects OwnerID and FileID."""
    return "{" + str(uuid.uuid4()).upper() + "}"


class PasswordHashing:
    """argon2id hashing with the server's cost settings, and constant-work misses."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        # Verifying against this when a username is unknown makes a miss cost what a
        # wrong password costs, so response times do not reveal which usernames exist.
        self._decoy = self._hasher.hash(new_password())

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash, spend the same work and say no."""
        try:
            if password_hash is None:
                self._hasher.verify(self._decoy, password + "\x00")
                return False
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
