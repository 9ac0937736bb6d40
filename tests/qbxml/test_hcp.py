"""Tests for qwc_service.qbxml.hcp: reading strHCPResponse leniently."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwc_service.qbxml.hcp import Hcp, file_id_for, normalize_guid, parse_hcp
from tests.reference_files import MALFORMED_HCP, PREMIER_HCP, PRO2014_CAPTURE

INTUIT_OWNER = "{87EDAAF8-637E-4203-867F-4BA79C2F8998}"
INTUIT_FILE_ID = "{CA1C3EB8-1B61-4747-A743-8D5B438B83AC}"
PRO2014_OWNER = "{512349B1-1111-2222-3333-000DE1813D20}"
PRO2014_FILE_ID = "{00000ee-1111-ffff-cccc-5ff123456047}"
QBPOS_SENTENCE = "HOSTQUERY/COMPANYQUERY/PREFQUERY is currently not supported in QBPOS."
PREMIER_VERSIONS = (
    "1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0",
    "11.0",
)  # fmt: skip


def test_premier_2012_host(sample_text: Callable[[str], str]) -> None:
    """HostRet of the real QB Premier 2012 HCP is read field by field."""
    hcp = parse_hcp(sample_text(PREMIER_HCP))
    assert hcp.host is not None
    assert hcp.host.product_name == "QuickBooks: Premier Manufacturing and Wholesale Edition 2012"
    assert (hcp.host.major_version, hcp.host.minor_version) == (22, 0)
    assert hcp.host.country == "US"
    assert hcp.host.supported_versions == PREMIER_VERSIONS
    assert hcp.host.is_automatic_login is False
    assert hcp.host.qb_file_mode == "SingleUser"
    assert hcp.recovered is False


def test_premier_2012_company_and_stamps(sample_text: Callable[[str], str]) -> None:
    """CompanyRet gives names, the FileID stamp under the OwnerID and the AppLock."""
    hcp = parse_hcp(sample_text(PREMIER_HCP))
    assert hcp.company is not None
    assert hcp.company.company_name == "Wholesale/Distributor Sample File"
    assert hcp.company.legal_company_name == "Your Company Name Goes here"
    assert hcp.company.file_id_stamps == {INTUIT_OWNER: INTUIT_FILE_ID}
    assert hcp.company.app_lock == "LOCKED:FLAMESCA-9A420E:635289565906618390"
    assert hcp.company.app_locks == {INTUIT_OWNER: hcp.company.app_lock}


@pytest.mark.parametrize(
    "owner",
    [INTUIT_OWNER, INTUIT_OWNER.lower(), INTUIT_OWNER.strip("{}"), f"  {INTUIT_OWNER.lower()} "],
)
def test_file_id_for_compares_guids_loosely(sample_text: Callable[[str], str], owner: str) -> None:
    """The OwnerID lookup ignores case, braces and surrounding space."""
    assert file_id_for(parse_hcp(sample_text(PREMIER_HCP)), owner) == INTUIT_FILE_ID


def test_file_id_for_unknown_owner(sample_text: Callable[[str], str]) -> None:
    """Another application's OwnerID has no stamp."""
    hcp = parse_hcp(sample_text(PREMIER_HCP))
    assert file_id_for(hcp, "{57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}") is None
    assert file_id_for(Hcp(None, None), INTUIT_OWNER) is None


def test_pro_2014_capture_is_recovered(load_payload: Callable[[str], str]) -> None:
    """The captured (not well-formed) Pro 2014 HCP still yields host and FileID."""
    hcp = parse_hcp(load_payload(PRO2014_CAPTURE))
    assert hcp.recovered is True
    assert hcp.host is not None
    assert hcp.host.product_name == "QuickBooks Pro 2014"
    assert hcp.host.supported_versions[-1] == "13.0"
    assert file_id_for(hcp, PRO2014_OWNER) == PRO2014_FILE_ID


def test_malformed_sample_recovers_without_raising(sample_text: Callable[[str], str]) -> None:
    """The MALFORMED sample gives what survives; the broken AppLock entry is dropped."""
    hcp = parse_hcp(sample_text(MALFORMED_HCP))
    assert hcp.recovered is True
    assert hcp.host is not None and hcp.host.major_version == 24
    assert hcp.company is not None
    assert hcp.company.company_name == "myCompany"
    assert hcp.company.file_id_stamps == {PRO2014_OWNER: PRO2014_FILE_ID}
    assert hcp.company.app_lock is None


@pytest.mark.parametrize("text", ["", "   \r\n", QBPOS_SENTENCE])
def test_no_hcp(text: str) -> None:
    """Empty text and the QBPOS sentence mean there is no HCP."""
    assert parse_hcp(text) == Hcp(None, None)


def test_unrecoverable_markup_gives_nothing() -> None:
    """Markup libxml2 cannot salvage into a QBXML document gives an empty HCP."""
    assert parse_hcp("<<<>>>") == Hcp(None, None, recovered=True)


def test_other_root_gives_nothing() -> None:
    """A well-formed document that is not QBXML has no host or company."""
    assert parse_hcp("<Envelope><HostRet/></Envelope>") == Hcp(None, None)


def test_failed_host_query_gives_no_host() -> None:
    """A HostQueryRs error carries no HostRet, so host is None while company is read."""
    text = (
        "<QBXML><QBXMLMsgsRs>"
        '<HostQueryRs requestID="0" statusCode="1000" statusSeverity="Error"/>'
        '<CompanyQueryRs requestID="1" statusCode="0"><CompanyRet>'
        "<CompanyName>Acme</CompanyName></CompanyRet></CompanyQueryRs>"
        "</QBXMLMsgsRs></QBXML>"
    )
    hcp = parse_hcp(text)
    assert hcp.host is None
    assert hcp.company is not None
    assert (hcp.company.company_name, hcp.company.file_id_stamps) == ("Acme", {})


def test_doctype_is_refused_unread() -> None:
    """An HCP with a DOCTYPE is refused, not recovered, and nothing in it is read."""
    hcp = parse_hcp(
        '<!DOCTYPE QBXML [<!ENTITY x "y">]><QBXML><QBXMLMsgsRs><HostQueryRs><HostRet>'
        "<ProductName>&x;</ProductName></HostRet></HostQueryRs></QBXMLMsgsRs></QBXML>"
    )
    assert hcp == Hcp(None, None, refused=True)


def test_broken_document_with_doctype_is_refused() -> None:
    """A DOCTYPE is refused in recovery mode too."""
    hcp = parse_hcp("<!--" + "c" * (1024 * 1024 + 5) + "--><!DOCTYPE QBXML><QBXML><Host")
    assert hcp.refused is True
    assert (hcp.host, hcp.company) == (None, None)


def test_normalize_guid() -> None:
    """GUIDs are upper-cased and trimmed, braces kept as given."""
    assert normalize_guid(" {ab-cd} ") == "{AB-CD}"
    assert normalize_guid("ab-cd") == "AB-CD"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    """parse_hcp returns an Hcp for any text at all."""
    assert isinstance(parse_hcp(text), Hcp)
