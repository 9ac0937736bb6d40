"""Setup links: one page per machine with its steps, its .qwc file and its password.

Whoever installs the Web Connector on a computer needs two things that belong together,
the machine's .qwc file and its password. A setup link hands over both without anyone
copying a password into an e-mail: it is unguessable (256 random bits), expires
(``QWC_SETUP_LINK_HOURS``) and can be revoked.

The password is derived from the link's token (HMAC-SHA256, mapped onto the password
alphabet), and the database keeps only SHA-256 of the token and the keyed hash of the
password (connections.credentials). So the page can show the password whenever the link
is opened, while nothing stored on the server can reproduce either. Issuing a link
therefore sets a new password; a machine has at most one live link, and resetting or
revoking the machine ends it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qwc_service.clock import utcnow
from qwc_service.config import Settings
from qwc_service.connections.credentials import PASSWORD_ALPHABET, PASSWORD_LENGTH, PasswordHashing
from qwc_service.connections.models import Connection, Machine, SetupLink
from qwc_service.connections.queries import get_machine
from qwc_service.connections.service import (
    NewCredentials,
    add_machine,
    reset_password,
    revoke_machine_links,
)
from qwc_service.digest import secret_digest

__all__ = [
    "IssuedLink",
    "OpenedLink",
    "SetupLinkExpired",
    "SetupLinkNotFound",
    "SetupLinkRevoked",
    "add_machine_with_link",
    "issue_setup_link",
    "link_works",
    "live_link",
    "open_setup_link",
    "password_for",
    "revoke_setup_links",
    "setup_url",
]

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_DERIVATION_LABEL = b"qwc-service connector password v1"


class SetupLinkNotFound(LookupError):
    """No setup link has this token (or the token is not shaped like one)."""


class SetupLinkExpired(LookupError):
    """The setup link was valid but its time is up: ask for a new one."""


class SetupLinkRevoked(LookupError):
    """The setup link was revoked (a new link, a password reset, or the machine revoked)."""


@dataclass(frozen=True)
class IssuedLink:
    """A new link with its token and the machine's new password (both shown to the issuer)."""

    link: SetupLink
    token: str
    credentials: NewCredentials


@dataclass(frozen=True)
class OpenedLink:
    """What the setup page shows: the machine, its connection and the password."""

    link: SetupLink
    machine: Machine
    connection: Connection
    password: str


def password_for(token: str) -> str:
    """The connector password a link token stands for (about 140 bits, like a random one)."""
    digest = hmac.new(token.encode("ascii"), _DERIVATION_LABEL, hashlib.sha512).digest()
    # 512 bits reduced to 24 symbols of 57: the bias per symbol is far below 2**-300.
    number = int.from_bytes(digest, "big")
    symbols = []
    for _ in range(PASSWORD_LENGTH):
        number, index = divmod(number, len(PASSWORD_ALPHABET))
        symbols.append(PASSWORD_ALPHABET[index])
    return "".join(symbols)


def setup_url(settings: Settings, token: str) -> str:
    """Where the setup page of a link is opened."""
    return f"{settings.public_url}/setup/{token}"


def _new_link(db: Session, settings: Settings, machine: Machine, token: str) -> SetupLink:
    now = utcnow()
    link = SetupLink(
        machine_id=machine.id,
        token_hash=secret_digest(token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.setup_link_hours),
    )
    db.add(link)
    db.flush()
    return link


def add_machine_with_link(
    db: Session,
    settings: Settings,
    hashing: PasswordHashing,
    connection_id: str,
    *,
    label: str,
    write_file: bool = False,
    token: str | None = None,
) -> IssuedLink:
    """Add a machine to a connection together with its setup link.

    The machine's password is the link's: the issuer sees it once, the page while the
    link lives. ``token`` is for callers that derive the link's token from a secret of
    their own (an installation form, so that sending it again finds the same link); by
    default it is random. It must be shaped like a token (43 URL-safe characters).
    """
    if token is None:
        token = secrets.token_urlsafe(32)
    elif not _TOKEN_SHAPE.match(token):
        raise ValueError("a setup link token is 43 URL-safe characters")
    created = add_machine(
        db,
        settings,
        hashing,
        connection_id,
        label=label,
        write_file=write_file,
        password=password_for(token),
    )
    link = _new_link(db, settings, created.machine, token)
    return IssuedLink(link=link, token=token, credentials=created)


def issue_setup_link(
    db: Session, settings: Settings, hashing: PasswordHashing, username: str
) -> IssuedLink:
    """A new setup link for an existing machine; its password changes to the link's.

    Earlier links of the machine stop working (they would show the old password).
    Raises MachineNotFound, or MachineRevoked for a revoked machine.
    """
    token = secrets.token_urlsafe(32)
    credentials = reset_password(db, hashing, username, password=password_for(token))
    link = _new_link(db, settings, credentials.machine, token)
    return IssuedLink(link=link, token=token, credentials=credentials)


def open_setup_link(db: Session, token: str, *, now: datetime | None = None) -> OpenedLink:
    """The machine and password behind a link, or why the link no longer works.

    Raises SetupLinkNotFound, SetupLinkExpired or SetupLinkRevoked (a revoked machine
    counts as revoked).
    """
    if not _TOKEN_SHAPE.match(token or ""):
        raise SetupLinkNotFound("no such setup link")
    link = db.scalar(select(SetupLink).where(SetupLink.token_hash == secret_digest(token)))
    if link is None:
        raise SetupLinkNotFound("no such setup link")
    now = now or utcnow()
    machine = link.machine
    if link.revoked_at is not None or machine.is_revoked:
        raise SetupLinkRevoked("this setup link was revoked")
    if link.expires_at <= now:
        raise SetupLinkExpired("this setup link has expired")
    link.last_opened_at = now
    db.flush()
    return OpenedLink(
        link=link, machine=machine, connection=machine.connection, password=password_for(token)
    )


def link_works(db: Session, token: str, *, now: datetime | None = None) -> bool:
    """Whether ``token`` opens a setup page now (without recording that it was opened)."""
    if not _TOKEN_SHAPE.match(token or ""):
        return False
    link = db.scalar(select(SetupLink).where(SetupLink.token_hash == secret_digest(token)))
    if link is None or link.revoked_at is not None or link.machine.is_revoked:
        return False
    return link.expires_at > (now or utcnow())


def live_link(db: Session, machine_id: int, *, now: datetime | None = None) -> SetupLink | None:
    """The machine's link that still works, if any (its token is not recoverable)."""
    now = now or utcnow()
    return db.scalar(
        select(SetupLink)
        .where(
            SetupLink.machine_id == machine_id,
            SetupLink.revoked_at.is_(None),
            SetupLink.expires_at > now,
        )
        .order_by(SetupLink.id.desc())
        .limit(1)
    )


def revoke_setup_links(db: Session, username: str) -> int:
    """Revoke a machine's live setup links (its password stays as it is); how many."""
    machine = get_machine(db, username)
    return revoke_machine_links(db, machine.id)
