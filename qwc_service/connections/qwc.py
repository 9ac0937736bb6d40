"""Rendering .qwc files, and the checks the Web Connector makes when one is added."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape


class QwcUrlRefused(ValueError):
    """A URL the Web Connector would refuse (QBWC1000/1001/1002/1010/1051)."""


@dataclass(frozen=True)
class QwcSpec:
    """Everything that goes into one machine's .qwc file."""

    app_name: str
    app_id: str
    app_url: str
    app_description: str
    app_support: str
    username: str
    owner_id: str
    file_id: str
    run_every_minutes: int
    #: When set, the schedule is RunEveryNSeconds (the Web Connector's "Real Time") instead.
    run_every_seconds: int | None = None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_urls(app_url: str, app_support: str) -> None:
    """Raise QwcUrlRefused when the Web Connector would refuse these URLs."""
    for what, url, ip_code in (
        ("AppURL", app_url, "QBWC1001"),
        ("AppSupport", app_support, "QBWC1002"),
    ):
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            raise QwcUrlRefused(f"{what} {url!r} has no host name")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            raise QwcUrlRefused(
                f"{ip_code}: {what} {url!r} uses an IP address; the Web Connector needs a host name"
            )
        if parts.scheme != "https" and host != "localhost":
            raise QwcUrlRefused(
                f"QBWC1010: {what} {url!r} is not https; the Web Connector accepts plain http "
                "only for localhost (set QWC_PUBLIC_URL to an https URL)"
            )
    if _host(app_url) != _host(app_support):
        raise QwcUrlRefused("QBWC1000: AppURL and AppSupport must be on the same host")


def render_qwc(spec: QwcSpec) -> str:
    """The .qwc document for ``spec``; every value XML-escaped."""
    check_urls(spec.app_url, spec.app_support)

    def el(name: str, value: str) -> str:
        return f"  <{name}>{escape(value)}</{name}>\n"

    return (
        '<?xml version="1.0"?>\n'
        "<QBWCXML>\n"
        + el("AppName", spec.app_name)
        + el("AppID", spec.app_id)
        + el("AppURL", spec.app_url)
        + el("AppDescription", spec.app_description)
        + el("AppSupport", spec.app_support)
        + el("UserName", spec.username)
        + el("OwnerID", spec.owner_id)
        + el("FileID", spec.file_id)
        + el("QBType", "QBFS")
        + "  <Scheduler>\n"
        + f"    {_schedule(spec)}\n"
        + "  </Scheduler>\n"
        + el("IsReadOnly", "false")
        + "</QBWCXML>\n"
    )


def _schedule(spec: QwcSpec) -> str:
    # The Scheduler holds one of the two; the Web Connector shows seconds as "Real Time".
    if spec.run_every_seconds is not None:
        return f"<RunEveryNSeconds>{spec.run_every_seconds}</RunEveryNSeconds>"
    return f"<RunEveryNMinutes>{spec.run_every_minutes}</RunEveryNMinutes>"


def write_qwc(files_dir: Path, connection_id: str, username: str, document: str) -> Path:
    """Write a .qwc file atomically to ``files_dir/<connection_id>/<username>.qwc``."""
    folder = files_dir / connection_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{username}.qwc"
    tmp = path.with_suffix(".qwc.tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(path)
    return path
