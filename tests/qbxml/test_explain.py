"""Tests for qwc_service.qbxml.explain: one vocabulary for codes a person reads."""

from __future__ import annotations

import pytest

from qwc_service.qbxml.explain import (
    MAX_LINE,
    Explanation,
    explain_code,
    explain_hresult,
    explain_qbwc,
    explain_status,
    format_for_person,
)
from qwc_service.qbxml.explain_table import HRESULTS, QBWC_CODES, STATUS_CODES

# Every HRESULT, statusCode and Web Connector code in the protocol and qbXML research notes.
NOTED_HRESULTS = [
    "0x80040400", "0x80040401", "0x80040402", "0x80040403", "0x80040406", "0x80040408",
    "0x8004040A", "0x8004040D", "0x80040410", "0x80040414", "0x80040416", "0x80040417",
    "0x80040418", "0x8004041A", "0x8004041D", "0x80040420", "0x80040422", "0x80040424",
]  # fmt: skip
NOTED_STATUS_CODES = [
    0, 1, 500, 501, 510, 530, 531, 550, 560, 570, 600, 1000, 1010, 1030, 1060, 3000, 3010,
    3020, 3030, 3031, 3100, 3120, 3140, 3150, 3170, 3175, 3176, 3180, 3200, 3210, 3250, 3260,
    3261, 3391, 9001,
]  # fmt: skip
NOTED_QBWC = [
    1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
    1015, 1016, 1017, 1022, 1023, 1024, 1025, 1026, 1027, 1030, 1031, 1032, 1033, 1034, 1035,
    1036, 1037, 1038, 1039, 1040, 1041, 1042, 1043, 1044, 1045, 1046, 1048, 1051, 1085,
]  # fmt: skip

GENERIC_HRESULT_TITLE = explain_hresult("0x8004FFFF").title
GENERIC_QBWC_TITLE = explain_qbwc("QBWC9999").title


@pytest.mark.parametrize("code", NOTED_HRESULTS)
def test_every_noted_hresult_has_its_own_text(code: str) -> None:
    """Each HRESULT from the notes has a specific title and fix."""
    exp = explain_hresult(code)
    assert exp.code == code
    assert exp.title != GENERIC_HRESULT_TITLE
    assert exp.severity == "error"
    assert exp.fix


@pytest.mark.parametrize("spelling", ["0x80040408", "0X80040408", "80040408", " 0x80040408 "])
def test_hresult_spellings_are_normalised(spelling: str) -> None:
    """Case, the 0x prefix and surrounding space do not matter."""
    assert explain_hresult(spelling) == explain_hresult("0x80040408")


def test_hresult_hex_letters_in_any_case() -> None:
    """Lower-case hex digits find the upper-case entry."""
    assert explain_hresult("0x8004040a").code == "0x8004040A"


def test_signed_decimal_hresult() -> None:
    """A negative decimal HRESULT maps to the same entry as its hex form."""
    assert explain_hresult(str(0x80040408 - 2**32)).code == "0x80040408"


def test_could_not_start_quickbooks_fix_names_the_setting() -> None:
    """0x80040408 tells the person how to let the application in without QuickBooks open."""
    exp = explain_hresult("0x80040408")
    assert "Could not start QuickBooks" in exp.title
    assert "Integrated Applications" in exp.fix


def test_parse_error_hresult_is_not_retryable() -> None:
    """A request QuickBooks cannot parse will fail again unchanged."""
    assert explain_hresult("0x80040400").retryable is False


def test_unknown_hresult_keeps_the_code() -> None:
    """An unknown HRESULT is explained generically and still shows its code."""
    exp = explain_hresult("0x8004ABCD")
    assert exp.code == "0x8004ABCD"
    assert "0x8004ABCD" in format_for_person(exp)


def test_non_hex_hresult_text_is_kept() -> None:
    """Text that is no number at all is shown as given."""
    assert explain_hresult("oops").code == "oops"


def test_empty_hresult_reads_unknown() -> None:
    """An empty HRESULT still formats to a line that starts with a code."""
    assert format_for_person(explain_hresult("  ")).startswith("unknown: ")


@pytest.mark.parametrize("code", NOTED_STATUS_CODES)
def test_every_noted_status_code_is_in_the_table(code: int) -> None:
    """Each statusCode from the notes has its own entry."""
    assert code in STATUS_CODES
    assert explain_status(code).code == str(code)


@pytest.mark.parametrize("code", [3170, 3175, 3176, 3180])
def test_lock_codes_are_retryable(code: int) -> None:
    """Records held by another user are worth retrying unchanged."""
    assert explain_status(code).retryable is True
    assert explain_status(code, "The transaction could not be locked. It is in use.").retryable


def test_3180_save_failure_without_lock_is_not_retryable() -> None:
    """3180 that is not about a lock is a permanent save failure."""
    exp = explain_status(3180, "There was an error when saving a Customer. Invalid phone.")
    assert exp.retryable is False
    assert "save" in exp.title.lower()


@pytest.mark.parametrize("code", [3100, 3120, 3140, 3200, 3210, 3250, 1060])
def test_data_errors_are_not_retryable(code: int) -> None:
    """Errors that need a changed request are not retryable."""
    assert explain_status(code).retryable is False


def test_iterator_expired() -> None:
    """3391 says the iterator is gone and the query must start again."""
    exp = explain_status(3391)
    assert "iterator" in exp.title.lower()
    assert "Start" in exp.fix


def test_stale_edit_sequence() -> None:
    """3200 tells the person to re-read the record."""
    assert "EditSequence" in explain_status(3200).title


@pytest.mark.parametrize(
    ("code", "severity"),
    [(0, "info"), (1, "info"), (530, "warning"), (500, "warning"), (3100, "error")],
)
def test_status_severity_follows_ranges(code: int, severity: str) -> None:
    """Known codes get the severity of their range (1 "no match" is info)."""
    assert explain_status(code).severity == severity


@pytest.mark.parametrize(
    ("code", "severity", "word"),
    [
        (42, "info", "processed"),
        (777, "warning", "warning"),
        (1999, "error", "could not process"),
        (2100, "error", "not supported"),
        (3099, "error", "format"),
        (4242, "error", "rejected"),
        (9150, "error", "macro"),
    ],
)
def test_unknown_status_codes_use_ranges(code: int, severity: str, word: str) -> None:
    """Codes not in the table are explained by their documented range."""
    exp = explain_status(code)
    assert (exp.code, exp.severity, exp.retryable) == (str(code), severity, False)
    assert word in exp.title.lower()


@pytest.mark.parametrize("number", NOTED_QBWC)
def test_every_noted_qbwc_code_is_known(number: int) -> None:
    """Each Web Connector code from the notes has its own entry."""
    exp = explain_qbwc(f"QBWC{number}")
    assert exp.code == f"QBWC{number}"
    assert exp.title != GENERIC_QBWC_TITLE


@pytest.mark.parametrize("spelling", ["QBWC1039", "qbwc1039", "1039", " QBWC 1039 "])
def test_qbwc_spellings(spelling: str) -> None:
    """The QBWC prefix is optional and case-insensitive."""
    assert explain_qbwc(spelling).code == "QBWC1039"


def test_qbwc1039_mentions_the_owner_file_pair() -> None:
    """QBWC1039 points at the OwnerID/FileID clash."""
    exp = explain_qbwc("QBWC1039")
    assert "FileID" in exp.title and "FileID" in exp.fix


def test_qbwc1016_is_informational() -> None:
    """Clicking Update with nothing ticked is not an error."""
    assert explain_qbwc("QBWC1016").severity == "info"


def test_unknown_qbwc_keeps_the_code() -> None:
    """An unknown Web Connector code still shows itself."""
    assert explain_qbwc("QBWC1099").code == "QBWC1099"


@pytest.mark.parametrize(
    ("text", "kind_code"),
    [
        ("QBWC1013", "QBWC1013"),
        ("0x80040414", "0x80040414"),
        ("80040414", "0x80040414"),
        ("3200", "3200"),
        ("0", "0"),
        ("-2147220472", "0x80040408"),
    ],
)
def test_explain_code_tells_the_kinds_apart(text: str, kind_code: str) -> None:
    """explain_code routes each form of code to the right table."""
    assert explain_code(text).code == kind_code


def every_explanation() -> list[Explanation]:
    """One explanation per table row, plus the generic ones."""
    found = [explain_hresult(code) for code in HRESULTS]
    found += [explain_status(code) for code in STATUS_CODES]
    found += [explain_qbwc(code) for code in QBWC_CODES]
    found += [explain_hresult("0x1"), explain_qbwc("QBWC1"), explain_status(123456)]
    return found


def test_every_explanation_fits_one_line_with_a_long_detail() -> None:
    """Every entry formats to one line of at most 300 characters, detail included or cut."""
    detail = "QuickBooks said:\n" + "a very long message " * 40
    for exp in every_explanation():
        for line in (format_for_person(exp), format_for_person(exp, detail)):
            assert len(line) <= MAX_LINE, line
            assert "\n" not in line
            assert line.startswith(f"{exp.code}: ")
            assert "Fix: " in line


def test_short_detail_is_kept_whole() -> None:
    """A short detail appears in full between the title and the fix."""
    line = format_for_person(explain_status(3100), 'The name "abc" is already in use.')
    assert line == (
        "3100: The name is already in use in QuickBooks "
        '(The name "abc" is already in use.). '
        "Fix: Use a different name, or update the existing record instead of adding a new one."
    )


def test_long_detail_is_shortened() -> None:
    """A detail too long for the line is cut with an ellipsis."""
    line = format_for_person(explain_hresult("0x80040400"), "x" * 1000)
    assert "…" in line
    assert len(line) <= MAX_LINE


def test_texts_are_plain_sentences() -> None:
    """Titles carry no trailing period and fixes end with one."""
    for exp in every_explanation():
        assert not exp.title.endswith(".")
        assert exp.fix.endswith(".")
