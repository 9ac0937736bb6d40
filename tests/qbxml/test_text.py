"""Tests for qwc_service.qbxml.text: text QuickBooks Desktop stores faithfully."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwc_service.qbxml.text import quickbooks_text


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("Café Zoë Ñandú", "Café Zoë Ñandú"),
        ("Cafe\u0301", "Café"),
        (
            "\u201cQuoted\u201d \u2018single\u2019 \u2013 dash \u2014 long\u2026",
            "\"Quoted\" 'single' - dash - long...",
        ),
        ("Price: 10 €", "Price: 10 EUR"),
        ("Brand™", "Brand(TM)"),
        ("Erdős Łódź", "Erdos ?ódz"),
        ("中文", "??"),
        ("line1\nline2\tend\r", "line1\nline2\tend\r"),
        ("bell\x07 and nul\x00", "bell and nul"),
        ("zero\u200bwidth", "zerowidth"),
        ("plain ASCII & <markup>", "plain ASCII & <markup>"),
    ],
)
def test_quickbooks_text(given_text: str, expected: str) -> None:
    """Latin-1 is kept, Windows punctuation spelled out, the rest reduced or replaced."""
    assert quickbooks_text(given_text) == expected


@given(st.text())
def test_result_is_always_latin1(value: str) -> None:
    """Whatever goes in, the result encodes as Latin-1 and has no stray control characters."""
    result = quickbooks_text(value)
    result.encode("latin-1")
    assert all(ch in "\t\n\r" or unicodedata.category(ch) != "Cc" for ch in result)
