"""API tokens: created and revoked from the command line, checked on every API call.

A token is ``qwc_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256
is stored; the first twelve characters are kept as a prefix so a person can tell tokens
apart in a list. The secret is shown once, when it is created.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.audit.service import record_event
from qwc_service.clock import isoformat, utcnow
from qwc_service.digest import secret_digest
from qwc_service.tokens.models import ApiToken

__all__ = [
    "AmbiguousToken",
    "NewToken",
    "TokenNotFound",
    "authenticate",
    "create_token",
    "hash_token",
    "list_tokens",
    "new_token",
    "revoke_token",
    "token_view",
]

TOKEN_PREFIX = "qwc_"
PREFIX_LENGTH = 12
MAX_NAME_LENGTH = 200
# Recording every use would turn each read into a write; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(seconds=60)
_TOKEN_SHAPE = re.compile(r"^qwc_[A-Za-z0-9_-]{43}$")


class TokenNotFound(LookupError):
    """No token has this id or prefix."""


class AmbiguousToken(LookupError):
    """More than one token starts with this prefix."""


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: the only time the secret is visible."""

    token: ApiToken
    secret: str


def new_token() -> str:
    """A fresh token secret: ``qwc_`` and 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(secret: str) -> str:
    """The SHA-256 of a token, as stored."""
    return secret_digest(secret)


def create_token(db: Session, name: str) -> NewToken:
    """Create a token named ``name`` (who or what uses it)."""
    name = name.strip()
    if not name:
        raise ValueError("a token needs a non-empty name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a token name has at most {MAX_NAME_LENGTH} characters")
    secret = new_token()
    token = ApiToken(name=name, prefix=secret[:PREFIX_LENGTH], token_hash=hash_token(secret))
    db.add(token)
    db.flush()
    record_event(db, "api_token_created", f"API token {token.prefix}… ({name}) created")
    return NewToken(token, secret)


def list_tokens(db: Session) -> list[ApiToken]:
    """Every token, revoked ones included, oldest first."""
    return list(db.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(db: Session, id_or_prefix: str) -> ApiToken:
    """Revoke a token given its id, (the start of) its prefix, or the token itself.

    It stops working at once.
    """
    token = _find(db, id_or_prefix.strip())
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(db, "api_token_revoked", f"API token {token.prefix}… ({token.name}) revoked")
    db.flush()
    return token


def authenticate(
    db: Session, authorization: str | None, now: datetime | None = None
) -> ApiToken | None:
    """The live token an ``Authorization: Bearer …`` header carries, or None.

    Every failure (no header, another scheme, a malformed, unknown or revoked token) is the
    same None, so a caller cannot tell them apart.
    """
    if not authorization:
        return None
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not _TOKEN_SHAPE.match(secret):
        return None
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token


def token_view(token: ApiToken) -> dict[str, Any]:
    """A token as JSON-ready data (never its secret or hash)."""
    return {
        "token_id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": isoformat(token.created_at),
        "last_used_at": isoformat(token.last_used_at),
        "revoked_at": isoformat(token.revoked_at),
    }


def _find(db: Session, id_or_prefix: str) -> ApiToken:
    if not id_or_prefix:
        raise TokenNotFound("name a token by its id or prefix")
    if _TOKEN_SHAPE.match(id_or_prefix):
        # The whole secret: found by its hash, as a request would be.
        by_secret = db.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_token(id_or_prefix))
        )
        if by_secret is None:
            raise TokenNotFound("no such API token")
        return by_secret
    if id_or_prefix.isdigit():
        token = db.get(ApiToken, int(id_or_prefix))
        if token is None:
            raise TokenNotFound(f"no API token with id {id_or_prefix}")
        return token
    matches = list(
        db.scalars(
            select(ApiToken).where(ApiToken.prefix.startswith(id_or_prefix, autoescape=True))
        )
    )
    if not matches:
        raise TokenNotFound(f"no API token with prefix {id_or_prefix!r}")
    if len(matches) > 1:
        raise AmbiguousToken(
            f"{len(matches)} API tokens start with {id_or_prefix!r}; give more characters or the id"
        )
    return matches[0]
