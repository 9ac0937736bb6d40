"""Tests for qwc_service.qbxml.versions: parsing and choosing qbXML versions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qwc_service.qbxml.errors import UnsupportedQbxmlVersion
from qwc_service.qbxml.hcp import Hcp, HostInfo, parse_hcp
from qwc_service.qbxml.versions import choose_version, format_version, parse_version
from tests.reference_files import PREMIER_HCP, PRO2014_CAPTURE


def host_listing(*versions: str) -> Hcp:
    """An HCP whose HostRet lists ``versions``."""
    host = HostInfo(
        product_name="QuickBooks",
        major_version=None,
        minor_version=None,
        country="US",
        supported_versions=versions,
        is_automatic_login=None,
        qb_file_mode=None,
    )
    return Hcp(host=host, company=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("13.0", (13, 0)), ("2.1", (2, 1)), ("10.0", (10, 0)), (" 4.1 ", (4, 1)), ("13", (13, 0))],
)
def test_parse_version(text: str, expected: tuple[int, int]) -> None:
    """Versions parse to (major, minor) integers."""
    assert parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "v13", "13.0.1", "thirteen", "1.x", "-1.0"])
def test_parse_version_refuses_other_text(text: str) -> None:
    """Anything but N or N.N is a ValueError."""
    with pytest.raises(ValueError):
        parse_version(text)


def test_versions_compare_numerically() -> None:
    """10.0 is newer than 2.1, unlike in a text comparison."""
    assert parse_version("10.0") > parse_version("2.1")
    assert "10.0" < "2.1"


def test_format_version() -> None:
    """A parsed version formats back to N.N."""
    assert format_version(parse_version("13")) == "13.0"


def test_premier_2012_hcp_chooses_11(sample_text: Callable[[str], str]) -> None:
    """QB Premier 2012 lists up to 11.0, so 11.0 is used."""
    assert choose_version(parse_hcp(sample_text(PREMIER_HCP)), 11, 0) == "11.0"


def test_pro_2014_hcp_chooses_13(load_payload: Callable[[str], str]) -> None:
    """QB Pro 2014 lists up to 13.0, which is also our newest."""
    assert choose_version(parse_hcp(load_payload(PRO2014_CAPTURE)), 13, 0) == "13.0"


def test_newer_quickbooks_is_capped_at_ours() -> None:
    """A QuickBooks that lists 16.0 still gets our 13.0."""
    hcp = host_listing("1.0", "2.1", "10.0", "12.0", "13.0", "14.0", "15.0", "16.0")
    assert choose_version(hcp, 16, 0) == "13.0"


def test_highest_common_version_comes_from_the_list() -> None:
    """With ours at 12.5 the best listed version not above it is chosen, compared as numbers."""
    hcp = host_listing("2.1", "10.0", "12.0", "13.0")
    assert choose_version(hcp, None, None, ours="12.5") == "12.0"


def test_list_of_only_newer_versions_gives_ours() -> None:
    """If every listed version is newer than ours, ours is used (QuickBooks reads older)."""
    assert choose_version(host_listing("14.0", "15.0"), None, None) == "13.0"


def test_major_minor_used_without_hcp() -> None:
    """Without an HCP, qbXMLMajorVers/MinorVers decide."""
    assert choose_version(None, 11, 0) == "11.0"
    assert choose_version(None, 16, 0) == "13.0"
    assert choose_version(Hcp(None, None), 8, 0) == "8.0"
    assert choose_version(host_listing(), 7, 0) == "7.0"


def test_nothing_known_gives_ours() -> None:
    """With no information at all, our own version is used."""
    assert choose_version(None, None, None) == "13.0"
    assert choose_version(None, 0, 0, ours="12.0") == "12.0"


def test_unreadable_list_entries_are_skipped() -> None:
    """Garbage in SupportedQBXMLVersion does not break the choice."""
    assert choose_version(host_listing("abc", "6.0"), None, None) == "6.0"


def test_below_minimum_is_refused() -> None:
    """QuickBooks that only speaks 1.x is refused with a message naming both versions."""
    with pytest.raises(UnsupportedQbxmlVersion, match=r"1\.1.*2\.0"):
        choose_version(host_listing("1.0", "1.1"), None, None)
    with pytest.raises(UnsupportedQbxmlVersion):
        choose_version(None, 3, 0, minimum="7.0")
