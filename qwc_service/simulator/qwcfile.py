"""Reading a .qwc file, and the checks the Web Connector makes when a user adds one."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from lxml import etree

#: Elements a .qwc must contain (PG2.0 Table 4-1). AppID and AppDescription may be empty.
REQUIRED: Final = (
    "AppName",
    "AppID",
    "AppURL",
    "AppDescription",
    "AppSupport",
    "UserName",
    "OwnerID",
    "FileID",
    "QBType",
)
_GUID: Final = re.compile(r"\{[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\}")
_QB_TYPES: Final = frozenset({"QBFS", "QBPOS"})
_STYLES: Final = frozenset({"Document", "DocWrapped", "RPC"})
# Second-level labels under which registrations happen one level deeper (example.co.uk).
_SECOND_LEVEL: Final = frozenset({"ac", "co", "com", "edu", "gov", "net", "org"})


class QwcRejected(Exception):
    """The Web Connector refused to add the application; ``code`` is the QBWC code it shows."""

    def __init__(self, code: str, message: str, problems: tuple[str, ...] = ()) -> None:
        self.code = code
        self.message = message
        self.problems = problems or (f"{code}: {message}",)
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class QwcFile:
    """The contents of one .qwc file; absent optional elements are None or their default."""

    app_name: str
    app_id: str
    app_url: str
    app_description: str
    app_support: str
    user_name: str
    owner_id: str
    file_id: str
    qb_type: str
    run_every_n_minutes: int | None = None
    run_every_n_seconds: int | None = None
    is_read_only: bool = False
    app_unique_name: str | None = None
    app_display_name: str | None = None
    style: str = "Document"
    cert_url: str | None = None
    auth_flags: str | None = None
    #: Required elements the document lacks (read_qwc keeps going so validate_qwc can say so).
    missing: tuple[str, ...] = ()
    #: Values read but not understood (e.g. a non-numeric RunEveryNMinutes), as messages.
    unreadable: tuple[str, ...] = ()


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
    )


def _load(path_or_bytes: Path | str | bytes) -> etree._Element:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise QwcRejected("QBWC1039", f"The QWC file is not well-formed XML: {exc.msg}") from None
    if root.getroottree().docinfo.doctype:
        raise QwcRejected("QBWC1039", "The QWC file carries a DOCTYPE, which is not allowed.")
    if root.tag != "QBWCXML":
        raise QwcRejected("QBWC1039", f"The root element is <{root.tag}>, expected <QBWCXML>.")
    return root


def _int_value(name: str, text: str, unreadable: list[str]) -> int | None:
    if text.isdigit() and int(text) > 0:
        return int(text)
    unreadable.append(f"QBWC1039: <{name}> must be a positive whole number, got {text!r}")
    return None


def read_qwc(path_or_bytes: Path | str | bytes) -> QwcFile:
    """Read a .qwc file (a path, or the document's bytes); element order is free.

    Raises :class:`QwcRejected` (QBWC1039) for a document that is not a readable QBWCXML file;
    missing or odd values are kept for :func:`validate_qwc` to report.
    """
    root = _load(path_or_bytes)
    values: dict[str, str] = {}
    for child in root:
        if isinstance(child.tag, str) and child.tag not in values:
            values[child.tag] = "".join(child.itertext()).strip()
    unreadable: list[str] = []
    minutes = seconds = None
    scheduler = root.find("Scheduler")
    if scheduler is not None:
        # Only one interval applies; when both are given the first one wins.
        for child in scheduler:
            if child.tag in ("RunEveryNMinutes", "RunEveryNSeconds"):
                number = _int_value(child.tag, (child.text or "").strip(), unreadable)
                if child.tag == "RunEveryNMinutes":
                    minutes = number
                else:
                    seconds = number
                break
    return QwcFile(
        app_name=values.get("AppName", ""),
        app_id=values.get("AppID", ""),
        app_url=values.get("AppURL", ""),
        app_description=values.get("AppDescription", ""),
        app_support=values.get("AppSupport", ""),
        user_name=values.get("UserName", ""),
        owner_id=values.get("OwnerID", ""),
        file_id=values.get("FileID", ""),
        qb_type=values.get("QBType", ""),
        run_every_n_minutes=minutes,
        run_every_n_seconds=seconds,
        is_read_only=values.get("IsReadOnly", "").lower() == "true",
        app_unique_name=values.get("AppUniqueName"),
        app_display_name=values.get("AppDisplayName"),
        style=values.get("Style") or "Document",
        cert_url=values.get("CertURL"),
        auth_flags=values.get("AuthFlags"),
        missing=tuple(name for name in REQUIRED if name not in values),
        unreadable=tuple(unreadable),
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _domain(host: str) -> str:
    labels = host.rstrip(".").lower().split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _url_problems(q: QwcFile) -> list[str]:
    problems: list[str] = []
    url = urlsplit(q.app_url)
    support = urlsplit(q.app_support)
    url_host = (url.hostname or "").lower()
    support_host = (support.hostname or "").lower()
    if url.scheme not in ("http", "https") or not url_host:
        problems.append(f"QBWC1039: AppURL {q.app_url!r} is not an http(s) URL with a host")
    elif _is_ip(url_host):
        problems.append(f"QBWC1001: AppURL {q.app_url!r} uses an IP address; use a host name")
    elif url.scheme != "https" and url_host != "localhost":
        problems.append(
            f"QBWC1051: The service URL {q.app_url!r} is not on a secure (https) server; "
            "plain http is allowed for localhost only (older versions: QBWC1010). "
            "The new application was not added."
        )
    if support.scheme not in ("http", "https") or not support_host:
        problems.append(f"QBWC1039: AppSupport {q.app_support!r} is not an http(s) URL with a host")
    elif _is_ip(support_host):
        problems.append(f"QBWC1002: AppSupport {q.app_support!r} uses an IP address")
    comparable = url_host and support_host and not (_is_ip(url_host) or _is_ip(support_host))
    if comparable and _domain(url_host) != _domain(support_host):
        problems.append(
            f"QBWC1000: AppURL host {url_host!r} and AppSupport host {support_host!r} "
            "are not in the same domain"
        )
    return problems


def validate_qwc(q: QwcFile) -> list[str]:
    """The reasons the Web Connector would refuse to add ``q``, each prefixed with its QBWC code.

    An empty list means the file passes every check that needs no network; reaching AppSupport
    and stamping the company file are :meth:`WebConnector.add_application`'s part.
    """
    problems = [f"QBWC1039: The QWC file is missing the required <{name}>" for name in q.missing]
    fields = {
        "AppName": q.app_name,
        "AppURL": q.app_url,
        "AppSupport": q.app_support,
        "UserName": q.user_name,
        "OwnerID": q.owner_id,
        "FileID": q.file_id,
        "QBType": q.qb_type,
    }
    for name, value in fields.items():
        if name not in q.missing and not value:
            problems.append(f"QBWC1039: <{name}> is empty")
    if q.app_url and q.app_support:
        problems.extend(_url_problems(q))
    for name, guid in (("OwnerID", q.owner_id), ("FileID", q.file_id)):
        if guid and not _GUID.fullmatch(guid):
            problems.append(f"QBWC1039: <{name}> {guid!r} is not a GUID in braces")
    if q.qb_type and q.qb_type not in _QB_TYPES:
        problems.append(f"QBWC1039: <QBType> must be QBFS or QBPOS, got {q.qb_type!r}")
    if q.style not in _STYLES:
        problems.append(f"QBWC1039: <Style> must be Document, DocWrapped or RPC, got {q.style!r}")
    problems.extend(q.unreadable)
    return problems


def reject_if_invalid(q: QwcFile) -> None:
    """Raise :class:`QwcRejected` with the first problem's code when ``q`` fails validation."""
    problems = validate_qwc(q)
    if problems:
        code, _, message = problems[0].partition(": ")
        raise QwcRejected(code, message, tuple(problems))
