"""Tests for reading .qwc files and the checks the Web Connector makes when one is added."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwc_service.simulator.qwcfile import (
    QwcFile,
    QwcRejected,
    read_qwc,
    reject_if_invalid,
    validate_qwc,
)
from tests.reference_files import (
    CONSOLIBYTE_QWC,
    FLOWLINK_QWC,
    INTUIT_HTTP_QWC,
    INTUIT_HTTPS_QWC,
    QWC_SAMPLES,
)


@pytest.fixture
def flowlink(qwc_samples: Path) -> Path:
    """flowlink's production .qwc, the starting point of most edited files below."""
    return qwc_samples / FLOWLINK_QWC


def edited(sample: Path, old: str, new: str) -> bytes:
    """The sample's bytes with one piece of text replaced (which must be present)."""
    text = sample.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new).encode("utf-8")


def codes(problems: list[str]) -> list[str]:
    """The QBWC codes that start each problem message."""
    return [problem.split(":", 1)[0] for problem in problems]


@pytest.mark.parametrize("name", QWC_SAMPLES)
def test_every_reference_sample_passes_the_static_checks(qwc_samples: Path, name: str) -> None:
    """All real .qwc samples would be added (the HTTPS one only if its host answered AppSupport)."""
    qwc = read_qwc(qwc_samples / name)
    assert validate_qwc(qwc) == []
    assert qwc.qb_type == "QBFS"
    assert qwc.owner_id.startswith("{") and qwc.file_id.endswith("}")


def test_flowlink_sample_fields(flowlink: Path) -> None:
    """Every field of a production .qwc is read, with Style and AuthFlags."""
    qwc = read_qwc(flowlink)
    assert qwc == QwcFile(
        app_name="Wombat Quickbooks Desktop Integration",
        app_id="WombatQBDesktop",
        app_url="https://flowlink.co/qbwc",
        app_description="Pablo's integration",
        app_support="https://flowlink.co/support",
        user_name="test",
        owner_id="{A9A83089-7DA7-4d27-A08C-7E1626E9395A}",
        file_id="{AE931E67-4AA5-4374-A32D-8EA4BEC91981}",
        qb_type="QBFS",
        style="Document",
        auth_flags="0xF",
    )


def test_consolibyte_sample_reads_scheduler_and_read_only(qwc_samples: Path) -> None:
    """Tab-indented Scheduler and IsReadOnly are read; an empty AppDescription is fine."""
    qwc = read_qwc((qwc_samples / CONSOLIBYTE_QWC).read_bytes())
    assert qwc.run_every_n_minutes == 1
    assert qwc.run_every_n_seconds is None
    assert qwc.is_read_only is False
    assert qwc.app_description == ""
    assert qwc.style == "Document"


def test_element_order_is_free(qwc_samples: Path) -> None:
    """Intuit's own sample puts OwnerID/FileID before UserName and still reads the same."""
    qwc = read_qwc(qwc_samples / INTUIT_HTTP_QWC)
    assert qwc.user_name == "username"
    assert qwc.owner_id == "{87EDAAF8-637E-4203-867F-4BA79C2F8998}"
    assert qwc.file_id == "{CA1C3EB8-1B61-4747-A743-8D5B438B83AC}"


def test_intuit_https_sample_may_keep_an_http_support_url(qwc_samples: Path) -> None:
    """Only AppURL must be https: Intuit's sample serves AppSupport over http on the same host."""
    qwc = read_qwc(qwc_samples / INTUIT_HTTPS_QWC)
    assert qwc.app_url.startswith("https://")
    assert qwc.app_support.startswith("http://")
    assert validate_qwc(qwc) == []


def test_optional_elements_are_read(flowlink: Path) -> None:
    """RunEveryNSeconds, IsReadOnly, AppUniqueName, AppDisplayName, Style and CertURL are read."""
    extra = (
        "<Scheduler><RunEveryNSeconds>30</RunEveryNSeconds></Scheduler>"
        "<IsReadOnly>TRUE</IsReadOnly><AppUniqueName>wombat</AppUniqueName>"
        "<AppDisplayName>Wombat</AppDisplayName><CertURL>https://flowlink.co/cert</CertURL>"
        "</QBWCXML>"
    )
    qwc = read_qwc(edited(flowlink, "</QBWCXML>", extra))
    assert qwc.run_every_n_seconds == 30
    assert qwc.run_every_n_minutes is None
    assert qwc.is_read_only is True
    assert (qwc.app_unique_name, qwc.app_display_name) == ("wombat", "Wombat")
    assert qwc.cert_url == "https://flowlink.co/cert"
    assert validate_qwc(qwc) == []


def test_first_scheduler_interval_wins(flowlink: Path) -> None:
    """With both intervals present only the first one applies."""
    scheduler = (
        "<Scheduler><RunEveryNMinutes>5</RunEveryNMinutes>"
        "<RunEveryNSeconds>30</RunEveryNSeconds></Scheduler></QBWCXML>"
    )
    qwc = read_qwc(edited(flowlink, "</QBWCXML>", scheduler))
    assert (qwc.run_every_n_minutes, qwc.run_every_n_seconds) == (5, None)


def test_plain_http_is_refused_except_for_localhost(flowlink: Path) -> None:
    """A non-https AppURL on a real host is refused with QBWC1051 (QBWC1010 in older builds)."""
    qwc = read_qwc(edited(flowlink, "https://flowlink.co/qbwc", "http://flowlink.co/qbwc"))
    problems = validate_qwc(qwc)
    assert codes(problems) == ["QBWC1051"]
    assert "QBWC1010" in problems[0]


def test_localhost_may_use_plain_http_on_any_port(qwc_samples: Path) -> None:
    """http://localhost:8080 is accepted, as for local testing."""
    data = edited(
        qwc_samples / INTUIT_HTTP_QWC,
        "http://localhost/WCWebService/WCWebService.asmx<",
        "http://localhost:8080/qbwc<",
    )
    assert validate_qwc(read_qwc(data)) == []


@pytest.mark.parametrize(
    ("url", "support", "expected"),
    [
        ("https://203.0.113.5/qbwc", "https://flowlink.co/support", ["QBWC1001"]),
        ("https://flowlink.co/qbwc", "https://198.51.100.7/support", ["QBWC1002"]),
        ("http://127.0.0.1/qbwc", "http://127.0.0.1/support", ["QBWC1001", "QBWC1002"]),
        ("https://[2001:db8::1]/qbwc", "https://flowlink.co/support", ["QBWC1001"]),
    ],
)
def test_ip_addresses_are_refused(
    flowlink: Path, url: str, support: str, expected: list[str]
) -> None:
    """AppURL (QBWC1001) and AppSupport (QBWC1002) must be host names, not IP addresses."""
    data = edited(flowlink, "https://flowlink.co/qbwc", url).decode()
    data = data.replace("https://flowlink.co/support", support)
    assert codes(validate_qwc(read_qwc(data.encode()))) == expected


@pytest.mark.parametrize(
    ("support", "accepted"),
    [
        ("https://flowlink.co/support", True),
        ("https://help.flowlink.co/support", True),
        ("https://FLOWLINK.CO/support", True),
        ("https://flowlink.com/support", False),
        ("https://example.org/support", False),
    ],
)
def test_app_support_must_share_the_app_url_domain(
    flowlink: Path, support: str, accepted: bool
) -> None:
    """AppSupport on another domain than AppURL is refused with QBWC1000."""
    qwc = read_qwc(edited(flowlink, "https://flowlink.co/support", support))
    assert codes(validate_qwc(qwc)) == ([] if accepted else ["QBWC1000"])


def test_two_level_public_suffixes_do_not_count_as_one_domain(flowlink: Path) -> None:
    """shop-a.co.uk and shop-b.co.uk are different domains."""
    data = edited(flowlink, "https://flowlink.co/qbwc", "https://app.shop-a.co.uk/qbwc").decode()
    data = data.replace("https://flowlink.co/support", "https://shop-b.co.uk/support")
    assert codes(validate_qwc(read_qwc(data.encode()))) == ["QBWC1000"]


@pytest.mark.parametrize(
    "element",
    [
        "AppName",
        "AppID",
        "AppURL",
        "AppDescription",
        "OwnerID",
        "FileID",
        "QBType",
        "UserName",
        "AppSupport",
    ],
)
def test_missing_required_element_is_refused(flowlink: Path, element: str) -> None:
    """Each element of PG2.0 Table 4-1 marked required must be present (QBWC1039)."""
    text = flowlink.read_text(encoding="utf-8")
    start = text.index(f"<{element}>")
    end = text.index(f"</{element}>") + len(f"</{element}>")
    qwc = read_qwc((text[:start] + text[end:]).encode())
    assert qwc.missing == (element,)
    problems = validate_qwc(qwc)
    assert problems[0] == f"QBWC1039: The QWC file is missing the required <{element}>"


def test_required_values_may_not_be_empty_except_app_id_and_description(
    flowlink: Path, qwc_samples: Path
) -> None:
    """An empty UserName is refused; empty AppID and AppDescription are fine."""
    assert validate_qwc(read_qwc(qwc_samples / CONSOLIBYTE_QWC)) == []
    qwc = read_qwc(edited(flowlink, "<UserName>test</UserName>", "<UserName></UserName>"))
    assert validate_qwc(qwc) == ["QBWC1039: <UserName> is empty"]


@pytest.mark.parametrize(
    "guid",
    ["A9A83089-7DA7-4d27-A08C-7E1626E9395A", "{A9A83089-7DA7-4d27-A08C}", "{not-a-guid}"],
)
def test_owner_id_must_be_a_braced_guid(flowlink: Path, guid: str) -> None:
    """OwnerID must look like {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}."""
    qwc = read_qwc(edited(flowlink, "{A9A83089-7DA7-4d27-A08C-7E1626E9395A}", guid))
    assert codes(validate_qwc(qwc)) == ["QBWC1039"]


def test_qb_type_must_be_qbfs_or_qbpos(flowlink: Path) -> None:
    """QBType accepts QBFS and QBPOS only."""
    assert validate_qwc(read_qwc(edited(flowlink, ">QBFS<", ">QBPOS<"))) == []
    assert codes(validate_qwc(read_qwc(edited(flowlink, ">QBFS<", ">QBOE<")))) == ["QBWC1039"]


def test_unknown_style_and_bad_interval_are_reported(flowlink: Path) -> None:
    """A Style outside Document/DocWrapped/RPC and a non-numeric interval are both listed."""
    data = edited(flowlink, "<Style>Document</Style>", "<Style>REST</Style>").decode()
    data = data.replace(
        "</QBWCXML>", "<Scheduler><RunEveryNMinutes>soon</RunEveryNMinutes></Scheduler></QBWCXML>"
    )
    qwc = read_qwc(data.encode())
    assert qwc.run_every_n_minutes is None
    assert codes(validate_qwc(qwc)) == ["QBWC1039", "QBWC1039"]


@pytest.mark.parametrize(
    "data",
    [
        b"<QBWCXML><AppName>x</AppName>",
        b"<NotQBWC/>",
        b'<?xml version="1.0"?><!DOCTYPE QBWCXML [<!ENTITY e "x">]>'
        b"<QBWCXML><AppName>&e;</AppName></QBWCXML>",
    ],
)
def test_unreadable_documents_are_refused(data: bytes) -> None:
    """Malformed XML, another root element and a DOCTYPE are refused with QBWC1039."""
    with pytest.raises(QwcRejected) as caught:
        read_qwc(data)
    assert caught.value.code == "QBWC1039"


def test_reject_if_invalid_raises_the_first_code_and_keeps_all_problems(flowlink: Path) -> None:
    """reject_if_invalid names the first problem's code and carries the whole list."""
    data = edited(flowlink, "https://flowlink.co/qbwc", "http://203.0.113.5/qbwc")
    with pytest.raises(QwcRejected) as caught:
        reject_if_invalid(read_qwc(data))
    assert caught.value.code == "QBWC1001"
    assert len(caught.value.problems) == 1
    reject_if_invalid(read_qwc(flowlink))


def test_values_are_trimmed(flowlink: Path) -> None:
    """Whitespace around element values (indentation, newlines) is not part of them."""
    qwc = read_qwc(
        edited(flowlink, "<UserName>test</UserName>", "<UserName>\n  test \n</UserName>")
    )
    assert qwc.user_name == "test"
