"""The names a customer sees of a machine's .qwc: its AppName, AppDescription and file name.

AppName is ``{brand} - {connection} ({machine label})``: the name QuickBooks' authorisation
dialog, its Integrated Applications list and the Web Connector's list show. It is also how
both key the application: the Web Connector keeps each one under the registry key
``HKEY_CURRENT_USER\\Software\\Intuit\\QB web connector\\<AppName>``, and adding a file whose
AppName it already holds offers to replace that application. So, per company file:

* AppNames must differ: machines of one connection whose labels match (ignoring case, as
  registry keys do) are numbered `` #2``, `` #3``... in the order they were added; the first
  keeps no number, and a machine's number never changes (revoked machines keep theirs).
* An AppName must fit a registry key name: at most 255 characters counting the path above
  (51), so 204. It is kept to :data:`APP_NAME_MAX` (200), leaving room for the number the
  Web Connector appends when a second copy is added. Lengths count UTF-16 units, as Windows
  does. A backslash would start a new registry key, so it becomes ``/``.

Each part has a fixed bound (brand 40, connection 99, label 50, number 5, separators 6), so
the connection's part reads the same in all its machines' names and a cut is deterministic.
AppDescription is recommended to stay within 80 characters (QBWC Programmer's Guide); it
names the connection and the brand, the connection's name cut to fit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from qwc_service.config import BRAND_NAME_MAX

__all__ = [
    "APP_DESCRIPTION_MAX",
    "APP_NAME_MAX",
    "FILE_NAME_MAX",
    "QwcNames",
    "machine_number",
    "qwc_names",
    "windows_file_name",
]

APP_NAME_MAX = 200
APP_DESCRIPTION_MAX = 80
BRAND_PART_MAX = BRAND_NAME_MAX  # QWC_APP_NAME, standing in for a brand, may be longer
LABEL_PART_MAX = 50
NUMBER_PART_MAX = 5  # " #999"
CONNECTION_PART_MAX = APP_NAME_MAX - BRAND_PART_MAX - LABEL_PART_MAX - NUMBER_PART_MAX - 6
# A downloaded file lands in a folder like C:\Users\<name>\Downloads\, and older Windows
# programs cannot open paths past 260 characters.
FILE_NAME_MAX = 150
CUT_MARK = "..."

# Characters Windows refuses in a file name, and the device names it reserves (with any
# extension): https://learn.microsoft.com/windows/win32/fileio/naming-a-file
_WINDOWS_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_READABLE = {'"': "'", "<": "(", ">": ")"}
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]}
)


@dataclass(frozen=True)
class QwcNames:
    """What a machine's .qwc is called, inside and outside."""

    app_name: str
    app_description: str
    file_name: str


def _units(text: str) -> int:
    """The length Windows counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _clean(text: str) -> str:
    """One line of printable text: no control or format characters, single spaces."""
    text = unicodedata.normalize("NFC", text).replace("\\", "/")
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(text.split())


def _cut(text: str, limit: int) -> str:
    """``text`` when it fits ``limit`` units, else its start ending in "..." (never split
    inside a character)."""
    if _units(text) <= limit:
        return text
    if limit <= len(CUT_MARK):
        return CUT_MARK[: max(limit, 0)]
    kept = ""
    for char in text:
        if _units(kept + char) > limit - len(CUT_MARK):
            break
        kept += char
    return kept.rstrip(" -.,;:(") + CUT_MARK


def _label_part(label: str) -> str:
    return _cut(_clean(label) or "machine", LABEL_PART_MAX)


def machine_number(machine_id: int, machines: Iterable[tuple[int, str]]) -> int:
    """1 for the first machine of a connection with its label, 2 for the second...

    ``machines`` are the connection's (id, label) pairs, revoked ones included, so a
    machine's number depends only on the machines added before it.
    """
    pairs = list(machines)
    labels = dict(pairs)
    key = _label_part(labels[machine_id]).casefold()
    return 1 + sum(
        1 for other, label in pairs if other < machine_id and _label_part(label).casefold() == key
    )


def _compose(brand: str, connection: str, label: str, suffix: str, limit: int) -> str:
    head, tail = f"{brand} - ", f" ({label}){suffix}"
    room = min(CONNECTION_PART_MAX, limit - _units(head) - _units(tail))
    return head + _cut(connection, room) + tail


def windows_file_name(stem: str, extension: str, *, limit: int = FILE_NAME_MAX) -> str:
    """``stem`` + ``extension`` as a file name Windows accepts: its unsafe characters
    replaced, no control characters, no trailing dot or space, not a reserved device
    name, at most ``limit`` UTF-16 units."""
    text = unicodedata.normalize("NFC", stem)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    text = _WINDOWS_UNSAFE.sub(lambda m: _READABLE.get(m.group(), "-"), text)
    text = " ".join(text.split())
    text = _cut(text, limit - _units(extension)).rstrip(". ")
    if text.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        text = "_" + text
    return (text or "file") + extension


def qwc_names(brand: str, connection: str, label: str, number: int) -> QwcNames:
    """The AppName, AppDescription and download file name of a machine's .qwc."""
    brand_part = _cut(_clean(brand) or "QuickBooks sync", BRAND_PART_MAX)
    connection_part = _clean(connection) or "connection"
    label_part = _label_part(label)
    suffix = f" #{number}" if number > 1 else ""
    app_name = _compose(brand_part, connection_part, label_part, suffix, APP_NAME_MAX)
    file_stem = _compose(brand_part, connection_part, label_part, suffix, FILE_NAME_MAX - 4)
    head, tail = "Syncs ", f" with {brand_part}"
    room = APP_DESCRIPTION_MAX - _units(head) - _units(tail)
    return QwcNames(
        app_name=app_name,
        app_description=head + _cut(connection_part, room) + tail,
        file_name=windows_file_name(file_stem, ".qwc"),
    )
