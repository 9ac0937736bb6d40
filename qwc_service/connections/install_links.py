"""Installation links: one link per connection with which people add their own machines.

After the customer's Admin has set up the first computer, other people at the customer
need the connector too, on their own computers or under their own Windows login on a
terminal server. The vendor sends them the connection's installation link; each person
opens it, says who they are, and gets a machine of their own (its setup page, .qwc file
and password). Like a setup link the link is unguessable (256 random bits), expires
(``QWC_INSTALL_LINK_HOURS``) and can be revoked; it may also be limited to a number of
installs. A connection has at most one live link: issuing one revokes the one before.

Every form the link's page renders carries a one-time value (:class:`InstallForm`): a
form adds at most one machine however often it is sent, and the machine's setup-link
token is derived from that value, so the same form sent again finds the same setup page
while nothing stored can reproduce the token.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from qwc_service.audit.service import record_event
from qwc_service.clock import isoformat, utcnow
from qwc_service.config import Settings
from qwc_service.connections.models import Connection, InstallForm, InstallLink
from qwc_service.connections.queries import ConnectionDisabled, ConnectionNotFound
from qwc_service.digest import secret_digest

__all__ = [
    "LABEL_MAX",
    "FormClaim",
    "InstallLinkExpired",
    "InstallLinkNotFound",
    "InstallLinkReport",
    "InstallLinkRevoked",
    "InstallLinkUsedUp",
    "InvalidLabel",
    "IssuedInstallLink",
    "LinkState",
    "NoLiveInstallLink",
    "Readiness",
    "check_label",
    "check_usable",
    "claim_form",
    "count_install",
    "find_install_link",
    "form_is_open",
    "install_link_report",
    "install_url",
    "issue_install_link",
    "latest_install_link",
    "new_form",
    "readiness",
    "revoke_install_link",
    "setup_token_for",
    "state_of",
    "used_form",
]

#: The longest label a person may give their machine on the installation page.
LABEL_MAX = 100
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SETUP_TOKEN_LABEL = b"qwc-service install setup link v1"


class InstallLinkNotFound(LookupError):
    """No installation link has this token (or the token is not shaped like one)."""


class InstallLinkExpired(LookupError):
    """The installation link was valid but its time is up."""


class InstallLinkRevoked(LookupError):
    """The installation link was revoked, or replaced by a newer one."""


class InstallLinkUsedUp(LookupError):
    """The installation link has added as many machines as it was issued for."""


class NoLiveInstallLink(LookupError):
    """The connection has no installation link that still works."""

    def __init__(self, connection_id: str) -> None:
        super().__init__(f"connection {connection_id!r} has no live installation link")


class InvalidLabel(ValueError):
    """The label typed on the installation page is empty, too long or not plain text."""


class LinkState(enum.StrEnum):
    """Where a connection's newest installation link stands."""

    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"
    USED_UP = "used_up"
    NONE = "none"


class Readiness(enum.StrEnum):
    """Whether a connection takes machines through its installation link, or why not."""

    READY = "ready"
    # The Admin's first computer has not yet synced and locked the company file.
    AWAITING_FIRST_SYNC = "awaiting_first_sync"
    # The company lock was released (a moved or restored file) and not set again since.
    UNLOCKED = "unlocked"
    DISABLED = "disabled"


class FormClaim(enum.Enum):
    """What submitting a form's one-time value found."""

    CLAIMED = "claimed"
    USED = "used"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class IssuedInstallLink:
    """A new installation link with its token (shown to the issuer once)."""

    link: InstallLink
    token: str


@dataclass(frozen=True)
class InstallLinkReport:
    """A connection's installation link as the API, the CLI and the admin page show it."""

    state: str
    expires_at: datetime | None
    max_installs: int | None
    installs: int

    @classmethod
    def of(cls, link: InstallLink | None, now: datetime) -> InstallLinkReport:
        """The report of ``link`` (the connection's newest), or of no link at all."""
        if link is None:
            return cls(LinkState.NONE.value, None, None, 0)
        return cls(state_of(link, now).value, link.expires_at, link.max_installs, link.installs)

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready data: one member per field, times as ISO 8601 text."""
        payload = {f.name: getattr(self, f.name) for f in fields(self)}
        payload["expires_at"] = isoformat(self.expires_at)
        return payload


def install_url(settings: Settings, token: str) -> str:
    """Where the installation page of a link is opened."""
    return f"{settings.public_url}/install/{token}"


def state_of(link: InstallLink, now: datetime) -> LinkState:
    """Revoked, used up, expired or active, in that order of precedence."""
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if link.max_installs is not None and link.installs >= link.max_installs:
        return LinkState.USED_UP
    if link.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.ACTIVE


def latest_install_link(db: Session, connection_id: str) -> InstallLink | None:
    """The connection's newest installation link, whatever its state."""
    return db.scalar(
        select(InstallLink)
        .where(InstallLink.connection_id == connection_id)
        .order_by(InstallLink.id.desc())
        .limit(1)
    )


def install_link_report(
    db: Session, connection_id: str, *, now: datetime | None = None
) -> InstallLinkReport:
    """The state of the connection's newest installation link."""
    return InstallLinkReport.of(latest_install_link(db, connection_id), now or utcnow())


def _locked_connection(db: Session, connection_id: str) -> Connection:
    # The row lock makes concurrent issues and revocations take turns, so two issued at
    # once cannot both stay live (SQLite's write lock already serialises them).
    connection = db.get(Connection, connection_id, with_for_update=True)
    if connection is None:
        raise ConnectionNotFound(connection_id)
    return connection


def _revoke_live(db: Session, connection_id: str, now: datetime) -> list[InstallLink]:
    live = list(
        db.scalars(
            select(InstallLink).where(
                InstallLink.connection_id == connection_id,
                InstallLink.revoked_at.is_(None),
                InstallLink.expires_at > now,
                or_(
                    InstallLink.max_installs.is_(None),
                    InstallLink.installs < InstallLink.max_installs,
                ),
            )
        )
    )
    for link in live:
        link.revoked_at = now
    return live


def issue_install_link(
    db: Session,
    settings: Settings,
    connection_id: str,
    *,
    hours: int | None = None,
    max_installs: int | None = None,
    now: datetime | None = None,
) -> IssuedInstallLink:
    """A new installation link for the connection; the link before it stops working.

    ``hours`` defaults to ``QWC_INSTALL_LINK_HOURS``; ``max_installs`` None means no limit.
    Raises ConnectionNotFound, or ConnectionDisabled for a disabled connection.
    """
    if hours is not None and hours < 1:
        raise ValueError("an installation link works for at least one hour")
    if max_installs is not None and max_installs < 1:
        raise ValueError("an installation link allows at least one install")
    now = now or utcnow()
    connection = _locked_connection(db, connection_id)
    if connection.disabled_at is not None:
        raise ConnectionDisabled(f"connection {connection_id!r} is disabled")
    replaced = _revoke_live(db, connection.id, now)
    token = secrets.token_urlsafe(32)
    link = InstallLink(
        connection_id=connection.id,
        token_hash=secret_digest(token),
        created_at=now,
        expires_at=now + timedelta(hours=hours or settings.install_link_hours),
        max_installs=max_installs,
        installs=0,
    )
    db.add(link)
    limit = "no limit" if max_installs is None else f"at most {max_installs} installs"
    record_event(
        db,
        "install_link_issued",
        f"installation link issued ({limit}, until {isoformat(link.expires_at)})"
        + (", the previous link revoked" if replaced else ""),
        connection_id=connection.id,
        now=now,
    )
    db.flush()
    return IssuedInstallLink(link=link, token=token)


def revoke_install_link(
    db: Session, connection_id: str, *, now: datetime | None = None
) -> InstallLink:
    """Revoke the connection's live installation link; NoLiveInstallLink when there is none."""
    now = now or utcnow()
    connection = _locked_connection(db, connection_id)
    revoked = _revoke_live(db, connection.id, now)
    if not revoked:
        raise NoLiveInstallLink(connection_id)
    record_event(
        db,
        "install_link_revoked",
        "installation link revoked",
        connection_id=connection.id,
        now=now,
    )
    db.flush()
    return revoked[-1]


def find_install_link(db: Session, token: str) -> InstallLink:
    """The link with this token, whatever its state; InstallLinkNotFound otherwise."""
    if not _TOKEN_SHAPE.match(token or ""):
        raise InstallLinkNotFound("no such installation link")
    link = db.scalar(select(InstallLink).where(InstallLink.token_hash == secret_digest(token)))
    if link is None:
        raise InstallLinkNotFound("no such installation link")
    return link


def check_usable(link: InstallLink, now: datetime) -> None:
    """Raise InstallLinkRevoked, InstallLinkUsedUp or InstallLinkExpired for a link that
    no longer adds machines."""
    state = state_of(link, now)
    if state is LinkState.REVOKED:
        raise InstallLinkRevoked("this installation link was replaced or revoked")
    if state is LinkState.USED_UP:
        raise InstallLinkUsedUp("this installation link has been used for every install it allows")
    if state is LinkState.EXPIRED:
        raise InstallLinkExpired("this installation link has expired")


def readiness(connection: Connection) -> Readiness:
    """Whether the connection takes new machines through its installation link.

    Only once the Admin's first computer has completed a session that exchanged data with
    QuickBooks, which locks the connection to its company file: before that, nobody knows
    which company file the new machines belong to. A login with nothing to do locks
    nothing, so it does not count.
    """
    if connection.disabled_at is not None:
        return Readiness.DISABLED
    if connection.locked_at is not None and connection.last_success_at is not None:
        return Readiness.READY
    if connection.last_success_at is not None:
        return Readiness.UNLOCKED
    return Readiness.AWAITING_FIRST_SYNC


def check_label(text: str) -> str:
    """The label a person typed, without surrounding spaces; InvalidLabel saying what is wrong.

    It is never shortened: a label too long is refused, so the machine is called exactly
    what its owner typed.
    """
    label = (text or "").strip()
    if not label:
        raise InvalidLabel("Type who you are or which computer this is.")
    if len(label) > LABEL_MAX:
        raise InvalidLabel(
            f"Use at most {LABEL_MAX} characters (this has {len(label)}): "
            "a name and a place are enough."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in label):
        raise InvalidLabel("Use letters, digits, spaces and punctuation only.")
    return label


def new_form(db: Session, link: InstallLink, *, now: datetime | None = None) -> str:
    """A one-time value for one rendered form of ``link`` (kept only as its SHA-256)."""
    value = secrets.token_urlsafe(32)
    db.add(
        InstallForm(link_id=link.id, value_hash=secret_digest(value), created_at=now or utcnow())
    )
    db.flush()
    return value


def claim_form(db: Session, link: InstallLink, value: str, *, now: datetime) -> FormClaim:
    """Mark the form with ``value`` used, atomically: of forms sent at once, one claims it.

    A form sent again (or at the same moment, once the first has committed) is USED; a
    value this link never rendered is UNKNOWN.
    """
    if not _TOKEN_SHAPE.match(value or ""):
        return FormClaim.UNKNOWN
    digest = secret_digest(value)
    # A concurrent claim of the same row waits for the first to commit, then finds it used.
    result = db.execute(
        update(InstallForm)
        .where(
            InstallForm.value_hash == digest,
            InstallForm.link_id == link.id,
            InstallForm.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) == 1:
        return FormClaim.CLAIMED
    return FormClaim.USED if used_form(db, link, value) is not None else FormClaim.UNKNOWN


def form_is_open(db: Session, link: InstallLink, value: str) -> bool:
    """Whether ``value`` is an unused form of ``link`` (one that can still add a machine)."""
    if not _TOKEN_SHAPE.match(value or ""):
        return False
    found = db.scalar(
        select(InstallForm.id).where(
            InstallForm.value_hash == secret_digest(value),
            InstallForm.link_id == link.id,
            InstallForm.used_at.is_(None),
        )
    )
    return found is not None


def used_form(db: Session, link: InstallLink, value: str) -> InstallForm | None:
    """The form of ``link`` with ``value`` if it was submitted, read as committed now."""
    if not _TOKEN_SHAPE.match(value or ""):
        return None
    return db.scalar(
        select(InstallForm)
        .where(
            InstallForm.value_hash == secret_digest(value),
            InstallForm.link_id == link.id,
            InstallForm.used_at.is_not(None),
        )
        .execution_options(populate_existing=True)
    )


def count_install(db: Session, link: InstallLink, *, now: datetime) -> None:
    """Count one more install on the link, atomically; refused when it no longer works.

    Installs racing for a link's last allowed one take turns on its row: the one that
    counts second finds the limit reached. Raises like :func:`check_usable`.
    """
    result = db.execute(
        update(InstallLink)
        .where(
            InstallLink.id == link.id,
            InstallLink.revoked_at.is_(None),
            InstallLink.expires_at > now,
            or_(
                InstallLink.max_installs.is_(None),
                InstallLink.installs < InstallLink.max_installs,
            ),
        )
        .values(installs=InstallLink.installs + 1)
        .execution_options(synchronize_session=False)
    )
    db.refresh(link)
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        check_usable(link, now)
        raise InstallLinkUsedUp("this installation link has been used for every install it allows")


def setup_token_for(form_value: str) -> str:
    """The setup-link token of the machine a form adds: derived from the form's value."""
    digest = hmac.new(form_value.encode("ascii"), _SETUP_TOKEN_LABEL, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
