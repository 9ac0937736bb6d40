"""Choosing the qbXML version to put in ``<?qbxml version="X.Y"?>``.

QuickBooks lists every version its request processor understands in HostRet; the Web Connector
also passes the highest one as ``qbXMLMajorVers``/``qbXMLMinorVers`` on each sendRequestXML.
Versions are compared as numbers: as text, "10.0" sorts before "2.1".
"""

from __future__ import annotations

import re

from qwc_service.qbxml.errors import UnsupportedQbxmlVersion
from qwc_service.qbxml.hcp import Hcp

__all__ = [
    "DEFAULT_VERSION",
    "MINIMUM_VERSION",
    "choose_version",
    "format_version",
    "parse_version",
]

DEFAULT_VERSION = "13.0"
MINIMUM_VERSION = "2.0"

_VERSION = re.compile(r"\s*(\d{1,3})(?:\.(\d{1,3}))?\s*")

Version = tuple[int, int]


def parse_version(text: str) -> Version:
    """Parse "13.0" to (13, 0) and "2.1" to (2, 1); a bare "13" means (13, 0).

    Raises ValueError for anything else.
    """
    match = _VERSION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a qbXML version: {text!r} (expected a form like 13.0)")
    return int(match[1]), int(match[2] or 0)


def format_version(version: Version) -> str:
    """Format (13, 0) as "13.0"."""
    return f"{version[0]}.{version[1]}"


def choose_version(
    hcp: Hcp | None,
    major: int | None,
    minor: int | None,
    *,
    ours: str = DEFAULT_VERSION,
    minimum: str = MINIMUM_VERSION,
) -> str:
    """Return the highest qbXML version both QuickBooks and this service support.

    QuickBooks' side comes from HostRet's SupportedQBXMLVersion list when the HCP response has
    one, else from ``qbXMLMajorVers``/``qbXMLMinorVers``, else it is assumed to match ``ours``.
    Raises :class:`UnsupportedQbxmlVersion` when the result would be below ``minimum``.
    """
    ceiling = parse_version(ours)
    floor = parse_version(minimum)
    chosen = _from_host(hcp, ceiling)
    if chosen is None and major is not None and major > 0:
        chosen = min(ceiling, (major, minor if minor is not None and minor >= 0 else 0))
    if chosen is None:
        chosen = ceiling
    if chosen < floor:
        raise UnsupportedQbxmlVersion(
            f"QuickBooks speaks qbXML up to {format_version(chosen)}, older than the oldest "
            f"version this service sends ({format_version(floor)}); update QuickBooks"
        )
    return format_version(chosen)


def _from_host(hcp: Hcp | None, ceiling: Version) -> Version | None:
    """The best version listed in HostRet, or None when the HCP lists none we can read."""
    if hcp is None or hcp.host is None:
        return None
    listed: list[Version] = []
    for text in hcp.host.supported_versions:
        try:
            listed.append(parse_version(text))
        except ValueError:
            continue
    if not listed:
        return None
    usable = [version for version in listed if version <= ceiling]
    # Every listed version is newer than ours: QuickBooks still accepts older requests.
    return max(usable) if usable else ceiling
