"""What the setup page says: the machine's facts, its company, what to know on a shared
server, and what to do when it fails.

The troubleshooting texts follow the Web Connector and QuickBooks codes as documented in
the protocol notes and :mod:`qwc_service.qbxml.explain_table`; every code named here is a
key of that table, so the page and the server's own explanations never disagree on what a
code means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from qwc_service.config import Settings
from qwc_service.connections.models import Connection
from qwc_service.connections.service import machine_qwc_names
from qwc_service.connections.setup_links import OpenedLink

__all__ = [
    "SHARED_SERVER",
    "TROUBLESHOOTING",
    "Guidance",
    "Trouble",
    "company_facts",
    "setup_context",
]


@dataclass(frozen=True)
class Guidance:
    """One thing to know when the Web Connector runs where several people work."""

    title: str
    text: str


# In the order it happens: installing, starting, the first authorisation, every day after.
SHARED_SERVER: tuple[Guidance, ...] = (
    Guidance(
        "Each person under their own Windows login",
        "On a terminal (Remote Desktop) server, each person who syncs signs in to Windows "
        "as themselves, installs the Web Connector under that login if it is not there, and "
        "adds their own .qwc file from their own setup link. The Web Connector keeps its "
        "applications per Windows login: one added under another login is not seen here.",
    ),
    Guidance(
        "QuickBooks and the Web Connector at the same permission level",
        "Start both as administrator (right-click > Run as administrator), or neither. "
        "Windows keeps a program started as administrator apart from one that is not, and "
        "the Web Connector then cannot reach QuickBooks.",
    ),
    Guidance(
        "A QuickBooks user set aside for syncing",
        "When QuickBooks asks how this application may log in, pick a QuickBooks user that "
        "no person signs in with (add one in Company > Users > Set Up Users). QuickBooks "
        "lets each user sign in only once at a time, so updates made as someone's own user "
        "stop with “this user is already signed in” while that person works.",
    ),
    Guidance(
        "The Web Connector must be running",
        "It updates only while it runs under a signed-in Windows login. Put a shortcut to "
        "it in that login's Startup folder (press Windows+R and open shell:startup) so it "
        "starts again after a restart, and keep the computer awake (no sleep) during the "
        "hours it should sync. On a terminal server, disconnect rather than sign out.",
    ),
    Guidance(
        "Admin and single-user mode only for the first authorisation",
        "Signing in as the QuickBooks Admin with the company file in single-user mode is "
        "needed only once, while QuickBooks asks to allow this application (steps 1 to 3). "
        "Afterwards switch back to multi-user mode (File > Switch to Multi-user Mode): the "
        "application keeps its access.",
    ),
)


@dataclass(frozen=True)
class Trouble:
    """One message the person may see: the codes, what it means, and what to do."""

    codes: tuple[str, ...]
    meaning: str
    action: str


TROUBLESHOOTING: tuple[Trouble, ...] = (
    Trouble(
        ("QBWC1039",),
        "The Web Connector could not add the application: the company file already holds "
        "the stamp of another .qwc file for this application (or the file is incomplete).",
        "Add the .qwc file downloaded from this page, not an older copy. If an earlier "
        "file for this company was added before, select that application in the Web "
        "Connector, remove it, and add this file again. If the message stays, contact us: "
        "the old stamp has to be removed from the company file.",
    ),
    Trouble(
        ("QBWC1030", "QBWC1040"),
        "No password, or a wrong one, is set for the application in the Web Connector.",
        "Copy the password from this page into the Password column again and press Enter. "
        "If a newer setup link was issued for this computer, its password replaces this one.",
    ),
    Trouble(
        ("QBWC1012",),
        "The Web Connector could not log in to the server: the connection failed or was refused.",
        "Check that the server address below opens in a browser on this computer over "
        "https, without a certificate warning (Windows must trust the server's "
        "certificate), then click Update Selected again.",
    ),
    Trouble(
        ("QBWC1013",),
        "The Web Connector could not connect to QuickBooks during the update.",
        "Open QuickBooks with the company file on this computer, close any open dialogs, "
        "and click Update Selected again.",
    ),
    Trouble(
        ("QBWC1016",),
        "No application was selected for the update.",
        "Tick the box at the left of the application, then click Update Selected.",
    ),
    Trouble(
        ("0x80040408",),
        "The Web Connector could not start QuickBooks.",
        "Open QuickBooks with the company file, signed in to Windows as the same user who "
        "runs the Web Connector, close any dialogs and update again. For updates while "
        "QuickBooks is closed, allow this application to log in automatically (Edit > "
        "Preferences > Integrated Applications).",
    ),
    Trouble(
        ("0x80040416", "0x80040417"),
        "QuickBooks is not running, or no company file is open.",
        "Open QuickBooks with the company file on this computer and update again.",
    ),
    Trouble(
        ("0x80040418", "0x8004041A", "3261"),
        "QuickBooks has not given this application access to the company file, or has "
        "taken it away (“Application has no permission”).",
        "Sign in to QuickBooks as Admin, open Edit > Preferences > Integrated "
        "Applications, and allow this application access (including personal data, if "
        "asked); or remove it there and accept QuickBooks' prompt on the next update.",
    ),
    Trouble(
        ("0x80040400",),
        "QuickBooks could not read a request the server sent.",
        "Nothing needs changing on this computer: contact us with the time it happened, and "
        "the request will be corrected on the server.",
    ),
)


def company_facts(connection: Connection) -> dict[str, Any]:
    """Which company file this connection's .qwc files belong to, as far as it is known."""
    locked = connection.locked_at is not None
    return {
        "locked": locked,
        "company_name": connection.lock_company_name if locked else None,
        "file_path": connection.lock_file_path if locked else None,
        "configured_file": connection.company_file,
    }


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _run_every(settings: Settings, connection: Connection) -> str:
    """How often the machine's .qwc asks the Web Connector to run, in words."""
    seconds = connection.qwc_run_seconds
    if seconds is not None:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = settings.run_every_minutes
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def setup_context(settings: Settings, opened: OpenedLink, token: str) -> dict[str, Any]:
    """Everything the setup page template shows for one opened link."""
    machine, connection = opened.machine, opened.connection
    expires_at = opened.link.expires_at
    names = machine_qwc_names(settings, connection, machine)
    return {
        "app_name": settings.app_name,
        "brand": settings.brand,
        "connection_name": connection.name,
        "machine_label": machine.label,
        "username": machine.username,
        "application_name": names.app_name,
        "password": opened.password,
        "qwc_href": f"/setup/{quote(token)}/qwc",
        "qwc_filename": names.file_name,
        "company": company_facts(connection),
        "expires_at_iso": expires_at.astimezone(UTC).isoformat(timespec="seconds"),
        "expires_at_text": _utc_text(expires_at),
        "server_url": settings.soap_url,
        "support_url": settings.support_url,
        "run_every": _run_every(settings, connection),
        "shared_server": SHARED_SERVER,
        "troubleshooting": TROUBLESHOOTING,
    }
