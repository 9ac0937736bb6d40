"""Connector passwords and identifiers: generated here, stored only as keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from qwc_service.config import Settings

log = structlog.get_logger("qwc_service.credentials")

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
    """Stores connector passwords as HMAC-SHA256 under the server's key; reads older forms.

    A stored hash names its scheme: ``hmac-sha256$<key id>$<hex>`` is this one (the key id
    tells which key, so keys can change without locking anyone out), ``$argon2id$…`` is
    what earlier versions stored. Both verify; :meth:`outdated` says when a hash should be
    stored again under the current key, which the login that proved the password does.

    Why a fast hash is enough: every connector password is generated here with about 140
    bits of entropy (:func:`new_password`; a setup link's is derived from a 256-bit token).
    A slow hash only helps against guessing passwords people chose; no guessing, fast or
    slow, gets through 2**140 candidates. The server key adds that a stolen database alone
    does not even let anyone check a guess offline.
    """

    def __init__(self, settings: Settings) -> None:
        configured = [key.encode() for key in settings.credential_key.split(",") if key]
        self._keys = {key_id(key): key for key in configured}
        self._keys[PUBLIC_KEY_ID] = PUBLIC_KEY
        self._current_id = key_id(configured[0]) if configured else PUBLIC_KEY_ID
        self._prefix = f"{SCHEME}${self._current_id}$"
        # Parameters are read from each stored argon2 hash; these only matter for hashing.
        self._argon2 = PasswordHasher()

    def hash(self, password: str) -> str:
        """The stored form of ``password`` under the current key."""
        return self._prefix + _mac(self._keys[self._current_id], password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``, compared in constant time."""
        if password_hash is None:
            # An unknown username costs what a wrong password costs.
            hmac.compare_digest(self.hash(password), self._prefix + "0" * 64)
            return False
        if password_hash.startswith("$argon2"):
            try:
                return self._argon2.verify(password_hash, password)
            except (VerificationError, InvalidHashError):
                return False
        scheme, _, rest = password_hash.partition("$")
        kid, _, digest = rest.partition("$")
        key = self._keys.get(kid)
        if scheme != SCHEME or key is None:
            # Only the id is logged: it cannot be turned back into the key.
            log.warning("password_hash_unreadable", scheme=scheme[:16], key_id=kid[:16])
            return False
        return hmac.compare_digest(_mac(key, password), digest)

    def outdated(self, password_hash: str) -> bool:
        """Whether a hash that verified should be stored again (older scheme or key)."""
        return not password_hash.startswith(self._prefix)


SCHEME = "hmac-sha256"
#: Used when no QWC_CREDENTIAL_KEY is set. It is no secret: the hash is then as strong as
#: SHA-256 of a 140-bit random secret, like API tokens and tickets.
PUBLIC_KEY = b"qwc-service connector passwords, no server key"
PUBLIC_KEY_ID = "0"


def key_id(key: bytes) -> str:
    """A short name for a key, stored beside each hash made with it (reveals nothing)."""
    return hashlib.sha256(b"qwc-service credential key id\x00" + key).hexdigest()[:8]


def _mac(key: bytes, password: str) -> str:
    return hmac.new(key, password.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
