"""Admin sign-in: an API token exchanged for a short-lived, revocable sign-in of one browser.

The browser holds a random cookie value; the database keeps its SHA-256. Forms carry a
CSRF value derived from the cookie (which another site can neither read nor set), so a
POST is accepted only from a page this server rendered for that browser.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.admin.models import AdminSignIn
from qwc_service.audit.service import record_event
from qwc_service.clock import utcnow
from qwc_service.config import Settings
from qwc_service.digest import secret_digest
from qwc_service.tokens.service import authenticate

__all__ = [
    "COOKIE_NAME",
    "SignInRefused",
    "SignedIn",
    "csrf_for",
    "current_sign_in",
    "sign_in",
    "sign_out",
]

COOKIE_NAME = "qwc_admin"


class SignInRefused(PermissionError):
    """The token given at sign-in is unknown or revoked."""


@dataclass(frozen=True)
class SignedIn:
    """A new sign-in and the cookie value that stands for it (set once, never stored)."""

    sign_in: AdminSignIn
    cookie: str


def csrf_for(cookie: str) -> str:
    """The CSRF value that forms rendered for this cookie carry."""
    return hmac.new(cookie.encode("utf-8", "replace"), b"qwc-admin csrf", "sha256").hexdigest()


def check_csrf(cookie: str, value: str | None) -> bool:
    """Whether a submitted CSRF value belongs to this cookie."""
    return value is not None and hmac.compare_digest(csrf_for(cookie), value)


def sign_in(db: Session, settings: Settings, token: str) -> SignedIn:
    """Exchange an API token for an admin sign-in; SignInRefused when it is not valid."""
    api_token = authenticate(db, f"Bearer {token.strip()}")
    if api_token is None:
        raise SignInRefused("that token is not valid (unknown or revoked)")
    cookie = secrets.token_urlsafe(32)
    now = utcnow()
    admin = AdminSignIn(
        token_id=api_token.id,
        cookie_hash=secret_digest(cookie),
        created_at=now,
        expires_at=now + timedelta(hours=settings.admin_sign_in_hours),
    )
    db.add(admin)
    record_event(db, "admin_signed_in", f"admin pages signed in with token {api_token.prefix}")
    db.flush()
    return SignedIn(sign_in=admin, cookie=cookie)


def current_sign_in(
    db: Session, cookie: str | None, *, now: datetime | None = None
) -> AdminSignIn | None:
    """The live sign-in of a cookie: not ended, not expired, its token not revoked."""
    if not cookie or len(cookie) > 100:
        return None
    admin = db.scalar(select(AdminSignIn).where(AdminSignIn.cookie_hash == secret_digest(cookie)))
    now = now or utcnow()
    if admin is None or admin.ended_at is not None or admin.expires_at <= now:
        return None
    if admin.token.revoked_at is not None:
        return None
    return admin


def sign_out(db: Session, cookie: str | None) -> None:
    """End the sign-in of a cookie, if it is live."""
    admin = current_sign_in(db, cookie)
    if admin is not None:
        admin.ended_at = utcnow()
        db.flush()
