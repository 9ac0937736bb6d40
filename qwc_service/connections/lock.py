"""The company-file lock: after its first successful session a connection serves one file.

What identifies the file is what QuickBooks reports in the HCP response: the FileID our
.qwc stamped under the connection's OwnerID, and the company name; the path is kept for
the operator but a moved file (another drive letter, a server share) is not a different
company, so the path alone decides only when nothing else was reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qwc_service.connections.models import Connection


@dataclass(frozen=True)
class CompanySeen:
    """The company file a session opened, as far as QuickBooks told us."""

    file_id: str | None
    company_name: str | None
    file_path: str | None

    def describe(self) -> str:
        """For messages: the company name and file."""
        name = f'"{self.company_name}"' if self.company_name else "an unnamed company"
        return f"{name} ({self.file_path or 'file path not reported'})"


class CompanyMismatch(Exception):
    """The session opened a different company file than the one the connection is locked to."""

    def __init__(self, connection: Connection, seen: CompanySeen) -> None:
        locked = CompanySeen(
            connection.lock_file_id, connection.lock_company_name, connection.lock_file_path
        )
        self.seen = seen
        super().__init__(
            f"This Web Connector has {seen.describe()} open, but this application belongs to "
            f"{locked.describe()}. Nothing was sent to QuickBooks. Open the right company "
            "file and update again; if the company file was moved or restored, ask your "
            "provider to release the company lock."
        )


def _same(a: str | None, b: str | None) -> bool | None:
    if not a or not b:
        return None
    return a.strip().casefold() == b.strip().casefold()


def check_company(connection: Connection, seen: CompanySeen) -> None:
    """Raise CompanyMismatch when a locked connection sees another company file."""
    if connection.locked_at is None:
        return
    verdicts = [
        _same(connection.lock_file_id, seen.file_id),
        _same(connection.lock_company_name, seen.company_name),
    ]
    if False in verdicts:
        raise CompanyMismatch(connection, seen)
    if verdicts == [None, None] and _same(connection.lock_file_path, seen.file_path) is False:
        raise CompanyMismatch(connection, seen)


def lock_company(connection: Connection, seen: CompanySeen, now: datetime) -> bool:
    """Lock an unlocked connection to ``seen``; True when this call locked it."""
    if connection.locked_at is not None:
        return False
    connection.lock_file_id = seen.file_id
    connection.lock_company_name = seen.company_name
    connection.lock_file_path = seen.file_path
    connection.locked_at = now
    return True


def release_lock(connection: Connection) -> None:
    """Forget the lock; the next successful session locks the connection again."""
    connection.lock_file_id = None
    connection.lock_company_name = None
    connection.lock_file_path = None
    connection.locked_at = None
